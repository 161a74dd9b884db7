import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  ApiError,
  api,
  displayApi,
  rosterApi,
  type AuthSession,
  type DisplayLink,
  type DisplayLinkInput,
  type DisplaySettings,
  type DisplayTemplate,
  type RosterEvent,
  type TemplateVersionSummary,
  type TimingSession,
} from '../api';
import { ConfirmButton, CopyField, PageHeader } from '../components/Controls';
import { Link } from '../components/Link';
import { countOf, SessionPicker, sessionLabel } from '../components/SessionPicker';
import { Empty, ErrorMessage, Loading } from '../components/States';
import {
  DEFAULT_SETTINGS,
  LIMITS,
  displayUrl,
  fromLocalInput,
  linesOf,
  linkStatus,
  locationsOf,
  settingsOf,
  toLocalInput,
} from '../displaySettings';
import { formatDateTime } from '../format';
import { allowed } from '../permissions';
import { displayConsolePath, paths } from '../router';
import { useAction } from '../useAction';
import { usePoll, type Poll } from '../usePoll';

const LINKS_EVERY_MS = 10_000;
const SESSIONS_EVERY_MS = 10_000;
/** Templates and rosters change rarely while this screen is open. */
const LISTS_EVERY_MS = 30_000;

/** A new link may start from a session or template chosen elsewhere (dashboard, builder). */
type Editing = { mode: 'new'; preset?: LinkPreset } | { mode: 'edit'; link: DisplayLink };
interface LinkPreset {
  sessionId?: number;
  templateId?: number;
}

/** /displays?session=ID or ?template=ID: "show this on a display" from the dashboard or the builder. */
function presetFromAddress(): LinkPreset | null {
  const q = new URLSearchParams(window.location.search);
  const preset: LinkPreset = {};
  const session = Number(q.get('session'));
  const template = Number(q.get('template'));
  if (Number.isInteger(session) && session > 0) preset.sessionId = session;
  if (Number.isInteger(template) && template > 0) preset.templateId = template;
  return Object.keys(preset).length > 0 ? preset : null;
}

/** The partner's display links: each screen's address, what it binds; create, edit, revoke. */
export function Displays({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const links = usePoll(useCallback((signal: AbortSignal) => displayApi.links(signal), []), LINKS_EVERY_MS, onExpired);
  const sessions = usePoll(useCallback((signal: AbortSignal) => api.sessions(signal), []), SESSIONS_EVERY_MS, onExpired);
  const templates = usePoll(useCallback((signal: AbortSignal) => api.templates(signal), []), LISTS_EVERY_MS, onExpired);
  const rosters = usePoll(useCallback((signal: AbortSignal) => rosterApi.events(signal), []), LISTS_EVERY_MS, onExpired);
  const canManage = allowed(session, 'displays:manage');
  const [editing, setEditing] = useState<Editing | null>(() => {
    const preset = canManage ? presetFromAddress() : null;
    return preset ? { mode: 'new', preset } : null;
  });
  const [saved, setSaved] = useState<{ id: string; created: boolean } | null>(null);
  const change = useAction(onExpired, onRefused);
  const formPanel = useRef<HTMLElement>(null);

  useEffect(() => {
    if (editing) formPanel.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [editing]);

  const revoke = async (link: DisplayLink) => {
    const done = await change.run(async () => {
      await displayApi.revokeLink(link.id);
      return true;
    });
    if (!done) return;
    if (editing?.mode === 'edit' && editing.link.id === link.id) setEditing(null);
    if (saved?.id === link.id) setSaved(null);
    links.retry();
  };

  const names = {
    templates: new Map((templates.data?.templates ?? []).map((t) => [t.id, t])),
    sessions: new Map((sessions.data?.sessions ?? []).map((s) => [s.id, s])),
    rosters: new Map((rosters.data?.events ?? []).map((r) => [r.id, r])),
  };
  const now = Date.now();
  const order = { live: 0, expired: 1, revoked: 2 } as const;
  const list = [...(links.data?.links ?? [])].sort(
    (a, b) => order[linkStatus(a, now)] - order[linkStatus(b, now)] || b.created_at.localeCompare(a.created_at),
  );
  const savedLink = saved ? list.find((l) => l.id === saved.id) : undefined;

  return (
    <main className="page">
      <PageHeader title="Displays">
        Each display link is an address you open on a screen at the venue (a TV, a projector, a tablet): it shows runners
        as they cross, with the template, session and locations you choose. Open one link on as many screens as you like.
      </PageHeader>

      {change.error ? (
        <p className="form-error" role="alert" data-testid="display-error">
          {change.error}
        </p>
      ) : null}
      {saved && savedLink ? (
        <p className="notice" role="status" data-testid="display-saved">
          {saved.created ? `“${savedLink.name || 'Untitled display'}” is ready: copy its address below.` : `Saved “${savedLink.name || 'Untitled display'}”: its open screens reload with the change.`}
        </p>
      ) : null}

      {canManage && editing ? (
        <section className="panel" ref={formPanel} aria-labelledby="display-form-title">
          <h2 id="display-form-title">
            {editing.mode === 'new' ? 'New display link' : `Edit “${editing.link.name || 'Untitled display'}”`}
          </h2>
          <LinkForm
            key={editing.mode === 'new' ? 'new' : editing.link.id}
            link={editing.mode === 'edit' ? editing.link : null}
            preset={editing.mode === 'new' ? (editing.preset ?? {}) : {}}
            sessions={sessions}
            templates={templates.data?.templates ?? []}
            rosters={rosters.data?.events ?? []}
            canSeePlan={allowed(session, 'users:read')}
            onExpired={onExpired}
            onRefused={onRefused}
            onCancel={() => setEditing(null)}
            onSaved={(id) => {
              setSaved({ id, created: editing.mode === 'new' });
              setEditing(null);
              links.retry();
            }}
          />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="displays-title">
        <div className="panel-header">
          <h2 id="displays-title">Display links</h2>
          {canManage && !editing ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setSaved(null);
                setEditing({ mode: 'new' });
              }}
            >
              New display link
            </button>
          ) : null}
        </div>
        {links.error && links.data ? <p className="panel-warning">Could not refresh: {links.error.message}</p> : null}
        {!links.data && links.error ? <ErrorMessage message={links.error.message} onRetry={links.retry} /> : null}
        {!links.data && !links.error ? <Loading label="Loading display links…" /> : null}
        {links.data && list.length === 0 ? (
          <Empty title="No display links yet">
            {canManage
              ? 'Create one, then open its address on a screen at the venue.'
              : 'Staff, admins and owners of your company can create one.'}
          </Empty>
        ) : null}
        {list.length > 0 ? (
          <ul className="display-list" data-testid="display-links">
            {list.map((link) => (
              <LinkCard
                key={link.id}
                link={link}
                now={now}
                names={names}
                highlighted={saved?.id === link.id}
                actions={
                  canManage && linkStatus(link, now) !== 'revoked' ? (
                    <>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => {
                          setSaved(null);
                          setEditing({ mode: 'edit', link });
                        }}
                        disabled={change.pending}
                      >
                        Edit
                      </button>
                      <ConfirmButton
                        label="Revoke"
                        confirmLabel="Revoke now"
                        disabled={change.pending}
                        onConfirm={() => void revoke(link)}
                      />
                    </>
                  ) : null
                }
              />
            ))}
          </ul>
        ) : null}
        {links.data && !canManage ? (
          <p className="muted small">Only staff, admins and owners can create, change or revoke display links.</p>
        ) : null}
      </section>
    </main>
  );
}

interface Names {
  templates: Map<number, DisplayTemplate>;
  sessions: Map<number, TimingSession>;
  rosters: Map<number, RosterEvent>;
}

function LinkCard({
  link,
  now,
  names,
  highlighted,
  actions,
}: {
  link: DisplayLink;
  now: number;
  names: Names;
  highlighted: boolean;
  actions: ReactNode;
}) {
  const status = linkStatus(link, now);
  const url = displayUrl(link.id);
  const template = link.template_id === null ? null : names.templates.get(link.template_id);
  const session = link.session_id === null ? null : names.sessions.get(link.session_id);
  const roster = link.roster_event_id === null ? null : names.rosters.get(link.roster_event_id);
  const classes = ['display-card'];
  if (status !== 'live') classes.push('display-card-ended');
  if (highlighted) classes.push('display-card-new');
  return (
    <li className={classes.join(' ')} data-link={link.id} aria-label={link.name || 'Untitled display'}>
      <div className="display-card-head">
        <h3>{link.name || 'Untitled display'}</h3>
        {status === 'live' ? (
          <span className="badge badge-active">Live</span>
        ) : status === 'expired' ? (
          <span className="badge">Expired</span>
        ) : (
          <span className="badge badge-bad">Revoked</span>
        )}
      </div>
      {status === 'live' ? (
        <CopyField label="Display URL" value={url} testId="display-url" />
      ) : (
        <p className="mono small muted display-url-ended">{url}</p>
      )}
      <dl className="display-facts">
        <div>
          <dt>Template</dt>
          <dd>
            {link.template_id === null
              ? 'Default design'
              : `${template?.name ?? `Template #${link.template_id}`} · ${
                  link.template_version === null ? 'current version' : `version ${link.template_version}`
                }`}
          </dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            {link.session_id === null
              ? 'Follows the active session'
              : session
                ? sessionLabel(session)
                : `Session #${link.session_id}`}
          </dd>
        </div>
        <div>
          <dt>Locations</dt>
          <dd>{link.locations.length === 0 ? 'All locations' : link.locations.join(', ')}</dd>
        </div>
        <div>
          <dt>Roster</dt>
          <dd>
            {link.roster_event_id === null
              ? 'None (bibs only)'
              : (roster?.name ?? `Roster #${link.roster_event_id}`)}
          </dd>
        </div>
        <div>
          <dt>{status === 'expired' ? 'Expired' : 'Expires'}</dt>
          <dd>{link.expires_at ? formatDateTime(link.expires_at) : 'Never'}</dd>
        </div>
        <div>
          <dt>{status === 'revoked' ? 'Revoked' : 'Created'}</dt>
          <dd>{formatDateTime(status === 'revoked' ? link.revoked_at : link.created_at)}</dd>
        </div>
      </dl>
      {status === 'live' ? (
        <div className="display-actions">
          <a className="button button-small" href={url} target="_blank" rel="noopener noreferrer">
            Open
          </a>
          <Link to={displayConsolePath(link.id)} className="button button-small">
            Console
          </Link>
          {actions}
        </div>
      ) : status === 'expired' ? (
        <div className="display-actions">{actions}</div>
      ) : null}
    </li>
  );
}

/** The create/edit form. A new link posts everything; an edit patches what it binds. */
function LinkForm({
  link,
  preset,
  sessions,
  templates,
  rosters,
  canSeePlan,
  onExpired,
  onRefused,
  onCancel,
  onSaved,
}: {
  link: DisplayLink | null;
  preset: LinkPreset;
  sessions: Poll<{ sessions: TimingSession[] }>;
  templates: DisplayTemplate[];
  rosters: RosterEvent[];
  canSeePlan: boolean;
  onExpired: () => void;
  onRefused?: (message: string) => void;
  onCancel: () => void;
  onSaved: (id: string) => void;
}) {
  const initial = settingsOf(link);
  const initialExpiry = toLocalInput(link?.expires_at ?? null);
  const [name, setName] = useState(link?.name ?? '');
  const [templateId, setTemplateId] = useState(link?.template_id ? String(link.template_id) : preset.templateId ? String(preset.templateId) : '');
  const [templateVersion, setTemplateVersion] = useState(link?.template_version ? String(link.template_version) : '');
  const [rosterId, setRosterId] = useState(link?.roster_event_id ? String(link.roster_event_id) : '');
  const [sessionId, setSessionId] = useState<number | null>(link ? link.session_id : (preset.sessionId ?? null));
  const [checked, setChecked] = useState<string[]>(link?.locations ?? []);
  const [otherLocations, setOtherLocations] = useState('');
  const [minSeconds, setMinSeconds] = useState(String(initial.minDisplayMs / 1000));
  const [maxQueue, setMaxQueue] = useState(String(initial.maxQueue));
  const [dropPolicy, setDropPolicy] = useState(initial.dropPolicy);
  const [repeatSeconds, setRepeatSeconds] = useState(String(initial.repeatWindowMs / 1000));
  const [unknownBib, setUnknownBib] = useState(initial.unknownBib);
  const [idleMessages, setIdleMessages] = useState(initial.idleMessages.join('\n'));
  const [serverMessages, setServerMessages] = useState(initial.serverMessages.join('\n'));
  const [rotatingMessages, setRotatingMessages] = useState(initial.rotatingMessages.join('\n'));
  const [sound, setSound] = useState(initial.sound);
  const [animation, setAnimation] = useState(initial.animation);
  const [expires, setExpires] = useState(initialExpiry);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [limit, setLimit] = useState<string | null>(null);
  const save = useAction(onExpired, onRefused);

  // The versions of the chosen template, for "a specific version".
  const [versions, setVersions] = useState<TemplateVersionSummary[] | null>(null);
  useEffect(() => {
    setVersions(null);
    if (!templateId) return;
    const controller = new AbortController();
    api
      .templateVersions(Number(templateId), controller.signal)
      .then((r) => setVersions(r.versions))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) onExpired();
        else setVersions([]);
      });
    return () => controller.abort();
  }, [templateId, onExpired]);

  // Location choices: those of the picked session (or of the active one when following it),
  // and whatever the link filters on already.
  const allSessions = sessions.data?.sessions ?? [];
  const picked =
    sessionId === null ? allSessions.find((s) => s.status === 'active') : allSessions.find((s) => s.id === sessionId);
  const choices = [...new Set([...(picked?.locations ?? []), ...checked])];
  const toggle = (location: string, on: boolean) =>
    setChecked((current) => (on ? [...current, location] : current.filter((l) => l !== location)));

  const build = (): DisplayLinkInput | string => {
    const numberIn = (text: string, [min, max]: readonly [number, number], what: string): number | string => {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) return `${what} must be between ${min} and ${max}.`;
      return n;
    };
    const min = numberIn(minSeconds, LIMITS.minDisplaySeconds, 'Minimum display time (seconds)');
    if (typeof min === 'string') return min;
    const queue = numberIn(maxQueue, LIMITS.maxQueue, 'Maximum queue');
    if (typeof queue === 'string') return queue;
    if (!Number.isInteger(queue)) return 'Maximum queue must be a whole number.';
    const repeat = numberIn(repeatSeconds, LIMITS.repeatWindowSeconds, 'Repeat window (seconds)');
    if (typeof repeat === 'string') return repeat;

    const messages: Array<[string, string[], number]> = [
      ['Idle messages', linesOf(idleMessages), LIMITS.idleMessages],
      ['Server messages', linesOf(serverMessages), LIMITS.serverMessages],
      ['Rotating messages', linesOf(rotatingMessages), LIMITS.rotatingMessages],
    ];
    for (const [what, list, max] of messages) {
      if (list.length > max) return `${what}: at most ${max}.`;
      const long = list.find((m) => m.length > LIMITS.messageLength);
      if (long) return `${what}: “${long.slice(0, 30)}…” is longer than ${LIMITS.messageLength} characters.`;
    }
    const locations = [...new Set([...checked, ...locationsOf(otherLocations)])];
    if (locations.length > LIMITS.locations) return `At most ${LIMITS.locations} locations.`;
    const longLocation = locations.find((l) => l.length > LIMITS.locationLength);
    if (longLocation) return `Location “${longLocation}” is longer than ${LIMITS.locationLength} characters.`;

    let expiresAt: string | null = null;
    if (expires) {
      expiresAt = fromLocalInput(expires);
      if (!expiresAt) return 'The expiry is not a valid date and time.';
      if (expires !== initialExpiry && new Date(expiresAt).getTime() <= Date.now()) return 'The expiry must be in the future.';
    }
    const settings: DisplaySettings = {
      minDisplayMs: Math.round(min * 1000),
      maxQueue: queue,
      dropPolicy,
      repeatWindowMs: Math.round(repeat * 1000),
      unknownBib,
      idleMessages: linesOf(idleMessages),
      serverMessages: linesOf(serverMessages),
      rotatingMessages: linesOf(rotatingMessages),
      sound,
      animation,
    };
    return {
      name: name.trim(),
      session_id: sessionId,
      locations,
      settings,
      template_id: templateId ? Number(templateId) : null,
      template_version: templateId && templateVersion ? Number(templateVersion) : null,
      roster_event_id: rosterId ? Number(rosterId) : null,
      expires_at: expiresAt,
    };
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setLimit(null);
    const input = build();
    if (typeof input === 'string') {
      setInvalid(input);
      return;
    }
    setInvalid(null);
    const id = await save.run(async () => {
      try {
        if (!link) return (await displayApi.createLink(input)).id;
        // An unchanged expiry is left out: the server keeps it (and does not re-check a past one).
        const { expires_at, ...rest } = input;
        await displayApi.updateLink(link.id, expires === initialExpiry ? rest : { ...rest, expires_at });
        return link.id;
      } catch (error) {
        if (error instanceof ApiError && error.status === 402) {
          setLimit(error.message);
          return null;
        }
        throw error;
      }
    });
    if (id) onSaved(id);
  };

  const error = invalid ?? save.error;
  return (
    <form className="form display-form" onSubmit={onSubmit} aria-label={link ? 'Edit display link' : 'New display link'} data-testid="display-form" noValidate>
      {limit ? (
        <div className="panel-warning display-limit" role="alert" data-testid="display-limit">
          <strong>Your plan’s display limit is reached.</strong> {limit}{' '}
          {canSeePlan ? (
            <Link to={paths.plan}>See Plan &amp; usage</Link>
          ) : (
            'Ask an owner or admin of your company to upgrade, or revoke a display link you no longer use.'
          )}
        </div>
      ) : null}

      <div className="display-form-grid">
        <label className="field">
          <span>Name</span>
          <input
            name="name"
            maxLength={LIMITS.name}
            placeholder="e.g. Finish line screen"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Template</span>
          <select
            name="template"
            value={templateId}
            onChange={(e) => {
              setTemplateId(e.target.value);
              setTemplateVersion('');
            }}
          >
            <option value="">Default design</option>
            {templates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Template version</span>
          <select
            name="template_version"
            value={templateVersion}
            disabled={!templateId}
            onChange={(e) => setTemplateVersion(e.target.value)}
          >
            <option value="">Current version (follows new saves)</option>
            {templateVersion && !versions?.some((v) => String(v.version) === templateVersion) ? (
              <option value={templateVersion}>Version {templateVersion}</option>
            ) : null}
            {(versions ?? []).map((v) => (
              <option key={v.version} value={v.version}>
                Version {v.version} · {formatDateTime(v.created_at)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Roster</span>
          <select name="roster" value={rosterId} onChange={(e) => setRosterId(e.target.value)}>
            <option value="">None (show bibs only)</option>
            {rosterId && !rosters.some((r) => String(r.id) === rosterId) ? (
              <option value={rosterId}>Roster #{rosterId}</option>
            ) : null}
            {rosters.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({countOf(r.participant_count, 'participant')})
              </option>
            ))}
          </select>
        </label>
      </div>

      <SessionPicker poll={sessions} value={sessionId} onChange={setSessionId} onExpired={onExpired} />

      <fieldset className="display-fieldset" data-testid="display-locations">
        <legend>Locations</legend>
        <p className="muted small">Show reads from these timing locations only; none ticked and none typed = every location.</p>
        {choices.length > 0 ? (
          <div className="check-row">
            {choices.map((l) => (
              <label key={l} className="check">
                <input type="checkbox" checked={checked.includes(l)} onChange={(e) => toggle(l, e.target.checked)} />
                {l}
              </label>
            ))}
          </div>
        ) : (
          <p className="muted small">
            {picked ? 'This session has no reads yet, so no locations are known: type them below.' : 'Pick a session to choose from its locations, or type them below.'}
          </p>
        )}
        <label className="field">
          <span>Other locations (comma separated)</span>
          <input name="other_locations" placeholder="e.g. finish" value={otherLocations} onChange={(e) => setOtherLocations(e.target.value)} />
        </label>
      </fieldset>

      <fieldset className="display-fieldset">
        <legend>Display settings</legend>
        <div className="display-form-grid">
          <NumberField label="Minimum display time (seconds)" name="min_display_seconds" limits={LIMITS.minDisplaySeconds} step="0.5" value={minSeconds} onChange={setMinSeconds} />
          <NumberField label="Maximum queue (runners waiting)" name="max_queue" limits={LIMITS.maxQueue} step="1" value={maxQueue} onChange={setMaxQueue} />
          <label className="field">
            <span>When the queue is full</span>
            <select name="drop_policy" value={dropPolicy} onChange={(e) => setDropPolicy(e.target.value as DisplaySettings['dropPolicy'])}>
              <option value="oldest">Drop the oldest waiting runner</option>
              <option value="newest">Drop the newest read</option>
            </select>
          </label>
          <NumberField label="Repeat window (seconds)" name="repeat_window_seconds" limits={LIMITS.repeatWindowSeconds} step="1" value={repeatSeconds} onChange={setRepeatSeconds} />
          <label className="field">
            <span>Tag not on the roster</span>
            <select name="unknown_bib" value={unknownBib} onChange={(e) => setUnknownBib(e.target.value as DisplaySettings['unknownBib'])}>
              <option value="show-bib">Show the bib alone</option>
              <option value="hide">Show nothing</option>
            </select>
          </label>
          <label className="field">
            <span>Animation</span>
            <select name="animation" value={animation} onChange={(e) => setAnimation(e.target.value as DisplaySettings['animation'])}>
              <option value="fade">Fade</option>
              <option value="slide">Slide</option>
              <option value="none">None</option>
            </select>
          </label>
        </div>
        <p className="muted small">
          A read of the same tag at the same location within the repeat window shows once (0 = show every read).
        </p>
        <div className="display-form-grid">
          <label className="field">
            <span>Idle messages (one per line)</span>
            <textarea name="idle_messages" rows={4} value={idleMessages} onChange={(e) => setIdleMessages(e.target.value)} />
          </label>
          <label className="field">
            <span>Server messages (one per line, one picked per runner)</span>
            <textarea name="server_messages" rows={4} value={serverMessages} onChange={(e) => setServerMessages(e.target.value)} />
          </label>
          <label className="field">
            <span>Rotating messages (one per line, for runners without their own)</span>
            <textarea name="rotating_messages" rows={4} value={rotatingMessages} onChange={(e) => setRotatingMessages(e.target.value)} />
          </label>
        </div>
        <label className="check">
          <input type="checkbox" name="sound" checked={sound} onChange={(e) => setSound(e.target.checked)} />
          Play a sound for each runner
        </label>
      </fieldset>

      <div className="display-form-grid">
        <label className="field">
          <span>Expires (optional)</span>
          <input name="expires_at" type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
      </div>
      {link ? null : (
        <p className="muted small">
          Defaults: {DEFAULT_SETTINGS.minDisplayMs / 1000} s per runner, queue of {DEFAULT_SETTINGS.maxQueue}. A new link
          counts against your plan’s display limit until it is revoked.
        </p>
      )}

      {error ? (
        <p className="form-error" role="alert" data-testid="display-form-error">
          {error}
        </p>
      ) : null}
      <div className="display-actions">
        <button type="submit" className="button button-primary" disabled={save.pending}>
          {save.pending ? 'Saving…' : link ? 'Save changes' : 'Create display link'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={save.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A labelled number input bounded by one of the settings' limits. */
function NumberField(props: { label: string; name: string; limits: readonly [number, number]; step: string; value: string; onChange: (value: string) => void }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        name={props.name}
        type="number"
        min={props.limits[0]}
        max={props.limits[1]}
        step={props.step}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

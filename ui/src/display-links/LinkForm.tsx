/** The create/edit form of a display link. A new link posts everything; an edit patches what it binds. */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, displayApi, type DisplayLink, type DisplayTemplate, type RosterEvent, type TimingSession } from '../api';
import { Field, FormError } from '../components/Form';
import { Link } from '../components/Link';
import { SessionPicker } from '../components/SessionPicker';
import { DEFAULT_SETTINGS } from '../displaySettings';
import { paths } from '../router';
import { useAction } from '../useAction';
import type { Poll } from '../usePoll';
import { DisplaySettingsFields } from './DisplaySettingsFields';
import { LinkBindingFields } from './LinkBindingFields';
import { LinkLocationsFields } from './LinkLocationsFields';
import { draftOf, linkInputOf, type LinkDraft, type SettingsDraft } from './link-draft';
import type { LinkPreset } from './preset';

export function LinkForm({
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
  const [initial] = useState(() => draftOf(link, preset));
  const [draft, setDraft] = useState<LinkDraft>(initial);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [limit, setLimit] = useState<string | null>(null);
  const save = useAction(onExpired, onRefused);
  const change = (patch: Partial<LinkDraft>) => setDraft((d) => ({ ...d, ...patch }));
  // A new link starts on the finish, not on every location (which includes the start mat):
  // once the session's locations are known, a finish-like one is ticked unless the user chose.
  const [locationsTouched, setLocationsTouched] = useState(link !== null);
  const known = sessions.data?.sessions ?? [];
  const picked = draft.sessionId === null ? known.find((s) => s.status === 'active') : known.find((s) => s.id === draft.sessionId);
  const finish = picked?.locations.find((l) => /finish|ziel|arriv|meta/i.test(l));
  useEffect(() => {
    if (!locationsTouched && finish && draft.checked.length === 0) setDraft((d) => ({ ...d, checked: [finish] }));
  }, [locationsTouched, finish, draft.checked.length]);
  const changeLocations = (patch: Partial<LinkDraft>) => {
    setLocationsTouched(true);
    change(patch);
  };
  const changeSettings = (patch: Partial<SettingsDraft>) => setDraft((d) => ({ ...d, settings: { ...d.settings, ...patch } }));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setLimit(null);
    const input = linkInputOf(draft, initial.expires);
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
        await displayApi.updateLink(link.id, draft.expires === initial.expires ? rest : { ...rest, expires_at });
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

      <LinkBindingFields value={draft} templates={templates} rosters={rosters} onChange={change} onExpired={onExpired} />
      <SessionPicker poll={sessions} value={draft.sessionId} onChange={(sessionId) => change({ sessionId })} onExpired={onExpired} />
      <LinkLocationsFields sessions={known} sessionId={draft.sessionId} value={draft} onChange={changeLocations} />
      <DisplaySettingsFields value={draft.settings} onChange={changeSettings} />

      <div className="display-form-grid">
        <Field label="Expires (optional)">
          <input name="expires_at" type="datetime-local" value={draft.expires} onChange={(e) => change({ expires: e.target.value })} />
        </Field>
      </div>
      {link ? null : (
        <p className="muted small">
          Defaults: {DEFAULT_SETTINGS.minDisplayMs / 1000} s per runner, queue of {DEFAULT_SETTINGS.maxQueue}. A new link
          counts against your plan’s display limit until it is revoked.
        </p>
      )}

      <FormError message={invalid ?? save.error} testId="display-form-error" />
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

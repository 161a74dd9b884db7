import { useCallback, useState, type FormEvent } from 'react';
import { displayApi, type AuthSession, type DisplayScreen } from '../api';
import { CopyField, PageHeader } from '../components/Controls';
import { Link } from '../components/Link';
import { Empty, ErrorMessage, PollStates } from '../components/States';
import { displayUrl, linkStatus } from '../displaySettings';
import { formatAgo, formatDateTime } from '../format';
import { allowed } from '../permissions';
import { paths } from '../router';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { Field } from '../components/Form';

/** Screens report when what they show changes (and every 3 s); the console looks every 2 s. */
const SCREENS_EVERY_MS = 2_000;
const LINK_EVERY_MS = 15_000;

/**
 * The operator console of one display link: every open screen (what it shows, its queue), and
 * buttons to clear the queues, put a participant on screen by bib, or send a test read.
 * (No embedded preview: the app's CSP forbids framing its pages, display pages included.)
 */
export function DisplayConsole({
  linkId,
  session,
  onExpired,
  onRefused,
}: {
  linkId: string;
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const screens = usePoll(
    useCallback((signal: AbortSignal) => displayApi.screens(linkId, signal), [linkId]),
    SCREENS_EVERY_MS,
    onExpired,
  );
  const links = usePoll(useCallback((signal: AbortSignal) => displayApi.links(signal), []), LINK_EVERY_MS, onExpired);
  const link = links.data?.links.find((l) => l.id === linkId);
  const canManage = allowed(session, 'displays:manage');
  const action = useAction(onExpired, onRefused);
  const [bib, setBib] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const url = displayUrl(linkId);
  const gone = (screens.error?.status === 404 && !screens.data) || (link !== undefined && linkStatus(link) === 'revoked');

  const run = async (fn: () => Promise<string>) => {
    setDone(null);
    const message = await action.run(fn);
    if (message) {
      setDone(message);
      screens.retry();
    }
  };
  const clear = () =>
    run(async () => {
      await displayApi.clear(linkId);
      return 'Cleared: every screen shows the idle design.';
    });
  const testRead = () =>
    run(async () => {
      await displayApi.testRead(linkId);
      return 'Sent a test read: “Test Runner” shows on every screen.';
    });
  const showBib = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const wanted = bib.trim();
    if (!wanted) return;
    void run(async () => {
      const { runner } = await displayApi.showBib(linkId, wanted);
      setBib('');
      return `Showing bib ${runner.bib}${runner.name ? `: ${runner.name}` : ''}.`;
    });
  };

  const list = screens.data?.screens ?? [];
  const title = link ? `Console · ${link.name || 'Untitled display'}` : 'Display console';
  return (
    <main className="page">
      <p className="small">
        <Link to={paths.displays}>← All displays</Link>
      </p>
      <PageHeader title={title}>
        The screens that have this link open right now, what each shows and who waits in its queue.
      </PageHeader>

      {gone ? (
        <ErrorMessage message="This display link does not exist or has been revoked: its screens show that it has ended." />
      ) : (
        <>
          <section className="panel" aria-labelledby="console-link-title">
            <h2 id="console-link-title">Display address</h2>
            <CopyField label="Display URL" value={url} testId="display-url" />
            <div className="display-actions">
              <a className="button button-small" href={url} target="_blank" rel="noopener noreferrer">
                Open the display
              </a>
              {link?.expires_at ? <span className="muted small">Expires {formatDateTime(link.expires_at)}</span> : null}
            </div>
          </section>

          {canManage ? (
            <section className="panel" aria-labelledby="console-actions-title">
              <h2 id="console-actions-title">Control the screens</h2>
              <div className="console-controls">
                <button type="button" className="button" onClick={() => void testRead()} disabled={action.pending}>
                  Send test read
                </button>
                <button type="button" className="button" onClick={() => void clear()} disabled={action.pending}>
                  Clear queue
                </button>
                <form className="inline-form" onSubmit={showBib} aria-label="Show a bib">
                  <Field label="Bib">
                    <input name="bib" maxLength={32} value={bib} onChange={(e) => setBib(e.target.value)} placeholder="e.g. 1234" />
                  </Field>
                  <button type="submit" className="button button-primary" disabled={action.pending || bib.trim() === ''}>
                    Show bib
                  </button>
                </form>
              </div>
              {action.error ? (
                <p className="form-error console-feedback" role="alert" data-testid="console-error">
                  {action.error}
                </p>
              ) : null}
              {done ? (
                <p className="notice console-feedback" role="status" data-testid="console-done">
                  {done}
                </p>
              ) : null}
            </section>
          ) : null}

          <section className="panel" aria-labelledby="console-screens-title">
            <div className="panel-header">
              <h2 id="console-screens-title">Open screens</h2>
              {screens.data ? <span className="muted">{list.length}</span> : null}
            </div>
            <PollStates poll={screens} loading="Looking for open screens…" />
            {screens.data && list.length === 0 ? (
              <Empty title="No screen has this link open">
                Open the display address on a screen; it shows up here within a few seconds. A screen that has not been
                heard from for 10 seconds drops off the list, and a closed one at once.
              </Empty>
            ) : null}
            {list.length > 0 ? (
              <ul className="screen-list" data-testid="screens">
                {list.map((s) => (
                  <ScreenCard
                    key={s.screen_id}
                    screen={s}
                    onRename={canManage ? (name) => displayApi.nameScreen(linkId, s.screen_id, name).then(() => screens.retry()) : undefined}
                  />
                ))}
              </ul>
            ) : null}
          </section>
        </>
      )}
    </main>
  );
}

/** The screen's name, and (for those who manage displays) a form that names it. */
function ScreenName({ screen, onRename }: { screen: DisplayScreen; onRename: ((name: string) => Promise<void>) | undefined }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  if (editing && onRename) {
    const submit = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      setPending(true);
      setError(null);
      onRename(draft.trim())
        .then(() => setEditing(false))
        .catch((e: unknown) => setError(e instanceof Error ? e.message : 'The name could not be saved.'))
        .finally(() => setPending(false));
    };
    return (
      <form className="inline-form screen-name-form" onSubmit={submit} aria-label={`Name screen ${screen.screen_id}`}>
        <Field label="Screen name">
          <input name="screen_name" maxLength={60} value={draft} placeholder="e.g. Finish TV left" autoFocus onChange={(e) => setDraft(e.target.value)} />
        </Field>
        <button type="submit" className="button button-small button-primary" disabled={pending}>
          Save name
        </button>
        <button type="button" className="button button-small" onClick={() => setEditing(false)}>
          Cancel
        </button>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    );
  }
  return (
    <div className="screen-title">
      <h3 data-testid="screen-name">{screen.name ?? 'Unnamed screen'}</h3>
      <span className="muted small mono" title="The screen's id (new each time its page loads)">
        {screen.screen_id}
      </span>
      {onRename ? (
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            setDraft(screen.name ?? '');
            setEditing(true);
          }}
        >
          {screen.name ? 'Rename' : 'Name this screen'}
        </button>
      ) : null}
    </div>
  );
}

function ScreenCard({ screen, onRename }: { screen: DisplayScreen; onRename: ((name: string) => Promise<void>) | undefined }) {
  const more = screen.queue_length - screen.queue.length;
  return (
    <li className="screen-card" data-screen={screen.screen_id}>
      <div className="display-card-head">
        <ScreenName screen={screen} onRename={onRename} />
        <span className="muted small" title={formatDateTime(screen.last_seen)}>
          Last seen {formatAgo(screen.last_seen)}
        </span>
      </div>
      <div className="screen-now" data-testid="on-screen">
        {screen.on_screen ? (
          <>
            <span className="muted small">On screen</span>
            <strong className="screen-bib mono">{screen.on_screen.bib}</strong>
            <strong>{screen.on_screen.name || '—'}</strong>
          </>
        ) : (
          <span className="muted">Idle (no runner on screen)</span>
        )}
      </div>
      <dl className="display-facts">
        <div>
          <dt>Waiting</dt>
          <dd data-testid="queue-length">{screen.queue_length}</dd>
        </div>
        <div>
          <dt>Shown</dt>
          <dd>{screen.shown}</dd>
        </div>
        <div>
          <dt>Dropped</dt>
          <dd className={screen.dropped > 0 ? 'usage-note' : undefined}>{screen.dropped}</dd>
        </div>
      </dl>
      {screen.dropped > 0 ? (
        <p className="panel-warning small" role="status" data-testid="screen-overflow">
          This screen cannot keep up: {screen.dropped} {screen.dropped === 1 ? 'runner was' : 'runners were'} never shown because its
          queue was full. One runner at a time shows at most one every minimum display time; for a busy finish use a template with a
          finisher list or a leaderboard (every finisher appears), or lower the minimum display time.
        </p>
      ) : null}
      {screen.queue.length > 0 ? (
        <>
          <h4 className="small muted">Queue</h4>
          <ol className="screen-queue">
            {screen.queue.map((r, i) => (
              <li key={`${i}-${r.bib}`}>
                <span className="mono strong">{r.bib}</span> {r.name}
              </li>
            ))}
          </ol>
          {more > 0 ? <p className="muted small">…and {more} more</p> : null}
        </>
      ) : null}
    </li>
  );
}

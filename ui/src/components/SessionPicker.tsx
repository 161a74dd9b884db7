/**
 * Picks the timing session a display follows: the partner's sessions with read counts and last
 * read, or "follow the active session", with a live preview of the highlighted session's newest
 * reads. Highlighting (Preview) only looks; selecting binds.
 */
import { useCallback, useState, type ReactNode } from 'react';
import { displayApi, type TimingSession } from '../api';
import { countOf, formatAgo, formatDateTime, formatReadTime } from '../format';
import { usePoll, type Poll } from '../usePoll';
import { Empty, ErrorMessage, Loading, PollStates } from './States';

/** The seed plan's preview: reads of the highlighted session, every 2 s. */
const PREVIEW_EVERY_MS = 2_000;
const PREVIEW_LIMIT = 10;
const FIRST_SESSIONS = 6;

type Highlight = number | 'active';

/** "1 read", "2,400 reads". */

export function sessionLabel(s: Pick<TimingSession, 'event_name' | 'session_name'>): string {
  return s.event_name ? `${s.event_name} (${s.session_name})` : s.session_name;
}

export function SessionPicker({
  poll,
  value,
  onChange,
  onExpired,
  disabled,
}: {
  /** The partner's sessions (the parent polls them: it also needs their locations). */
  poll: Poll<{ sessions: TimingSession[] }>;
  /** The bound session; null = follow the active session. */
  value: number | null;
  onChange: (sessionId: number | null) => void;
  onExpired: () => void;
  disabled?: boolean;
}) {
  const { data } = poll;
  const [highlight, setHighlight] = useState<Highlight>(value ?? 'active');
  const [showAll, setShowAll] = useState(false);
  const sessions = data?.sessions ?? [];
  const active = sessions.find((s) => s.status === 'active') ?? null;
  // The bound session stays in view even when it is older than the first few.
  const shown = showAll ? sessions : sessions.filter((s, i) => i < FIRST_SESSIONS || s.id === value);

  const select = (id: number | null) => {
    onChange(id);
    setHighlight(id ?? 'active');
  };
  const highlighted = highlight === 'active' ? null : (sessions.find((s) => s.id === highlight) ?? null);
  const previewTitle =
    highlight === 'active'
      ? active
        ? `Active session: ${sessionLabel(active)}`
        : 'Active session (none right now)'
      : highlighted
        ? sessionLabel(highlighted)
        : `Session ${highlight}`;
  const bound = (highlight === 'active' ? null : highlight) === value;

  return (
    <fieldset className="session-picker" data-testid="session-picker" disabled={disabled}>
      <legend>Session</legend>
      <div className="session-picker-grid">
        <div>
          <PollStates poll={poll} loading="Loading sessions…" />
          <ul className="picker-list" aria-label="Sessions">
            <li className={value === null ? 'picker-option picker-option-selected' : 'picker-option'}>
              <label className="picker-choice">
                <input type="radio" name="session-choice" checked={value === null} onChange={() => select(null)} />
                <span>
                  <strong>Follow the active session</strong>
                  <span className="muted small picker-detail">
                    {active
                      ? `Now: ${sessionLabel(active)} · ${countOf(active.total_reads, 'read')}`
                      : 'Whichever session your timing software has open (none right now)'}
                  </span>
                </span>
              </label>
              <PreviewButton highlighted={highlight === 'active'} onClick={() => setHighlight('active')} />
            </li>
            {shown.map((s) => (
              <li
                key={s.id}
                data-session={s.id}
                className={value === s.id ? 'picker-option picker-option-selected' : 'picker-option'}
              >
                <label className="picker-choice">
                  <input type="radio" name="session-choice" checked={value === s.id} onChange={() => select(s.id)} />
                  <span>
                    <strong>{s.event_name ?? s.session_name}</strong>{' '}
                    <span className={`badge badge-${s.status}`}>{s.status === 'active' ? 'Active' : 'Closed'}</span>
                    <span className="muted small picker-detail">
                      {s.event_name ? `${s.session_name} · ` : ''}
                      {countOf(s.total_reads, 'read')} · last read{' '}
                      <span title={formatDateTime(s.last_read)}>{formatAgo(s.last_read)}</span>
                      {s.locations.length > 0 ? ` · ${s.locations.join(', ')}` : ''}
                    </span>
                  </span>
                </label>
                <PreviewButton highlighted={highlight === s.id} onClick={() => setHighlight(s.id)} />
              </li>
            ))}
          </ul>
          {data && sessions.length === 0 ? (
            <p className="muted small">
              No sessions yet: a session starts when your timing software first connects. Until then, follow the active
              session.
            </p>
          ) : null}
          {sessions.length > FIRST_SESSIONS ? (
            <button type="button" className="button button-small" onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Show fewer' : `Show all ${sessions.length} sessions`}
            </button>
          ) : null}
        </div>
        <ReadsPreview
          key={String(highlight)}
          sessionId={highlight === 'active' ? null : highlight}
          title={previewTitle}
          onExpired={onExpired}
          action={
            bound ? null : (
              <button
                type="button"
                className="button button-small button-primary"
                onClick={() => select(highlight === 'active' ? null : highlight)}
              >
                {highlight === 'active' ? 'Follow the active session' : 'Use this session'}
              </button>
            )
          }
        />
      </div>
    </fieldset>
  );
}

function PreviewButton({ highlighted, onClick }: { highlighted: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className="button button-small"
      onClick={onClick}
      aria-pressed={highlighted}
      disabled={highlighted}
    >
      {highlighted ? 'Previewing' : 'Preview'}
    </button>
  );
}

/** The newest reads of one session (null: the active one), refreshed every 2 s. */
function ReadsPreview({
  sessionId,
  title,
  onExpired,
  action,
}: {
  sessionId: number | null;
  title: string;
  onExpired: () => void;
  action: ReactNode;
}) {
  const poll = usePoll(
    useCallback((signal: AbortSignal) => displayApi.sessionReads(sessionId, PREVIEW_LIMIT, signal), [sessionId]),
    PREVIEW_EVERY_MS,
    onExpired,
  );
  const reads = poll.data?.reads;
  return (
    <section className="picker-preview" aria-label="Recent reads preview" data-testid="session-preview">
      <div className="panel-header">
        <strong className="small">Recent reads · {title}</strong>
        {poll.paused ? (
          <span className="live live-paused">Paused</span>
        ) : poll.error ? (
          <span className="live live-error">Reconnecting…</span>
        ) : poll.updatedAt !== null ? (
          <span className="live live-on">
            <span className="live-dot" aria-hidden="true" />
            Live
          </span>
        ) : null}
      </div>
      {!reads && poll.error ? <ErrorMessage message={poll.error.message} onRetry={poll.retry} /> : null}
      {!reads && !poll.error ? <Loading label="Loading reads…" /> : null}
      {reads && reads.length === 0 ? <Empty title="No reads yet">Reads of this session show here as they arrive.</Empty> : null}
      {reads && reads.length > 0 ? (
        <table className="reads">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Tag</th>
              <th scope="col">Location</th>
            </tr>
          </thead>
          <tbody>
            {reads.map((r, i) => (
              <tr key={r.id ?? i} data-tag={r.tag_code}>
                <td className="mono">{formatReadTime(r.read_time)}</td>
                <td className="mono strong">{r.read_kind === 'gun' ? 'Gun start' : r.tag_code}</td>
                <td>{r.location_name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {action ? <div className="picker-preview-action">{action}</div> : null}
    </section>
  );
}

import { useCallback, useEffect, useRef } from 'react';
import { api, type Read, type TimingSession } from '../api';
import { formatAgo, formatReadTime } from '../format';
import { usePoll } from '../usePoll';
import { Empty, ErrorMessage, Loading } from './States';

const POLL_EVERY_MS = 1_000;
const LIMIT = 50;
/** How long a newly arrived read stays highlighted (matches the CSS animation). */
const HIGHLIGHT_MS = 3_000;

function readKey(read: Read): string {
  if (read.id !== undefined) return String(read.id);
  return `${read.session_id ?? ''}|${read.location_name}|${read.sequence_number ?? ''}|${read.tag_code}|${read.read_time}`;
}

/** The newest reads of the active session, refreshed every second; new rows flash. */
export function LiveReads({
  activeSession,
  sessionsLoaded,
  onExpired,
  onNewSession,
}: {
  activeSession: TimingSession | null;
  sessionsLoaded: boolean;
  onExpired: () => void;
  /** Called once per session id seen in the reads that is not the active session (refresh the list). */
  onNewSession?: () => void;
}) {
  const poll = usePoll(
    useCallback((signal: AbortSignal) => api.recentReads(LIMIT, signal), []),
    POLL_EVERY_MS,
    onExpired,
  );
  // When each read was first seen; reads present in the first answer are not "new".
  const firstSeen = useRef<Map<string, number> | null>(null);
  const reads = poll.data?.reads;
  const now = Date.now();
  if (reads) {
    const seen = firstSeen.current;
    const next = new Map<string, number>();
    for (const read of reads) {
      const key = readKey(read);
      next.set(key, seen ? (seen.get(key) ?? now) : 0);
    }
    firstSeen.current = next;
  }

  // Reads of a session the sessions list does not know yet (the first connection of a race
  // starts one): ask for the list now rather than at its next poll.
  const newestSession = reads?.[0]?.session_id;
  const asked = useRef(new Set<number>());
  useEffect(() => {
    if (!sessionsLoaded || newestSession === undefined || newestSession === activeSession?.id) return;
    if (asked.current.has(newestSession)) return;
    asked.current.add(newestSession);
    onNewSession?.();
  }, [newestSession, activeSession?.id, sessionsLoaded, onNewSession]);

  return (
    <section className="panel panel-live" aria-labelledby="live-title">
      <div className="panel-header">
        <h2 id="live-title">Live reads</h2>
        <LiveIndicator error={poll.error !== null} paused={poll.paused} updatedAt={poll.updatedAt} />
      </div>
      <p className="muted small">
        {activeSession
          ? `Active session: ${activeSession.event_name ?? activeSession.session_name}`
          : sessionsLoaded
            ? 'No active session: reads will appear here as soon as a timing system connects.'
            : '\u00a0'}
      </p>
      {poll.error && reads ? <p className="panel-warning">Connection problem: {poll.error.message}</p> : null}
      {!reads && poll.error ? <ErrorMessage message={poll.error.message} onRetry={poll.retry} /> : null}
      {!reads && !poll.error ? <Loading label="Loading reads…" /> : null}
      {reads && reads.length === 0 ? (
        <Empty title="No reads yet">Reads appear here within a second of crossing a mat.</Empty>
      ) : null}
      {reads && reads.length > 0 ? (
        <div className="table-scroll">
          <table className="reads" data-testid="live-reads">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Tag</th>
                <th scope="col">Location</th>
                <th scope="col">Kind</th>
              </tr>
            </thead>
            <tbody>
              {reads.map((read) => {
                const key = readKey(read);
                const seenAt = firstSeen.current?.get(key) ?? 0;
                const isNew = seenAt > 0 && now - seenAt < HIGHLIGHT_MS;
                return (
                  <tr key={key} className={isNew ? 'read-new' : undefined} data-tag={read.tag_code}>
                    <td className="mono">{formatReadTime(read.read_time)}</td>
                    <td className="mono strong">{read.read_kind === 'gun' ? '—' : read.tag_code}</td>
                    <td>{read.location_name}</td>
                    <td>
                      {read.read_kind === 'gun' ? (
                        <span className="badge badge-gun">Gun start</span>
                      ) : (
                        <span className="badge">Tag</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function LiveIndicator({ error, paused, updatedAt }: { error: boolean; paused: boolean; updatedAt: number | null }) {
  if (paused) return <span className="live live-paused">Paused</span>;
  if (error) return <span className="live live-error">Reconnecting…</span>;
  if (updatedAt === null) return <span className="live">Connecting…</span>;
  return (
    <span className="live live-on" title={`Updated ${formatAgo(new Date(updatedAt).toISOString())}`}>
      <span className="live-dot" aria-hidden="true" />
      Live
    </span>
  );
}

import { useCallback } from 'react';
import { api, type TimingSession } from '../api';
import { countOf, formatAgo, formatDateTime } from '../format';
import { usePoll } from '../usePoll';
import { Empty, PollStates } from './States';

const EVERY_MS = 5_000;
/** A mat silent for this long is shown as quiet: worth a look on race day. */
const QUIET_AFTER_MS = 120_000;

/** Reads per timing location (mat) of the active session, and how recently each one was heard. */
export function MatsPanel({ activeSession, onExpired }: { activeSession: TimingSession | null; onExpired: () => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.stats(signal), []), EVERY_MS, onExpired);
  const { data } = poll;
  const now = Date.now();
  return (
    <section className="panel" aria-labelledby="mats-title">
      <div className="panel-header">
        <h2 id="mats-title">Mats</h2>
        {data ? <span className="muted">{countOf(data.overall.unique_tags, 'tag')}</span> : null}
      </div>
      <PollStates poll={poll} loading="Loading mats…" />
      {data && data.by_location.length === 0 ? (
        <Empty title={activeSession ? 'No mat has sent a read yet' : 'No active session'} />
      ) : null}
      {data && data.by_location.length > 0 ? (
        <ul className="mat-list" data-testid="mats">
          {data.by_location.map((mat) => {
            const quiet = now - new Date(mat.last_read).getTime() > QUIET_AFTER_MS;
            return (
              <li key={mat.location_name} className="mat">
                <span className={quiet ? 'status-dot dot-quiet' : 'status-dot dot-good'} aria-hidden="true" />
                <strong className="mat-name">{mat.location_name}</strong>
                <span className="mat-count">
                  {mat.read_count.toLocaleString()} {mat.read_count === 1 ? 'read' : 'reads'}
                </span>
                <span className="muted small" title={formatDateTime(mat.last_read)}>
                  {quiet ? 'quiet · ' : ''}
                  {formatAgo(mat.last_read, now)}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}

import { useState } from 'react';
import type { TimingSession } from '../api';
import { countOf, formatAgo, formatDateTime } from '../format';
import type { Poll } from '../usePoll';
import { Link } from './Link';
import { Empty, PollStates } from './States';

/** How many sessions show before "Show all": race day needs the newest, not a year of them. */
const FIRST_SESSIONS = 8;

/** The partner's timing sessions, newest first, the active one marked. */
/** `canShowOnDisplay`: each session offers "Show on a display" (a new display link bound to it). */
export function SessionsPanel({ poll, canShowOnDisplay = false }: { poll: Poll<{ sessions: TimingSession[] }>; canShowOnDisplay?: boolean }) {
  const { data } = poll;
  const [showAll, setShowAll] = useState(false);
  const shown = data ? (showAll ? data.sessions : data.sessions.slice(0, FIRST_SESSIONS)) : [];
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <div className="panel-header">
        <h2 id="sessions-title">Timing sessions</h2>
        {data ? <span className="muted">{data.sessions.length}</span> : null}
      </div>
      <PollStates poll={poll} loading="Loading sessions…" />
      {data && data.sessions.length === 0 ? (
        <Empty title="No sessions yet">
          A session starts when your timing software first connects to the collector.
        </Empty>
      ) : null}
      {data && data.sessions.length > 0 ? (
        <ul className="session-list" data-testid="sessions">
          {shown.map((s) => (
            <li key={s.id} className={s.status === 'active' ? 'session session-active' : 'session'}>
              <div className="session-title">
                <strong>{s.event_name ?? s.session_name}</strong>
                <span className={`badge badge-${s.status}`}>{s.status === 'active' ? 'Active' : 'Closed'}</span>
              </div>
              {s.event_name ? <div className="muted small">{s.session_name}</div> : null}
              <dl className="session-facts">
                <div>
                  <dt>Reads</dt>
                  <dd>{s.total_reads.toLocaleString()}</dd>
                </div>
                <div>
                  <dt>Last read</dt>
                  <dd title={formatDateTime(s.last_read)}>{formatAgo(s.last_read)}</dd>
                </div>
                <div>
                  <dt>Started</dt>
                  <dd>{formatDateTime(s.created_at)}</dd>
                </div>
              </dl>
              {s.locations.length > 0 ? (
                <ul className="chips" aria-label={countOf(s.location_count, 'location')}>
                  {s.locations.map((name) => (
                    <li key={name} className="chip">
                      {name}
                    </li>
                  ))}
                </ul>
              ) : null}
              {canShowOnDisplay ? (
                <Link to={`/displays?session=${s.id}`} className="small">
                  Show on a display →
                </Link>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {data && data.sessions.length > FIRST_SESSIONS ? (
        <button type="button" className="button button-small show-all" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Show fewer' : `Show all ${data.sessions.length} sessions`}
        </button>
      ) : null}
    </section>
  );
}

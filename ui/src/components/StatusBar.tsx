import { useCallback } from 'react';
import { api } from '../api';
import { usePoll } from '../usePoll';

const EVERY_MS = 5_000;

/** Whether reads can be stored right now: the database the collector writes to. */
export function StatusBar({ onExpired }: { onExpired: () => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.databaseStatus(signal), []), EVERY_MS, onExpired);
  let tone = 'neutral';
  let text = 'Checking the database…';
  if (poll.error) {
    tone = 'bad';
    text = `Status unavailable: ${poll.error.message}`;
  } else if (poll.data) {
    tone = poll.data.connected ? 'good' : 'bad';
    text = poll.data.connected
      ? 'Database connected: reads are being stored.'
      : `Database unreachable${poll.data.error ? ` (${poll.data.error})` : ''}: the collector keeps reads on disk until it returns.`;
  }
  return (
    <div className={`status-bar status-${tone}`} role="status" data-testid="status-bar">
      <span className="status-dot" aria-hidden="true" />
      {text}
    </div>
  );
}

/**
 * The seed plan's session selection, in the builder: the partner's sessions with read counts,
 * last read and a live preview of their reads; the chosen one (or "follow the active
 * session") is bound to a new display link showing this template.
 */
import { useCallback, useState } from 'react';
import { api } from '../api';
import { Link } from '../components/Link';
import { SessionPicker } from '../components/SessionPicker';
import { usePoll } from '../usePoll';

/** The session list, as the display-link form refreshes it. */
const SESSIONS_EVERY_MS = 10_000;

export function SessionTab({ templateId, onExpired }: { templateId: number; onExpired: () => void }) {
  const sessions = usePoll(useCallback((signal: AbortSignal) => api.sessions(signal), []), SESSIONS_EVERY_MS, onExpired);
  const [sessionId, setSessionId] = useState<number | null>(null);
  const target = `/displays?template=${templateId}${sessionId === null ? '' : `&session=${sessionId}`}`;
  return (
    <div className="builder-session" data-testid="builder-session">
      <p className="muted small">Choose the session a screen with this template should show, then bind it to a new display link.</p>
      <SessionPicker poll={sessions} value={sessionId} onChange={setSessionId} onExpired={onExpired} />
      <Link to={target} className="button button-primary">
        Show on a display with {sessionId === null ? 'the active session' : 'this session'}
      </Link>
    </div>
  );
}

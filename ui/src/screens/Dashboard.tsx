import { useCallback, useState } from 'react';
import { ApiError, api, type AuthSession } from '../api';
import { Link } from '../components/Link';
import { LiveReads } from '../components/LiveReads';
import { MatsPanel } from '../components/MatsPanel';
import { SessionsPanel } from '../components/SessionsPanel';
import { StatusBar } from '../components/StatusBar';
import { paths } from '../router';
import { usePoll } from '../usePoll';

const SESSIONS_EVERY_MS = 10_000;

export function Dashboard({
  session,
  onSignedOut,
  onExpired,
}: {
  session: AuthSession;
  onSignedOut: () => void;
  onExpired: () => void;
}) {
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const sessions = usePoll(useCallback((signal: AbortSignal) => api.sessions(signal), []), SESSIONS_EVERY_MS, onExpired);
  const active = sessions.data?.sessions.find((s) => s.status === 'active') ?? null;

  const signOut = async () => {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await api.logout();
      onSignedOut();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) {
        onSignedOut(); // the session had already ended
        return;
      }
      setSignOutError(caught instanceof ApiError ? caught.message : 'Sign-out failed. Please try again.');
      setSigningOut(false);
    }
  };

  const { user, partner } = session;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">88</span>
          <span>Project88Hub</span>
        </div>
        <nav className="topnav" aria-label="Main">
          <Link to={paths.dashboard} className="active">
            Dashboard
          </Link>
        </nav>
        <div className="account">
          <span className="account-name" title={user.email}>
            <strong>{partner?.name ?? 'No partner'}</strong>
            <span className="muted">{user.name ?? user.email}</span>
          </span>
          <button type="button" className="button" onClick={() => void signOut()} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      {signOutError ? (
        <p className="banner banner-error" role="alert">
          {signOutError}
        </p>
      ) : null}
      <main className="dashboard">
        <StatusBar onExpired={onExpired} />
        <div className="dashboard-grid">
          <LiveReads activeSession={active} sessionsLoaded={sessions.data !== undefined} onExpired={onExpired} />
          <div className="side-column">
            <MatsPanel activeSession={active} onExpired={onExpired} />
            <SessionsPanel poll={sessions} />
          </div>
        </div>
      </main>
    </div>
  );
}

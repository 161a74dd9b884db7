import { useState, type ReactNode } from 'react';
import { ApiError, api, type AuthSession } from '../api';
import { allowed, roleLabel, roleOf } from '../permissions';
import { paths, type Route } from '../router';
import { Link } from './Link';

interface Tab {
  route: Route;
  label: string;
}

/** The screens this user can use, in the order of the top bar. */
export function tabsFor(session: AuthSession): Tab[] {
  const tabs: Tab[] = [];
  const hasPartner = session.partner !== null;
  if (hasPartner && allowed(session, 'timing:read')) {
    tabs.push({ route: 'dashboard', label: 'Dashboard' });
    tabs.push({ route: 'sources', label: 'Timing sources' });
    tabs.push({ route: 'providers', label: 'Providers' });
  }
  if (hasPartner && allowed(session, 'displays:read')) tabs.push({ route: 'templates', label: 'Templates' });
  if (hasPartner && allowed(session, 'displays:read')) tabs.push({ route: 'rosters', label: 'Rosters' });
  if (hasPartner && allowed(session, 'displays:read')) tabs.push({ route: 'displays', label: 'Displays' });
  if (hasPartner && allowed(session, 'results:read')) {
    tabs.push({ route: 'results', label: 'Results' });
    tabs.push({ route: 'ask', label: 'Ask' });
  }
  if (hasPartner && allowed(session, 'users:read')) {
    tabs.push({ route: 'users', label: 'Users' });
    tabs.push({ route: 'plan', label: 'Plan & usage' });
  }
  if (allowed(session, 'platform:admin')) tabs.push({ route: 'platform', label: 'Partners' });
  return tabs;
}

/** Where a user lands after signing in: the dashboard, or the partner list for platform admins. */
export function homeOf(session: AuthSession): string {
  return session.partner === null && allowed(session, 'platform:admin') ? paths.platform : paths.dashboard;
}

/** The signed-in frame: brand, the tabs the role may use, who is signed in, sign out. */
export function AppShell({
  session,
  route,
  onSignedOut,
  refusal,
  onDismissRefusal,
  children,
}: {
  session: AuthSession;
  route: Route;
  onSignedOut: () => void;
  /** The server's message when it refused an action on this screen. */
  refusal?: string | null;
  onDismissRefusal?: () => void;
  children: ReactNode;
}) {
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);

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
          {tabsFor(session).map((tab) => (
            <Link key={tab.route} to={paths[tab.route as Exclude<Route, 'not-found'>]} className={tab.route === route || (tab.route === 'templates' && route === 'template-builder') || (tab.route === 'rosters' && route === 'roster-event') || (tab.route === 'displays' && route === 'display-console') ? 'active' : undefined}>
              {tab.label}
            </Link>
          ))}
        </nav>
        <div className="account">
          <span className="account-name" title={user.email}>
            <strong>{partner?.name ?? 'Platform'}</strong>
            <span className="muted">
              {user.name || user.email} · {roleLabel(roleOf(session))}
            </span>
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
      {refusal ? (
        <div className="banner banner-error banner-row" role="alert" data-testid="refusal">
          <span>{refusal}</span>
          {onDismissRefusal ? (
            <button type="button" className="button button-small" onClick={onDismissRefusal}>
              Dismiss
            </button>
          ) : null}
        </div>
      ) : null}
      {children}
    </div>
  );
}

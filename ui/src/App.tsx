import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken, type AuthSession } from './api';
import { ErrorMessage, Loading } from './components/States';
import { navigate, paths, routeOf, usePathname } from './router';
import { Dashboard } from './screens/Dashboard';
import { ForgotPassword } from './screens/ForgotPassword';
import { NotFound } from './screens/NotFound';
import { SignIn } from './screens/SignIn';

type Auth =
  | { status: 'checking' }
  | { status: 'unavailable'; message: string }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; session: AuthSession };

/** Finds out who is signed in (the CSRF token is only ever in memory), then routes. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ status: 'checking' });
  const [attempt, setAttempt] = useState(0);
  const pathname = usePathname();
  const route = routeOf(pathname);

  useEffect(() => {
    const controller = new AbortController();
    api
      .me(controller.signal)
      .then((session) => {
        setCsrfToken(session.csrf_token);
        setAuth({ status: 'signed-in', session });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) setAuth({ status: 'signed-out' });
        else setAuth({ status: 'unavailable', message: error instanceof ApiError ? error.message : String(error) });
      });
    return () => controller.abort();
  }, [attempt]);

  const signedIn = useCallback((session: AuthSession) => {
    setCsrfToken(session.csrf_token);
    setAuth({ status: 'signed-in', session });
    navigate(paths.dashboard, { replace: true });
  }, []);
  const signedOut = useCallback((notice?: string) => {
    setCsrfToken(null);
    setAuth(notice ? { status: 'signed-out', notice } : { status: 'signed-out' });
    navigate(paths['sign-in'], { replace: true });
  }, []);
  const expired = useCallback(() => signedOut('Your session has ended. Please sign in again.'), [signedOut]);

  // Screens that do not fit the sign-in state send the user to the one that does.
  const redirect =
    auth.status === 'signed-out' && route === 'dashboard'
      ? paths['sign-in']
      : auth.status === 'signed-in' && (route === 'sign-in' || route === 'forgot-password')
        ? paths.dashboard
        : null;
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  if (auth.status === 'checking' || redirect) {
    return (
      <main className="auth-page">
        <Loading label="Loading…" />
      </main>
    );
  }
  if (auth.status === 'unavailable') {
    return (
      <main className="auth-page">
        <div className="auth-card">
          <h1>Cannot reach Project88Hub</h1>
          <ErrorMessage message={auth.message} onRetry={() => {
              setAuth({ status: 'checking' });
              setAttempt((n) => n + 1);
            }} />
        </div>
      </main>
    );
  }
  if (auth.status === 'signed-in') {
    if (route === 'not-found') return <NotFound homePath={paths.dashboard} homeLabel="Go to the dashboard" />;
    return <Dashboard session={auth.session} onSignedOut={() => signedOut()} onExpired={expired} />;
  }
  if (route === 'forgot-password') return <ForgotPassword />;
  if (route === 'not-found') return <NotFound homePath={paths['sign-in']} homeLabel="Go to sign in" />;
  return <SignIn notice={auth.notice} onSignedIn={signedIn} />;
}

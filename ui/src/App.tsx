import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken, type AuthSession } from './api';
import { AppShell, homeOf } from './components/AppShell';
import { ErrorMessage, Loading } from './components/States';
import { displayConsoleIdOf, navigate, paths, PUBLIC_ROUTES, rosterIdOf, routeOf, SIGNED_OUT_ROUTES, templateIdOf, usePathname } from './router';
import { allowed } from './permissions';
import { AcceptInvitation } from './screens/AcceptInvitation';
import { Dashboard } from './screens/Dashboard';
import { DisplayConsole } from './screens/DisplayConsole';
import { Displays } from './screens/Displays';
import { ForgotPassword } from './screens/ForgotPassword';
import { NotFound } from './screens/NotFound';
import { Plan } from './screens/Plan';
import { Platform } from './screens/Platform';
import { ResetPassword } from './screens/ResetPassword';
import { SignIn } from './screens/SignIn';
import { Sources } from './screens/Sources';
import { Providers } from './screens/Providers';
import { Templates } from './screens/Templates';
import { RosterEvent } from './screens/RosterEvent';
import { Rosters } from './screens/Rosters';
import { Results } from './screens/Results';
import { Ask } from './screens/Ask';
import { Users } from './screens/Users';

/** GrapesJS is large: the builder (and its styles) load only when a template is opened. */
const TemplateBuilder = lazy(() => import('./screens/TemplateBuilder').then((m) => ({ default: m.TemplateBuilder })));

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
  const isPublic = PUBLIC_ROUTES.includes(route);

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
    navigate(homeOf(session), { replace: true });
    // The login answer has the role but not the scopes the server grants it: ask once.
    api
      .me()
      .then((me) => {
        setCsrfToken(me.csrf_token);
        setAuth((current) => (current.status === 'signed-in' ? { status: 'signed-in', session: me } : current));
      })
      .catch(() => undefined); // the role's actions are used meanwhile; a 401 shows on the next request
  }, []);
  const signedOut = useCallback((notice?: string) => {
    setCsrfToken(null);
    setAuth(notice ? { status: 'signed-out', notice } : { status: 'signed-out' });
    navigate(paths['sign-in'], { replace: true });
  }, []);
  const expired = useCallback(() => signedOut('Your session has ended. Please sign in again.'), [signedOut]);

  // A 403 on an action: show the server's message above the screen, and ask again what this
  // user may do (an admin may have changed their role meanwhile), so the tabs and buttons follow.
  const [refusal, setRefusal] = useState<string | null>(null);
  const refused = useCallback((message: string) => {
    setRefusal(message);
    api
      .me()
      .then((me) => {
        setCsrfToken(me.csrf_token);
        setAuth((current) => (current.status === 'signed-in' ? { status: 'signed-in', session: me } : current));
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) expired();
      });
  }, [expired]);
  useEffect(() => setRefusal(null), [pathname]);

  // Screens that do not fit the sign-in state send the user to the one that does.
  let redirect: string | null = null;
  if (!isPublic && auth.status === 'signed-out' && !SIGNED_OUT_ROUTES.includes(route) && route !== 'not-found') {
    redirect = paths['sign-in'];
  } else if (auth.status === 'signed-in') {
    const home = homeOf(auth.session);
    if (SIGNED_OUT_ROUTES.includes(route)) redirect = home;
    // A platform admin belongs to no partner: there is no dashboard to show.
    else if (route === 'dashboard' && home !== paths.dashboard) redirect = home;
  }
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  if (route === 'reset-password') return <ResetPassword />;
  if (route === 'accept-invitation') return <AcceptInvitation />;

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
          <ErrorMessage
            message={auth.message}
            onRetry={() => {
              setAuth({ status: 'checking' });
              setAttempt((n) => n + 1);
            }}
          />
        </div>
      </main>
    );
  }
  if (auth.status === 'signed-in') {
    const { session } = auth;
    if (route === 'not-found') return <NotFound homePath={homeOf(session)} homeLabel="Go to the start page" />;
    // Screens render even when the role lacks their tab (a typed or old link): the server's
    // 403 message then says why nothing is shown.
    return (
      <AppShell
        session={session}
        route={route}
        onSignedOut={() => signedOut()}
        refusal={refusal}
        onDismissRefusal={() => setRefusal(null)}
      >
        {route === 'sources' ? (
          <Sources session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'providers' ? (
          <Providers session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'users' ? (
          <Users session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'plan' ? (
          <Plan session={session} onExpired={expired} />
        ) : route === 'platform' ? (
          <Platform onExpired={expired} onRefused={refused} />
        ) : route === 'templates' ? (
          <Templates session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'displays' ? (
          <Displays session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'display-console' ? (
          <DisplayConsole
            key={pathname}
            linkId={displayConsoleIdOf(pathname) ?? ''}
            session={session}
            onExpired={expired}
            onRefused={refused}
          />
        ) : route === 'results' ? (
          <Results session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'ask' ? (
          <Ask session={session} onExpired={expired} />
        ) : route === 'rosters' ? (
          <Rosters session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'roster-event' ? (
          <RosterEvent key={pathname} eventId={rosterIdOf(pathname) ?? 0} session={session} onExpired={expired} onRefused={refused} />
        ) : route === 'template-builder' ? (
          <Suspense fallback={<main className="page"><Loading label="Loading the template builder…" /></main>}>
            <TemplateBuilder
              key={pathname}
              templateId={templateIdOf(pathname) ?? 0}
              session={session}
              onExpired={expired}
              onRefused={refused}
            />
          </Suspense>
        ) : (
          <Dashboard onExpired={expired} canShowOnDisplay={allowed(session, 'displays:manage')} />
        )}
      </AppShell>
    );
  }
  if (route === 'forgot-password') return <ForgotPassword />;
  if (route === 'not-found') return <NotFound homePath={paths['sign-in']} homeLabel="Go to sign in" />;
  return <SignIn notice={auth.notice} onSignedIn={signedIn} />;
}

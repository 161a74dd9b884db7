/** A minimal history router: the app has three screens, which does not justify a dependency. */
import { useEffect, useState } from 'react';

export type Route = 'sign-in' | 'forgot-password' | 'dashboard' | 'not-found';

export const paths: Record<Exclude<Route, 'not-found'>, string> = {
  'sign-in': '/sign-in',
  'forgot-password': '/forgot-password',
  dashboard: '/',
};

export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/dashboard') return 'dashboard';
  if (path === '/sign-in') return 'sign-in';
  if (path === '/forgot-password') return 'forgot-password';
  return 'not-found';
}

const NAVIGATE_EVENT = 'p88:navigate';

/** Goes to a path without a page load; `replace` keeps the back button from returning here. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current path, updated on navigate() and the browser's back/forward buttons. */
export function usePathname(): string {
  const [pathname, setPathname] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPathname(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return pathname;
}

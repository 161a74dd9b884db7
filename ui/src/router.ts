/** A minimal history router: a handful of screens does not justify a dependency. */
import { useEffect, useState } from 'react';

export type Route =
  | 'sign-in'
  | 'forgot-password'
  | 'reset-password'
  | 'accept-invitation'
  | 'dashboard'
  | 'sources'
  | 'providers'
  | 'users'
  | 'plan'
  | 'platform'
  | 'templates'
  | 'template-builder'
  | 'rosters'
  | 'roster-event'
  | 'results'
  | 'ask'
  | 'displays'
  | 'display-console'
  | 'not-found';

export const paths: Record<Exclude<Route, 'not-found'>, string> = {
  'sign-in': '/sign-in',
  'forgot-password': '/forgot-password',
  'reset-password': '/reset-password',
  'accept-invitation': '/accept-invitation',
  dashboard: '/',
  sources: '/sources',
  providers: '/providers',
  users: '/users',
  plan: '/plan',
  platform: '/platform',
  templates: '/templates',
  /** A pattern: link with templatePath(id), read the id with templateIdOf(pathname). */
  'template-builder': '/templates/:id',
  rosters: '/rosters',
  /** A pattern: link with rosterPath(id), read the id with rosterIdOf(pathname). */
  'roster-event': '/rosters/:id',
  results: '/results',
  ask: '/ask',
  displays: '/displays',
  /** A pattern: link with displayConsolePath(id), read the id with displayConsoleIdOf(pathname). */
  'display-console': '/displays/:id/console',
};

const TEMPLATE_PATH = /^\/templates\/([1-9][0-9]{0,9})$/;

/** The builder of one template. */
export function templatePath(id: number): string {
  return `/templates/${id}`;
}

/** The template id of a builder path (/templates/12), else null. */
export function templateIdOf(pathname: string): number | null {
  const match = TEMPLATE_PATH.exec(pathname.replace(/\/+$/, ''));
  return match ? Number(match[1]) : null;
}

const ROSTER_PATH = /^\/rosters\/([1-9][0-9]{0,9})$/;

/** The page of one roster event. */
export function rosterPath(id: number): string {
  return `/rosters/${id}`;
}

/** The roster event id of an event path (/rosters/12), else null. */
export function rosterIdOf(pathname: string): number | null {
  const match = ROSTER_PATH.exec(pathname.replace(/\/+$/, ''));
  return match ? Number(match[1]) : null;
}

const DISPLAY_CONSOLE_PATH = /^\/displays\/([0-9A-Za-z]{8})\/console$/;

/** The operator console of one display link. */
export function displayConsolePath(id: string): string {
  return `/displays/${encodeURIComponent(id)}/console`;
}

/** The display link id of a console path (/displays/Ab3dE6gH/console), else null. */
export function displayConsoleIdOf(pathname: string): string | null {
  const match = DISPLAY_CONSOLE_PATH.exec(pathname.replace(/\/+$/, ''));
  return match ? match[1]! : null;
}

/** Screens for signed-out visitors (a signed-in user is sent on to the app). */
export const SIGNED_OUT_ROUTES: readonly Route[] = ['sign-in', 'forgot-password'];
/** Pages opened from a mailed link: shown whether or not someone is signed in. */
export const PUBLIC_ROUTES: readonly Route[] = ['reset-password', 'accept-invitation'];

export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/dashboard') return 'dashboard';
  for (const [route, p] of Object.entries(paths)) {
    if (p === path && !p.includes(':')) return route as Route;
  }
  if (templateIdOf(path) !== null) return 'template-builder';
  if (rosterIdOf(path) !== null) return 'roster-event';
  if (displayConsoleIdOf(path) !== null) return 'display-console';
  return 'not-found';
}

/**
 * The token of a mailed link (…#token=…). It rides in the fragment, which browsers never send
 * to a server.
 */
export function readLinkToken(): string | null {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') || null;
}

/** Removes the link's token from the address bar (and so from the history) once it is in memory. */
export function forgetLinkToken(): void {
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname + window.location.search);
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

/**
 * Authentication for the web process. A request proves who it is with either
 *  - the browser session cookie p88_session (httpOnly, SameSite=Lax, Secure over https), plus
 *    header x-csrf-token on every state-changing request, or
 *  - an API token: `Authorization: Bearer p88_…` (never in a query string). Bearer requests
 *    need no CSRF token: a browser never attaches that header on its own.
 * Routes opt in with `onRequest: requireAuth('some:action')`; the permission table in
 * shared/permissions.ts decides, and request.auth tells the handler who is calling.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Auth } from './accounts.common.js';
import type { Accounts } from './accounts.service.js';
import { authorize, type Action } from '../shared/permissions.js';
import { sameSecret } from './secrets.js';
import { AppError } from '../errors.js';
import { GateRefused, type SqlGate } from '../db/gate.js';

export const SESSION_COOKIE = 'p88_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyInstance {
    /** The accounts domain the auth plugin authenticates with. */
    accounts: Accounts;
  }
  interface FastifyRequest {
    /** Who is calling; set by requireAuth, null on routes without it. */
    auth: Auth | null;
    /** The session's CSRF token when the caller came with the session cookie. */
    csrfToken: string | null;
    /** Set by requireAuthOrGate for a token it let through on its gate (see runGated). */
    tokenGate: { gate: SqlGate; forget: () => void } | null;
  }
}

/**
 * The two ways to authenticate, for the OpenAPI document (components.securitySchemes of the
 * swagger registration); a route lists them as `security: SECURED`.
 */
export const openApiSecuritySchemes = {
  cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Browser session; state-changing requests also send x-csrf-token' },
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token (p88_…)' },
} as const;
export const SECURED: Array<Record<string, string[]>> = [{ cookieAuth: [] }, { bearerAuth: [] }];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Registers cookie parsing, the request decorations and Retry-After on 429 answers. Wrapped
 * with fastify-plugin so all of it applies to every route of the app.
 */
export const authPlugin = fp<{ accounts: Accounts }>(
  async (app, { accounts }) => {
    if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
    app.decorate('accounts', accounts);
    app.decorateRequest('auth', null);
    app.decorateRequest('csrfToken', null);
    app.decorateRequest('tokenGate', null);
    app.addHook('onError', async (_request, reply, error) => {
      const retry = error instanceof AppError ? (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined;
      if (typeof retry === 'number') void reply.header('retry-after', String(retry));
    });
  },
  { name: 'p88-auth', fastify: '5.x' },
);

/**
 * Resolves the caller from the Authorization header or the session cookie, without
 * authorizing anything. A bad bearer token is an error (never silently a cookie fallback);
 * no credentials at all is null.
 */
export async function authenticate(request: FastifyRequest): Promise<{ auth: Auth; csrfToken: string | null } | null> {
  const { signIn, tokens } = request.server.accounts;
  if (request.headers.authorization !== undefined) {
    const secret = bearerOf(request);
    const auth = secret ? await tokens.authenticate(secret) : null;
    if (!auth) throw new AppError('unauthorized', 'The API token is not valid (unknown, revoked or expired).');
    return { auth, csrfToken: null };
  }
  const secret = request.cookies[SESSION_COOKIE];
  if (!secret) return null;
  const found = await signIn.authenticate(secret);
  if (!found) throw new AppError('unauthorized', 'Your session has ended; sign in again.');
  return found;
}

/**
 * An onRequest hook (before the body is parsed or validated: an anonymous caller learns
 * nothing about a route's input) that lets the request through only when it is authenticated, carries the
 * CSRF token if it came with the cookie and changes state, and (given an action) is allowed
 * that action. Sets request.auth.
 */
export function requireAuth(action?: Action): onRequestAsyncHookHandler {
  return async function requireAuthHandler(request: FastifyRequest) {
    const found = await authenticate(request);
    if (!found) throw new AppError('unauthorized');
    if (found.auth.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || found.csrfToken === null || !sameSecret(sent, found.csrfToken)) {
        throw new AppError('forbidden', 'Missing or wrong CSRF token (send the x-csrf-token header).');
      }
    }
    if (action !== undefined && !authorize(found.auth, action)) throw new AppError('forbidden');
    // Integrations' calls count against the plan's daily API limit (402 past it); the
    // dashboard's own polling with a browser session does not. Counted in memory and written
    // in batches (accounts/api-call-meter.ts).
    if (found.auth.via === 'token' && found.auth.partnerId !== null && request.server.hasDecorator('apiCalls')) {
      await request.server.apiCalls.count(found.auth.partnerId);
    }
    request.auth = found.auth;
    request.csrfToken = found.csrfToken;
  };
}

/** The bearer secret of an `Authorization: Bearer …` header, else null. */
function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return m ? m[1]! : null;
}

/**
 * requireAuth(action) for read routes that run one statement (the read API): a bearer token
 * this process has authenticated in full before is let through without the lookup's round
 * trip, on the condition that the route's statement checks the token's current rights itself
 * (request.tokenGate; the handler runs its read through runGated). The API call is counted
 * here as in requireAuth (402 past the plan's limit). Any other caller goes through requireAuth.
 */
export function requireAuthOrGate(action: Action): onRequestAsyncHookHandler {
  const full = requireAuth(action);
  return async function requireAuthOrGateHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const secret = bearerOf(request);
    const known = secret === null ? null : request.server.accounts.tokens.gateFor(secret, action);
    if (!known) return full.call(this, request, reply);
    if (known.auth.partnerId !== null && request.server.hasDecorator('apiCalls')) await request.server.apiCalls.count(known.auth.partnerId);
    request.auth = known.auth;
    request.tokenGate = { gate: known.gate, forget: () => known.forget() };
  };
}

/**
 * Runs a route's read behind requireAuthOrGate: with the token's gate when the request came
 * through it. If the gate refuses (the token was revoked or expired, its creator disabled,
 * removed or demoted since this process last checked it in full), the token is forgotten and
 * the caller authenticated in full again, which answers the usual 401 or 403; should that
 * pass, the read runs once more without a gate. The API call is not counted twice.
 */
export async function runGated<T>(request: FastifyRequest, action: Action, read: (partnerId: number, gate: SqlGate | null) => Promise<T>): Promise<T> {
  const pass = request.tokenGate;
  if (pass === null) return read(authPartnerId(request), null);
  try {
    return await read(authPartnerId(request), pass.gate);
  } catch (err) {
    if (!(err instanceof GateRefused)) throw err;
    pass.forget();
    request.tokenGate = null;
    const found = await authenticate(request);
    if (!found) throw new AppError('unauthorized');
    if (!authorize(found.auth, action)) throw new AppError('forbidden');
    request.auth = found.auth;
    return read(authPartnerId(request), null);
  }
}

/** request.auth after requireAuth (a route without requireAuth calling this is a bug: 500). */
export function authOf(request: FastifyRequest): Auth {
  if (!request.auth) throw new Error('authOf() on a route without requireAuth');
  return request.auth;
}

/** The partner an authenticated request acts for; 403 for a platform admin (no partner). */
export function authPartnerId(request: FastifyRequest): number {
  const auth = authOf(request);
  if (auth.partnerId === null) throw new AppError('forbidden', 'This needs a partner account.');
  return auth.partnerId;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, expiresAt: Date): void {
  void reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    // request.protocol honours X-Forwarded-Proto only when the app trusts its proxy.
    secure: request.protocol === 'https',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: '/' });
}


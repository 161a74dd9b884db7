/**
 * HTTP for accounts: sign-in and sessions under /api/auth, API tokens, users and invitations
 * of the caller's partner. Thin: validate → requireAuth(action) → service → present.
 * Needs authPlugin (auth.ts) registered on the app first.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { authOf, authPlugin, clearSessionCookie, requireAuth, setSessionCookie } from './auth.js';
import { errorResponseSchema } from '../http/error-handler.js';
import { linksFor, type AccountsLimits, type RequestContext } from './accounts.common.js';
import { Accounts } from './accounts.service.js';
import { logMailer, type Mailer } from './mailer.js';
import {
  acceptedInvitationSchema,
  acceptInvitationBodySchema,
  auditQuerySchema,
  auditSchema,
  changePasswordBodySchema,
  createdInvitationSchema,
  createdPartnerSchema,
  createPartnerBodySchema,
  createdTokenSchema,
  createInvitationBodySchema,
  createTokenBodySchema,
  idParamsSchema,
  invitationsSchema,
  loginBodySchema,
  loginResponseSchema,
  meResponseSchema,
  partnersSchema,
  resetConfirmBodySchema,
  resetRequestBodySchema,
  resetRequestResponseSchema,
  tokensSchema,
  updatedUserSchema,
  updateUserBodySchema,
  usersSchema,
} from './accounts.schemas.js';

const e = errorResponseSchema;
const noContent = z.null().describe('No content');

function contextOf(request: FastifyRequest): RequestContext {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

export const accountsRoutes: FastifyPluginAsyncZod<{ accounts: Accounts }> = async (app, { accounts }) => {
  const { signIn, tokens, audit, partners, users, invitations } = accounts;

  // ------------------------------------------------------------------ sign-in and sessions
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the p88_session cookie',
        description:
          'Rate limited per IP and per email; 5 wrong passwords in a row lock the account for 15 minutes (429 account_locked). ' +
          'Every attempt is audited.',
        body: loginBodySchema,
        response: { 200: loginResponseSchema, 400: e, 401: e, 429: e, 500: e },
      },
    },
    async (request, reply) => {
      const s = await signIn.login(request.body.email, request.body.password, contextOf(request));
      setSessionCookie(request, reply, s.sessionSecret, s.expiresAt);
      return { user: s.user, partner: s.partner, csrf_token: s.csrfToken, expires_at: s.expiresAt };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      onRequest: requireAuth(),
      schema: {
        tags: ['auth'],
        summary: 'End this browser session and clear its cookie',
        response: { 204: noContent, 401: e, 403: e, 500: e },
      },
    },
    async (request, reply) => {
      await signIn.logout(authOf(request), contextOf(request));
      clearSessionCookie(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      onRequest: requireAuth(),
      schema: {
        tags: ['auth'],
        summary: 'Who is calling: user, partner, role, allowed actions and the CSRF token',
        response: { 200: meResponseSchema, 401: e, 500: e },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { user, partner } = await signIn.me(auth);
      return { via: auth.via, user, partner, role: auth.role, scopes: auth.scopes, csrf_token: request.csrfToken };
    },
  );

  app.post(
    '/api/auth/password',
    {
      onRequest: requireAuth(),
      schema: {
        tags: ['auth'],
        summary: "Change the signed-in user's password; ends their other sessions",
        body: changePasswordBodySchema,
        response: { 204: noContent, 400: e, 401: e, 403: e, 500: e },
      },
    },
    async (request, reply) => {
      const { current_password, new_password } = request.body;
      await signIn.changePassword(authOf(request), current_password, new_password, contextOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/password-reset/request',
    {
      schema: {
        tags: ['auth'],
        summary: 'Send a single-use password reset link to an email (if it has an account)',
        body: resetRequestBodySchema,
        response: { 202: resetRequestResponseSchema, 400: e, 429: e, 500: e },
      },
    },
    async (request, reply) => {
      await signIn.requestPasswordReset(request.body.email, contextOf(request));
      return reply.status(202).send({ accepted: true, delivery: signIn.linkDelivery });
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: "Set a new password with a reset link's token; ends the user's sessions",
        body: resetConfirmBodySchema,
        response: { 204: noContent, 400: e, 404: e, 500: e },
      },
    },
    async (request, reply) => {
      await signIn.confirmPasswordReset(request.body.token, request.body.password, contextOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/invitations/accept',
    {
      schema: {
        tags: ['auth'],
        summary: "Accept an invitation: creates the user in the inviting partner with the invited role",
        body: acceptInvitationBodySchema,
        response: { 201: acceptedInvitationSchema, 400: e, 404: e, 409: e, 500: e },
      },
    },
    async (request, reply) => {
      const { token, password, name } = request.body;
      const user = await invitations.accept(token, { password, name }, contextOf(request));
      return reply.status(201).send({ user });
    },
  );

  // ------------------------------------------------------------------ API tokens
  app.post(
    '/api/tokens',
    {
      onRequest: requireAuth('tokens:manage'),
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for integrations (the secret is shown once)',
        body: createTokenBodySchema,
        response: { 201: createdTokenSchema, 400: e, 401: e, 403: e, 500: e },
      },
    },
    async (request, reply) => {
      const { name, scopes, expires_in_days } = request.body;
      const created = await tokens.create(authOf(request), { name, scopes, expiresInDays: expires_in_days }, contextOf(request));
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/tokens',
    {
      onRequest: requireAuth('tokens:manage'),
      schema: {
        tags: ['tokens'],
        summary: "The partner's API tokens, newest first (revoked ones included)",
        response: { 200: tokensSchema, 401: e, 403: e, 500: e },
      },
    },
    async (request) => ({ tokens: await tokens.list(authOf(request)) }),
  );

  app.delete(
    '/api/tokens/:id',
    {
      onRequest: requireAuth('tokens:manage'),
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token (it stops working at once)',
        params: idParamsSchema,
        response: { 204: noContent, 400: e, 401: e, 403: e, 404: e, 500: e },
      },
    },
    async (request, reply) => {
      await tokens.revoke(authOf(request), request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/audit',
    {
      onRequest: requireAuth('audit:read'),
      schema: {
        tags: ['users'],
        summary: "The partner's audit trail (sign-ins, tokens, invitations…), newest first",
        querystring: auditQuerySchema,
        response: { 200: auditSchema, 400: e, 401: e, 403: e, 500: e },
      },
    },
    async (request) => ({ entries: await audit.list(authOf(request), request.query.limit) }),
  );

  // ------------------------------------------------------------------ platform
  app.get(
    '/api/platform/partners',
    {
      onRequest: requireAuth('platform:admin'),
      schema: {
        tags: ['platform'],
        summary: 'Every timing partner (platform admins)',
        response: { 200: partnersSchema, 401: e, 403: e, 500: e },
      },
    },
    async () => ({ partners: await partners.list() }),
  );

  app.post(
    '/api/platform/partners',
    {
      onRequest: requireAuth('platform:admin'),
      schema: {
        tags: ['platform'],
        summary: 'Create a timing partner (platform admins); then invite or create its owner',
        body: createPartnerBodySchema,
        response: { 201: createdPartnerSchema, 400: e, 401: e, 403: e, 409: e, 500: e },
      },
    },
    async (request, reply) => {
      const partner = await partners.create(request.body, `user:${authOf(request).userId}`);
      return reply.status(201).send({ partner });
    },
  );

  // ------------------------------------------------------------------ users and invitations
  app.get(
    '/api/users',
    {
      onRequest: requireAuth('users:read'),
      schema: {
        tags: ['users'],
        summary: "The users of the caller's partner",
        response: { 200: usersSchema, 401: e, 403: e, 500: e },
      },
    },
    async (request) => ({ users: await users.list(authOf(request)) }),
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: requireAuth('users:manage'),
      schema: {
        tags: ['users'],
        summary: "Change a user's role, or disable / re-enable them",
        description: 'Only users and roles at or below your own; not yourself; a partner always keeps an active owner.',
        params: idParamsSchema,
        body: updateUserBodySchema,
        response: { 200: updatedUserSchema, 400: e, 401: e, 403: e, 404: e, 409: e, 500: e },
      },
    },
    async (request) => ({ user: await users.update(authOf(request), request.params.id, request.body, contextOf(request)) }),
  );

  app.post(
    '/api/invitations',
    {
      onRequest: requireAuth('users:manage'),
      schema: {
        tags: ['users'],
        summary: "Invite someone to the caller's partner (a role no higher than the caller's)",
        body: createInvitationBodySchema,
        response: { 201: createdInvitationSchema, 400: e, 401: e, 403: e, 500: e },
      },
    },
    async (request, reply) => {
      const { invitation, url, delivery } = await invitations.create(authOf(request), request.body, contextOf(request));
      return reply.status(201).send({ invitation, accept_url: url, delivery });
    },
  );

  app.get(
    '/api/invitations',
    {
      onRequest: requireAuth('users:manage'),
      schema: {
        tags: ['users'],
        summary: "The partner's invitations, newest first",
        response: { 200: invitationsSchema, 401: e, 403: e, 500: e },
      },
    },
    async (request) => ({ invitations: await invitations.list(authOf(request)) }),
  );

  app.delete(
    '/api/invitations/:id',
    {
      onRequest: requireAuth('users:manage'),
      schema: {
        tags: ['users'],
        summary: 'Revoke an open invitation',
        params: idParamsSchema,
        response: { 204: noContent, 400: e, 401: e, 403: e, 404: e, 500: e },
      },
    },
    async (request, reply) => {
      await invitations.revoke(authOf(request), request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
};

export interface AccountsWebDeps {
  /** The application connection (p88_app). */
  db: Database;
  log: Logger;
  /** Base of the links in reset and invitation mails, e.g. https://app.project88hub.com */
  publicUrl: string;
  /** Default: the server log (no SMTP configured). */
  mailer?: Mailer;
  limits?: Partial<AccountsLimits>;
}

/** Registers authentication (authPlugin) and the accounts routes on the root app. */
export async function registerAccounts(app: FastifyInstance, deps: AccountsWebDeps): Promise<Accounts> {
  const accounts = new Accounts({
    db: deps.db,
    log: deps.log,
    mailer: deps.mailer ?? logMailer(deps.log),
    links: linksFor(deps.publicUrl),
    ...(deps.limits ? { limits: deps.limits } : {}),
  });
  await app.register(authPlugin, { accounts });
  await app.register(accountsRoutes, { accounts });
  return accounts;
}

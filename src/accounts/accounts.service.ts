/**
 * Rules of accounts: sign-in (rate limits, lockout, audit, constant-time answers), browser
 * sessions, API tokens, users and partners, invitations and password resets. No SQL here
 * (accounts.repo.ts) and no HTTP (accounts.routes.ts, web/auth.ts).
 *
 * Every database call runs in a tenant scope: the actor's partner (withPartner) or, for
 * platform admins and the platform's own bookkeeping, asPlatform. Lookups made before the
 * partner is known use the repo's SECURITY DEFINER lookups, which read one row by an exact key.
 */
import type { Database, Queryable } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import * as repo from './accounts.repo.js';
import type { Mailer } from './mailer.js';
import { generatePassword, hashPassword, needsRehash, PASSWORD_MAX, PASSWORD_MIN, verifyNothing, verifyPassword } from './passwords.js';
import {
  actionsOf,
  canGrantRole,
  canGrantScopes,
  type Action,
  type PartnerRole,
  type Role,
  type TokenScope,
} from '../shared/permissions.js';
import { RateLimiter } from './rate-limit.js';
import { API_TOKEN_PREFIX, csrfTokenFor, hashSecret, looksLikeSecret, newSecret } from './secrets.js';
import { Usage } from './usage.service.js';

/** Who is calling, once authenticated (request.auth). */
export interface Auth {
  /** The signed-in user; for an API token, the user who created it (null if since deleted). */
  userId: number | null;
  /** The partner the caller acts for; null for platform admins. */
  partnerId: number | null;
  /** The user's role; null for API tokens, which act only through their scopes. */
  role: Role | null;
  via: 'session' | 'token';
  /** What the caller may do: the role's actions for a session, the token's scopes for a token. */
  scopes: Action[];
  sessionId: number | null;
  tokenId: number | null;
}

/** Where a request came from, for the audit log and rate limits. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

export interface UserView {
  id: number;
  email: string;
  name: string;
  role: Role;
  partner_id: number | null;
  disabled: boolean;
  last_login_at: Date | null;
  created_at: Date;
}

export interface PartnerView {
  id: number;
  slug: string;
  name: string;
}

export interface SignedIn {
  /** The session cookie's value: set it, never show or log it. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserView;
  partner: PartnerView | null;
}

export type ApiTokenView = repo.ApiTokenRow;
export type InvitationView = repo.InvitationRow;

export interface AccountsLimits {
  /** Sign-in attempts per IP and per email within loginWindowMs. */
  loginAttempts: number;
  loginWindowMs: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  lockoutFailures: number;
  lockoutMs: number;
  sessionTtlMs: number;
  resetTtlMs: number;
  invitationTtlMs: number;
}

export const DEFAULT_LIMITS: AccountsLimits = {
  loginAttempts: 10,
  loginWindowMs: 60_000,
  lockoutFailures: 5,
  lockoutMs: 15 * 60_000,
  sessionTtlMs: 7 * 24 * 3600_000,
  resetTtlMs: 3600_000,
  invitationTtlMs: 7 * 24 * 3600_000,
};

/** Builds the links sent by mail; the base must be configured, never taken from a Host header. */
export interface Links {
  passwordReset(token: string): string;
  invitation(token: string): string;
}

/** Links in mails point at the configured public address, never at a request's Host header. */
export function linksFor(publicUrl: string): Links {
  const base = publicUrl.replace(/\/+$/, '');
  // The token rides in the fragment, which browsers do not send to servers or in Referer.
  return {
    passwordReset: (token) => `${base}/reset-password#token=${token}`,
    invitation: (token) => `${base}/accept-invitation#token=${token}`,
  };
}

export interface AccountsDeps {
  /** The application connection (p88_app: row-level security applies). */
  db: Database;
  log: Pick<Logger, 'info' | 'warn'>;
  mailer: Mailer;
  links: Links;
  limits?: Partial<AccountsLimits>;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Emails are compared trimmed and lower-case. */
function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Throws a 400 unless a new password meets the length rule. */
function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new AppError('bad_request', `A password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`);
  }
}

function userView(u: repo.UserRow): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    partner_id: u.partner_id,
    disabled: u.disabled_at !== null,
    last_login_at: u.last_login_at,
    created_at: u.created_at,
  };
}

function partnerView(p: repo.PartnerRow | null): PartnerView | null {
  return p && { id: p.id, slug: p.slug, name: p.name };
}

function actorOf(auth: Auth): string {
  return auth.via === 'token' ? `token:${auth.tokenId}` : `user:${auth.userId}`;
}


/** The partner an authenticated caller acts for; platform admins must name one elsewhere. */
function partnerOf(auth: Auth): number {
  if (auth.partnerId === null) throw new AppError('forbidden', 'This needs a partner account.');
  return auth.partnerId;
}

export type AccountsService = ReturnType<typeof createAccountsService>;

export function createAccountsService(deps: AccountsDeps) {
  const { db, log, mailer, links } = deps;
  const limits: AccountsLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const perIp = new RateLimiter(limits.loginAttempts, limits.loginWindowMs);
  const perEmail = new RateLimiter(limits.loginAttempts, limits.loginWindowMs);
  // Unknown emails lock like real accounts (in memory), so a lockout answer reveals nothing.
  const unknownFailures = new RateLimiter(limits.lockoutFailures, limits.lockoutMs);
  // Made now, so even the first unknown-email sign-in takes a real sign-in's time.
  void verifyNothing('').catch(() => {});

  /** A transaction in the partner's scope, or the platform's when partnerId is null. */
  function scoped<T>(partnerId: number | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return partnerId === null ? asPlatform(db, fn) : withPartner(db, partnerId, fn);
  }

  async function auditAnonymous(action: string, ctx: RequestContext, detail: Record<string, unknown>): Promise<void> {
    await repo.insertAnonymousAudit(db, { action, ip: ctx.ip, userAgent: ctx.userAgent, detail });
  }

  function audit(tx: Queryable, e: repo.AuditEntry, ctx?: RequestContext): Promise<void> {
    return repo.insertAudit(tx, { ...e, ip: ctx?.ip ?? null, userAgent: ctx?.userAgent ?? null });
  }

  function locked(retryAfterMs: number): AppError {
    return new AppError('account_locked', undefined, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  }

  /**
   * Sends a mail without letting a delivery failure change the answer: a reset request must
   * answer the same for every email, and an invitation's link is also in the API answer.
   */
  async function deliver(mail: { to: string; subject: string; text: string }): Promise<void> {
    try {
      await mailer.send(mail);
    } catch (err) {
      log.warn({ err: String(err), mail_to: mail.to, mail_subject: mail.subject }, 'mail delivery failed');
    }
  }

  const wrongCredentials = () => new AppError('unauthorized', 'Wrong email or password.');

  async function signIn(userId: number, partnerId: number | null, ctx: RequestContext): Promise<SignedIn> {
    const sessionSecret = newSecret();
    const expiresAt = new Date(Date.now() + limits.sessionTtlMs);
    const { user, partner } = await scoped(partnerId, async (tx) => {
      await repo.insertSession(tx, { userId, partnerId, tokenHash: hashSecret(sessionSecret), expiresAt, ...ctx });
      const u = await repo.getUser(tx, userId);
      const p = partnerId === null ? null : await repo.getPartner(tx, partnerId);
      return { user: u!, partner: p };
    });
    return { sessionSecret, csrfToken: csrfTokenFor(sessionSecret), expiresAt, user: userView(user), partner: partnerView(partner) };
  }

  return {
    limits,

    /** Email + password → a new browser session. Every attempt leaves an audit row. */
    async login(emailInput: string, password: string, ctx: RequestContext): Promise<SignedIn> {
      const email = normalizeEmail(emailInput).slice(0, 254);
      const byIp = perIp.hit(ctx.ip ?? 'unknown');
      const byEmail = perEmail.hit(email);
      if (!byIp.ok || !byEmail.ok) {
        // Audited once per window and key (the first refusal): a flood must not become a
        // flood of writes.
        const firstRefusal = byIp.count === limits.loginAttempts + 1 || byEmail.count === limits.loginAttempts + 1;
        if (firstRefusal) await auditAnonymous('auth.login.rate_limited', ctx, { email, by: byIp.ok ? 'email' : 'ip' });
        throw new AppError('too_many_requests', 'Too many sign-in attempts; try again later.', {
          retryAfterSeconds: Math.ceil(Math.max(byIp.retryAfterMs, byEmail.retryAfterMs) / 1000),
        });
      }

      const account = await repo.findLoginAccount(db, email);
      if (!account) {
        const lock = unknownFailures.check(email);
        if (!lock.ok) {
          await auditAnonymous('auth.login.locked', ctx, { email });
          throw locked(lock.retryAfterMs);
        }
        await verifyNothing(password);
        unknownFailures.hit(email);
        await auditAnonymous('auth.login.failed', ctx, { email, reason: 'unknown_email' });
        throw wrongCredentials();
      }

      const partnerId = account.partner_id;
      const base = { partnerId, userId: account.id, actor: `user:${account.id}`, target: `user:${account.id}` };
      if (account.locked_until && account.locked_until.getTime() > Date.now()) {
        await scoped(partnerId, (tx) => audit(tx, { ...base, action: 'auth.login.locked', detail: { email } }, ctx));
        throw locked(account.locked_until.getTime() - Date.now());
      }
      if (account.disabled || account.password_hash === null) {
        await verifyNothing(password);
        const reason = account.disabled ? 'disabled' : 'no_password';
        await scoped(partnerId, (tx) => audit(tx, { ...base, action: 'auth.login.failed', detail: { email, reason } }, ctx));
        throw wrongCredentials();
      }
      if (!(await verifyPassword(account.password_hash, password))) {
        await scoped(partnerId, async (tx) => {
          const after = await repo.recordLoginFailure(tx, account.id, limits.lockoutFailures, limits.lockoutMs / 1000);
          await audit(tx, { ...base, action: 'auth.login.failed', detail: { email, reason: 'wrong_password', failures: after.failed_logins } }, ctx);
          if (after.locked_until && after.failed_logins === limits.lockoutFailures) {
            await audit(tx, { ...base, action: 'auth.account.locked', detail: { until: after.locked_until.toISOString() } }, ctx);
          }
        });
        throw wrongCredentials();
      }

      const rehash = needsRehash(account.password_hash) ? await hashPassword(password) : null;
      await scoped(partnerId, async (tx) => {
        await repo.recordLoginSuccess(tx, account.id, rehash);
        await audit(tx, { ...base, action: 'auth.login.succeeded', detail: {} }, ctx);
      });
      perEmail.reset(email);
      return signIn(account.id, partnerId, ctx);
    },

    async logout(auth: Auth, ctx: RequestContext): Promise<void> {
      if (auth.sessionId === null) return;
      const sessionId = auth.sessionId;
      await scoped(auth.partnerId, async (tx) => {
        await repo.deleteSession(tx, sessionId);
        await audit(tx, { partnerId: auth.partnerId, userId: auth.userId, actor: actorOf(auth), action: 'auth.logout' }, ctx);
      });
    },

    /** The session behind a cookie value, or null when unknown, expired or its user disabled. */
    async authenticateSession(secret: string): Promise<{ auth: Auth; csrfToken: string } | null> {
      if (!looksLikeSecret(secret)) return null;
      const s = await repo.findSession(db, hashSecret(secret));
      if (!s) return null;
      return {
        auth: {
          userId: s.user_id,
          partnerId: s.partner_id,
          role: s.role,
          via: 'session',
          scopes: actionsOf(s.role),
          sessionId: s.session_id,
          tokenId: null,
        },
        csrfToken: csrfTokenFor(secret),
      };
    },

    /** The API token behind a bearer value, or null when unknown, revoked or expired. */
    async authenticateToken(secret: string): Promise<Auth | null> {
      if (!looksLikeSecret(secret, API_TOKEN_PREFIX)) return null;
      const t = await repo.findApiToken(db, hashSecret(secret));
      if (!t) return null;
      return {
        userId: t.created_by,
        partnerId: t.partner_id,
        role: null,
        via: 'token',
        scopes: t.scopes as Action[],
        sessionId: null,
        tokenId: t.token_id,
      };
    },

    async me(auth: Auth): Promise<{ user: UserView | null; partner: PartnerView | null }> {
      return scoped(auth.partnerId, async (tx) => {
        const user = auth.via === 'session' && auth.userId !== null ? await repo.getUser(tx, auth.userId) : null;
        const partner = auth.partnerId === null ? null : await repo.getPartner(tx, auth.partnerId);
        return { user: user && userView(user), partner: partnerView(partner) };
      });
    },

    /** Changes the signed-in user's own password (the current one required); ends their other sessions. */
    async changePassword(auth: Auth, current: string, next: string, ctx: RequestContext): Promise<void> {
      if (auth.via !== 'session' || auth.userId === null) throw new AppError('forbidden', 'Only a signed-in user can change a password.');
      const userId = auth.userId;
      checkPassword(next);
      const stored = await scoped(auth.partnerId, (tx) => repo.getPasswordHash(tx, userId));
      if (stored === null || !(await verifyPassword(stored, current))) {
        throw new AppError('forbidden', 'The current password is wrong.');
      }
      const hash = await hashPassword(next);
      await scoped(auth.partnerId, async (tx) => {
        await repo.setPassword(tx, userId, hash);
        const ended = await repo.deleteUserSessions(tx, userId, auth.sessionId);
        await audit(tx, { partnerId: auth.partnerId, userId, actor: actorOf(auth), action: 'auth.password.changed', target: `user:${userId}`, detail: { sessions_ended: ended } }, ctx);
      });
    },

    /** The partner's audit trail, newest first. */
    async listAudit(auth: Auth, limit: number): Promise<repo.AuditRow[]> {
      const partnerId = partnerOf(auth);
      return withPartner(db, partnerId, (tx) => repo.listAudit(tx, partnerId, limit));
    },

    /** Housekeeping for the worker: drops sessions, resets and invitations expired over a day ago. */
    async deleteExpired(): Promise<{ sessions: number; resets: number; invitations: number }> {
      return asPlatform(db, (tx) => repo.deleteExpired(tx, new Date(Date.now() - 24 * 3600_000)));
    },

    /**
     * Changes a user's role or disables/enables them. Only for users at or below the caller's
     * rank, to roles at or below it; never oneself; a partner always keeps an active owner.
     * Disabling ends the user's sessions.
     */
    async updateUser(
      auth: Auth,
      userId: number,
      change: { role?: PartnerRole | undefined; disabled?: boolean | undefined },
      ctx: RequestContext,
    ): Promise<UserView> {
      const partnerId = partnerOf(auth);
      const actorRole = auth.role;
      if (actorRole === null) throw new AppError('forbidden');
      if (userId === auth.userId) throw new AppError('forbidden', 'You cannot change your own role or status.');
      return withPartner(db, partnerId, async (tx) => {
        // Owners first, then the user: one lock order for every change, so no deadlock.
        const activeOwners = await repo.countActiveOwners(tx, partnerId);
        const current = await repo.getUserForUpdate(tx, partnerId, userId);
        if (!current) throw new AppError('not_found', 'User not found.');
        const role = change.role ?? current.role;
        const disabled = change.disabled ?? current.disabled_at !== null;
        if (!canGrantRole(actorRole, current.role) || !canGrantRole(actorRole, role)) {
          throw new AppError('forbidden', 'You cannot change a user or grant a role above your own.');
        }
        const wasActiveOwner = current.role === 'owner' && current.disabled_at === null;
        if (wasActiveOwner && (role !== 'owner' || disabled) && activeOwners <= 1) {
          throw new AppError('conflict', 'A partner must keep at least one active owner.');
        }
        const updated = await repo.updateUser(tx, userId, { role, disabled });
        const ended = disabled ? await repo.deleteUserSessions(tx, userId) : 0;
        await audit(tx, {
          partnerId,
          userId: auth.userId,
          actor: actorOf(auth),
          action: 'user.updated',
          target: `user:${userId}`,
          detail: { from: { role: current.role, disabled: current.disabled_at !== null }, to: { role, disabled }, sessions_ended: ended },
        }, ctx);
        return userView(updated);
      });
    },

    async listUsers(auth: Auth): Promise<UserView[]> {
      const partnerId = partnerOf(auth);
      return withPartner(db, partnerId, async (tx) => (await repo.listUsers(tx, partnerId)).map(userView));
    },

    // ------------------------------------------------------------ API tokens

    /** A new token for the caller's partner; the secret is in the answer only. */
    async createApiToken(
      auth: Auth,
      input: { name: string; scopes: TokenScope[]; expiresInDays?: number | undefined },
      ctx: RequestContext,
    ): Promise<{ token: ApiTokenView; secret: string }> {
      const partnerId = partnerOf(auth);
      if (auth.role === null || !canGrantScopes(auth.role, input.scopes)) {
        throw new AppError('forbidden', 'A token cannot have a scope its creator does not hold.');
      }
      const secret = newSecret(API_TOKEN_PREFIX);
      const scopes = [...new Set(input.scopes)];
      const expiresAt = input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * 24 * 3600_000);
      const token = await withPartner(db, partnerId, async (tx) => {
        const row = await repo.insertApiToken(tx, {
          partnerId,
          name: input.name,
          tokenHash: hashSecret(secret),
          tokenHint: secret.slice(0, API_TOKEN_PREFIX.length + 6),
          scopes,
          createdBy: auth.userId,
          expiresAt,
        });
        await audit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'token.created', target: `token:${row.id}`, detail: { name: input.name, scopes } }, ctx);
        return row;
      });
      return { token, secret };
    },

    async listApiTokens(auth: Auth): Promise<ApiTokenView[]> {
      const partnerId = partnerOf(auth);
      return withPartner(db, partnerId, (tx) => repo.listApiTokens(tx, partnerId));
    },

    /** Revokes one of the partner's tokens; 404 for an unknown id, another partner's or a revoked one. */
    async revokeApiToken(auth: Auth, id: number, ctx: RequestContext): Promise<void> {
      const partnerId = partnerOf(auth);
      await withPartner(db, partnerId, async (tx) => {
        if (!(await repo.revokeApiToken(tx, partnerId, id))) throw new AppError('not_found', 'Token not found.');
        await audit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'token.revoked', target: `token:${id}` }, ctx);
      });
    },

    // ------------------------------------------------------------ partners and users (platform, CLI)

    /** A new timing partner (platform admins, `p88 partner create`). */
    async createPartner(input: { slug: string; name: string }, actor = 'system'): Promise<PartnerView> {
      if (!SLUG.test(input.slug)) throw new AppError('bad_request', 'A slug is 1-63 lower-case letters, digits and dashes.');
      if (!input.name.trim()) throw new AppError('bad_request', 'A partner needs a name.');
      try {
        return await asPlatform(db, async (tx) => {
          const p = await repo.insertPartner(tx, { slug: input.slug, name: input.name.trim() });
          // A new partner starts on the free plan with a 14-day trial of a paid plan's limits.
          await Usage.startTrial(tx, p.id);
          await audit(tx, { partnerId: p.id, userId: null, actor, action: 'partner.created', target: `partner:${p.id}`, detail: { slug: p.slug } });
          return partnerView(p)!;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', `A partner with slug "${input.slug}" exists already.`);
        throw err;
      }
    },

    /** Every partner, for platform admins. */
    async listPartners(): Promise<PartnerView[]> {
      return asPlatform(db, async (tx) => (await repo.listPartners(tx)).map((p) => partnerView(p)!));
    },

    async findPartner(slug: string): Promise<PartnerView | null> {
      return asPlatform(db, async (tx) => partnerView(await repo.findPartnerBySlug(tx, slug)));
    },

    /**
     * A new user (platform admins, `p88 user create`, first run). With no password given, one
     * is generated and returned: the caller shows it once.
     */
    async createUser(
      input: { email: string; name?: string; role: Role; partnerId: number | null; password?: string | undefined },
      actor = 'system',
    ): Promise<{ user: UserView; generatedPassword: string | null }> {
      const email = normalizeEmail(input.email);
      if (!EMAIL.test(email) || email.length > 254) throw new AppError('bad_request', 'That is not an email address.');
      if ((input.role === 'platform_admin') !== (input.partnerId === null)) {
        throw new AppError('bad_request', 'Platform admins belong to no partner; every other role belongs to one.');
      }
      const generatedPassword = input.password === undefined ? generatePassword() : null;
      const password = input.password ?? generatedPassword!;
      checkPassword(password);
      const passwordHash = await hashPassword(password);
      try {
        const user = await scoped(input.partnerId, async (tx) => {
          const u = await repo.insertUser(tx, { partnerId: input.partnerId, email, name: input.name ?? '', role: input.role, passwordHash });
          await audit(tx, { partnerId: u.partner_id, userId: null, actor, action: 'user.created', target: `user:${u.id}`, detail: { email, role: u.role } });
          return u;
        });
        return { user: userView(user), generatedPassword };
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'A user with that email exists already.');
        throw err;
      }
    },

    // ------------------------------------------------------------ invitations

    /** Invites an email to the caller's partner with a role no higher than the caller's. */
    async createInvitation(
      auth: Auth,
      input: { email: string; role: PartnerRole },
      ctx: RequestContext,
    ): Promise<{ invitation: InvitationView; url: string }> {
      const partnerId = partnerOf(auth);
      if (auth.role === null || !canGrantRole(auth.role, input.role)) {
        throw new AppError('forbidden', 'You cannot invite someone to a role above your own.');
      }
      const email = normalizeEmail(input.email);
      if (!EMAIL.test(email) || email.length > 254) throw new AppError('bad_request', 'That is not an email address.');
      const token = newSecret();
      const url = links.invitation(token);
      const { invitation, partner } = await withPartner(db, partnerId, async (tx) => {
        const inv = await repo.insertInvitation(tx, {
          partnerId,
          email,
          role: input.role,
          tokenHash: hashSecret(token),
          invitedBy: auth.userId,
          expiresAt: new Date(Date.now() + limits.invitationTtlMs),
        });
        await audit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'invitation.created', target: `invitation:${inv.id}`, detail: { email, role: input.role } }, ctx);
        return { invitation: inv, partner: await repo.getPartner(tx, partnerId) };
      });
      await deliver({
        to: email,
        subject: `You are invited to ${partner?.name ?? 'a timing partner'} on Project88Hub`,
        text: `You have been invited to join ${partner?.name ?? 'a timing partner'} as ${input.role}.\n\nAccept within ${Math.round(limits.invitationTtlMs / 86_400_000)} days: ${url}\n`,
      });
      return { invitation, url };
    },

    async listInvitations(auth: Auth): Promise<InvitationView[]> {
      const partnerId = partnerOf(auth);
      return withPartner(db, partnerId, (tx) => repo.listInvitations(tx, partnerId));
    },

    async revokeInvitation(auth: Auth, id: number, ctx: RequestContext): Promise<void> {
      const partnerId = partnerOf(auth);
      await withPartner(db, partnerId, async (tx) => {
        if (!(await repo.revokeInvitation(tx, partnerId, id))) throw new AppError('not_found', 'Invitation not found.');
        await audit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'invitation.revoked', target: `invitation:${id}` }, ctx);
      });
    },

    /** Accepts an open invitation: creates the user in the inviting partner, with the invited role. */
    async acceptInvitation(token: string, input: { password: string; name?: string | undefined }, ctx: RequestContext): Promise<UserView> {
      const invalid = () => new AppError('not_found', 'This invitation is not valid (used, revoked or expired).');
      if (!looksLikeSecret(token)) throw invalid();
      checkPassword(input.password);
      const inv = await repo.findInvitation(db, hashSecret(token));
      if (!inv) throw invalid();
      const passwordHash = await hashPassword(input.password);
      try {
        const user = await withPartner(db, inv.partner_id, async (tx) => {
          const u = await repo.insertUser(tx, { partnerId: inv.partner_id, email: inv.email, name: input.name ?? '', role: inv.role, passwordHash });
          if (!(await repo.acceptInvitation(tx, inv.invitation_id, u.id))) throw invalid();
          await audit(tx, { partnerId: inv.partner_id, userId: u.id, actor: `user:${u.id}`, action: 'invitation.accepted', target: `invitation:${inv.invitation_id}`, detail: { email: inv.email, role: inv.role } }, ctx);
          return u;
        });
        return userView(user);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'A user with that email exists already.');
        throw err;
      }
    },

    // ------------------------------------------------------------ password reset

    /**
     * Sends a reset link when the email has an active account. The caller answers the same
     * whatever happened here, so the answer does not tell which emails have accounts.
     */
    async requestPasswordReset(emailInput: string, ctx: RequestContext): Promise<void> {
      const email = normalizeEmail(emailInput).slice(0, 254);
      const byIp = perIp.hit(`reset:${ctx.ip ?? 'unknown'}`);
      const byEmail = perEmail.hit(`reset:${email}`);
      if (!byIp.ok || !byEmail.ok) {
        throw new AppError('too_many_requests', undefined, { retryAfterSeconds: Math.ceil(Math.max(byIp.retryAfterMs, byEmail.retryAfterMs) / 1000) });
      }
      const account = await repo.findLoginAccount(db, email);
      if (!account || account.disabled) {
        await auditAnonymous('auth.password_reset.unknown', ctx, { email });
        return;
      }
      const token = newSecret();
      await scoped(account.partner_id, async (tx) => {
        await repo.insertPasswordReset(tx, {
          userId: account.id,
          partnerId: account.partner_id,
          tokenHash: hashSecret(token),
          expiresAt: new Date(Date.now() + limits.resetTtlMs),
          ip: ctx.ip,
        });
        await audit(tx, { partnerId: account.partner_id, userId: account.id, actor: 'anonymous', action: 'auth.password_reset.requested', target: `user:${account.id}` }, ctx);
      });
      await deliver({
        to: email,
        subject: 'Reset your Project88Hub password',
        text: `Someone asked to reset the password of ${email}. If it was you, choose a new one within ${Math.round(limits.resetTtlMs / 60_000)} minutes: ${links.passwordReset(token)}\nIf not, ignore this message.\n`,
      });
    },

    /** Sets a new password from a reset link (once); signs the user out everywhere. */
    async confirmPasswordReset(token: string, password: string, ctx: RequestContext): Promise<void> {
      const invalid = () => new AppError('not_found', 'This reset link is not valid (used or expired).');
      if (!looksLikeSecret(token)) throw invalid();
      checkPassword(password);
      const reset = await repo.findPasswordReset(db, hashSecret(token));
      if (!reset) throw invalid();
      const hash = await hashPassword(password);
      await scoped(reset.partner_id, async (tx) => {
        if (!(await repo.consumePasswordReset(tx, reset.reset_id))) throw invalid();
        await repo.setPassword(tx, reset.user_id, hash);
        await repo.closeUserResets(tx, reset.user_id);
        const ended = await repo.deleteUserSessions(tx, reset.user_id);
        await audit(tx, { partnerId: reset.partner_id, userId: reset.user_id, actor: `user:${reset.user_id}`, action: 'auth.password_reset.completed', target: `user:${reset.user_id}`, detail: { sessions_ended: ended } }, ctx);
      });
      log.info({ user_id: reset.user_id }, 'password reset completed');
    },
  };
}

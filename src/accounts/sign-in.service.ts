/**
 * Signing in and staying signed in: email + password (rate limits, lockout, constant-time
 * answers, an audit row for every attempt), browser sessions and their cookies' secrets, and
 * the password: changing it while signed in, or resetting it through a mailed link.
 *
 * A sign-in, a cookie or a reset link arrives before the partner is known: those lookups use
 * the repo's SECURITY DEFINER functions, which read one row by an exact key; everything after
 * runs in the account's scope (its partner, or the platform's for platform admins).
 */
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { actionsOf } from '../shared/permissions.js';
import {
  actorOf,
  checkPassword,
  deliver,
  inScope,
  normalizeEmail,
  partnerView,
  userView,
  type AccountsLimits,
  type Auth,
  type Links,
  type PartnerView,
  type RequestContext,
  type UserView,
} from './accounts.common.js';
import { recordAnonymousAudit, recordAudit } from './audit.service.js';
import type { Mailer } from './mailer.js';
import { getPartner } from './partners.repo.js';
import { hashPassword, needsRehash, verifyNothing, verifyPassword } from './passwords.js';
import { RateLimiter } from './rate-limit.js';
import { csrfTokenFor, hashSecret, looksLikeSecret, newSecret } from './secrets.js';
import * as repo from './sign-in.repo.js';
import { getPasswordHash, getUser, setPassword } from './users.repo.js';

export interface SignedIn {
  /** The session cookie's value: set it, never show or log it. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserView;
  partner: PartnerView | null;
}

function locked(retryAfterMs: number): AppError {
  return new AppError('account_locked', undefined, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
}

const wrongCredentials = () => new AppError('unauthorized', 'Wrong email or password.');

export class SignIn {
  // One pair of limiters for sign-ins and reset requests (keys of the latter are prefixed).
  private readonly perIp: RateLimiter;
  private readonly perEmail: RateLimiter;
  /** Unknown emails lock like real accounts (in memory), so a lockout answer reveals nothing. */
  private readonly unknownFailures: RateLimiter;
  /** Attempts at POST /api/auth/password, per user and per address. */
  private readonly passwordPerUser: RateLimiter;
  private readonly passwordPerIp: RateLimiter;

  constructor(
    private readonly db: Database,
    private readonly mailer: Mailer,
    private readonly links: Links,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    private readonly limits: AccountsLimits,
  ) {
    this.perIp = new RateLimiter(limits.loginAttempts, limits.loginWindowMs);
    this.perEmail = new RateLimiter(limits.loginAttempts, limits.loginWindowMs);
    this.unknownFailures = new RateLimiter(limits.lockoutFailures, limits.lockoutBaseMs);
    this.passwordPerUser = new RateLimiter(limits.passwordChangeAttempts, limits.passwordChangeWindowMs);
    this.passwordPerIp = new RateLimiter(limits.passwordChangeAttempts * 4, limits.passwordChangeWindowMs);
    // Made now, so even the first unknown-email sign-in takes a real sign-in's time.
    void verifyNothing('').catch(() => {});
  }

  /**
   * Email + password → a new browser session. Every attempt leaves an audit row. Wrong
   * passwords are throttled per account AND client address (growing delays, migration 0031):
   * failures from one address never lock the account for another, so a correct password from
   * an address that has not been failing always gets in, the platform admin's included.
   */
  async login(emailInput: string, password: string, ctx: RequestContext): Promise<SignedIn> {
    const { db, limits } = this;
    const email = normalizeEmail(emailInput).slice(0, 254);
    const ip = ctx.ip ?? 'unknown';
    const byIp = this.perIp.hit(ip);
    const byEmail = this.perEmail.hit(`${email}|${ip}`);
    if (!byIp.ok || !byEmail.ok) {
      // Audited once per window and key (the first refusal): a flood must not become a
      // flood of writes.
      const firstRefusal = byIp.count === limits.loginAttempts + 1 || byEmail.count === limits.loginAttempts + 1;
      if (firstRefusal) await recordAnonymousAudit(db, 'auth.login.rate_limited', ctx, { email, by: byIp.ok ? 'email' : 'ip' });
      throw new AppError('too_many_requests', 'Too many sign-in attempts; try again later.', {
        retryAfterSeconds: Math.ceil(Math.max(byIp.retryAfterMs, byEmail.retryAfterMs) / 1000),
      });
    }

    const account = await repo.findLoginAccount(db, email);
    if (!account) {
      // Unknown emails are throttled like real accounts (in memory), so the answer reveals nothing.
      const key = `${email}|${ip}`;
      const lock = this.unknownFailures.check(key);
      if (!lock.ok) {
        await recordAnonymousAudit(db, 'auth.login.locked', ctx, { email });
        throw locked(lock.retryAfterMs);
      }
      await verifyNothing(password);
      this.unknownFailures.hit(key);
      await recordAnonymousAudit(db, 'auth.login.failed', ctx, { email, reason: 'unknown_email' });
      throw wrongCredentials();
    }

    const partnerId = account.partner_id;
    const base = { partnerId, userId: account.id, actor: `user:${account.id}`, target: `user:${account.id}` };
    const throttle = await inScope(db, partnerId, (tx) => repo.findThrottle(tx, account.id, ip));
    if (throttle?.locked_until && throttle.locked_until.getTime() > Date.now()) {
      await inScope(db, partnerId, (tx) => recordAudit(tx, { ...base, action: 'auth.login.locked', detail: { email, failures: throttle.failures } }, ctx));
      throw locked(throttle.locked_until.getTime() - Date.now());
    }
    if (account.disabled || account.password_hash === null) {
      await verifyNothing(password);
      const reason = account.disabled ? 'disabled' : 'no_password';
      await inScope(db, partnerId, (tx) => recordAudit(tx, { ...base, action: 'auth.login.failed', detail: { email, reason } }, ctx));
      throw wrongCredentials();
    }
    if (!(await verifyPassword(account.password_hash, password, 'sign-in'))) {
      await inScope(db, partnerId, async (tx) => {
        const failures = await repo.countLoginFailure(tx, account.id);
        const after = await repo.recordThrottledFailure(tx, {
          userId: account.id,
          partnerId,
          ip,
          threshold: limits.lockoutFailures,
          baseSeconds: limits.lockoutBaseMs / 1000,
          maxSeconds: limits.lockoutMs / 1000,
        });
        await recordAudit(tx, { ...base, action: 'auth.login.failed', detail: { email, reason: 'wrong_password', failures } }, ctx);
        if (after.locked_until && after.failures === limits.lockoutFailures) {
          await recordAudit(tx, { ...base, action: 'auth.account.locked', detail: { until: after.locked_until.toISOString(), ip } }, ctx);
        }
      });
      throw wrongCredentials();
    }

    const rehash = needsRehash(account.password_hash) ? await hashPassword(password, 'sign-in') : null;
    await inScope(db, partnerId, async (tx) => {
      await repo.recordLoginSuccess(tx, account.id, rehash);
      await repo.clearThrottle(tx, account.id, ip);
      await recordAudit(tx, { ...base, action: 'auth.login.succeeded', detail: {} }, ctx);
    });
    this.perEmail.reset(`${email}|${ip}`);
    return this.startSession(account.id, partnerId, ctx);
  }

  /**
   * Lifts every sign-in throttle of an account (`p88 user unlock <email>`, run by whoever
   * runs the platform: the way back in for a platform admin). False for an unknown email.
   */
  async unlock(emailInput: string): Promise<{ userId: number; cleared: number } | null> {
    const account = await repo.findLoginAccount(this.db, normalizeEmail(emailInput));
    if (!account) return null;
    const cleared = await inScope(this.db, account.partner_id, async (tx) => {
      const n = await repo.unlockAccount(tx, account.id);
      await recordAudit(tx, { partnerId: account.partner_id, userId: account.id, actor: 'command', action: 'auth.account.unlocked', target: `user:${account.id}`, detail: { throttles_cleared: n } }, { ip: null, userAgent: null });
      return n;
    });
    return { userId: account.id, cleared };
  }

  async logout(auth: Auth, ctx: RequestContext): Promise<void> {
    if (auth.sessionId === null) return;
    const sessionId = auth.sessionId;
    await inScope(this.db, auth.partnerId, async (tx) => {
      await repo.deleteSession(tx, sessionId);
      await recordAudit(tx, { partnerId: auth.partnerId, userId: auth.userId, actor: actorOf(auth), action: 'auth.logout' }, ctx);
    });
  }

  /** The session behind a cookie value, or null when unknown, expired or its user disabled. */
  async authenticate(secret: string): Promise<{ auth: Auth; csrfToken: string } | null> {
    if (!looksLikeSecret(secret)) return null;
    const s = await repo.findSession(this.db, hashSecret(secret));
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
  }

  /** The signed-in user (none for an API token) and the partner the caller acts for. */
  async me(auth: Auth): Promise<{ user: UserView | null; partner: PartnerView | null }> {
    return inScope(this.db, auth.partnerId, async (tx) => {
      const user = auth.via === 'session' && auth.userId !== null ? await getUser(tx, auth.userId) : null;
      const partner = auth.partnerId === null ? null : await getPartner(tx, auth.partnerId);
      return { user: user && userView(user), partner: partnerView(partner) };
    });
  }

  /** Changes the signed-in user's own password (the current one required); ends their other sessions. */
  async changePassword(auth: Auth, current: string, next: string, ctx: RequestContext): Promise<void> {
    if (auth.via !== 'session' || auth.userId === null) throw new AppError('forbidden', 'Only a signed-in user can change a password.');
    const userId = auth.userId;
    checkPassword(next);
    // Each attempt costs an argon2 check: bounded per user and per address (429 past it).
    const byUser = this.passwordPerUser.hit(String(userId));
    const byIp = this.passwordPerIp.hit(ctx.ip ?? 'unknown');
    if (!byUser.ok || !byIp.ok) {
      throw new AppError('too_many_requests', 'Too many password changes; try again later.', {
        retryAfterSeconds: Math.ceil(Math.max(byUser.retryAfterMs, byIp.retryAfterMs) / 1000),
      });
    }
    const stored = await inScope(this.db, auth.partnerId, (tx) => getPasswordHash(tx, userId));
    if (stored === null || !(await verifyPassword(stored, current))) {
      throw new AppError('forbidden', 'The current password is wrong.');
    }
    const hash = await hashPassword(next);
    this.passwordPerUser.reset(String(userId));
    await inScope(this.db, auth.partnerId, async (tx) => {
      await setPassword(tx, userId, hash);
      const ended = await repo.deleteUserSessions(tx, userId, auth.sessionId);
      await recordAudit(tx, { partnerId: auth.partnerId, userId, actor: actorOf(auth), action: 'auth.password.changed', target: `user:${userId}`, detail: { sessions_ended: ended } }, ctx);
    });
  }

  /**
   * Sends a reset link when the email has an active account. The caller answers the same
   * whatever happened here, so the answer does not tell which emails have accounts.
   */
  /** How links reach people here: by mail (SMTP configured) or only in the server's log. */
  get linkDelivery(): 'mail' | 'log' {
    return this.mailer.delivers ? 'mail' : 'log';
  }

  async requestPasswordReset(emailInput: string, ctx: RequestContext): Promise<void> {
    const { db, limits } = this;
    const email = normalizeEmail(emailInput).slice(0, 254);
    const byIp = this.perIp.hit(`reset:${ctx.ip ?? 'unknown'}`);
    const byEmail = this.perEmail.hit(`reset:${email}`);
    if (!byIp.ok || !byEmail.ok) {
      throw new AppError('too_many_requests', undefined, { retryAfterSeconds: Math.ceil(Math.max(byIp.retryAfterMs, byEmail.retryAfterMs) / 1000) });
    }
    const account = await repo.findLoginAccount(db, email);
    if (!account || account.disabled) {
      await recordAnonymousAudit(db, 'auth.password_reset.unknown', ctx, { email });
      return;
    }
    const token = newSecret();
    await inScope(db, account.partner_id, async (tx) => {
      await repo.insertPasswordReset(tx, {
        userId: account.id,
        partnerId: account.partner_id,
        tokenHash: hashSecret(token),
        expiresAt: new Date(Date.now() + limits.resetTtlMs),
        ip: ctx.ip,
      });
      await recordAudit(tx, { partnerId: account.partner_id, userId: account.id, actor: 'anonymous', action: 'auth.password_reset.requested', target: `user:${account.id}` }, ctx);
    });
    await deliver(this.mailer, this.log, {
      to: email,
      subject: 'Reset your Project88Hub password',
      text: `Someone asked to reset the password of ${email}. If it was you, choose a new one within ${Math.round(limits.resetTtlMs / 60_000)} minutes: ${this.links.passwordReset(token)}\nIf not, ignore this message.\n`,
    });
  }

  /** Sets a new password from a reset link (once); signs the user out everywhere. */
  async confirmPasswordReset(token: string, password: string, ctx: RequestContext): Promise<void> {
    const invalid = () => new AppError('not_found', 'This reset link is not valid (used or expired).');
    if (!looksLikeSecret(token)) throw invalid();
    checkPassword(password);
    const reset = await repo.findPasswordReset(this.db, hashSecret(token));
    if (!reset) throw invalid();
    const hash = await hashPassword(password);
    await inScope(this.db, reset.partner_id, async (tx) => {
      if (!(await repo.consumePasswordReset(tx, reset.reset_id))) throw invalid();
      await setPassword(tx, reset.user_id, hash);
      await repo.closeUserResets(tx, reset.user_id);
      const ended = await repo.deleteUserSessions(tx, reset.user_id);
      await recordAudit(tx, { partnerId: reset.partner_id, userId: reset.user_id, actor: `user:${reset.user_id}`, action: 'auth.password_reset.completed', target: `user:${reset.user_id}`, detail: { sessions_ended: ended } }, ctx);
    });
    this.log.info({ user_id: reset.user_id }, 'password reset completed');
  }

  /** A new browser session for an account that has just proved who it is. */
  private async startSession(userId: number, partnerId: number | null, ctx: RequestContext): Promise<SignedIn> {
    const sessionSecret = newSecret();
    const expiresAt = new Date(Date.now() + this.limits.sessionTtlMs);
    const { user, partner } = await inScope(this.db, partnerId, async (tx) => {
      await repo.insertSession(tx, { userId, partnerId, tokenHash: hashSecret(sessionSecret), expiresAt, ...ctx });
      const u = await getUser(tx, userId);
      const p = partnerId === null ? null : await getPartner(tx, partnerId);
      return { user: u!, partner: p };
    });
    return { sessionSecret, csrfToken: csrfTokenFor(sessionSecret), expiresAt, user: userView(user), partner: partnerView(partner) };
  }
}

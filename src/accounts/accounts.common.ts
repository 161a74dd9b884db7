/**
 * What the accounts services share: who is calling (Auth) and from where, the views of users
 * and partners that leave the domain, the input rules every service applies the same way
 * (emails, password length), the limits, the links put in mails, and the transaction scope for
 * an actor who may belong to no partner.
 */
import type { Database, Queryable } from '../db/database.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Action, Role } from '../shared/permissions.js';
import type { Mailer } from './mailer.js';
import type { PartnerRow } from './partners.repo.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';
import type { UserRow } from './users.repo.js';

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

export interface AccountsLimits {
  /** Sign-in attempts per IP and per email within loginWindowMs. */
  loginAttempts: number;
  loginWindowMs: number;
  /**
   * Wrong passwords in a row from one address for one account before that pair must wait
   * lockoutBaseMs, doubling with each further failure up to lockoutMs. Other addresses are
   * not affected.
   */
  lockoutFailures: number;
  lockoutBaseMs: number;
  lockoutMs: number;
  /** Attempts at changing one's password per user within the window (4× that per address). */
  passwordChangeAttempts: number;
  passwordChangeWindowMs: number;
  sessionTtlMs: number;
  resetTtlMs: number;
  invitationTtlMs: number;
}

export const DEFAULT_LIMITS: AccountsLimits = {
  loginAttempts: 10,
  loginWindowMs: 60_000,
  lockoutFailures: 5,
  lockoutBaseMs: 60_000,
  lockoutMs: 15 * 60_000,
  passwordChangeAttempts: 5,
  passwordChangeWindowMs: 15 * 60_000,
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

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Emails are compared trimmed and lower-case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Throws a 400 unless a (normalized) email looks like one and fits the column. */
export function checkEmail(email: string): void {
  if (!EMAIL.test(email) || email.length > 254) throw new AppError('bad_request', 'That is not an email address.');
}

/** Throws a 400 unless a new password meets the length rule. */
export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new AppError('bad_request', `A password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`);
  }
}

export function userView(u: UserRow): UserView {
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

export function partnerView(p: PartnerRow | null): PartnerView | null {
  return p && { id: p.id, slug: p.slug, name: p.name };
}

/** The audit log's name for the caller. */
export function actorOf(auth: Auth): string {
  return auth.via === 'token' ? `token:${auth.tokenId}` : `user:${auth.userId}`;
}

/** The partner an authenticated caller acts for; platform admins must name one elsewhere. */
export function partnerOf(auth: Auth): number {
  if (auth.partnerId === null) throw new AppError('forbidden', 'This needs a partner account.');
  return auth.partnerId;
}

/** A transaction in the partner's scope, or the platform's when partnerId is null (platform admins). */
export function inScope<T>(db: Database, partnerId: number | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return partnerId === null ? asPlatform(db, fn) : withPartner(db, partnerId, fn);
}

/**
 * Sends a mail without letting a delivery failure change the answer: a reset request must
 * answer the same for every email, and an invitation's link is also in the API answer.
 */
export async function deliver(mailer: Mailer, log: Pick<Logger, 'warn'>, mail: { to: string; subject: string; text: string }): Promise<void> {
  try {
    await mailer.send(mail);
  } catch (err) {
    log.warn({ err: String(err), mail_to: mail.to, mail_subject: mail.subject }, 'mail delivery failed');
  }
}

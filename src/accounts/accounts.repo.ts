/**
 * All SQL of accounts: partners, users, sessions, API tokens, password resets, invitations
 * and the audit log. Functions take a Queryable that the service has scoped (withPartner or
 * asPlatform); row-level security filters every table, and queries still name the partner
 * where they have one. Lookups before the partner is known go through the SECURITY DEFINER
 * functions of migration 0003 (p88_auth_*), never through the tables.
 */
import type { Queryable } from '../db/database.js';
import type { PartnerRole, Role, TokenScope } from '../shared/permissions.js';

export interface PartnerRow {
  id: number;
  slug: string;
  name: string;
  created_at: Date;
}

export interface UserRow {
  id: number;
  partner_id: number | null;
  email: string;
  name: string;
  role: Role;
  last_login_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
}

const USER_COLUMNS = 'id, partner_id, email, name, role, last_login_at, disabled_at, created_at';

// ---------------------------------------------------------------- partners

export async function insertPartner(db: Queryable, p: { slug: string; name: string }): Promise<PartnerRow> {
  const r = await db.query<PartnerRow>(
    'INSERT INTO partners (slug, name) VALUES ($1, $2) RETURNING id, slug, name, created_at',
    [p.slug, p.name],
  );
  return r.rows[0]!;
}

export async function getPartner(db: Queryable, id: number): Promise<PartnerRow | null> {
  const r = await db.query<PartnerRow>('SELECT id, slug, name, created_at FROM partners WHERE id = $1', [id]);
  return r.rows[0] ?? null;
}

export async function listPartners(db: Queryable): Promise<PartnerRow[]> {
  const r = await db.query<PartnerRow>('SELECT id, slug, name, created_at FROM partners ORDER BY id');
  return r.rows;
}

export async function findPartnerBySlug(db: Queryable, slug: string): Promise<PartnerRow | null> {
  const r = await db.query<PartnerRow>('SELECT id, slug, name, created_at FROM partners WHERE slug = $1', [slug]);
  return r.rows[0] ?? null;
}

// ---------------------------------------------------------------- users

export async function insertUser(
  db: Queryable,
  u: { partnerId: number | null; email: string; name: string; role: Role; passwordHash: string | null },
): Promise<UserRow> {
  const r = await db.query<UserRow>(
    `INSERT INTO users (partner_id, email, name, role, password_hash)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
    [u.partnerId, u.email, u.name, u.role, u.passwordHash],
  );
  return r.rows[0]!;
}

export async function getUser(db: Queryable, id: number): Promise<UserRow | null> {
  const r = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function listUsers(db: Queryable, partnerId: number): Promise<UserRow[]> {
  const r = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE partner_id = $1 ORDER BY id`, [partnerId]);
  return r.rows;
}

/** A partner's user, locked for update (role and status changes). */
export async function getUserForUpdate(db: Queryable, partnerId: number, id: number): Promise<UserRow | null> {
  const r = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE partner_id = $1 AND id = $2 FOR UPDATE`, [partnerId, id]);
  return r.rows[0] ?? null;
}

/**
 * How many active owners the partner has, locking them in id order: two concurrent
 * demotions then queue instead of both passing (or deadlocking).
 */
export async function countActiveOwners(db: Queryable, partnerId: number): Promise<number> {
  const r = await db.query<{ id: number }>(
    `SELECT id FROM users WHERE partner_id = $1 AND role = 'owner' AND disabled_at IS NULL ORDER BY id FOR UPDATE`,
    [partnerId],
  );
  return r.rows.length;
}

export async function updateUser(db: Queryable, id: number, change: { role: Role; disabled: boolean }): Promise<UserRow> {
  const r = await db.query<UserRow>(
    `UPDATE users SET role = $2,
            disabled_at = CASE WHEN $3::boolean THEN coalesce(disabled_at, now()) END,
            updated_at = now()
      WHERE id = $1 RETURNING ${USER_COLUMNS}`,
    [id, change.role, change.disabled],
  );
  return r.rows[0]!;
}

export interface LoginAccount {
  id: number;
  partner_id: number | null;
  role: Role;
  password_hash: string | null;
  locked_until: Date | null;
  disabled: boolean;
}

/** The account behind an email, before any partner is known (SECURITY DEFINER lookup). */
export async function findLoginAccount(db: Queryable, email: string): Promise<LoginAccount | null> {
  const r = await db.query<LoginAccount>(
    'SELECT id, partner_id, role, password_hash, locked_until, disabled FROM p88_auth_user_by_email($1)',
    [email],
  );
  return r.rows[0] ?? null;
}

/**
 * Counts a failed sign-in; locks the account for lockSeconds when this failure reaches
 * maxFailures. A lock that has run out starts the count again. One statement, so concurrent
 * failures each count.
 */
export async function recordLoginFailure(
  db: Queryable,
  userId: number,
  maxFailures: number,
  lockSeconds: number,
): Promise<{ failed_logins: number; locked_until: Date | null }> {
  const r = await db.query<{ failed_logins: number; locked_until: Date | null }>(
    `UPDATE users SET
       failed_logins = CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END,
       locked_until = CASE
         WHEN (CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END) >= $2
           THEN now() + make_interval(secs => $3)
         WHEN locked_until > now() THEN locked_until
       END,
       updated_at = now()
     WHERE id = $1
     RETURNING failed_logins, locked_until`,
    [userId, maxFailures, lockSeconds],
  );
  return r.rows[0] ?? { failed_logins: 0, locked_until: null };
}

/** A successful sign-in: clears the failure count and lock; stores a rehashed password if given. */
export async function recordLoginSuccess(db: Queryable, userId: number, newHash: string | null): Promise<void> {
  await db.query(
    `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now(), updated_at = now(),
            password_hash = coalesce($2, password_hash)
      WHERE id = $1`,
    [userId, newHash],
  );
}

/** Sets a new password and lifts any lockout. */
export async function setPassword(db: Queryable, userId: number, hash: string): Promise<void> {
  await db.query(
    `UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`,
    [userId, hash],
  );
}

// ---------------------------------------------------------------- sessions

export async function insertSession(
  db: Queryable,
  s: { userId: number; partnerId: number | null; tokenHash: string; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO user_sessions (user_id, partner_id, token_hash, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [s.userId, s.partnerId, s.tokenHash, s.expiresAt, s.ip, s.userAgent],
  );
  return r.rows[0]!.id;
}

export interface SessionIdentity {
  session_id: number;
  user_id: number;
  partner_id: number | null;
  role: Role;
  email: string;
  name: string;
  expires_at: Date;
}

/** The live session behind a cookie's hash, and its user (SECURITY DEFINER lookup). */
export async function findSession(db: Queryable, tokenHash: string): Promise<SessionIdentity | null> {
  const r = await db.query<SessionIdentity>(
    'SELECT session_id, user_id, partner_id, role, email, name, expires_at FROM p88_auth_session($1)',
    [tokenHash],
  );
  return r.rows[0] ?? null;
}

export async function deleteSession(db: Queryable, sessionId: number): Promise<void> {
  await db.query('DELETE FROM user_sessions WHERE id = $1', [sessionId]);
}

/** Ends a user's sessions, except keepSessionId when given. */
export async function deleteUserSessions(db: Queryable, userId: number, keepSessionId: number | null = null): Promise<number> {
  const r = await db.query('DELETE FROM user_sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2', [userId, keepSessionId]);
  return r.rowCount;
}

export async function getPasswordHash(db: Queryable, userId: number): Promise<string | null> {
  const r = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
  return r.rows[0]?.password_hash ?? null;
}

/** Deletes sessions, resets and invitations past their expiry (for a periodic job). */
export async function deleteExpired(db: Queryable, olderThan: Date): Promise<{ sessions: number; resets: number; invitations: number }> {
  const sessions = await db.query('DELETE FROM user_sessions WHERE expires_at < $1', [olderThan]);
  const resets = await db.query('DELETE FROM password_resets WHERE expires_at < $1', [olderThan]);
  const invitations = await db.query('DELETE FROM invitations WHERE expires_at < $1 AND accepted_at IS NULL', [olderThan]);
  return { sessions: sessions.rowCount, resets: resets.rowCount, invitations: invitations.rowCount };
}

// ---------------------------------------------------------------- API tokens

export interface ApiTokenRow {
  id: number;
  name: string;
  token_hint: string;
  scopes: TokenScope[];
  created_by: number | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const TOKEN_COLUMNS = 'id, name, token_hint, scopes, created_by, created_at, expires_at, last_used_at, revoked_at';

export async function insertApiToken(
  db: Queryable,
  t: {
    partnerId: number;
    name: string;
    tokenHash: string;
    tokenHint: string;
    scopes: readonly TokenScope[];
    createdBy: number | null;
    expiresAt: Date | null;
  },
): Promise<ApiTokenRow> {
  const r = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (partner_id, name, token_hash, token_hint, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, string_to_array($5, ','), $6, $7) RETURNING ${TOKEN_COLUMNS}`,
    // Scopes travel as one comma-joined string: the two drivers serialize arrays differently.
    [t.partnerId, t.name, t.tokenHash, t.tokenHint, t.scopes.join(','), t.createdBy, t.expiresAt],
  );
  return r.rows[0]!;
}

export async function listApiTokens(db: Queryable, partnerId: number): Promise<ApiTokenRow[]> {
  const r = await db.query<ApiTokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE partner_id = $1 ORDER BY created_at DESC, id DESC`,
    [partnerId],
  );
  return r.rows;
}

/** Revokes a live token of the partner; false when there is none with that id. */
export async function revokeApiToken(db: Queryable, partnerId: number, id: number): Promise<boolean> {
  const r = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE partner_id = $1 AND id = $2 AND revoked_at IS NULL',
    [partnerId, id],
  );
  return r.rowCount > 0;
}

export interface TokenIdentity {
  token_id: number;
  partner_id: number;
  scopes: string[];
  created_by: number | null;
}

/** The live token behind a bearer secret's hash (SECURITY DEFINER lookup; records the use). */
export async function findApiToken(db: Queryable, tokenHash: string): Promise<TokenIdentity | null> {
  const r = await db.query<TokenIdentity>(
    'SELECT token_id, partner_id, scopes, created_by FROM p88_auth_api_token($1)',
    [tokenHash],
  );
  return r.rows[0] ?? null;
}

// ---------------------------------------------------------------- password resets

export async function insertPasswordReset(
  db: Queryable,
  r: { userId: number; partnerId: number | null; tokenHash: string; expiresAt: Date; ip: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO password_resets (user_id, partner_id, token_hash, expires_at, requested_ip) VALUES ($1, $2, $3, $4, $5)`,
    [r.userId, r.partnerId, r.tokenHash, r.expiresAt, r.ip],
  );
}

export interface ResetIdentity {
  reset_id: number;
  user_id: number;
  partner_id: number | null;
}

/** The open reset behind a link's hash (SECURITY DEFINER lookup). */
export async function findPasswordReset(db: Queryable, tokenHash: string): Promise<ResetIdentity | null> {
  const r = await db.query<ResetIdentity>('SELECT reset_id, user_id, partner_id FROM p88_auth_password_reset($1)', [tokenHash]);
  return r.rows[0] ?? null;
}

/** Marks a reset used; false if it already was (single use even under concurrent requests). */
export async function consumePasswordReset(db: Queryable, resetId: number): Promise<boolean> {
  const r = await db.query(
    'UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()',
    [resetId],
  );
  return r.rowCount > 0;
}

/** Closes a user's other open resets once one has been used. */
export async function closeUserResets(db: Queryable, userId: number): Promise<void> {
  await db.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [userId]);
}

// ---------------------------------------------------------------- invitations

export interface InvitationRow {
  id: number;
  email: string;
  role: PartnerRole;
  invited_by: number | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const INVITATION_COLUMNS = 'id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at';

export async function insertInvitation(
  db: Queryable,
  i: { partnerId: number; email: string; role: PartnerRole; tokenHash: string; invitedBy: number | null; expiresAt: Date },
): Promise<InvitationRow> {
  const r = await db.query<InvitationRow>(
    `INSERT INTO invitations (partner_id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${INVITATION_COLUMNS}`,
    [i.partnerId, i.email, i.role, i.tokenHash, i.invitedBy, i.expiresAt],
  );
  return r.rows[0]!;
}

export async function listInvitations(db: Queryable, partnerId: number): Promise<InvitationRow[]> {
  const r = await db.query<InvitationRow>(
    `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE partner_id = $1 ORDER BY created_at DESC, id DESC`,
    [partnerId],
  );
  return r.rows;
}

export async function revokeInvitation(db: Queryable, partnerId: number, id: number): Promise<boolean> {
  const r = await db.query(
    'UPDATE invitations SET revoked_at = now() WHERE partner_id = $1 AND id = $2 AND revoked_at IS NULL AND accepted_at IS NULL',
    [partnerId, id],
  );
  return r.rowCount > 0;
}

export interface InvitationIdentity {
  invitation_id: number;
  partner_id: number;
  email: string;
  role: PartnerRole;
}

/** The open invitation behind a link's hash (SECURITY DEFINER lookup). */
export async function findInvitation(db: Queryable, tokenHash: string): Promise<InvitationIdentity | null> {
  const r = await db.query<InvitationIdentity>(
    'SELECT invitation_id, partner_id, email, role FROM p88_auth_invitation($1)',
    [tokenHash],
  );
  return r.rows[0] ?? null;
}

/** Marks an invitation accepted; false if it was accepted, revoked or expired meanwhile. */
export async function acceptInvitation(db: Queryable, id: number, userId: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE invitations SET accepted_at = now(), accepted_user_id = $2
      WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
    [id, userId],
  );
  return r.rowCount > 0;
}

// ---------------------------------------------------------------- audit log

export interface AuditEntry {
  partnerId: number | null;
  userId: number | null;
  actor: string;
  action: string;
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

export async function insertAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (partner_id, user_id, actor, action, target, ip, user_agent, detail)
     VALUES ($1, $2, $3, $4, $5, left($6, 100), left($7, 300), $8::jsonb)`,
    [e.partnerId, e.userId, e.actor, e.action, e.target ?? null, e.ip ?? null, e.userAgent ?? null, JSON.stringify(e.detail ?? {})],
  );
}

/** Audit of an event that belongs to no known account (SECURITY DEFINER writer, auth.* only). */
export async function insertAnonymousAudit(
  db: Queryable,
  e: { action: string; ip: string | null; userAgent: string | null; detail: Record<string, unknown> },
): Promise<void> {
  await db.query('SELECT p88_audit_anonymous($1, $2, $3, $4::jsonb)', [e.action, e.ip, e.userAgent, JSON.stringify(e.detail)]);
}

export interface AuditRow {
  id: number;
  user_id: number | null;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  created_at: Date;
}

export async function listAudit(db: Queryable, partnerId: number, limit: number): Promise<AuditRow[]> {
  const r = await db.query<AuditRow>(
    `SELECT id, user_id, actor, action, target, ip, detail, created_at
       FROM audit_log WHERE partner_id = $1 ORDER BY id DESC LIMIT $2`,
    [partnerId, limit],
  );
  return r.rows;
}

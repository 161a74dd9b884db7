/**
 * SQL of signing in: the account behind an email, failed-attempt counting and lockout,
 * browser sessions, and password resets. A sign-in, a cookie or a reset link arrives before
 * anyone knows the partner, so those lookups go through the SECURITY DEFINER functions of
 * migration 0003 (p88_auth_*), which read one row by an exact key, never through the tables.
 */
import type { Queryable } from '../db/database.js';
import type { Role } from '../shared/permissions.js';

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

/** Counts a failed sign-in on the account (a counter only: the throttle below decides). */
export async function countLoginFailure(db: Queryable, userId: number): Promise<number> {
  const r = await db.query<{ failed_logins: number }>(
    'UPDATE users SET failed_logins = failed_logins + 1, updated_at = now() WHERE id = $1 RETURNING failed_logins',
    [userId],
  );
  return r.rows[0]?.failed_logins ?? 0;
}

/** How long this address must wait before trying this account again (null: it may now). */
export async function findThrottle(db: Queryable, userId: number, ip: string): Promise<{ failures: number; locked_until: Date | null } | null> {
  const r = await db.query<{ failures: number; locked_until: Date | null }>(
    'SELECT failures, locked_until FROM login_throttle WHERE user_id = $1 AND ip = $2',
    [userId, ip],
  );
  return r.rows[0] ?? null;
}

/**
 * Counts a wrong password from this address for this account. From the `threshold`-th failure
 * in a row the pair waits baseSeconds, doubling with each further failure, up to maxSeconds.
 * A pair quiet for a day starts again. One upsert, so concurrent failures each count.
 */
export async function recordThrottledFailure(
  db: Queryable,
  t: { userId: number; partnerId: number | null; ip: string; threshold: number; baseSeconds: number; maxSeconds: number },
): Promise<{ failures: number; locked_until: Date | null }> {
  const r = await db.query<{ failures: number; locked_until: Date | null }>(
    `INSERT INTO login_throttle AS t (user_id, partner_id, ip, failures, locked_until, last_failure_at)
     VALUES ($1, $2, $3, 1, CASE WHEN 1 >= $4 THEN now() + make_interval(secs => $5) END, now())
     ON CONFLICT (user_id, ip) DO UPDATE SET
       failures = CASE WHEN t.last_failure_at < now() - interval '1 day' THEN 1 ELSE t.failures + 1 END,
       locked_until = CASE
         WHEN (CASE WHEN t.last_failure_at < now() - interval '1 day' THEN 1 ELSE t.failures + 1 END) >= $4
           THEN now() + make_interval(secs => least($6::float8, $5::float8 * power(2, (CASE WHEN t.last_failure_at < now() - interval '1 day' THEN 1 ELSE t.failures + 1 END) - $4)))
       END,
       last_failure_at = now()
     RETURNING t.failures, t.locked_until`,
    [t.userId, t.partnerId, t.ip.slice(0, 64), t.threshold, t.baseSeconds, t.maxSeconds],
  );
  return r.rows[0]!;
}

/** A correct password from this address: its throttle for the account is forgotten. */
export async function clearThrottle(db: Queryable, userId: number, ip: string): Promise<void> {
  await db.query('DELETE FROM login_throttle WHERE user_id = $1 AND ip = $2', [userId, ip]);
}

/** Lifts every throttle and the legacy lock of an account (p88 user unlock); rows removed. */
export async function unlockAccount(db: Queryable, userId: number): Promise<number> {
  const r = await db.query('DELETE FROM login_throttle WHERE user_id = $1', [userId]);
  await db.query('UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1', [userId]);
  return r.rowCount;
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

/** Deletes sessions past their expiry before olderThan (housekeeping). */
export async function deleteExpiredSessions(db: Queryable, olderThan: Date): Promise<number> {
  const r = await db.query('DELETE FROM user_sessions WHERE expires_at < $1', [olderThan]);
  return r.rowCount;
}

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

/** Deletes resets past their expiry before olderThan (housekeeping). */
export async function deleteExpiredResets(db: Queryable, olderThan: Date): Promise<number> {
  const r = await db.query('DELETE FROM password_resets WHERE expires_at < $1', [olderThan]);
  return r.rowCount;
}

/**
 * SQL of users: their rows, roles and status, and their stored password. Sign-in state (failed
 * attempts, lockout, sessions) is in sign-in.repo.ts. Functions take a Queryable the service
 * has scoped; row-level security filters the table, and queries still name the partner where
 * they have one.
 */
import type { Queryable } from '../db/database.js';
import type { Role } from '../shared/permissions.js';

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

/** Serializes first-run setup across processes starting at once. */
const FIRST_RUN_LOCK = 880_002;

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

/** The id of the user with this (normalized) email in the scope's partner, if any. */
export async function findUserIdByEmail(db: Queryable, email: string): Promise<number | null> {
  const r = await db.query<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
  return r.rows[0]?.id ?? null;
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

export async function getPasswordHash(db: Queryable, userId: number): Promise<string | null> {
  const r = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
  return r.rows[0]?.password_hash ?? null;
}

/** Sets a new password and lifts any lockout. */
export async function setPassword(db: Queryable, userId: number, hash: string): Promise<void> {
  await db.query(
    `UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`,
    [userId, hash],
  );
}

/** Whether the database has any user at all (first run has none; platform scope). */
export async function anyUserExists(db: Queryable): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM users LIMIT 1');
  return r.rowCount > 0;
}

/** Holds the first-run lock until the transaction ends, so only one process creates the first user. */
export async function lockFirstRun(db: Queryable): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [FIRST_RUN_LOCK]);
}

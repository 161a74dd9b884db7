/** What PostgreSQL's errors mean to callers, by SQLSTATE (the same on a server and on PGlite). */

/** The SQLSTATE of a database error, or undefined for anything else. */
export function sqlState(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A unique constraint refused the row (23505): the caller turns it into a conflict. */
export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === '23505';
}

/**
 * SQLSTATEs that are certainly about a row's content: storing the same row again can never
 * succeed, so the caller may set that row aside. Everything else — connection failures
 * (class 08), a database refusing connections (55000, maintenance, failover, restore),
 * terminated backends and shutdowns (57P01–57P03), authentication (28P01), a missing
 * database (3D000), resources (53), serialization/deadlock (40), permissions (42501),
 * a race on a unique key (23505, absorbed by ON CONFLICT when it is real), timeouts and
 * errors with no SQLSTATE at all — is about the database's state, and must be retried.
 *
 *   class 22 data exception: 22001 string too long, 22003 numeric out of range, 22007/22008
 *            invalid or overflowing date/time, 22021 bad encoding, 22P02 invalid text, …
 *   23502 not-null violation, 23503 foreign-key violation, 23514 check violation,
 *   23P01 exclusion violation.
 */
const ROW_CONTENT_STATES = new Set(['23502', '23503', '23514', '23P01']);

export function isRowContentError(err: unknown): boolean {
  const state = sqlState(err);
  if (state === undefined) return false;
  return state.startsWith('22') || ROW_CONTENT_STATES.has(state);
}

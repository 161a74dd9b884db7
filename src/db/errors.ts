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

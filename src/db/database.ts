/**
 * One interface over a PostgreSQL server (node-postgres pool) and embedded PGlite, so the
 * same SQL, migrations and tests run on both. Types only: the backends import them, and
 * db/index.ts (openDatabase) imports the backends.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export interface TransactionOptions {
  /** SQL without parameters, one or more statements (values inlined by the caller, which must have checked them). */
  setup?: string;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs fn inside BEGIN/COMMIT on one connection; rolls back when fn throws. `setup` is SQL
   * without parameters (one or more statements) run first; on a server it travels with BEGIN in one round
   * trip (the read API's partner, read-only and timeout settings: a round trip per request).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * One statement in a transaction of its own, after `setup` (as for transaction). On a server
   * BEGIN with the setup, the statement and COMMIT are written at once (node-postgres'
   * pipelining) and answered in order: one round trip where transaction() takes three. A
   * statement that fails is rolled back (the failed transaction's COMMIT is a ROLLBACK) and
   * throws its error; if BEGIN or the setup fails, the statement's answer is thrown away and
   * the connection is closed. On a server the statement is also prepared, once per connection
   * and text (at most 100 per connection; past that, unprepared).
   */
  statement<T = Record<string, unknown>>(sql: string, params: readonly unknown[], opts?: TransactionOptions): Promise<QueryResult<T>>;
  /**
   * The same database used as another role (the application's non-owner role): a separate
   * pool on a server; on PGlite, the same single connection with the role set per
   * transaction. Closing the owner closes a PGlite view too. `max` sizes the role's pool
   * (default 10), whatever the owner's. `statementTimeoutMs` gives every statement of that
   * pool a server-side statement_timeout (a server only: PGlite runs one statement at a time
   * in this process anyway).
   */
  asRole(role: string, opts?: { max?: number | undefined; statementTimeoutMs?: number | undefined }): Database;
  /**
   * Subscribes to NOTIFY on a channel; returns the unsubscribe function. On a server every
   * channel shares one dedicated connection, outside the pool; onRestored is called when that
   * connection was lost and is listening again (what was sent meanwhile was missed).
   */
  listen(channel: string, onPayload: (payload: string) => void, onRestored?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** A server pool's connections now (metrics); PGlite has no pool and leaves it out. */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
}

export interface OpenOptions {
  /** postgres:// URL; unset opens embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; unset (with no url) keeps the database in memory. */
  dataDir?: string | undefined;
  /** Pool size for a server. */
  max?: number;
  /** Fail fast on an unreachable server instead of hanging (ms). */
  connectTimeoutMs?: number;
  /** A server query taking longer fails (default 60 s); bulk loads (p88 warehouse seed) raise it. */
  queryTimeoutMs?: number;
  /** Role every connection switches to (SET ROLE) before use. */
  role?: string;
  /** statement_timeout of every connection (ms); unset = the server's default. */
  statementTimeoutMs?: number | undefined;
  /** A server's listening connection was lost (it is re-opened by itself); for the log. */
  onListenLost?: (err: Error) => void;
}

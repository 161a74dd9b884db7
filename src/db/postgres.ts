import { createHash } from 'node:crypto';
import pg from 'pg';
import { PgListener } from './pg-listener.js';
import type { Database, OpenOptions, Queryable, QueryResult } from './database.js';

// int8 (counts, bigint ids) as numbers: every value we store fits in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Statements statement() prepares on one connection at most: past it a connection runs new
 * texts unprepared (PostgreSQL keeps a prepared statement and its cached plan for the
 * connection's life; query texts come from URLs, so their number is not ours to bound).
 */
const PREPARED_PER_CONNECTION = 100;
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** A named statement for this text on this connection, while it has room; else unnamed (null). */
function preparedName(client: pg.PoolClient, text: string): string | null {
  const name = `p88s_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
  let names = preparedOn.get(client);
  if (!names) preparedOn.set(client, (names = new Set()));
  if (names.has(name)) return name;
  if (names.size >= PREPARED_PER_CONNECTION) return null;
  names.add(name);
  return name;
}

/** A node-postgres pool behind the Database interface. */
export function openPostgres(url: string, opts: OpenOptions = {}): Database {
  if (opts.role !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.role)) throw new Error(`invalid role name: ${opts.role}`);
  const connection: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    // Dead server connections must surface as errors, not hang the collector's writer.
    keepAlive: true,
    // The role is part of the connection's startup: a connection that cannot take it fails
    // instead of quietly running as the owner.
    // A statement timeout rides along the same way (the public pool's bound, see web/app.ts).
    ...(opts.role || opts.statementTimeoutMs
      ? {
          options: [opts.role ? `-c role=${opts.role}` : '', opts.statementTimeoutMs ? `-c statement_timeout=${Math.round(opts.statementTimeoutMs)}` : '']
            .filter(Boolean)
            .join(' '),
        }
      : {}),
  };
  // pipeline: a client writes a query without waiting for the answer of the one before
  // (statement() below); code that awaits each query, as everything else does, sees no change.
  const pool = new pg.Pool({ ...connection, max: opts.max ?? 10, query_timeout: opts.queryTimeoutMs ?? 60_000, pipeline: true });
  const listener = new PgListener(connection, opts.onListenLost);
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  const run = async <T>(q: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> => {
    const r = await q.query(sql, params as unknown[] | undefined);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  };

  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn, txOpts) {
      const client = await pool.connect();
      // A connection that dies between two statements emits 'error' with no query to receive
      // it; unheard, that would crash the process. The next statement fails instead.
      const onError = () => {};
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        // One simple-protocol round trip for BEGIN and the setup statement.
        await client.query(txOpts?.setup ? `BEGIN; ${txOpts.setup}` : 'BEGIN');
        const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw err;
      } finally {
        client.off('error', onError);
        // A client whose ROLLBACK failed is unusable: destroy it rather than pool it.
        client.release(broken);
      }
    },
    async statement<T>(sql: string, params: readonly unknown[], txOpts?: { setup?: string }) {
      const client = await pool.connect();
      const onError = () => {};
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        // Written together (pipeline), answered in order. A failed statement leaves the
        // transaction aborted; its COMMIT then rolls back (PostgreSQL answers ROLLBACK), so the
        // connection is idle again either way, with nothing left to send.
        // In pipeline mode each query is written as it is made; corked, the three go out in one
        // write (one system call here, one read for the backend) instead of three.
        const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
        stream?.cork?.();
        let sent: [Promise<pg.QueryResult>, Promise<pg.QueryResult>, Promise<pg.QueryResult>];
        try {
          sent = [
            client.query(txOpts?.setup ? `BEGIN; ${txOpts.setup}` : 'BEGIN'),
            // Prepared once per connection and text: parsing and (once PostgreSQL settles on a
            // generic plan) planning are not paid again for every read of the same shape.
            client.query({ text: sql, values: params as unknown[], name: preparedName(client, sql) ?? undefined }),
            client.query('COMMIT'),
          ];
        } finally {
          stream?.uncork?.();
        }
        const [begin, rows, commit] = await Promise.allSettled(sent);
        if (begin.status === 'rejected') {
          // The statement may have run outside the transaction and its settings: never answer
          // it, and drop the connection (its state is unknown).
          broken = begin.reason as Error;
          throw broken;
        }
        if (commit.status === 'rejected') {
          broken = commit.reason as Error;
          throw broken;
        }
        if (rows.status === 'rejected') throw rows.reason;
        return { rows: rows.value.rows as T[], rowCount: rows.value.rowCount ?? 0 };
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    listen: (channel, onPayload, onRestored) => listener.listen(channel, onPayload, onRestored),
    // The role's own pool, sized for the application (not the owner's migration pool).
    asRole: (role, roleOpts = {}) => openPostgres(url, { ...opts, role, max: roleOpts.max, statementTimeoutMs: roleOpts.statementTimeoutMs }),
    async close() {
      await listener.close();
      await pool.end();
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 }),
  };
}

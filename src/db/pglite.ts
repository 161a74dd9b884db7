import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.js';
import type { Database, Queryable, QueryResult } from './database.js';

/**
 * Embedded PostgreSQL (PGlite) behind the Database interface. One connection, in process.
 * `fromDump` (a PGlite dumpDataDir archive) starts an in-memory database from a copy instead
 * of an empty cluster: tests use one migrated copy rather than migrating each database.
 */
export async function openPglite(dataDir?: string, fromDump?: Blob): Promise<Database & { dump(): Promise<Blob> }> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  // Before PGlite touches a file: a second process on a held directory must never open it.
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  let db: PGlite;
  try {
    db = new PGlite(dataDir, {
      // Same int8 handling as the server driver, so results compare equal across backends.
      parsers: { 20: (v: string) => Number(v) },
      ...(fromDump ? { loadDataDir: fromDump } : {}),
    });
    await db.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }

  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params as unknown[] | undefined);
      // PGlite reports affectedRows = 0 for a SELECT; pg's rowCount is the rows returned.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
  });
  const root = wrap(db);
  const listen: Database['listen'] = async (channel, onPayload) => db.listen(channel, onPayload);

  const owner: Database & { dump(): Promise<Blob> } = {
    kind: 'pglite',
    dump: () => db.dumpDataDir('none'),
    query: (sql, params) => root.query(sql, params),
    async exec(sql) {
      await db.exec(sql);
    },
    // PGlite serializes transactions itself: other queries wait until this one ends.
    transaction: (fn, txOpts) =>
      db.transaction(async (tx) => {
        if (txOpts?.setup) await tx.exec(txOpts.setup);
        return fn(wrap(tx));
      }),
    statement: (sql, params, txOpts) => owner.transaction((tx) => tx.query(sql, params), txOpts),
    listen,
    asRole: (role) => asRole(role),
    async close() {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };

  /** One connection, so the role is set for each transaction (SET LOCAL ends with it). */
  function asRole(role: string): Database {
    const setRole = `SET LOCAL ROLE ${quoteIdent(role)}`;
    const transaction: Database['transaction'] = (fn, txOpts) =>
      db.transaction(async (tx) => {
        await tx.query(setRole);
        if (txOpts?.setup) await tx.exec(txOpts.setup);
        return fn(wrap(tx));
      });
    return {
      kind: 'pglite',
      query: (sql, params) => transaction((tx) => tx.query(sql, params)),
      exec: (sql) => transaction(async (tx) => void (await tx.query(sql))),
      transaction,
      // One process, no round trips: a transaction like any other.
      statement: (sql, params, txOpts) => transaction((tx) => tx.query(sql, params), txOpts),
      listen,
      asRole,
      close: async () => {},
    };
  }

  return owner;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

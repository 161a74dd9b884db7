/**
 * The PostgreSQL server driver's connection use: LISTEN must never take the pool's
 * connections, a lost listening connection must come back on its own, and the application's
 * pool is sized on its own (not the owner's two).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, serverUrl } from '../../test/helpers/db.js';
import { openDatabase, type Database } from './index.js';
import { migrate } from './migrate.js';
import { APP_ROLE } from './tenant.js';

const baseUrl = process.env.P88_TEST_PG_URL || serverUrl;

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(baseUrl)('PostgreSQL server driver', () => {
  let server: Awaited<ReturnType<typeof createServerDatabase>>;
  let owner: Database;

  beforeAll(async () => {
    server = await createServerDatabase(baseUrl!);
    owner = await openDatabase({ url: server.url, max: 2 });
    await migrate(owner);
  });
  afterAll(async () => {
    await owner.close();
    await server.drop();
  });

  it('listens on many channels without holding a pooled connection', async () => {
    const db = owner.asRole(APP_ROLE, { max: 1 });
    try {
      const got: string[] = [];
      const stops = await Promise.all(['p88_a', 'p88_b', 'p88_c'].map((ch) => db.listen(ch, (p) => got.push(`${ch}:${p}`))));
      // The pool's single connection is free: a query answers at once (it timed out when each
      // LISTEN held a pooled connection).
      const { rows } = await db.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]?.one).toBe(1);
      await db.query(`SELECT pg_notify('p88_a', 'x'), pg_notify('p88_c', 'y')`);
      await waitFor(() => got.length === 2, 'two notifications');
      expect(got.sort()).toEqual(['p88_a:x', 'p88_c:y']);
      await Promise.all(stops.map((stop) => stop()));
      await db.query(`SELECT pg_notify('p88_a', 'after')`);
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toHaveLength(2);
    } finally {
      await db.close();
    }
  });

  it('opens the listening connection again after losing it, on every channel (and says so)', async () => {
    const lost: string[] = [];
    const base = await openDatabase({ url: server.url, max: 1, onListenLost: (err) => lost.push(err.message) });
    const db = base.asRole(APP_ROLE);
    try {
      const got: string[] = [];
      await db.listen('p88_one', (p) => got.push(`one:${p}`));
      await db.listen('p88_two', (p) => got.push(`two:${p}`));
      // The server ends the listening backend (a restart, a failover, an idle-connection killer).
      const killed = await owner.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      );
      expect(killed.rows[0]?.n).toBe(1);
      // Notify until the new connection hears both channels.
      const notify = setInterval(() => void owner.query(`SELECT pg_notify('p88_one', 'again'), pg_notify('p88_two', 'again')`), 50);
      try {
        await waitFor(() => got.includes('one:again') && got.includes('two:again'), 'both channels back', 15_000);
      } finally {
        clearInterval(notify);
      }
      expect(lost.length).toBeGreaterThanOrEqual(1);
    } finally {
      await db.close();
      await base.close();
    }
  }, 20_000);

  it("sizes the application's pool on its own, not as the owner's two connections", async () => {
    const db = owner.asRole(APP_ROLE, { max: 4 });
    try {
      // Four transactions that each wait for all four to have started: with a pool of two
      // (the owner's size, as the application had before) they would never all start.
      let started = 0;
      const all = Array.from({ length: 4 }, () =>
        db.transaction(async (tx) => {
          await tx.query('SELECT 1');
          started++;
          await waitFor(() => started === 4, 'four open transactions', 3_000);
        }),
      );
      await Promise.all(all);
      expect(started).toBe(4);
    } finally {
      await db.close();
    }
  });

  it('sends BEGIN, one statement and COMMIT together, and leaves the connection clean whatever fails', async () => {
    const db = owner.asRole(APP_ROLE, { max: 1 });
    const setup = 'SET LOCAL app.partner_id = 7; SET LOCAL transaction_read_only = on';
    const state = async () =>
      (await db.query<{ p: string | null; fresh: boolean }>(`SELECT nullif(current_setting('app.partner_id', true), '') AS p, now() = statement_timestamp() AS fresh`)).rows[0];
    try {
      const r = await db.statement<{ p: string; ro: string }>(`SELECT current_setting('app.partner_id') AS p, current_setting('transaction_read_only') AS ro`, [], { setup });
      // The settings (SET LOCAL: they live in BEGIN's transaction only) hold for the statement.
      expect(r.rows).toEqual([{ p: '7', ro: 'on' }]);
      // A failed statement: its error, and its transaction rolled back (the pool's one connection is idle, no setting left).
      await expect(db.statement('SELECT 1 / $1::int', [0], { setup })).rejects.toMatchObject({ code: '22012' });
      expect(await state()).toEqual({ p: null, fresh: true });
      await expect(db.statement(`CREATE TEMP TABLE t_ro (x int)`, [], { setup })).rejects.toMatchObject({ code: '25006' });
      expect(await state()).toEqual({ p: null, fresh: true });
      // A setup that fails: the statement's answer is never given, and the connection is replaced.
      await expect(db.statement(`SELECT 'must not answer' AS x`, [], { setup: `SET LOCAL statement_timeout = 'soon'` })).rejects.toMatchObject({ code: '22023' });
      expect(await state()).toEqual({ p: null, fresh: true });
    } finally {
      await db.close();
    }
  });

  it('prepares a statement once per connection and text, and at most 100 per connection', async () => {
    const db = owner.asRole(APP_ROLE, { max: 1 });
    const prepared = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0]!.n;
    try {
      for (let i = 0; i < 3; i++) expect((await db.statement<{ n: number }>('SELECT $1::int + 1 AS n', [i])).rows).toEqual([{ n: i + 1 }]);
      expect(await prepared()).toBe(1);
      for (let i = 0; i < 110; i++) expect((await db.statement<{ n: number }>(`SELECT ${i} AS n`, [])).rows).toEqual([{ n: i }]);
      // Past the bound, new texts run unprepared (and still answer).
      expect(await prepared()).toBe(100);
    } finally {
      await db.close();
    }
  });
});

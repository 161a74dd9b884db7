/**
 * The schema stays ready for Citus (issue 16): read off the catalog of a migrated database on
 * whichever backend the run uses, so a new tenant table with an id-only key, a foreign key
 * without partner_id, RLS left off or a policy with a subquery fails here, naming the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, createTestDatabase, serverUrl, type TestDatabase } from '../../test/helpers/db.js';
import { citusReadiness, citusStatements, GLOBAL_TABLES } from './citus-ready.js';
import { openDatabase, type Database } from './index.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { asPlatform, setPartnerSql, withPartner, withPartnerReadOnly } from './tenant.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

class Rollback extends Error {}

describe('Citus readiness of the migrated schema', () => {
  it('has no problem: keys, foreign keys, row-level security and policies', async () => {
    const { problems } = await citusReadiness(t.owner);
    expect(problems).toEqual([]);
  });

  it('distributes the tenant tables, keeps partners and the account tables as reference tables', async () => {
    const { plan } = await citusReadiness(t.owner);
    for (const table of ['timing_sessions', 'timing_reads', 'results_events', 'entries', 'results', 'splits', 'participants', 'sync_history']) {
      expect(plan.distributed).toContain(table);
    }
    expect(plan.reference).toEqual(expect.arrayContaining(['partners', 'users', 'timing_sources']));
    expect(plan.local).toEqual(expect.arrayContaining(['jobs', 'job_recurring', 'schema_migrations']));
    // Every table is in exactly one list.
    const all = [...plan.distributed, ...plan.reference, ...plan.local];
    expect(new Set(all).size).toBe(all.length);
  });

  it('orders the Citus statements: reference tables first, each table after those it references, all colocated', async () => {
    const report = await citusReadiness(t.owner);
    const statements = citusStatements(report);
    const at = (table: string) => statements.findIndex((s) => s.includes(`('${table}'`));
    expect(statements[0]).toBe(`SELECT create_reference_table('partners');`);
    for (const [parent, child] of [
      ['users', 'user_sessions'], ['timing_sessions', 'timing_locations'], ['timing_locations', 'timing_streams'], ['results_events', 'races'],
      ['races', 'entries'], ['entries', 'results'], ['results', 'splits'], ['participants', 'participant_tags'], ['provider_connections', 'sync_cursors'],
      ['timing_sessions', 'display_links'], ['display_templates', 'display_links'],
    ] as const) {
      expect(at(parent), `${parent} before ${child}`).toBeLessThan(at(child));
    }
    const distributed = statements.filter((s) => s.startsWith('SELECT create_distributed_table('));
    expect(distributed).toHaveLength(report.plan.distributed.length);
    const anchor = /\('([a-z_]+)'/.exec(distributed[0]!)![1]!;
    expect(distributed.slice(1).every((s) => s.endsWith(`colocate_with => '${anchor}');`))).toBe(true);
    expect(statements.filter((s) => s.startsWith('SELECT create_reference_table('))).toHaveLength(report.plan.reference.length);
  });

  it('names only tables that exist in its allow-list, each with a reason', async () => {
    const r = await t.owner.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`,
    );
    const names = new Set(r.rows.map((x) => x.name));
    for (const [table, { reason }] of Object.entries(GLOBAL_TABLES)) {
      expect(names.has(table), table).toBe(true);
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('reports a bad tenant table, naming it (a throwaway schema, rolled back)', async () => {
    let problems: string[] = [];
    await t.owner
      .transaction(async (tx) => {
        await tx.query(`CREATE SCHEMA citus_probe`);
        await tx.query(`CREATE TABLE citus_probe.good (id integer, partner_id integer NOT NULL, PRIMARY KEY (id, partner_id))`);
        await tx.query(`ALTER TABLE citus_probe.good ENABLE ROW LEVEL SECURITY`);
        await tx.query(`ALTER TABLE citus_probe.good FORCE ROW LEVEL SECURITY`);
        await tx.query(`CREATE POLICY tenant_isolation ON citus_probe.good USING (p88_visible(partner_id))`);
        await tx.query(`CREATE UNIQUE INDEX good_plain ON citus_probe.good (id)`);
        await tx.query(
          `CREATE TABLE citus_probe.bad (
             id serial PRIMARY KEY,
             partner_id integer,
             good_id integer REFERENCES citus_probe.good (id),
             code text UNIQUE)`,
        );
        await tx.query(`ALTER TABLE citus_probe.bad ENABLE ROW LEVEL SECURITY`);
        await tx.query(
          `CREATE POLICY nosy ON citus_probe.bad USING (partner_id IN (SELECT g.partner_id FROM citus_probe.good g))`,
        );
        problems = (await citusReadiness(tx, 'citus_probe', {})).problems;
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    expect(problems.sort()).toEqual(
      [
        'bad: row-level security is not enabled and forced',
        'bad: partner_id may be NULL (a distribution column may not)',
        'bad: primary key bad_pkey lacks partner_id',
        'bad: unique index bad_code_key lacks partner_id',
        'bad: foreign key bad_good_id_fkey to good does not carry partner_id',
        'bad: policy nosy holds a subquery',
        'good: unique index good_plain lacks partner_id',
      ].sort(),
    );
    const left = await t.owner.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'citus_probe'`);
    expect(left.rows).toEqual([]);
  });

  it('lets an allow-listed table keep its id-only keys, still checking its row-level security and foreign keys', async () => {
    let problems: string[] = [];
    await t.owner
      .transaction(async (tx) => {
        await tx.query(`CREATE SCHEMA citus_probe`);
        await tx.query(`CREATE TABLE citus_probe.dist (id integer, partner_id integer NOT NULL, PRIMARY KEY (id, partner_id))`);
        await tx.query(`ALTER TABLE citus_probe.dist ENABLE ROW LEVEL SECURITY`);
        await tx.query(`ALTER TABLE citus_probe.dist FORCE ROW LEVEL SECURITY`);
        await tx.query(
          `CREATE TABLE citus_probe.glob (id integer PRIMARY KEY, partner_id integer, dist_id integer,
             FOREIGN KEY (dist_id, partner_id) REFERENCES citus_probe.dist (id, partner_id))`,
        );
        problems = (await citusReadiness(tx, 'citus_probe', { glob: { kind: 'reference', reason: 'test' } })).problems;
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    expect(problems).toEqual([
      'glob: row-level security is not enabled and forced',
      'glob: foreign key glob_dist_id_partner_id_fkey from a table that is not distributed to distributed dist',
    ]);
  });
});

describe('0060 on a database that has 0070-0075 already (it runs after them there)', () => {
  it('keeps the rows, remakes the later migrations’ foreign keys on the new keys, and leaves no problem', async () => {
    const server = serverUrl ? await createServerDatabase(serverUrl) : undefined;
    const db: Database = server ? await openDatabase({ url: server.url, max: 2 }) : await openPglite();
    try {
      await migrate(db, { except: ['0060_citus_keys.sql'] });
      await db.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'b', 'B')`);
      await db.query(`INSERT INTO results_events (id, partner_id, provider, external_id, name) VALUES (5, 2, 'csv', 'e', 'E')`);
      await db.query(`INSERT INTO sync_schedules (partner_id, provider, external_event_id, warehouse_event_id) VALUES (2, 'runsignup', 'x', 5)`);
      await db.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES (7, 2, 's')`);
      await db.query(`INSERT INTO timing_locations (id, partner_id, session_id, location_name) VALUES (8, 2, 7, 'finish')`);
      expect((await citusReadiness(db)).problems.length).toBeGreaterThan(0);

      expect(await migrate(db)).toEqual(['0060_citus_keys.sql']);
      expect((await citusReadiness(db)).problems).toEqual([]);
      const kept = await db.query(
        `SELECT (SELECT count(*)::int FROM sync_schedules WHERE warehouse_event_id = 5) AS schedules,
                (SELECT count(*)::int FROM timing_locations WHERE session_id = 7) AS locations`,
      );
      expect(kept.rows[0]).toEqual({ schedules: 1, locations: 1 });
      const fk = await db.query<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'sync_schedules_warehouse_event'`,
      );
      expect(fk.rows[0]!.def).toMatch(/REFERENCES results_events\(id, partner_id\)/);
      // The remade key still cascades: deleting the event unbinds the schedule.
      await db.query(`DELETE FROM results_events WHERE id = 5`);
      expect((await db.query(`SELECT warehouse_event_id FROM sync_schedules`)).rows).toEqual([{ warehouse_event_id: null }]);
    } finally {
      await db.close();
      await server?.drop();
    }
  });
});

describe('display link ids, unique across partners without a key saying so', () => {
  it('p88_display_link_id_taken sees every partner’s links, live or revoked, and nothing else', async () => {
    await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (3, 'links-b', 'B') ON CONFLICT DO NOTHING`);
    await t.owner.query(`INSERT INTO display_links (id, partner_id, revoked_at) VALUES ('TakenAb3', 3, now())`);
    const taken = (id: string) =>
      withPartner(t.db, 1, async (tx) => (await tx.query<{ taken: boolean }>(`SELECT p88_display_link_id_taken($1) AS taken`, [id])).rows[0]!.taken);
    expect(await taken('TakenAb3')).toBe(true);
    expect(await taken('FreeAb34')).toBe(false);
    // The caller's own view is unchanged: partner 1 still sees no row of partner 3.
    const seen = await withPartner(t.db, 1, async (tx) => {
      await tx.query(`SELECT p88_display_link_id_taken('TakenAb3')`);
      return (await tx.query(`SELECT id FROM display_links`)).rows;
    });
    expect(seen).toEqual([]);
  });
});

describe('the partner setting as Citus propagates it (SET LOCAL)', () => {
  it('inlines only a positive safe integer', () => {
    expect(setPartnerSql(42)).toBe('SET LOCAL app.partner_id = 42');
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53, '1; RESET ROLE' as unknown as number]) {
      expect(() => setPartnerSql(bad)).toThrow(/invalid partner id/);
    }
  });

  it('holds for its transaction only, on the application role', async () => {
    const read = (tx: { query: typeof t.db.query }) =>
      tx
        .query<{ p: string | null; f: string | null; ro: string }>(
          `SELECT current_setting('app.partner_id', true) AS p, current_setting('app.platform', true) AS f, current_setting('transaction_read_only') AS ro`,
        )
        .then((r) => r.rows[0]!);
    expect(await withPartner(t.db, 7, read)).toMatchObject({ p: '7' });
    expect(await asPlatform(t.db, read)).toMatchObject({ f: 'on' });
    expect(await withPartnerReadOnly(t.db, 9, 1000, read)).toMatchObject({ p: '9', ro: 'on' });
    const after = await t.db.transaction(read);
    expect(after.p ?? '').toBe('');
    expect(after.f ?? '').toBe('');
    expect(after.ro).toBe('off');
  });
});

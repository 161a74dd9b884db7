/**
 * Isolation is the database's job: as the application role, a partner's transaction sees
 * and changes only its own rows in every tenant table, whatever the SQL asks for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { asPlatform, queryAsPartnerReadOnly, withPartner, withPartnerReadOnly } from './tenant.js';

let t: TestDatabase;
const TABLES = [
  'partners', 'timing_sources', 'timing_sessions', 'timing_locations', 'timing_streams', 'timing_reads',
  'timing_reads_archive', 'connection_log', 'roster_events', 'participants', 'participant_tags', 'display_links', 'display_templates', 'display_template_versions',
  'partner_plans', 'payments', 'assets', 'roster_imports', 'results_events', 'races', 'entries', 'results', 'splits',
];

beforeAll(async () => {
  t = await createTestDatabase();
  const o = t.owner;
  await o.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival Timing')`);
  for (const p of [1, 2]) {
    await o.query(`INSERT INTO timing_sources (partner_id, name, user_id, secret_encrypted) VALUES ($1, 'laptop', $2, 'sealed')`, [p, `user-${p}`]);
    await o.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES ($1, $1, 's')`, [p]);
    await o.query(`INSERT INTO timing_locations (id, partner_id, session_id, location_name) VALUES ($1, $1, $1, 'finish')`, [p]);
    await o.query(`INSERT INTO timing_streams (id, partner_id, session_id, location_id, source_key, location_name) VALUES ($1, $1, $1, $1, 'cid:X', 'finish')`, [p]);
    for (const table of ['timing_reads', 'timing_reads_archive']) {
      await o.query(
        `INSERT INTO ${table} (id, partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
            read_time, time_raw, lap_count, reader_id, gator_number, raw_line)
         VALUES ($3, $1, $1, $1, $1, 'cid:X', 1, 'finish', $2, now(), 't', 1, 'r', 1, 'line')`,
        [p, `tag-${p}`, 100 + p],
      );
    }
    await o.query(`INSERT INTO connection_log (id, partner_id, client_ip) VALUES (gen_random_uuid(), $1, '127.0.0.1')`, [p]);
    await o.query(`INSERT INTO roster_events (id, partner_id, name, source) VALUES ($1, $1, 'Marathon', 'manual')`, [p]);
    await o.query(`INSERT INTO participants (partner_id, event_id, bib, tags) VALUES ($1, $1, '100', '{T100}')`, [p]);
    await o.query(`INSERT INTO display_links (id, partner_id) VALUES ($1, $2)`, [`Link000${p}`, p]);
    await o.query(`INSERT INTO results_events (id, partner_id, provider, external_id, name) VALUES ($1::int, $1::int, 'csv', 'e', 'Event')`, [p]);
    await o.query(`INSERT INTO races (id, partner_id, event_id, provider, external_id, name) VALUES ($1::int, $1::int, $1::int, 'csv', 'r', '5K')`, [p]);
    await o.query(`INSERT INTO entries (id, partner_id, event_id, race_id, provider, external_id, bib) VALUES ($1::int, $1::int, $1::int, $1::int, 'csv', 'n', '1')`, [p]);
    await o.query(`INSERT INTO results (id, partner_id, entry_id, race_id, event_id, provider, external_id, chip_time_ms) VALUES ($1::int, $1::int, $1::int, $1::int, $1::int, 'csv', 'n', 90603000)`, [p]);
    await o.query(`INSERT INTO splits (partner_id, result_id, provider, external_id, seq, label, time_ms) VALUES ($1::int, $1::int, 'csv', 's', 1, '5K', 1000)`, [p]);
    await o.query(
      `INSERT INTO assets (partner_id, key, content_type, width, height, bytes, data, sha256) VALUES ($1, $2, 'image/png', 1, 1, 1, '\\x00', repeat('0', 64))`,
      [p, String(p).repeat(32)],
    );
    await o.query(`INSERT INTO display_templates (id, partner_id, name) VALUES ($1, $1, 'Finish')`, [p]);
    await o.query(`INSERT INTO roster_imports (id, partner_id, source, external_id) VALUES ($1, $2, 'ctlive', '42')`, [String(p).repeat(32), p]);
    await o.query(
      `INSERT INTO display_template_versions (partner_id, template_id, version, runner_html, runner_css, idle_html, idle_css) VALUES ($1, $1, 1, '', '', '', '')`,
      [p],
    );
    await o.query(`INSERT INTO partner_plans (partner_id) VALUES ($1) ON CONFLICT DO NOTHING`, [p]);
    await o.query(
      `INSERT INTO payments (partner_id, stripe_event_id, kind, amount_cents, currency, status, occurred_at) VALUES ($1, $2, 'invoice', 100, 'usd', 'paid', now())`,
      [p, `evt_${p}`],
    );
  }
  await o.query(`INSERT INTO connection_log (id, partner_id, client_ip) VALUES (gen_random_uuid(), NULL, '10.0.0.9')`);
});

afterAll(() => t.drop());

async function count(table: string, run: (fn: (tx: import('./database.js').Queryable) => Promise<number>) => Promise<number>): Promise<number> {
  return run(async (tx) => (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);
}

describe('row-level security as the application role', () => {
  it('runs as a role that is neither superuser nor able to bypass RLS', async () => {
    const r = await withPartner(t.db, 1, (tx) =>
      tx.query<{ rolsuper: boolean; rolbypassrls: boolean; owns: number }>(
        `SELECT rolsuper, rolbypassrls,
                (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns
           FROM pg_roles WHERE rolname = current_user`,
      ),
    );
    expect(r.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owns: 0 });
  });

  it.each(TABLES)('%s: no partner context sees nothing; a partner sees its own rows only', async (table) => {
    expect(await count(table, (fn) => t.db.transaction(fn))).toBe(0);
    expect(await count(table, (fn) => withPartner(t.db, 1, fn))).toBe(1);
    expect(await count(table, (fn) => withPartner(t.db, 2, fn))).toBe(1);
    const total = await count(table, (fn) => asPlatform(t.db, fn));
    expect(total).toBe(table === 'connection_log' ? 3 : 2);
  });

  it.each(TABLES.filter((x) => x !== 'partners'))('%s: a partner cannot write, change or delete another partner’s rows', async (table) => {
    await withPartner(t.db, 1, async (tx) => {
      const updated = await tx.query(`UPDATE ${table} SET partner_id = partner_id WHERE partner_id = 2`);
      expect(updated.rowCount).toBe(0);
      const deleted = await tx.query(`DELETE FROM ${table} WHERE partner_id = 2`);
      expect(deleted.rowCount).toBe(0);
    });
    // Moving one's own row to another partner is refused by the policy's WITH CHECK.
    await expect(withPartner(t.db, 1, (tx) => tx.query(`UPDATE ${table} SET partner_id = 2 WHERE partner_id = 1`))).rejects.toThrow(/row-level security/);
    expect(await count(table, (fn) => withPartner(t.db, 2, fn))).toBe(1);
  });

  it('refuses inserting rows for another partner', async () => {
    await expect(
      withPartner(t.db, 1, (tx) => tx.query(`INSERT INTO timing_sessions (partner_id, session_name) VALUES (2, 'planted')`)),
    ).rejects.toThrow(/row-level security/);
  });

  it('cannot touch the migrations table', async () => {
    await expect(asPlatform(t.db, (tx) => tx.query('SELECT * FROM schema_migrations'))).rejects.toThrow(/permission denied/);
  });

  it('finds CTP01 credentials by user id only through the narrow definer function, leaving the caller’s scope as it was', async () => {
    const r = await t.db.query<{ partner_id: number }>(`SELECT partner_id FROM p88_timing_source_for_user('user-2')`);
    expect(r.rows).toEqual([{ partner_id: 2 }]);
    expect((await t.db.query(`SELECT * FROM p88_timing_source_for_user('nobody')`)).rows).toEqual([]);
    const after = await withPartner(t.db, 1, async (tx) => {
      await tx.query(`SELECT * FROM p88_timing_source_for_user('user-2')`);
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_sessions')).rows[0]!.n;
    });
    expect(after).toBe(1);
  });

  it('gives an asset’s bytes by key, and nothing else about it, only through the definer function', async () => {
    const r = await t.db.query<Record<string, unknown>>(`SELECT * FROM p88_asset($1)`, ['2'.repeat(32)]);
    expect(r.rows).toHaveLength(1);
    expect(Object.keys(r.rows[0]!).sort()).toEqual(['content_type', 'data']);
    expect((await t.db.query(`SELECT * FROM p88_asset($1)`, ['f'.repeat(32)])).rows).toEqual([]);
    const after = await withPartner(t.db, 1, async (tx) => {
      await tx.query(`SELECT * FROM p88_asset($1)`, ['2'.repeat(32)]);
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM assets')).rows[0]!.n;
    });
    expect(after).toBe(1);
  });

  it('runs the read API’s transactions read only, in the partner’s scope, under a statement timeout', async () => {
    const seen = await withPartnerReadOnly(t.db, 2, 5000, async (tx) => (await tx.query<{ id: number }>('SELECT id FROM ct_results')).rows);
    expect(seen).toEqual([{ id: 2 }]);
    await expect(withPartnerReadOnly(t.db, 2, 5000, (tx) => tx.query(`UPDATE results SET chip_time_ms = 1`))).rejects.toMatchObject({ code: '25006' });
    expect(await withPartnerReadOnly(t.db, 2, 50, async (tx) => (await tx.query('SHOW statement_timeout')).rows)).toEqual([{ statement_timeout: '50ms' }]);
    // PGlite (one WASM thread) has no timer to cancel a statement with; a server does.
    if (t.db.kind === 'postgres') await expect(withPartnerReadOnly(t.db, 2, 50, (tx) => tx.query('SELECT pg_sleep(1)'))).rejects.toMatchObject({ code: '57014' });
    expect((await t.owner.query('SELECT chip_time_ms FROM results WHERE id = 2')).rows).toEqual([{ chip_time_ms: 90603000 }]);
  });

  it('runs the read API’s one-statement reads (one round trip) with the same settings', async () => {
    const q = <T>(partner: number, ms: number, sql: string) => queryAsPartnerReadOnly<T>(t.db, partner, ms, sql, []);
    expect((await q<{ id: number }>(2, 5000, 'SELECT id FROM ct_results')).rows).toEqual([{ id: 2 }]);
    expect((await q<{ id: number }>(1, 5000, 'SELECT id FROM ct_results')).rows).toEqual([{ id: 1 }]);
    await expect(q(2, 5000, `UPDATE results SET chip_time_ms = 1`)).rejects.toMatchObject({ code: '25006' });
    expect((await q(2, 50, 'SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '50ms' }]);
    if (t.db.kind === 'postgres') await expect(q(2, 50, 'SELECT pg_sleep(1)')).rejects.toMatchObject({ code: '57014' });
    // Each read is a transaction of its own: nothing of the partner's setting outlives it.
    expect((await t.db.query<{ p: string | null }>(`SELECT nullif(current_setting('app.partner_id', true), '') AS p`)).rows).toEqual([{ p: null }]);
    expect((await t.owner.query('SELECT chip_time_ms FROM results WHERE id = 2')).rows).toEqual([{ chip_time_ms: 90603000 }]);
  });
});

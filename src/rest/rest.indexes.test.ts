/**
 * Plans the read API depends on (migrations 0053, 0054), checked with EXPLAIN as the
 * application role in a partner's read-only transaction: a count over ct_results reads
 * results alone (the entries join is removed), and on a server migrated by a superuser a
 * partner-wide `ilike` on a name can use the trigram index under row-level security.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { withPartnerReadOnly } from '../db/tenant.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'other', 'Other') ON CONFLICT DO NOTHING`);
});
afterAll(() => t.drop());

async function plan(sql: string, setup: string[] = []): Promise<string> {
  return withPartnerReadOnly(t.db, 2, 5000, async (tx) => {
    for (const s of setup) await tx.query(s);
    const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`);
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  });
}

describe('read API plans', () => {
  it('counts ct_results and ct_splits without joining their parent', async () => {
    const results = await plan('SELECT count(*) FROM public.ct_results t0');
    expect(results).toMatch(/on results\b/);
    expect(results).not.toMatch(/entries/);
    const splits = await plan('SELECT count(*) FROM public.ct_splits t0');
    expect(splits).toMatch(/on splits\b/);
    expect(splits).not.toMatch(/on results\b/);
    // A filter on an entry's column still joins (as an inner join).
    expect(await plan(`SELECT count(*) FROM public.ct_results t0 WHERE t0.results_sex = 'F'`)).toMatch(/entries/);
  });

  it('a partner-wide ilike on a name uses the trigram index on a superuser-migrated server, and none exists elsewhere', async () => {
    const indexes = await t.owner.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'entries' AND indexname LIKE '%trgm' ORDER BY 1`);
    const superuser = (await t.owner.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0]!.rolsuper;
    if (t.db.kind === 'pglite' || !superuser) {
      // Embedded PGlite has no pg_trgm loaded: the migration did nothing.
      expect(indexes.rows).toEqual([]);
      return;
    }
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['entries_first_name_trgm', 'entries_last_name_trgm']);
    const text = await plan(`SELECT t0.id FROM public.ct_results t0 WHERE t0.results_last_name::text ILIKE 'smi%' LIMIT 50`, ['SET LOCAL enable_seqscan = off']);
    expect(text).toMatch(/Bitmap Index Scan on entries_last_name_trgm/);
    const first = await plan(`SELECT t0.entry_id FROM public.ct_participants t0 WHERE t0.athlete_first_name::text LIKE '%ar%'`, ['SET LOCAL enable_seqscan = off']);
    expect(first).toMatch(/Bitmap Index Scan on entries_first_name_trgm/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { parseRequest, queryPairs } from './rest.grammar.js';
import { RELATIONSHIPS, VIEWS } from './rest.schema.js';
import { planRead } from './rest.sql.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('the read API’s allowlist', () => {
  it('matches the views in the database: names, columns in order, types', async () => {
    const r = await t.owner.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY($1::text[]) ORDER BY table_name, ordinal_position`,
      [Object.keys(VIEWS)],
    );
    const pgType: Record<string, string> = { bigint: 'bigint', integer: 'integer', numeric: 'numeric', text: 'text', date: 'date', 'timestamp with time zone': 'timestamptz', interval: 'interval' };
    const actual: Record<string, Record<string, string>> = {};
    for (const row of r.rows) (actual[row.table_name] ??= {})[row.column_name] = pgType[row.data_type] ?? row.data_type;
    for (const [name, view] of Object.entries(VIEWS)) {
      expect(Object.entries(actual[name] ?? {}), name).toEqual(Object.entries(view.columns));
      expect(Object.keys(view.columns), name).toContain(view.key);
    }
    for (const rel of RELATIONSHIPS) {
      expect(VIEWS[rel.from]!.columns[rel.column], `${rel.from}.${rel.column}`).toBeDefined();
      expect(VIEWS[rel.to]!.columns[rel.references], `${rel.to}.${rel.references}`).toBeDefined();
    }
  });

  it('exposes only security_invoker views, so the caller’s row-level security applies underneath', async () => {
    const r = await t.owner.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1::text[]) AND relkind = 'v' ORDER BY relname`,
      [Object.keys(VIEWS)],
    );
    expect(r.rows.map((x) => x.relname)).toEqual(Object.keys(VIEWS).sort());
    for (const v of r.rows) expect(v.reloptions, v.relname).toContain('security_invoker=true');
  });

  it('plans values as parameters and names from the allowlist only', () => {
    const plan = planRead(parseRequest('ct_results', queryPairs(`select=id,r:ct_races(race_name)&results_last_name=eq.${encodeURIComponent("'; DROP TABLE results; --")}&order=id.desc`)), { maxRows: 100 });
    expect(plan.rows.text).not.toContain('DROP');
    expect(plan.rows.params).toContain("'; DROP TABLE results; --");
    expect(plan.rows.text).toContain('"results_last_name" = $');
    expect(plan.rows.text).toMatch(/ORDER BY t0\."id" DESC LIMIT \$\d+::bigint/);
  });
});

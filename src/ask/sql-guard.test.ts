import { describe, expect, it } from 'vitest';
import { compile, emptyPlan, type Plan } from './ask.sql.js';
import { checkGeneratedSql, UnsafeSqlError } from './sql-guard.js';

const TODAY = '2026-06-15';
const plan = (p: Partial<Plan>): Plan => ({ ...emptyPlan(TODAY), ...p });
const ev = (id: number, name: string) => ({ id, name, date: '2025-04-21' });
const person = { first: 'Michael', last: 'Wardian', city: 'Arlington' };

/** One plan for every branch of compile(): each intent and its variants. */
const PLANS: Record<string, Plan> = {
  'timing by mat': plan({ intent: 'timing', session: { id: 3, name: 'S', what: 'by_mat' } }),
  'timing last reads': plan({ intent: 'timing', session: { id: 3, name: 'S', what: 'last_reads' }, limit: 20 }),
  'timing unknown tags': plan({ intent: 'timing', session: { id: 3, name: 'S', what: 'unknown_tags' } }),
  'count events by date': plan({ intent: 'count', subject: 'events', dates: { from: '2025-01-01', to: '2026-01-01', label: 'last year' } }),
  'list active events': plan({ intent: 'list', subject: 'events', active: true, events: [ev(1, 'A')] }),
  'count races': plan({ intent: 'count', subject: 'races', distance: { name: 'marathon', minM: 41773, maxM: 42617 }, dates: { from: '2025-01-01', to: '2026-01-01', label: 'x' } }),
  'count finishers, every filter': plan({
    intent: 'count', subject: 'finishers', events: [ev(1, 'A'), ev(2, 'B')], distance: { name: 'marathon', minM: 41773, maxM: 42617 }, gender: 'F',
    age: { min: 40, max: 49 }, time: { underMs: 10_800_000, overMs: 7_200_000 }, bq: true, person,
  }),
  'count dnf by dates': plan({ intent: 'count', subject: 'dnf', dates: { from: '2025-01-01', to: '2026-01-01', label: 'x' } }),
  'analyze': plan({ intent: 'analyze', events: [ev(1, 'A')], gender: 'M' }),
  'analyze by age group': plan({ intent: 'analyze', events: [ev(1, 'A')], breakdown: 'age_group' }),
  'compare events': plan({ intent: 'compare', events: [ev(1, 'A'), ev(2, 'B')], sides: [{ label: 'A', eventIds: [1] }, { label: 'B', eventIds: [2, 3] }] }),
  'compare people': plan({ intent: 'compare', people: [person, { first: 'John', last: 'Smith', city: null }] }),
  'find PR': plan({ intent: 'find', pr: true, person, distance: { name: 'marathon', minM: 41773, maxM: 42617 } }),
  'find person': plan({ intent: 'find', person: { ...person, city: null } }),
  'list fastest women': plan({ intent: 'list', gender: 'F', order: 'fastest', limit: 3, events: [ev(1, 'A')] }),
  'list slowest': plan({ intent: 'list', order: 'slowest' }),
  'list Boston qualifiers': plan({ intent: 'list', bq: true, distance: { name: 'marathon', minM: 41773, maxM: 42617 } }),
  'list participants': plan({ intent: 'list' }),
};

const refusal = async (sql: string): Promise<string[]> => {
  try {
    await checkGeneratedSql(sql);
  } catch (err) {
    if (err instanceof UnsafeSqlError) return err.reasons;
    throw err;
  }
  throw new Error(`accepted: ${sql}`);
};

describe('the generated-SQL guard (PostgreSQL’s parser)', () => {
  it('accepts what the compiler emits for every intent', async () => {
    const seen = new Set<string>();
    for (const [name, p] of Object.entries(PLANS)) {
      const { sql } = compile(p, 100);
      seen.add(sql.split('\n')[0]!);
      await expect(checkGeneratedSql(sql), name).resolves.toBeUndefined();
    }
    expect(seen.size).toBeGreaterThanOrEqual(10); // the plans reach distinct branches
  });

  it('refuses more than one statement, other statements, data-modifying WITH, INTO, FOR UPDATE', async () => {
    expect(await refusal('SELECT 1; DROP TABLE x')).toEqual(expect.arrayContaining(['2 statements (one expected)', 'a DropStmt inside the query']));
    expect(await refusal('DELETE FROM results')).toContain('a DeleteStmt statement (SELECT expected)');
    expect(await refusal('WITH d AS (DELETE FROM results RETURNING *) SELECT * FROM d')).toEqual(expect.arrayContaining(['a DeleteStmt inside the query']));
    expect(await refusal('WITH rosters AS (UPDATE results SET status = $1 RETURNING id) SELECT * FROM rosters')).toContain('a UpdateStmt inside the query');
    expect(await refusal('SELECT * FROM results FOR UPDATE')).toContain('a locking clause (FOR UPDATE/SHARE)');
    expect(await refusal('SELECT * FROM results r FOR SHARE OF r')).toContain('a locking clause (FOR UPDATE/SHARE)');
    expect(await refusal('SELECT * INTO t FROM results')).toEqual(['SELECT … INTO']);
  });

  it('refuses functions, relations and types the compiler never uses', async () => {
    expect(await refusal('SELECT pg_sleep(10)')).toEqual(['the function pg_sleep is not allowed']);
    expect(await refusal("SELECT set_config('app.partner_id', '2', true)")).toEqual(['the function set_config is not allowed']);
    expect(await refusal("SELECT count(*) FROM results WHERE current_setting('app.partner_id') = '1'")).toEqual(['the function current_setting is not allowed']);
    expect(await refusal('SELECT pg_catalog.lower(e.first_name) FROM entries e')).toEqual(['the function pg_catalog.lower is not allowed']);
    expect(await refusal('SELECT * FROM pg_catalog.pg_user')).toEqual(['the relation pg_catalog.pg_user is schema-qualified']);
    expect(await refusal('SELECT * FROM pg_user')).toEqual(['the relation pg_user is not one the engine reads']);
    expect(await refusal('SELECT * FROM information_schema.tables')).toEqual(['the relation information_schema.tables is schema-qualified']);
    expect(await refusal('SELECT * FROM partners')).toEqual(['the relation partners is not one the engine reads']);
    expect(await refusal('SELECT * FROM entries e WHERE e.id IN (SELECT id FROM api_tokens)')).toEqual(['the relation api_tokens is not one the engine reads']);
    expect(await refusal('WITH partners AS (SELECT 1) SELECT * FROM partners')).toEqual(expect.arrayContaining(['the WITH query name partners is not one the engine uses']));
    expect(await refusal("SELECT 'pg_user'::regclass")).toEqual(['the type regclass is not allowed']);
    expect(await refusal('SELECT * FROM dblink($1, $2) AS t(x int)')).toEqual(expect.arrayContaining(['the function dblink is not allowed']));
    expect(await refusal('SELECT lo_import($1)')).toEqual(['the function lo_import is not allowed']);
  });

  it('refuses parse-tree nodes the compiler never produces', async () => {
    expect(await refusal('SELECT current_user')).toEqual(['a SQLValueFunction node is not allowed']);
    expect(await refusal('SELECT * FROM generate_series(1, 10)')).toEqual(expect.arrayContaining(['a RangeFunction node is not allowed']));
    expect(await refusal("SELECT * FROM XMLTABLE('/a' PASSING $1 COLUMNS x text)")).toEqual(expect.arrayContaining(['a RangeTableFunc node is not allowed']));
    expect(await refusal('SELECT ROW(1, 2)')).toEqual(['a RowExpr node is not allowed']);
  });

  it('refuses text that does not parse', async () => {
    const reasons = await refusal('SELEC count(*) FROM results');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^it does not parse: syntax error at or near "SELEC"/);
    expect(await refusal('')).toEqual(['it does not parse: Query cannot be empty']);
    expect(await refusal('-- nothing')).toEqual(['0 statements (one expected)', 'a missing statement (SELECT expected)']);
  });
});

/**
 * The read API driven by the real client (@supabase/postgrest-js) over real HTTP, plus
 * hand-written URLs for what the client cannot send (hostile query strings, HEAD).
 */
import { readFile } from 'node:fs/promises';
import { PostgrestClient } from '@supabase/postgrest-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPartner, type TestPartner } from '../../test/helpers/factories.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { SignedIn } from '../../test/helpers/auth.js';

let test: TestApp;
let a: TestPartner;
let b: TestPartner;
let aToken: string;
let bToken: string;
let db: PostgrestClient;
let bDb: PostgrestClient;

async function importCsv(who: SignedIn, csv: string) {
  const res = await test.app.inject({ method: 'POST', url: '/api/results/import', headers: { ...who.headers, 'content-type': 'text/csv' }, payload: csv });
  expect(res.statusCode).toBe(200);
  expect(res.json().errors).toEqual([]);
}

async function token(who: SignedIn, scopes: string[]): Promise<string> {
  const res = await test.app.inject({ method: 'POST', url: '/api/tokens', headers: who.headers, payload: { name: 'api test', scopes } });
  expect(res.statusCode).toBe(201);
  return res.json().secret as string;
}

const client = (secret: string) => new PostgrestClient(`${test.baseUrl}/api/db`, { headers: { Authorization: `Bearer ${secret}` } });

/** A raw GET with A's token (for what the client cannot express). */
async function get(path: string, headers: Record<string, string> = {}, secret = aToken) {
  const res = await fetch(`${test.baseUrl}/api/db/${path}`, { headers: { authorization: `Bearer ${secret}`, ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  test = await startTestApp({ listen: true });
  a = await newPartner(test.app, { slug: 'alpha-results' });
  b = await newPartner(test.app, { slug: 'beta-results' });
  await importCsv(a.owner, await readFile(new URL('../../examples/results.csv', import.meta.url), 'utf8'));
  await importCsv(
    b.owner,
    'event,event_date,race,distance,bib,first_name,last_name,gender,age,chip_time\n' +
      'B-SECRET-EVENT,2026-05-01,10K,10k,101,B-SECRET-FIRST,Lovelace,F,36,0:39:00\n' +
      'B-SECRET-EVENT,2026-05-01,10K,10k,102,Other,B-SECRET-LAST,M,40,0:41:00\n',
  );
  aToken = await token(a.owner, ['results:read']);
  bToken = await token(b.owner, ['results:read']);
  db = client(aToken);
  bDb = client(bToken);
});
afterAll(() => test.close());

describe('the seed’s examples', () => {
  it('answers /api/db/ct_events?limit=5 and /api/db/ct_results?race_id=eq.N', async () => {
    const events = await get('ct_events?limit=5');
    expect(events.status).toBe(200);
    expect(JSON.parse(events.text).map((e: { event_name: string }) => e.event_name).sort()).toEqual(['Mountain 100', 'Riverside Marathon 2026']);
    const race = JSON.parse((await get('ct_races?race_name=eq.Marathon')).text)[0];
    expect(race).toMatchObject({ race_name: 'Marathon', race_course_distance: 26.2, race_pref_distance_unit: 'mi', race_distance_m: 42164.81 });
    const results = JSON.parse((await get(`ct_results?race_id=eq.${race.race_id}&order=results_rank.asc.nullslast`)).text);
    expect(results.map((r: { results_bib: string; results_rank: number | null; results_time: string | null }) => [r.results_bib, r.results_rank, r.results_time])).toEqual([
      ['102', 1, '02:58:03.4'],
      ['101', 2, '03:05:12'],
      ['103', null, null],
    ]);
  });
});

describe('postgrest-js', () => {
  it('filters: eq, gt, ilike with *, in with quoting, is, not', async () => {
    const names = (rows: { results_last_name: string }[] | null) => (rows ?? []).map((r) => r.results_last_name).sort();
    expect(names((await db.from('ct_results').select('results_last_name').eq('results_sex', 'F')).data)).toEqual(['Hopper', 'Johnson', 'Lovelace', 'Trason']);
    expect(names((await db.from('ct_results').select('results_last_name').gt('results_age', 44)).data)).toEqual(['Dijkstra', 'Hopper']);
    expect(names((await db.from('ct_results').select('results_last_name').ilike('results_last_name', '*OVE*')).data)).toEqual(['Lovelace']);
    expect(names((await db.from('ct_results').select('results_last_name').in('results_hometown', ['Hampton', 'Austin', 'a,b'])).data)).toEqual(['Dijkstra', 'Johnson']);
    expect(names((await db.from('ct_results').select('results_last_name').is('results_rank', null)).data)).toEqual(['Hopper']);
    expect(names((await db.from('ct_results').select('results_last_name').not('results_state_code', 'eq', 'VA')).data)).toEqual(['Dijkstra', 'Lovelace', 'Trason']);
    // Times compare as intervals, past 24 h too.
    expect(names((await db.from('ct_results').select('results_last_name').gt('results_time', '24:00:00')).data)).toEqual(['Trason']);
  });

  it('or with nested and', async () => {
    const r = await db
      .from('ct_results')
      .select('results_bib')
      .or('results_bib.eq.1,and(results_sex.eq.M,results_age.gte.50)')
      .order('results_bib');
    expect(r.error).toBeNull();
    expect(r.data).toEqual([{ results_bib: '1' }, { results_bib: '502' }]);
  });

  it('select with alias and cast, and embedding: many-to-one as an object, one-to-many as an array', async () => {
    const r = await db
      .from('ct_results')
      .select('bib:results_bib, rank:results_rank::text, race:ct_races(race_name, event:ct_events(event_name)), splits:ct_splits(split_label, split_time)')
      .eq('results_bib', '101')
      .single();
    expect(r.error).toBeNull();
    expect(r.data).toEqual({
      bib: '101',
      rank: '2',
      race: { race_name: 'Marathon', event: { event_name: 'Riverside Marathon 2026' } },
      splits: [
        { split_label: '10K', split_time: '00:43:10' },
        { split_label: 'Half', split_time: '01:31:02' },
      ],
    });
    const races = await db.from('ct_races').select('race_name, ct_results(results_bib)').eq('race_name', '5K').order('results_bib', { referencedTable: 'ct_results', ascending: false });
    expect(races.data).toEqual([{ race_name: '5K', ct_results: [{ results_bib: '502' }, { results_bib: '501' }] }]);
    // !inner: only parents with a matching embedded row.
    const inner = await db.from('ct_races').select('race_name, ct_results!inner(results_bib)').eq('ct_results.results_bib', '1');
    expect(inner.data).toEqual([{ race_name: '100 Miler', ct_results: [{ results_bib: '1' }] }]);
  });

  it('order on several columns, range, and count exact with Content-Range and 206', async () => {
    const r = await db.from('ct_results').select('results_bib', { count: 'exact' }).order('results_sex', { ascending: false }).order('results_bib').range(1, 3);
    expect(r.error).toBeNull();
    expect(r.status).toBe(206);
    expect(r.count).toBe(6);
    expect(r.data).toEqual([{ results_bib: '502' }, { results_bib: '1' }, { results_bib: '101' }]);
    const raw = await get('ct_results?select=id&order=id&offset=1&limit=2', { prefer: 'count=exact' });
    expect(raw.status).toBe(206);
    expect(raw.headers.get('content-range')).toBe('1-2/6');
    const all = await get('ct_results?select=id', { prefer: 'count=exact' });
    expect([all.status, all.headers.get('content-range')]).toEqual([200, '0-5/6']);
    const header = await get('ct_results?select=id&order=id', { range: '4-9' });
    expect([header.status, header.headers.get('content-range'), JSON.parse(header.text).length]).toEqual([200, '4-5/*', 2]);
    const planned = await db.from('ct_results').select('id', { count: 'planned', head: true });
    expect(planned.error).toBeNull();
    expect(typeof planned.count).toBe('number');
    const estimated = await db.from('ct_results').select('id', { count: 'estimated', head: true }).eq('results_sex', 'F');
    expect(estimated.count).toBe(4); // under the threshold: counted exactly
    const past = await get('ct_results?offset=10', { prefer: 'count=exact' });
    expect([past.status, JSON.parse(past.text).code]).toEqual([416, 'PGRST103']);
  });

  it('single, maybeSingle and csv', async () => {
    expect((await db.from('ct_events').select('event_name').eq('event_name', 'Mountain 100').single()).data).toEqual({ event_name: 'Mountain 100' });
    const none = await db.from('ct_events').select('event_name').eq('event_name', 'nope').single();
    expect([none.status, none.error?.code, none.error?.details]).toEqual([406, 'PGRST116', 'The result contains 0 rows']);
    const many = await db.from('ct_events').select('event_name').single();
    expect([many.status, many.error?.code, many.error?.details]).toEqual([406, 'PGRST116', 'The result contains 2 rows']);
    expect((await db.from('ct_events').select('event_name').eq('event_name', 'nope').maybeSingle()).data).toBeNull();
    expect((await db.from('ct_events').select('event_name').eq('event_name', 'Mountain 100').maybeSingle()).data).toEqual({ event_name: 'Mountain 100' });
    const csv = await db.from('ct_results').select('results_bib,results_first_name,results_time').eq('results_bib', '1').csv();
    expect(csv.data).toBe('results_bib,results_first_name,results_time\n1,Ann,25:10:03\n');
    const empty = await get('ct_results?select=results_bib,results_time&results_bib=eq.none', { accept: 'text/csv' });
    expect(empty.text).toBe('results_bib,results_time\n');
    const stripped = await db.from('ct_results').select('results_bib,results_rank').eq('results_bib', '103').stripNulls();
    expect(stripped.data).toEqual([{ results_bib: '103' }]);
  });

  it('HEAD answers the headers without a body', async () => {
    const res = await fetch(`${test.baseUrl}/api/db/ct_results?select=id`, { method: 'HEAD', headers: { authorization: `Bearer ${aToken}`, prefer: 'count=exact' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-5/6');
    expect(await res.text()).toBe('');
  });

  it('describes the views in OpenAPI', async () => {
    const res = await fetch(`${test.baseUrl}/api/db/`, { headers: { authorization: `Bearer ${aToken}` } });
    const doc = (await res.json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(Object.keys(doc.paths)).toEqual(['/api/db/ct_events', '/api/db/ct_races', '/api/db/ct_participants', '/api/db/ct_results', '/api/db/ct_splits']);
    expect(doc.components.schemas.ct_results?.properties.results_time).toMatchObject({ type: 'string' });
  });
});

describe('errors in PostgREST’s shape', () => {
  const err = async (path: string, headers: Record<string, string> = {}) => {
    const r = await get(path, headers);
    return { status: r.status, ...(JSON.parse(r.text) as { code: string; message: string; details: string | null; hint: string | null }) };
  };

  it('unknown view, column, relationship, operator, media type', async () => {
    expect(await err('nope')).toMatchObject({ status: 404, code: 'PGRST205', message: "Could not find the table 'public.nope' in the schema cache" });
    expect(await err('results')).toMatchObject({ status: 404, code: 'PGRST205' }); // the table itself is not exposed
    expect(await err('ct_results?select=partner_id')).toMatchObject({ status: 400, code: '42703', message: 'column ct_results.partner_id does not exist' });
    expect(await err('ct_results?partner_id=eq.1')).toMatchObject({ status: 400, code: '42703' });
    expect(await err('ct_results?order=partner_id')).toMatchObject({ status: 400, code: '42703' });
    expect(await err('ct_events?select=*,ct_splits(*)')).toMatchObject({ status: 400, code: 'PGRST200', message: "Could not find a relationship between 'ct_events' and 'ct_splits' in the schema cache" });
    expect(await err('ct_results?results_bib=xyz.1')).toMatchObject({ status: 400, code: 'PGRST100' });
    expect(await err('ct_results?results_bib=eq')).toMatchObject({ status: 400, code: 'PGRST100' });
    expect(await err('ct_results?ct_races.race_name=eq.x')).toMatchObject({ status: 400, code: 'PGRST108' });
    expect(await err('ct_results?race_id=eq.abc')).toMatchObject({ status: 400, code: '22P02' });
    expect(await err('ct_results', { accept: 'application/xml' })).toMatchObject({ status: 406, code: 'PGRST107' });
    expect(await err('ct_results?select=id::regclass')).toMatchObject({ status: 400, code: 'PGRST100' });
  });

  it('hostile query strings: SQL in values is data, in identifiers a 400; deep nesting and huge lists refused', async () => {
    // A value is a bound parameter: nothing matches, nothing runs.
    const inj = await get(`ct_results?results_last_name=eq.${encodeURIComponent("x' OR '1'='1")}`);
    expect([inj.status, inj.text]).toEqual([200, '[]']);
    const inj2 = await get(`ct_results?results_last_name=in.(${encodeURIComponent('"x) OR true --"')})`);
    expect([inj2.status, inj2.text]).toEqual([200, '[]']);
    for (const path of [
      `ct_results?select=${encodeURIComponent('id,(select 1)')}`,
      `ct_results?select=${encodeURIComponent('id"--')}`,
      `ct_results?${encodeURIComponent('id;drop table results')}=eq.1`,
      `ct_results?order=${encodeURIComponent('id;select pg_sleep(10)')}`,
      `ct_results?select=${encodeURIComponent('x:id::text;drop')}`,
      `ct_results?or=${encodeURIComponent('(id.eq.1) OR 1=1')}`,
    ]) {
      const r = await err(path);
      expect(r.status, path).toBe(400);
      expect(r.code, path).toBe('PGRST100');
      expect(JSON.stringify(r), path).not.toMatch(/syntax error|does not exist|\.ts:|stack|p88_|partner_id/i);
    }
    let deep = 'id.eq.1';
    for (let i = 0; i < 20; i++) deep = `or(${deep},id.eq.2)`;
    expect(await err(`ct_results?or=(${deep})`)).toMatchObject({ status: 400, code: 'PGRST100' });
    let nest = 'id';
    for (let i = 0; i < 10; i++) nest = `ct_races(ct_results(${nest}))`;
    expect(await err(`ct_results?select=${nest}`)).toMatchObject({ status: 400, code: 'PGRST100' });
    const huge = Array.from({ length: 1500 }, (_, i) => i).join(',');
    expect(await err(`ct_results?id=in.(${huge})`)).toMatchObject({ status: 400, code: 'PGRST100' });
    const okList = Array.from({ length: 900 }, (_, i) => i + 1).join(',');
    expect((await get(`ct_results?select=id&id=in.(${okList})`)).status).toBe(200);
  });

  it('is read only: other methods are refused with 405', async () => {
    const res = await fetch(`${test.baseUrl}/api/db/ct_results`, { method: 'POST', headers: { authorization: `Bearer ${aToken}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: 'PGRST117' });
    const del = await db.from('ct_results').delete().eq('id', 1);
    expect([del.status, del.error?.code]).toEqual([405, 'PGRST117']);
    expect((await db.from('ct_results').update({ results_bib: 'x' }).eq('id', 1)).status).toBe(405);
    expect((await get('ct_results?select=id')).text).not.toBe('[]');
  });
});

describe('access', () => {
  it('needs a token with results:read, or a session; viewers may read', async () => {
    const timingOnly = await token(a.owner, ['timing:read']);
    expect((await get('ct_events', {}, timingOnly)).status).toBe(403);
    const anonymous = await fetch(`${test.baseUrl}/api/db/ct_events`);
    expect(anonymous.status).toBe(401);
    const viewer = await a.signIn('viewer');
    const viaCookie = await test.app.inject({ method: 'GET', url: '/api/db/ct_events?select=event_name&order=event_name', headers: viewer.headers });
    expect(viaCookie.json()).toEqual([{ event_name: 'Mountain 100' }, { event_name: 'Riverside Marathon 2026' }]);
  });

  it('one partner never sees another’s rows: by filter, embedding or count', async () => {
    const bRows = (await bDb.from('ct_results').select('id, race_id, event_id, entry_id, results_first_name')).data!;
    expect(bRows.map((r) => r.results_first_name).sort()).toEqual(['B-SECRET-FIRST', 'Other']);
    const ids = bRows.map((r) => r.id);
    const [race, event, entry] = [bRows[0]!.race_id, bRows[0]!.event_id, bRows[0]!.entry_id];
    for (const q of [
      db.from('ct_results').select('*').in('id', ids),
      db.from('ct_results').select('*').eq('race_id', race),
      db.from('ct_races').select('*').eq('race_id', race),
      db.from('ct_events').select('*, ct_races(*, ct_results(*))').eq('event_id', event),
      db.from('ct_participants').select('*').eq('entry_id', entry),
      db.from('ct_results').select('*').ilike('results_first_name', 'B-SECRET*'),
      db.from('ct_results').select('*').or(`id.in.(${ids.join(',')}),results_last_name.eq.B-SECRET-LAST`),
    ]) {
      const r = await q;
      expect(r.error).toBeNull();
      expect(JSON.stringify(r.data)).not.toContain('B-SECRET');
      expect(r.data).toEqual([]);
    }
    // A's results embedding races: only A's; counts count only A's rows.
    const mine = await db.from('ct_results').select('id, ct_races(race_name)', { count: 'exact' });
    expect(mine.count).toBe(6);
    expect(JSON.stringify(mine.data)).not.toContain('B-SECRET');
    expect((await db.from('ct_results').select('id', { count: 'exact', head: true }).in('id', ids)).count).toBe(0);
    expect((await bDb.from('ct_results').select('id', { count: 'exact', head: true })).count).toBe(2);
  });
});

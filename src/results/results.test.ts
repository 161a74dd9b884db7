import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../test/helpers/auth.js';
import { newPartner } from '../../test/helpers/factories.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { parseDistance, parseDuration, parseDate } from './results-csv.js';

describe('results CSV cells', () => {
  it('reads distances as people write them, in metres with the announced unit', () => {
    expect(parseDistance('42.195 km')).toEqual({ metres: 42195, unit: 'km' });
    expect(parseDistance('26.2 mi')).toEqual({ metres: 42164.81, unit: 'mi' });
    expect(parseDistance('5K')).toEqual({ metres: 5000, unit: 'km' });
    expect(parseDistance('10k')).toEqual({ metres: 10000, unit: 'km' });
    expect(parseDistance('Marathon')).toEqual({ metres: 42195, unit: 'km' });
    expect(parseDistance('half marathon')).toEqual({ metres: 21097.5, unit: 'km' });
    expect(parseDistance('100 mi')).toEqual({ metres: 160934.4, unit: 'mi' });
    expect(parseDistance('5000 m')).toEqual({ metres: 5000, unit: 'm' });
    for (const bad of ['', 'far', '-5k', '5 parsecs', '0k']) expect(parseDistance(bad), bad).toBeNull();
  });

  it('reads times h:mm:ss, h:mm:ss.f and mm:ss, with hours past 24', () => {
    expect(parseDuration('3:05:12')).toBe(11_112_000);
    expect(parseDuration('2:58:03.4')).toBe(10_683_400);
    expect(parseDuration('21:14')).toBe(1_274_000);
    expect(parseDuration('19:58.25')).toBe(1_198_250);
    expect(parseDuration('25:10:03')).toBe(90_603_000);
    for (const bad of ['', '3:61:00', '1:2:3', 'abc', '12']) expect(parseDuration(bad), bad).toBeNull();
    expect(parseDate('2026-04-19')).toBe('2026-04-19');
    expect(parseDate('4/19/2026')).toBe('2026-04-19');
    expect(parseDate('2026-02-30')).toBeNull();
  });
});

describe('POST /api/results/import', () => {
  let test: TestApp;
  let app: FastifyInstance;
  let owner: SignedIn;
  let viewer: SignedIn;
  let partnerId: number;
  beforeAll(async () => {
    test = await startTestApp();
    app = test.app;
    const p = await newPartner(app, { slug: 'results-co' });
    partnerId = p.id;
    owner = p.owner;
    viewer = await p.signIn('viewer');
  });
  afterAll(() => test.close());

  const post = (who: SignedIn, csv: string) =>
    app.inject({ method: 'POST', url: '/api/results/import', headers: { ...who.headers, 'content-type': 'text/csv' }, payload: csv });

  it('stores the example file: events, races in metres, times in ms past 24 h, computed places, splits', async () => {
    const csv = await readFile(new URL('../../examples/results.csv', import.meta.url), 'utf8');
    const res = await post(owner, csv);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ events: 2, races: 3, inserted: 6, updated: 0, splits: 5, errors: [] });
    const rows = await test.t.owner.query<Record<string, unknown>>(
      `SELECT e.bib, r.status, r.chip_time_ms, r.overall_place, r.gender_place, r.division_place, ra.distance_m::float8 AS distance_m, ra.distance_unit, r.pace_ms_per_km
         FROM results r JOIN entries e ON e.id = r.entry_id JOIN races ra ON ra.id = r.race_id WHERE r.partner_id = $1 ORDER BY e.bib`,
      [partnerId],
    );
    expect(rows.rows).toEqual([
      { bib: '1', status: 'finished', chip_time_ms: 90_603_000, overall_place: 1, gender_place: 1, division_place: 1, distance_m: 160934.4, distance_unit: 'mi', pace_ms_per_km: 562_981 },
      { bib: '101', status: 'finished', chip_time_ms: 11_112_000, overall_place: 2, gender_place: 1, division_place: 1, distance_m: 42164.81, distance_unit: 'mi', pace_ms_per_km: 263_537 },
      { bib: '102', status: 'finished', chip_time_ms: 10_683_400, overall_place: 1, gender_place: 1, division_place: 1, distance_m: 42164.81, distance_unit: 'mi', pace_ms_per_km: 253_372 },
      { bib: '103', status: 'DNF', chip_time_ms: null, overall_place: null, gender_place: null, division_place: null, distance_m: 42164.81, distance_unit: 'mi', pace_ms_per_km: null },
      { bib: '501', status: 'finished', chip_time_ms: 1_274_000, overall_place: 2, gender_place: 1, division_place: 1, distance_m: 5000, distance_unit: 'km', pace_ms_per_km: 254_800 },
      { bib: '502', status: 'finished', chip_time_ms: 1_198_200, overall_place: 1, gender_place: 1, division_place: 1, distance_m: 5000, distance_unit: 'km', pace_ms_per_km: 239_640 },
    ]);
    // The compatibility view shows the seed's intervals, hours past 24 kept as hours.
    const view = await test.t.owner.query<{ results_time: string; results_rank: number }>(
      `SELECT results_time::text, results_rank FROM ct_results WHERE results_bib = '1' AND race_id IN (SELECT id FROM races WHERE partner_id = $1)`,
      [partnerId],
    );
    expect(view.rows).toEqual([{ results_time: '25:10:03', results_rank: 1 }]);
    const splits = await test.t.owner.query(`SELECT label, seq, time_ms, distance_m::float8 AS distance_m FROM splits WHERE partner_id = $1 ORDER BY time_ms`, [partnerId]);
    expect(splits.rows.slice(0, 2)).toEqual([
      { label: '10K', seq: 1, time_ms: 2_515_000, distance_m: 10000 },
      { label: '10K', seq: 1, time_ms: 2_590_000, distance_m: 10000 },
    ]);
  });

  it('reports bad rows by line, stores the good ones, and updates in place on re-import', async () => {
    const csv = [
      'Event,Race,Distance,Bib,First_Name,Last_Name,Gender,Chip_Time,Status',
      'Spring 10K,10K,10k,1,Ann,A,F,40:00,',
      'Spring 10K,10K,10k,2,Bob,B,M,38:00,',
      'Spring 10K,10K,10k,,No,Bib,M,38:00,',
      'Spring 10K,10K,ten,3,Cy,C,M,39:00,',
      'Spring 10K,10K,10k,4,Di,D,F,4O:00,maybe',
      'Spring 10K,10K,10k,1,Ann,Again,F,41:00,',
    ].join('\n');
    const first = (await post(owner, csv)).json();
    expect(first).toMatchObject({ events: 1, races: 1, inserted: 2, updated: 0 });
    expect(first.errors).toEqual([
      { row: 4, reason: 'bib is empty' },
      { row: 5, reason: 'distance "ten" is not a distance (42.195 km, 26.2 mi, 5K, marathon, …)' },
      { row: 6, reason: 'chip_time "4O:00" is not a time (h:mm:ss, h:mm:ss.f or mm:ss); status "maybe" is not one of finished, DNF, DNS, DQ' },
      { row: 7, reason: 'bib 1 is already in this race on line 2' },
    ]);
    // Ann runs faster in the corrected file: updated in place, places recomputed.
    const again = (await post(owner, 'event,race,distance,bib,first_name,chip_time\nSpring 10K,10K,10k,1,Ann,37:30\n')).json();
    expect(again).toMatchObject({ inserted: 0, updated: 1, errors: [] });
    const rows = await test.t.owner.query(
      `SELECT e.bib, e.first_name, r.chip_time_ms, r.overall_place FROM results r JOIN entries e ON e.id = r.entry_id JOIN races ra ON ra.id = r.race_id
        WHERE r.partner_id = $1 AND ra.name = '10K' ORDER BY e.bib`,
      [partnerId],
    );
    expect(rows.rows).toEqual([
      { bib: '1', first_name: 'Ann', chip_time_ms: 2_250_000, overall_place: 1 },
      { bib: '2', first_name: 'Bob', chip_time_ms: 2_280_000, overall_place: 2 },
    ]);
  });

  it('keeps the statuses providers report (DNQ, unknown) through the repo a sync writes with', async () => {
    const { withPartner } = await import('../db/tenant.js');
    const repo = await import('./results.repo.js');
    const stored = await withPartner(test.t.db, partnerId, async (tx) => {
      const e = await repo.upsertEvent(tx, partnerId, 'runsignup', { external_id: 'ev-1', name: 'Synced 5K', start_date: '2026-06-01', city: null, state: null, country: null, raw: { id: 1 } });
      const r = await repo.upsertRace(tx, partnerId, 'runsignup', { external_id: 'race-1', event_id: e.id, name: '5K', distance_m: 5000, distance_unit: 'km', raw: null });
      const base = { event_id: e.id, race_id: r.id, first_name: null, last_name: null, gender: 'U', age: null, city: null, state: null, country: null, team: null, division: null, raw: null };
      const entries = await repo.upsertEntries(tx, partnerId, 'runsignup', [{ ...base, external_id: 'p-1', bib: '1' }, { ...base, external_id: 'p-2', bib: '2' }]);
      const result = (ext: string, status: string) => ({ external_id: ext, entry_id: entries.ids.get(ext)!, race_id: r.id, event_id: e.id, status, chip_time_ms: null, gun_time_ms: null, overall_place: null, gender_place: null, division_place: null, raw: { status } });
      await repo.upsertResults(tx, partnerId, 'runsignup', [result('p-1', 'DNQ'), result('p-2', 'unknown')]);
      return (await tx.query<{ status: string }>(`SELECT status FROM results WHERE provider = 'runsignup' ORDER BY external_id`)).rows.map((x) => x.status);
    });
    expect(stored).toEqual(['DNQ', 'unknown']);
  });

  it('says which required column is missing, and lets viewers read only', async () => {
    expect((await post(owner, 'name,time\nA,1:00\n')).json().errors).toEqual([{ row: 1, reason: 'the header has no event, bib, race or distance column' }]);
    expect((await post(viewer, 'event,race,bib\nX,5K,1\n')).statusCode).toBe(403);
  });
});

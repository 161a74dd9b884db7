import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../test/helpers/auth.js';
import { newPartner } from '../../test/helpers/factories.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { TestDatabase } from '../../test/helpers/db.js';

let test: TestApp;
let t: TestDatabase;
let app: FastifyInstance;
let owner: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  test = await startTestApp();
  ({ t, app } = test);
  const partner = await newPartner(app, { slug: 'acme' }); // on a trial: 25 events/month
  owner = partner.owner;
  viewer = await partner.signIn('viewer');
});
afterAll(() => test.close());

const CSV = 'Bib,First Name,Last Name,City,Gender,Age\n101,Ada,Lovelace,London,F,36\n102,=HYPERLINK("x"),<b>Bold</b>,Paris,M,41\n,No,Bib,Rome,F,30\n';

describe('roster routes', () => {
  it('previews a CSV, imports it with the confirmed mapping, and re-imports in place', async () => {
    const event = (await app.inject({ method: 'POST', url: '/api/rosters', headers: owner.headers, payload: { name: 'City 10K' } })).json();
    const preview = (await app.inject({ method: 'POST', url: '/api/rosters/csv-preview', headers: owner.headers, payload: { csv: CSV } })).json();
    expect(preview).toMatchObject({ headers: ['Bib', 'First Name', 'Last Name', 'City', 'Gender', 'Age'], totalRows: 3 });
    expect(preview.suggestedMapping).toMatchObject({ bib: 'Bib', first_name: 'First Name', last_name: 'Last Name', city: 'City', gender: 'Gender', age: 'Age' });

    // The check says what the import will do and which rows it refuses, and stores nothing.
    const check = await app.inject({ method: 'POST', url: `/api/rosters/${event.id}/csv-check`, headers: owner.headers, payload: { csv: CSV, mapping: preview.suggestedMapping } });
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({ inserted: 2, updated: 0, rows: 3, errors: [{ row: 4 }] });
    expect((await app.inject({ method: 'GET', url: `/api/rosters/${event.id}/participants`, headers: viewer.headers })).json().participants).toEqual([]);
    expect((await app.inject({ method: 'POST', url: `/api/rosters/${event.id}/csv-check`, headers: viewer.headers, payload: { csv: CSV, mapping: preview.suggestedMapping } })).statusCode).toBe(403);

    const first = await app.inject({ method: 'POST', url: `/api/rosters/${event.id}/csv`, headers: owner.headers, payload: { csv: CSV, mapping: preview.suggestedMapping } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ inserted: 2, updated: 0, rows: 3, errors: [{ row: 4 }] });
    // Made by hand, filled from a CSV: listed as a CSV event, not "By hand".
    const listed = (await app.inject({ method: 'GET', url: '/api/rosters', headers: viewer.headers })).json().events;
    expect(listed.find((e: { id: number }) => e.id === event.id)).toMatchObject({ source: 'csv' });
    const again = (await app.inject({ method: 'POST', url: `/api/rosters/${event.id}/csv`, headers: owner.headers, payload: { csv: CSV.replace('London', 'Bath'), mapping: preview.suggestedMapping } })).json();
    expect(again).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });

    const list = (await app.inject({ method: 'GET', url: `/api/rosters/${event.id}/participants`, headers: viewer.headers })).json().participants;
    expect(list.map((p: { bib: string; city: string; last_name: string }) => [p.bib, p.city, p.last_name])).toEqual([
      ['101', 'Bath', 'Lovelace'],
      ['102', 'Paris', '<b>Bold</b>'], // stored as text; rendering escapes it
    ]);

    const edited = await app.inject({ method: 'PATCH', url: `/api/participants/${list[0].id}`, headers: owner.headers, payload: { custom_message: 'Go Ada!' } });
    expect(edited.json()).toMatchObject({ bib: '101', custom_message: 'Go Ada!', city: 'Bath' });
  });

  it('answers one event with its count, and searches participants by bib or name with the total', async () => {
    const event = (await app.inject({ method: 'POST', url: '/api/rosters', headers: owner.headers, payload: { name: 'Search 5K' } })).json();
    const csv = 'Bib,First,Last\n7,Ada,Lovelace\n17,Alan,Turing\n70,Grace,Hopper\n8,Ann,100%_Sure\n';
    await app.inject({ method: 'POST', url: `/api/rosters/${event.id}/csv`, headers: owner.headers, payload: { csv, mapping: { bib: 'Bib', first_name: 'First', last_name: 'Last' } } });
    const one = await app.inject({ method: 'GET', url: `/api/rosters/${event.id}`, headers: viewer.headers });
    expect(one.json()).toMatchObject({ id: event.id, name: 'Search 5K', participant_count: 4 });
    const q = async (query: string) =>
      (await app.inject({ method: 'GET', url: `/api/rosters/${event.id}/participants?${query}`, headers: viewer.headers })).json<{
        participants: Array<{ bib: string }>;
        total: number;
      }>();
    const bibs = (r: { participants: Array<{ bib: string }> }) => r.participants.map((p) => p.bib);
    // The exact bib first, then the bibs containing it.
    expect(bibs(await q('q=7'))).toEqual(['7', '17', '70']);
    expect(await q('q=LOVE')).toMatchObject({ total: 1, participants: [{ bib: '7' }] });
    expect(bibs(await q('q=ada%20lovelace'))).toEqual(['7']);
    // LIKE wildcards in the query are plain characters.
    expect(bibs(await q('q=%25'))).toEqual(['8']);
    expect(bibs(await q('q=_'))).toEqual(['8']);
    expect(await q('q=nobody')).toEqual({ participants: [], total: 0 });
    expect(await q('limit=2&offset=1')).toMatchObject({ total: 4, participants: [{ bib: '8' }, { bib: '17' }] });
    expect((await app.inject({ method: 'GET', url: '/api/rosters/999999', headers: viewer.headers })).statusCode).toBe(404);
  });

  it('refuses changes to a viewer', async () => {
    const refused = await app.inject({ method: 'POST', url: '/api/rosters', headers: viewer.headers, payload: { name: 'Nope' } });
    expect(refused.statusCode).toBe(403);
  });

  it('counts roster events against the plan and answers 402 naming the limit', async () => {
    await t.owner.query(`UPDATE partner_plans SET trial_plan = NULL, trial_ends_at = NULL WHERE partner_id = (SELECT id FROM partners WHERE slug = 'acme')`);
    const res = await app.inject({ method: 'POST', url: '/api/rosters', headers: owner.headers, payload: { name: 'Second event this month' } });
    expect(res.statusCode).toBe(402);
    expect(res.json().error.message).toContain('Plan limit reached: events per month (1)');
  });
});

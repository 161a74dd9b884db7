/**
 * Every provider's pull end to end through the queue: a partner's sealed connection, the
 * `sync.<provider>` job on a real worker, the provider's loopback fake, rows in the warehouse
 * and a history row. (RunSignUp and UltraSignup: sync-pull.test.ts; semantics:
 * sync-semantics.test.ts.) Then the cross-tenant case: partner B syncing the same provider
 * event gets its own rows and never touches A's, and a job of B's naming A's connection finds
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox } from '../accounts/secret-box.js';
import { withPartner } from '../db/tenant.js';
import { enqueueJob } from '../jobs/queue.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger } from '../log.js';
import { DEFAULT_BASE_URLS, type ProviderBaseUrls, type ProviderName } from '../providers/index.js';
import { startFakeActive, type FakeActive } from '../providers/active/fake-server.js';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack } from '../providers/chronotrack/fake-server.js';
import { mojibake, startFakeCopernico, type FakeCopernico } from '../providers/copernico/fake-server.js';
import { fakeAttendees, startFakeEventbrite, type FakeEventbrite } from '../providers/eventbrite/fake-server.js';
import { startFakeHaku, type FakeHaku } from '../providers/haku/fake-server.js';
import { startFakeRaceRoster, type FakeRaceRoster } from '../providers/raceroster/fake-server.js';
import { ProviderConnections } from './provider-connections.service.js';
import { listSyncRuns, type SyncRunRow } from './sync-history.repo.js';
import { registerSyncHandler, syncJobs } from './sync-jobs.js';
import { syncPullHandler } from './sync-pull.js';

const log = createLogger('silent');
const box = new SecretBox(randomBytes(32));
let t: TestDatabase;
let a: number;
let b: number;
let worker: JobWorker;
let connections: ProviderConnections;
let rr: FakeRaceRoster;
let active: FakeActive;
let eb: FakeEventbrite;
let cop: FakeCopernico;
let ct: FakeChronoTrack;
let haku: FakeHaku;

const CREDS: Record<Exclude<ProviderName, 'runsignup' | 'ultrasignup'>, Record<string, unknown>> = {
  raceroster: { clientId: 'cid', clientSecret: 'csecret', username: 'timer@example.com', password: 'pw' },
  active: { apiKey: 'k', accountToken: 't', organizationGuid: 'org-1' },
  eventbrite: { token: 'tok' },
  copernico: { apiKey: 'cop-key', login: 'timer1', raceSlugs: ['ultra-pirineu-2025'] },
  ctlive: { clientId: 'client-1', userId: 'timer@example.com', password: 'pässword' },
  haku: { token: 'hk', organizationId: 'org-9' },
};
const GUID = 'a1b2c3d4-0000-4000-8000-000000000001';

beforeAll(async () => {
  t = await createTestDatabase();
  const p = await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('prov-a', 'A'), ('prov-b', 'B') RETURNING id`);
  [a, b] = p.rows.map((r) => r.id) as [number, number];
  rr = await startFakeRaceRoster({
    ...(CREDS.raceroster as { clientId: string; clientSecret: string; username: string; password: string }),
    events: [
      {
        event: {
          eventId: 777, name: 'Toronto 10K', city: 'Toronto', region: { code: 'ON' }, country: { code: 'CA' }, startDate: '2025-09-14T08:00:00-04:00', timeZone: 'America/Toronto', lastModifiedDate: '2025-03-02T10:00:00-05:00',
          subEvents: { data: [{ subEventId: 11, name: '10K', subEventDistance: { inMeters: 10000 } }] },
        },
        participants: Array.from({ length: 120 }, (_, i) => ({
          participantId: 50_000 + i, registrationId: 90_000 + i, subEventId: 11, bibNumber: String(i + 1), firstName: 'Zoë', lastName: `Runner${i}`, gender: [0, 1, 2][i % 3], dateOfBirth: '1990-05-04',
          city: 'Toronto', region: { code: 'ON' }, country: { code: 'CA' }, teamName: '', registrationDate: '2025-03-01T10:00:00-05:00', lastModifiedDate: '2025-03-02T10:00:00-05:00', isActive: true,
        })),
        results: { '11': [{ id: 1, overallPlace: 1, name: 'Zoë Runner0', gunTime: '31:02.4', division: 'F 30-39', divisionPlace: 1, fromCity: 'Toronto', fromProvState: 'ON', bib: '1' }, { id: 2, overallPlace: null, name: 'Dee Nef', gunTime: 'DNF', division: 'M 40-49', divisionPlace: null }] },
      },
    ],
  });
  const asset = { assetGuid: GUID, assetName: 'Spring Classic', activityStartDate: '2025-04-12T08:00:00', place: { cityName: 'Denver', stateProvinceCode: 'CO', countryCode: 'US' }, assetComponents: [{ assetGuid: 'comp-10k', assetName: '10K Run', activityStartDate: '2025-04-12T08:00:00-06:00' }] };
  active = await startFakeActive({
    apiKey: 'k', accountToken: 't',
    assets: [{ organizationGuid: 'org-1', asset, registrations: Array.from({ length: 30 }, (_, i) => ({ registrationId: `R${i}`, categoryName: '10K run', firstName: 'Al', lastName: `Active${i}`, gender: i % 2 ? 'Male' : 'Female', dateOfBirth: '1980-12-31T00:00:00', bib: String(i + 100), city: 'Denver', state: 'CO', country: 'USA', createdDate: '2025-01-05T12:00:00Z', status: 'Active' })) }],
  });
  eb = await startFakeEventbrite({
    token: 'tok', orgId: '42',
    events: [{
      event: { id: '5551', name: { text: 'Austin Half', html: 'Austin Half' }, start: { timezone: 'America/Chicago', local: '2025-11-02T07:00:00', utc: '2025-11-02T13:00:00Z' }, url: 'https://www.eventbrite.com/e/5551', status: 'live', changed: '2025-03-02T10:00:00Z', venue: { address: { city: 'Austin', region: 'TX', country: 'US' } } },
      ticket_classes: [{ id: '61', name: 'Half Marathon' }],
      attendees: fakeAttendees(70, { ticketClassId: '61' }),
    }],
  });
  const runner = (id: number, status: string, finish: number | null) => ({
    id, dorsal: String(id), name: mojibake('José María', 1), surname: 'Núñez', gender: id % 2 ? 'male' : 'female', birthdate: '1979-03-03', category: 'VETERANO A', club: 'CA Alcañiz', wave: 'Élite', status, chip: ['E1'], city: 'Zaragoza', nationality: 'ESP',
    pos: finish ? id : null, pos_gender: finish ? 1 : null, pos_category: finish ? 1 : null,
    times: { 'KM 50': { distance: 50000, time: 18_000_000, netTime: 17_990_000 }, ...(finish ? { FINISH: { distance: 101000, time: finish, netTime: finish - 10_000 } } : {}) },
  });
  cop = await startFakeCopernico({
    apiKey: 'cop-key',
    races: [{
      slug: 'ultra-pirineu-2025',
      race: { name: 'Ultra Pirineu', status: 'finished', date: '2025-10-04', city: 'Bagà', country: 'ES', events: [{ id: 'ultra', name: 'Ultra 100K', distance: 101000, start: '2025-10-04T05:00:00+02:00', waves: [{ name: 'Élite' }] }] },
      presets: { 'timer1:::inscritos': { ultra: [runner(1, 'registered', null), runner(2, 'registered', null)] }, 'timer1:::clasificacion': { ultra: [runner(1, 'finished', 90_787_400), runner(2, 'dnf', null)] } },
    }],
  });
  ct = await startFakeChronoTrack({
    ...(CREDS.ctlive as { clientId: string; userId: string; password: string }),
    events: [{
      event_id: '4242', event_name: 'Cascade 100', extra: { event_timezone: 'America/Los_Angeles', location_city: 'Bend' },
      entries: fakeEntries(150).map((e) => ({ ...e, race_id: '301' })),
      races: [{ race_id: '301', race_name: '100 Miler', race_course_distance: '160934.4', race_pref_distance_unit: 'm', race_planned_start_time: '1767196800' }],
      results: [
        { results_entry_id: '9000000', results_race_id: '301', results_bib: '1', results_first_name: 'Runner0', results_last_name: 'Test', results_sex: 'F', results_age: '40', results_time: '25:13:07.4', results_gun_time: '25:13:07.4', results_rank: '1', results_race_name: '100 Miler', results_interval_name: 'Full Course' },
        { results_entry_id: '9000001', results_race_id: '301', results_bib: '2', results_first_name: 'Runner1', results_last_name: 'Test', results_sex: 'M', results_age: '41', results_time: 'DNF', results_gun_time: 'DNF', results_rank: '', results_race_name: '100 Miler', results_interval_name: 'Full Course' },
      ],
    }],
  });
  haku = await startFakeHaku({
    token: 'hk', organizationId: 'org-9',
    events: [{
      event: { id: 'ev-1', name: 'Seattle Marathon', start_date: '2025-11-30', time_zone: 'America/Los_Angeles', city: 'Seattle', state: 'WA', country: 'US', races: [{ id: 'r-full', name: 'Marathon', distance_meters: 42195, start_time: '2025-11-30T07:15:00-08:00', waves: ['A'] }] },
      registrations: Array.from({ length: 40 }, (_, i) => ({ id: `reg-${i}`, race_id: 'r-full', bib: i + 1, first_name: 'Hana', last_name: `Ku${i}`, gender: 'female', date_of_birth: '1995-07-07', email: null, city: 'Seattle', state: 'WA', country: 'US', team: null, status: 'active', created_at: '2025-02-01T00:00:00Z', updated_at: '2025-02-02T00:00:00Z' })),
      results: [{ id: 'res-1', registration_id: 'reg-0', race_id: 'r-full', bib: 1, gender: 'F', status: 'finished', chip_time: '2:59:59.9', gun_time: '3:00:10', overall_place: 1, gender_place: 1, splits: [{ name: 'Half', distance_meters: 21097.5, time: '1:29:00' }] }],
    }],
  });
  const baseUrls: ProviderBaseUrls = {
    ...DEFAULT_BASE_URLS,
    raceroster: rr.baseUrl, racerosterResults: rr.resultsBaseUrl, active: active.baseUrl, eventbrite: eb.baseUrl, copernico: cop.baseUrl, ctlive: ct.baseUrl, haku: haku.baseUrl,
  };
  connections = new ProviderConnections(t.db, box, baseUrls, { maxAttempts: 1 });
  const registry = registerSyncHandler(new JobRegistry(), syncPullHandler({ db: t.db, box, baseUrls, adapterOptions: { retryBaseMs: 1, maxRetryDelayMs: 50 } }));
  worker = new JobWorker({ db: t.db, registry, log, leaseMs: 5000, pollMs: 50, shutdownMs: 2000 });
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  for (const f of [rr, active, eb, cop, haku]) await f?.close();
  await ct?.close();
  await t?.drop();
});

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await sleep(25);
  }
}
const jobDone = (id: number) =>
  waitFor(async () => {
    const r = (await t.owner.query<{ state: string; last_error: string | null }>('SELECT state, last_error FROM jobs WHERE id = $1', [id])).rows[0];
    return r && ['done', 'failed', 'cancelled'].includes(r.state) ? r : undefined;
  });
const count = async (table: string, partner: number, provider: string) =>
  Number((await t.owner.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE partner_id = $1 AND provider = $2`, [partner, provider])).rows[0]!.n);

async function syncOnce(partner: number, provider: keyof typeof CREDS, eventId: string): Promise<SyncRunRow> {
  const conn = (await connections.list(partner)).find((c) => c.provider === provider) ?? (await connections.create(partner, provider, CREDS[provider]));
  const job = await connections.syncNow(partner, conn.id, eventId);
  expect(await jobDone(job.id)).toMatchObject({ state: 'done', last_error: null });
  const runs = await withPartner(t.db, partner, (tx) => listSyncRuns(tx, partner, { limit: 50 }));
  return runs.find((r) => r.job_id === job.id)!;
}

describe('each provider synced through its queue job', () => {
  it('Race Roster: OAuth, participants and results', async () => {
    const run = await syncOnce(a, 'raceroster', '777');
    expect(run).toMatchObject({ status: 'done', provider: 'raceroster', mode: 'full' });
    // 120 registrations + one entry made from the result naming no registration (Dee Nef).
    expect(await count('entries', a, 'raceroster')).toBe(121);
    expect(await count('results', a, 'raceroster')).toBe(2);
    const dnf = (await t.owner.query(`SELECT status FROM results WHERE partner_id = $1 AND provider = 'raceroster' AND chip_time_ms IS NULL AND gun_time_ms IS NULL`, [a])).rows;
    expect(dnf).toEqual([{ status: 'DNF' }]);
    // History counts registrations and results (an entry made from a result is the result's).
    expect(run.count_new).toBe(120 + 2);
  });

  it('ACTIVE.com: registrations (no results)', async () => {
    const run = await syncOnce(a, 'active', GUID);
    expect(run).toMatchObject({ status: 'done', count_new: 30, count_failed: 0 });
    expect(await count('entries', a, 'active')).toBe(30);
    expect(await count('results', a, 'active')).toBe(0);
    const again = await syncOnce(a, 'active', GUID);
    expect(again).toMatchObject({ count_new: 0, count_updated: 0, count_unchanged: 30 });
  });

  it('Eventbrite: attendees over continuation pages, bib from the question, cursor kept', async () => {
    const run = await syncOnce(a, 'eventbrite', '5551');
    expect(run).toMatchObject({ status: 'done', count_new: 70, mode: 'full' });
    const bibs = (await t.owner.query<{ bib: string }>(`SELECT bib FROM entries WHERE partner_id = $1 AND provider = 'eventbrite' ORDER BY bib LIMIT 2`, [a])).rows.map((r) => r.bib);
    expect(bibs).toEqual(['500', '501']);
    const cursors = (await t.owner.query(`SELECT c.since FROM sync_cursors c JOIN provider_connections p ON p.id = c.connection_id WHERE c.partner_id = $1 AND p.provider = 'eventbrite'`, [a])).rows;
    expect(cursors).toHaveLength(1);
    const again = await syncOnce(a, 'eventbrite', '5551');
    expect(again.mode).toBe('incremental');
    expect(eb.requests.filter((r) => r.path.includes('/attendees/')).at(-1)!.query.get('changed_since')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('Copernico: double-encoded names repaired, results past 24 h', async () => {
    const run = await syncOnce(a, 'copernico', 'ultra-pirineu-2025');
    expect(run.status).toBe('done');
    const rows = (await t.owner.query(`SELECT e.first_name, r.status, r.chip_time_ms::int AS chip FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.partner_id = $1 AND r.provider = 'copernico' ORDER BY e.bib`, [a])).rows;
    expect(rows).toEqual([
      { first_name: 'José María', status: 'finished', chip: 90_777_400 },
      { first_name: 'José María', status: 'DNF', chip: null },
    ]);
  });

  it('ChronoTrack Live: entries and results (numbers as strings, SHA-1 password)', async () => {
    const run = await syncOnce(a, 'ctlive', '4242');
    expect(run).toMatchObject({ status: 'done', count_new: 150 + 2 });
    const rows = (await t.owner.query(`SELECT e.bib, r.status, r.chip_time_ms::bigint::text AS chip FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.partner_id = $1 AND r.provider = 'ctlive' ORDER BY e.bib`, [a])).rows;
    expect(rows).toEqual([
      { bib: '1', status: 'finished', chip: String(25 * 3_600_000 + 13 * 60_000 + 7400) },
      { bib: '2', status: 'DNF', chip: null },
    ]);
    expect(ct.requests.every((r) => !r.query.toString().includes('p%C3%A4ssword'))).toBe(true);
  });

  it('Haku: registrations, results with splits, incremental by updated_since', async () => {
    const run = await syncOnce(a, 'haku', 'ev-1');
    expect(run).toMatchObject({ status: 'done', count_new: 40 + 1 });
    expect(await count('splits', a, 'haku')).toBe(1);
    const again = await syncOnce(a, 'haku', 'ev-1');
    expect(again).toMatchObject({ mode: 'incremental', count_new: 0, count_updated: 0 });
  });
});

describe('cross-tenant', () => {
  it("B's sync of the same provider event makes B's rows and never touches A's; B's job naming A's connection finds nothing", async () => {
    const before = (await t.owner.query(`SELECT id, updated_at FROM entries WHERE partner_id = $1 AND provider = 'haku' ORDER BY id`, [a])).rows;
    const aHistory = (await t.owner.query('SELECT count(*)::int AS n FROM sync_history WHERE partner_id = $1', [a])).rows[0];
    const run = await syncOnce(b, 'haku', 'ev-1');
    expect(run).toMatchObject({ status: 'done', mode: 'full', count_new: 41 });
    expect(await count('entries', b, 'haku')).toBe(40);
    expect((await t.owner.query(`SELECT id, updated_at FROM entries WHERE partner_id = $1 AND provider = 'haku' ORDER BY id`, [a])).rows).toEqual(before);
    expect((await t.owner.query('SELECT count(*)::int AS n FROM sync_history WHERE partner_id = $1', [a])).rows[0]).toEqual(aHistory);
    // B's own cursor; A's untouched.
    expect((await t.owner.query(`SELECT partner_id FROM sync_cursors c WHERE c.partner_id = $1`, [b])).rows).toHaveLength(1);

    const aConn = (await connections.list(a)).find((c) => c.provider === 'haku')!;
    const job = await withPartner(t.db, b, (tx) =>
      enqueueJob(tx, syncJobs.haku, { scheduleId: null, connectionId: aConn.id, provider: 'haku', externalEventId: 'ev-1', direction: 'pull', trigger: 'manual' }, { partnerId: b }),
    );
    const r = await jobDone(job.id);
    expect(r.state).toBe('failed');
    expect(r.last_error).toMatch(/No haku connection/);
    expect((await t.owner.query(`SELECT id, updated_at FROM entries WHERE partner_id = $1 AND provider = 'haku' ORDER BY id`, [a])).rows).toEqual(before);
    // Under B's scope, nothing of A's is visible.
    expect((await withPartner(t.db, b, (tx) => tx.query('SELECT DISTINCT partner_id FROM entries'))).rows).toEqual([{ partner_id: b }]);
    expect((await withPartner(t.db, b, (tx) => tx.query('SELECT DISTINCT partner_id FROM sync_cursors'))).rows).toEqual([{ partner_id: b }]);
  });
});

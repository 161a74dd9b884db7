/**
 * The pull sync end to end: a partner's connection (sealed), a sync enqueued on the real
 * queue, a real worker running the sync.<provider> job against a loopback fake provider, rows
 * landing in the warehouse on a real database. A second run updates in place, a 429 beyond
 * what the adapter waits retries the job after Retry-After, refused credentials fail at once,
 * and the other partner sees none of it.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox } from '../accounts/secret-box.js';
import { withPartner } from '../db/tenant.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger } from '../log.js';
import { DEFAULT_BASE_URLS } from '../providers/index.js';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRsuRace, type FakeRunSignUp } from '../providers/runsignup/fake-server.js';
import { startFakeUltraSignup, type FakeUltraSignup } from '../providers/ultrasignup/fake-server.js';
import { DEFAULT_SYNC_CADENCE, parseSyncCadence } from './sync-cadence.js';
import { ProviderConnections } from './provider-connections.service.js';
import { enqueueDueSyncs, SyncSchedules } from './sync-schedules.service.js';
import { listSyncRuns } from './sync-history.repo.js';
import { registerSyncHandler } from './sync-jobs.js';
import { syncPullHandler } from './sync-pull.js';

const log = createLogger('silent');
const box = new SecretBox(randomBytes(32));
const CREDS = { apiKey: 'key-1', apiSecret: 'sekrit-1' };
let t: TestDatabase;
let a: number;
let b: number;
let rsu: FakeRunSignUp;
let us: FakeUltraSignup;
let worker: JobWorker;
let connections: ProviderConnections;

function rsuRace(): FakeRsuRace {
  return {
    race_id: 98765,
    name: 'Boise Half',
    next_date: '07/26/2025',
    timezone: 'America/Boise',
    address: { city: 'Boise', state: 'ID', country_code: 'US' },
    events: [
      {
        event_id: 111,
        name: 'Half Marathon',
        start_time: '7/26/2025 07:30',
        distance: '13.1 Miles',
        participants: fakeRsuParticipants(5, { idBase: 1000 }),
        result_sets: [
          {
            individual_result_set_id: 555,
            individual_result_set_name: 'Overall',
            results_headers: { place: 'Place', clock_time: 'Clock Time', 'split-8841': 'Mile 1' },
            results: [
              { result_id: 1, place: 1, bib: '7', first_name: 'Ann', last_name: 'Fast', gender: 'F', age: 31, clock_time: '16:05.3', chip_time: '16:04.9', 'split-8841': '5:09.8' },
              { result_id: 2, place: 2, bib: '8', first_name: 'Ulla', last_name: 'Tra', gender: 'M', age: 45, clock_time: '25:13:07.2', chip_time: '25:13:01', 'split-8841': '' },
              { result_id: 3, place: '', bib: '9', first_name: 'Dee', last_name: 'Nef', gender: 'Female', age: 50, clock_time: 'DNF', chip_time: '', 'split-8841': '6:00' },
            ],
          },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  const p = await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('pull-a', 'A'), ('pull-b', 'B') RETURNING id`);
  [a, b] = p.rows.map((r) => r.id) as [number, number];
  rsu = await startFakeRunSignUp({ ...CREDS, races: [rsuRace()] });
  us = await startFakeUltraSignup({
    editions: [
      {
        edition: { EventId: 12, EventDateId: 104512, EventName: 'Leadville 100', EventDate: '/Date(1755302400000)/', City: 'Leadville', State: 'CO', Distances: [{ DistanceId: 9001, DistanceName: '100 Miler', StartTime: '/Date(1755327600000-0600)/' }] },
        entrants: { '9001': [{ participant_id: 1, bib: '1', firstname: 'Ann', lastname: 'Ultra', gender: 'F', age: '39', city: 'Leadville', state: 'CO' }, { participant_id: 2, bib: '2', firstname: 'Bo', lastname: 'Long', gender: 'M', age: '50' }] },
        results: {
          '9001': [
            { participant_id: 1, place: 1, gender_place: 1, age: 39, bib: '1', firstname: 'Ann', lastname: 'Ultra', gender: 'F', status: 1, time: '90787400', formattime: '' },
            { participant_id: 2, place: 0, gender_place: 0, age: 50, bib: '2', firstname: 'Bo', lastname: 'Long', gender: 'M', status: 2, time: '0', formattime: '' },
          ],
        },
      },
    ],
  });
  const baseUrls = { ...DEFAULT_BASE_URLS, runsignup: rsu.baseUrl, ultrasignup: us.baseUrl };
  connections = new ProviderConnections(t.db, box, baseUrls, { maxAttempts: 1 });
  const registry = registerSyncHandler(new JobRegistry(), syncPullHandler({ db: t.db, box, baseUrls, adapterOptions: { retryBaseMs: 1, maxRetryDelayMs: 200 } }));
  worker = new JobWorker({ db: t.db, registry, log, leaseMs: 5000, pollMs: 50, shutdownMs: 2000 });
  await worker.start();
});
afterEach(() => {
  rsu.faults.rateLimitNext = 0;
  rsu.faults.failNext = 0;
});
afterAll(async () => {
  await worker?.stop();
  await rsu?.close();
  await us?.close();
  await t?.drop();
});

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
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
    const r = (await t.owner.query<{ state: string; attempts: number; last_error: string | null }>('SELECT state, attempts, last_error FROM jobs WHERE id = $1', [id])).rows[0];
    return r && ['done', 'failed', 'cancelled'].includes(r.state) ? r : undefined;
  });
const count = async (table: string, partner: number, provider: string) =>
  Number((await t.owner.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE partner_id = $1 AND provider = $2`, [partner, provider])).rows[0]!.n);

describe('provider connections', () => {
  it('seals credentials, never answers the secret, and refuses a second connection of a provider', async () => {
    const c = await connections.create(a, 'runsignup', CREDS);
    expect(c).toMatchObject({ provider: 'runsignup', public_fields: { apiKey: 'key-1' } });
    expect(JSON.stringify(c)).not.toContain('sekrit-1');
    const stored = (await t.owner.query<{ credentials_sealed: string }>('SELECT credentials_sealed FROM provider_connections WHERE id = $1', [c.id])).rows[0]!;
    expect(stored.credentials_sealed).not.toContain('sekrit-1');
    expect(JSON.parse(box.open(stored.credentials_sealed))).toEqual(CREDS);
    await expect(connections.create(a, 'runsignup', CREDS)).rejects.toMatchObject({ code: 'conflict' });
    await expect(connections.create(a, 'runsignup', { apiKey: 'x' })).rejects.toMatchObject({ code: 'bad_request' });
    expect(await connections.list(b)).toEqual([]);
    await expect(connections.test(b, c.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('tests a connection with one call and says what failed', async () => {
    const [c] = await connections.list(a);
    expect(await connections.test(a, c!.id)).toMatchObject({ ok: true, kind: null, connection: { last_test_error: null } });
    const bad = await connections.create(b, 'runsignup', { apiKey: 'key-1', apiSecret: 'wrong' });
    const out = await connections.test(b, bad.id);
    expect(out).toMatchObject({ ok: false, kind: 'auth' });
    expect(out.connection.last_test_error).toBe(out.message);
  });
});

describe('sync.pull through the queue', () => {
  it('pulls a RunSignUp event into the warehouse, then a second run updates in place', async () => {
    const [c] = await connections.list(a);
    const job = await connections.syncNow(a, c!.id, '98765');
    expect(await jobDone(job.id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(await count('results_events', a, 'runsignup')).toBe(1);
    expect(await count('races', a, 'runsignup')).toBe(1);
    // 5 registrations + 3 results matched to no registration (by id or bib): entries made from the results.
    // History counts the registrations and the results (5 + 3).
    const entries = await count('entries', a, 'runsignup');
    expect(entries).toBe(8);
    expect(await count('results', a, 'runsignup')).toBe(3);
    expect(await count('splits', a, 'runsignup')).toBeGreaterThanOrEqual(2);
    const ev = (await t.owner.query('SELECT name, start_date::text, city, raw IS NOT NULL AS raw FROM results_events WHERE partner_id = $1', [a])).rows[0];
    expect(ev).toEqual({ name: 'Boise Half', start_date: '2025-07-26', city: 'Boise', raw: true });
    const ultra = (await t.owner.query(`SELECT r.status, r.chip_time_ms::int AS chip FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.partner_id = $1 AND e.last_name = 'Tra'`, [a])).rows[0];
    expect(ultra).toEqual({ status: 'finished', chip: 25 * 3_600_000 + 13 * 60_000 + 1000 });
    const dnf = (await t.owner.query(`SELECT r.status FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.partner_id = $1 AND e.last_name = 'Nef'`, [a])).rows[0];
    expect(dnf).toEqual({ status: 'DNF' });
    const [run] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { limit: 5 }));
    expect(run).toMatchObject({ status: 'done', provider: 'runsignup', external_event_id: '98765', trigger: 'manual', count_new: 5 + 3, count_updated: 0, job_id: job.id });

    const ids = (await t.owner.query('SELECT id FROM entries WHERE partner_id = $1 ORDER BY id', [a])).rows;
    const again = await connections.syncNow(a, c!.id, '98765');
    expect(again.id).not.toBe(job.id);
    expect(await jobDone(again.id)).toMatchObject({ state: 'done' });
    expect(await count('entries', a, 'runsignup')).toBe(entries);
    expect(await count('results', a, 'runsignup')).toBe(3);
    expect((await t.owner.query('SELECT id FROM entries WHERE partner_id = $1 ORDER BY id', [a])).rows).toEqual(ids);
    const [second] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { limit: 5 }));
    expect(second).toMatchObject({ status: 'done', count_new: 0, count_updated: 0, count_unchanged: 5 + 3, job_id: again.id });
    // Partner B's rows: none.
    expect(await count('entries', b, 'runsignup')).toBe(0);
    expect((await withPartner(t.db, b, (tx) => tx.query('SELECT id FROM entries'))).rows).toEqual([]);
  });

  it('retries the job after Retry-After when the provider answers 429 beyond what the adapter waits', async () => {
    const [c] = await connections.list(a);
    rsu.faults.rateLimitNext = 1;
    rsu.faults.retryAfter = '1';
    const started = Date.now();
    const job = await connections.syncNow(a, c!.id, '98765');
    expect(await jobDone(job.id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const runs = (await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { limit: 10 }))).filter((r) => r.job_id === job.id);
    expect(runs.map((r) => r.status)).toEqual(['done', 'failed']);
    expect(runs[1]!.errors[0]!.message).toMatch(/RunSignUp/);
  });

  it('fails at once on refused credentials, and on an unknown event', async () => {
    const [c] = await connections.list(b);
    const job = await connections.syncNow(b, c!.id, '98765');
    expect(await jobDone(job.id)).toMatchObject({ state: 'failed', attempts: 1 });
    const [aConn] = await connections.list(a);
    const unknown = await connections.syncNow(a, aConn!.id, '424242');
    expect(await jobDone(unknown.id)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await count('entries', b, 'runsignup')).toBe(0);
  });

  it('pulls an UltraSignup event (no credentials): entries and results linked by participant id', async () => {
    const c = await connections.create(b, 'ultrasignup', {});
    const job = await connections.syncNow(b, c.id, '104512');
    expect(await jobDone(job.id)).toMatchObject({ state: 'done' });
    expect(await count('entries', b, 'ultrasignup')).toBe(2);
    const rows = (await t.owner.query(
      `SELECT e.external_id, e.bib, r.status, r.chip_time_ms::int AS chip FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.partner_id = $1 ORDER BY e.external_id`,
      [b],
    )).rows;
    expect(rows).toEqual([
      { external_id: '1', bib: '1', status: 'finished', chip: 90787400 },
      { external_id: '2', bib: '2', status: 'DNF', chip: null },
    ]);
    expect(await count('entries', a, 'ultrasignup')).toBe(0);
  });

  it('runs the scheduler’s sync of a connected event with the partner’s connection for that provider', async () => {
    const cadence = parseSyncCadence(DEFAULT_SYNC_CADENCE);
    const s = await new SyncSchedules(t.db, cadence).upsert(b, { provider: 'ultrasignup', externalEventId: '104512', startsAt: null });
    expect(await enqueueDueSyncs(t.db, cadence, log)).toBe(1);
    const jobId = Number((await t.owner.query<{ last_job_id: number }>('SELECT last_job_id FROM sync_schedules WHERE id = $1', [s.id])).rows[0]!.last_job_id);
    expect(await jobDone(jobId)).toMatchObject({ state: 'done' });
    const [run] = await withPartner(t.db, b, (tx) => listSyncRuns(tx, b, { scheduleId: s.id, limit: 5 }));
    expect(run).toMatchObject({ status: 'done', trigger: 'schedule', provider: 'ultrasignup', count_new: 0, count_updated: 0, count_unchanged: 4 });
    expect(await count('entries', b, 'ultrasignup')).toBe(2);
  });
});

/**
 * Pushing warehouse results back through the queue job: RunSignUp full-results and CTLive race
 * results against their loopback fakes, from rows the pull stored; refusals for providers that
 * take no results, a missing result set, and another partner's warehouse event.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox } from '../accounts/secret-box.js';
import { withPartner } from '../db/tenant.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger } from '../log.js';
import { DEFAULT_BASE_URLS } from '../providers/index.js';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack } from '../providers/chronotrack/fake-server.js';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRunSignUp } from '../providers/runsignup/fake-server.js';
import { ProviderConnections } from './provider-connections.service.js';
import { listSyncRuns } from './sync-history.repo.js';
import { registerSyncHandler } from './sync-jobs.js';
import { syncPullHandler } from './sync-pull.js';

const log = createLogger('silent');
const box = new SecretBox(randomBytes(32));
let t: TestDatabase;
let a: number;
let b: number;
let rsu: FakeRunSignUp;
let ct: FakeChronoTrack;
let worker: JobWorker;
let connections: ProviderConnections;

beforeAll(async () => {
  t = await createTestDatabase();
  const p = await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('push-a', 'A'), ('push-b', 'B') RETURNING id`);
  [a, b] = p.rows.map((r) => r.id) as [number, number];
  const participants = fakeRsuParticipants(3, { idBase: 1000 });
  rsu = await startFakeRunSignUp({
    apiKey: 'k', apiSecret: 's',
    races: [{
      race_id: 98765, name: 'Boise Half', next_date: '07/26/2025', timezone: 'America/Boise', address: { city: 'Boise', state: 'ID', country_code: 'US' },
      events: [{
        event_id: 111, name: 'Half', start_time: '7/26/2025 07:30', distance: '13.1 Miles', participants,
        result_sets: [{
          individual_result_set_id: 555, individual_result_set_name: 'Overall', results_headers: { place: 'Place', 'split-8841': 'Mile 1' },
          results: [
            { result_id: 1, registration_id: 1000, place: 1, bib: '1', first_name: 'First0', last_name: 'Last0', gender: 'F', age: 20, clock_time: '1:10:05.3', chip_time: '1:10:04.9', 'split-8841': '5:09.8' },
            { result_id: 2, registration_id: 1001, place: 2, bib: '2', first_name: 'First1', last_name: 'Last1', gender: 'M', age: 21, clock_time: '25:13:07.2', chip_time: '25:13:01' },
            { result_id: 3, registration_id: 1002, place: '', bib: '3', first_name: 'First2', last_name: 'Last2', gender: 'X', age: 22, clock_time: 'DNF', chip_time: '' },
          ],
        }],
      }],
    }],
  });
  ct = await startFakeChronoTrack({
    clientId: 'c', userId: 'u', password: 'p',
    events: [{
      event_id: '4242', event_name: 'Cascade 100', entries: fakeEntries(2).map((e) => ({ ...e, race_id: '301' })),
      races: [{ race_id: '301', race_name: '100 Miler', race_course_distance: '160934.4', race_pref_distance_unit: 'm', race_planned_start_time: '1767196800' }],
      results: [
        { results_entry_id: '9000000', results_race_id: '301', results_bib: '1', results_first_name: 'Runner0', results_last_name: 'Test', results_sex: 'F', results_age: '40', results_time: '25:13:07.4', results_gun_time: '25:13:09', results_rank: '1', results_race_name: '100 Miler', results_interval_name: 'Full Course' },
      ],
    }],
  });
  const baseUrls = { ...DEFAULT_BASE_URLS, runsignup: rsu.baseUrl, ctlive: ct.baseUrl };
  connections = new ProviderConnections(t.db, box, baseUrls, { maxAttempts: 1 });
  const registry = registerSyncHandler(new JobRegistry(), syncPullHandler({ db: t.db, box, baseUrls, adapterOptions: { retryBaseMs: 1, maxRetryDelayMs: 50 } }));
  worker = new JobWorker({ db: t.db, registry, log, leaseMs: 5000, pollMs: 50, shutdownMs: 2000 });
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await rsu?.close();
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
const warehouseEvent = async (partner: number, provider: string) =>
  Number((await t.owner.query<{ id: string }>('SELECT id FROM results_events WHERE partner_id = $1 AND provider = $2', [partner, provider])).rows[0]!.id);

describe('push results back', () => {
  it('RunSignUp: the warehouse event’s results to a result set, registration ids, times past 24 h, DNF, splits by their RunSignUp id', async () => {
    const conn = await connections.create(a, 'runsignup', { apiKey: 'k', apiSecret: 's' });
    expect(await jobDone((await connections.syncNow(a, conn.id, '98765')).id)).toMatchObject({ state: 'done' });
    const ev = await warehouseEvent(a, 'runsignup');
    await expect(connections.pushNow(a, conn.id, { externalEventId: '98765', raceExternalId: '111', warehouseEventId: ev })).rejects.toMatchObject({ code: 'bad_request' });
    const job = await connections.pushNow(a, conn.id, { externalEventId: '98765', raceExternalId: '111', warehouseEventId: ev, resultSetId: '555' });
    expect(await jobDone(job.id)).toMatchObject({ state: 'done', last_error: null });
    const posted = rsu.posted.get('555')!;
    expect(posted).toEqual([
      { bib_num: '1', registration_id: '1000', clock_time: '1:10:05.3', chip_time: '1:10:04.9', place: 1, 'split-8841': '0:05:09.8' },
      { bib_num: '2', registration_id: '1001', clock_time: '25:13:07.2', chip_time: '25:13:01.0', place: 2 },
      { bib_num: '3', registration_id: '1002', clock_time: 'DNF' },
    ].map((r) => expect.objectContaining(r)));
    const post = rsu.requests.find((r) => r.method === 'POST')!;
    expect(post.query.get('individual_result_set_id')).toBe('555');
    expect(post.query.get('event_id')).toBe('111');
    const [run] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { limit: 1 }));
    expect(run).toMatchObject({ direction: 'push', status: 'done', count_new: 3, count_failed: 0, job_id: job.id });
    expect(run!.notices[0]!.message).toMatch(/sent 3 result\(s\) of warehouse event \d+ to RunSignUp race 111 \(result set 555\); the provider stored 3/);
  });

  it('ChronoTrack Live: results to the race, entry ids, the finish interval', async () => {
    const conn = await connections.create(a, 'ctlive', { clientId: 'c', userId: 'u', password: 'p' });
    expect(await jobDone((await connections.syncNow(a, conn.id, '4242')).id)).toMatchObject({ state: 'done' });
    const job = await connections.pushNow(a, conn.id, { externalEventId: '4242', raceExternalId: '301', warehouseEventId: await warehouseEvent(a, 'ctlive') });
    expect(await jobDone(job.id)).toMatchObject({ state: 'done', last_error: null });
    expect(ct.pushed).toEqual([{ raceId: '301', row: expect.objectContaining({ results_bib: '1', results_entry_id: '9000000', results_time: '25:13:07.4', results_gun_time: '25:13:09.0', results_rank: '1' }) }]);
    const [run] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { limit: 1 }));
    expect(run).toMatchObject({ direction: 'push', status: 'done', provider: 'ctlive' });
  });

  it('refuses providers that take no results, and another partner’s warehouse event', async () => {
    const us = await connections.create(a, 'ultrasignup', {});
    await expect(connections.pushNow(a, us.id, { externalEventId: '1', raceExternalId: '1', warehouseEventId: await warehouseEvent(a, 'runsignup') })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/does not accept results/) });
    const bConn = await connections.create(b, 'runsignup', { apiKey: 'k', apiSecret: 's' });
    const before = rsu.posted.get('555')!.length;
    await expect(connections.pushNow(b, bConn.id, { externalEventId: '98765', raceExternalId: '111', warehouseEventId: await warehouseEvent(a, 'runsignup'), resultSetId: '555' })).rejects.toMatchObject({ code: 'not_found' });
    expect(rsu.posted.get('555')!.length).toBe(before);
  });
});

/**
 * Pull semantics through the real queue and worker against the loopback RunSignUp: the cursor
 * (modified_after_timestamp, inclusive) makes the second pull incremental, history counts
 * new / updated / unchanged, a hand edit is kept and said, a registration gone at the provider
 * is marked (not dropped), an outage mid-sync leaves the previous data and cursor whole and
 * history says so, a SECRET_KEY that cannot open the credentials fails at once, and a synced
 * event feeds a chosen roster (hand edits on the roster kept, removals marked).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox } from '../accounts/secret-box.js';
import { withPartner } from '../db/tenant.js';
import { enqueueJob, JobQueue } from '../jobs/queue.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger } from '../log.js';
import { DEFAULT_BASE_URLS } from '../providers/index.js';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRsuRace, type FakeRunSignUp } from '../providers/runsignup/fake-server.js';
import { Rosters } from '../rosters/roster.service.js';
import { ProviderConnections } from './provider-connections.service.js';
import { DEFAULT_SYNC_CADENCE, parseSyncCadence } from './sync-cadence.js';
import { listSyncRuns, type SyncRunRow } from './sync-history.repo.js';
import { enqueueDueSyncs, SyncSchedules } from './sync-schedules.service.js';
import { registerSyncHandler, syncJobs } from './sync-jobs.js';
import { syncPullHandler } from './sync-pull.js';
import { editEntryByHand } from './sync-warehouse.repo.js';

const log = createLogger('silent');
const box = new SecretBox(randomBytes(32));
const CREDS = { apiKey: 'key-s', apiSecret: 'sekrit-s' };
let t: TestDatabase;
let a: number;
let b: number;
let rsu: FakeRunSignUp;
let worker: JobWorker;
let connections: ProviderConnections;
let connId: number;
let race: FakeRsuRace;
const people = () => race.events[0]!.participants as Array<Record<string, unknown> & { user: Record<string, unknown> }>;

beforeAll(async () => {
  t = await createTestDatabase();
  const p = await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('sem-a', 'A'), ('sem-b', 'B') RETURNING id`);
  [a, b] = p.rows.map((r) => r.id) as [number, number];
  race = {
    race_id: 4242,
    name: 'Cursor 10K',
    next_date: '07/26/2025',
    timezone: 'America/Boise',
    address: { city: 'Boise', state: 'ID', country_code: 'US' },
    events: [
      {
        event_id: 71,
        name: '10K',
        start_time: '7/26/2025 08:00',
        distance: '10 K',
        participants: [...fakeRsuParticipants(5, { idBase: 1, modified: 1000 }), ...fakeRsuParticipants(1, { idBase: 100, modified: 2000 })],
        result_sets: [{ individual_result_set_id: 9, individual_result_set_name: 'Overall', results_headers: { place: 'Place' }, results: [{ result_id: 1, place: 1, bib: '1', first_name: 'First0', last_name: 'Last0', gender: 'F', age: 20, clock_time: '40:00', chip_time: '39:58' }] }],
      },
    ],
  };
  // Distinct bibs (fakeRsuParticipants numbers bibs from 1 per call).
  people()[5]!.bib_num = '100';
  rsu = await startFakeRunSignUp({ ...CREDS, races: [race] });
  const baseUrls = { ...DEFAULT_BASE_URLS, runsignup: rsu.baseUrl };
  connections = new ProviderConnections(t.db, box, baseUrls, { maxAttempts: 1 });
  connId = (await connections.create(a, 'runsignup', CREDS)).id;
  const registry = registerSyncHandler(new JobRegistry(), syncPullHandler({ db: t.db, box, baseUrls, adapterOptions: { retryBaseMs: 1, maxRetryDelayMs: 20, maxAttempts: 2 } }));
  worker = new JobWorker({ db: t.db, registry, log, leaseMs: 5000, pollMs: 50, shutdownMs: 2000 });
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await rsu?.close();
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
const jobState = (id: number, states: string[]) =>
  waitFor(async () => {
    const r = (await t.owner.query<{ state: string; attempts: number; last_error: string | null }>('SELECT state, attempts, last_error FROM jobs WHERE id = $1', [id])).rows[0];
    return r && states.includes(r.state) ? r : undefined;
  });
const lastRun = async (partner = a): Promise<SyncRunRow> => (await withPartner(t.db, partner, (tx) => listSyncRuns(tx, partner, { limit: 1 })))[0]!;
async function sync(opts: { full?: boolean; rosterEventId?: number } = {}): Promise<SyncRunRow> {
  const job = await connections.syncNow(a, connId, '4242', opts);
  expect(await jobState(job.id, ['done', 'failed', 'cancelled'])).toMatchObject({ state: 'done' });
  return lastRun();
}
const entry = async (externalId: string) =>
  (await t.owner.query<{ id: number; first_name: string; last_name: string; removed: boolean; edited_fields: string[] }>(
    `SELECT id, first_name, last_name, removed_at IS NOT NULL AS removed, edited_fields FROM entries WHERE partner_id = $1 AND provider = 'runsignup' AND external_id = $2`,
    [a, externalId],
  )).rows[0];
const sinceAsked = () => rsu.requests.filter((r) => r.path.endsWith('/participants')).map((r) => r.query.get('modified_after_timestamp'));

describe('pull semantics', () => {
  it('first pull is full and stores the cursor; the next is incremental from the inclusive watermark, counting unchanged', async () => {
    const first = await sync();
    expect(first).toMatchObject({ status: 'done', mode: 'full', count_new: 6 + 1, count_updated: 0, count_unchanged: 0, count_removed: 0 });
    const cur = (await t.owner.query('SELECT since FROM sync_cursors WHERE partner_id = $1 AND connection_id = $2', [a, connId])).rows[0];
    expect(cur).toEqual({ since: '2000' });

    const p = people()[2]!;
    p.user = { ...p.user, last_name: 'Changed' };
    p.last_modified = 2500;
    rsu.requests.length = 0;
    const second = await sync();
    // Asked from 2000 (inclusive): registration 100 (at 2000) comes again, unchanged; 3 is updated; the result is unchanged.
    expect(sinceAsked()).toEqual(['2000']);
    expect(second).toMatchObject({ status: 'done', mode: 'incremental', count_new: 0, count_updated: 1, count_unchanged: 1 + 1, count_removed: 0 });
    expect((await entry('3'))!.last_name).toBe('Changed');
    expect((await t.owner.query('SELECT since FROM sync_cursors WHERE partner_id = $1', [a])).rows[0]).toEqual({ since: '2500' });
  });

  it('keeps a hand edit against the provider and says so in the run', async () => {
    const e = await entry('2');
    expect(await withPartner(t.db, a, (tx) => editEntryByHand(tx, a, e!.id, { first_name: 'Edie' }))).toBe(true);
    const p = people()[1]!;
    p.user = { ...p.user, first_name: 'Provider', last_name: 'Newlast' };
    p.last_modified = 2600;
    const run = await sync();
    expect(run).toMatchObject({ status: 'done', count_updated: 1, count_kept: 1 });
    expect(await entry('2')).toMatchObject({ first_name: 'Edie', last_name: 'Newlast', edited_fields: ['first_name'] });
    expect(run.notices).toEqual([expect.objectContaining({ record: '2', field: 'first_name', message: expect.stringMatching(/kept the hand edit of first_name \("Edie"\); the provider says "Provider"/) })]);
  });

  it('marks a registration the provider no longer lists (a full pull), and unmarks it when it is back', async () => {
    const gone = people().splice(3, 1)[0]!;
    const incremental = await sync();
    expect(incremental).toMatchObject({ mode: 'incremental', count_removed: 0 });
    const run = await sync({ full: true });
    expect(run).toMatchObject({ status: 'done', mode: 'full', count_removed: 1 });
    expect(run.notices.map((n) => n.message).join('\n')).toMatch(/1 registration\(s\) no longer listed by the provider are marked removed.*: 4/);
    expect(await entry('4')).toMatchObject({ removed: true, first_name: 'First3' });
    people().push(gone);
    const back = await sync({ full: true });
    expect(back).toMatchObject({ count_removed: 0, count_updated: 1 });
    expect(await entry('4')).toMatchObject({ removed: false });
  });

  it('an outage mid-sync (a page failing after retries) writes nothing, keeps the cursor, and history says so', async () => {
    const before = (await t.owner.query('SELECT since FROM sync_cursors WHERE partner_id = $1', [a])).rows[0];
    const p = people()[0]!;
    p.user = { ...p.user, last_name: 'NotYet' };
    p.last_modified = 2700;
    rsu.faults.failMatching = /get-results/;
    try {
      const job = await connections.syncNow(a, connId, '4242');
      const failed = await waitFor(async () => {
        const r = (await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { limit: 1 })))[0]!;
        return r.job_id === job.id && r.status === 'failed' ? r : undefined;
      });
      expect(failed.errors[0]!.message).toMatch(/nothing was written: the previous data is kept/);
      expect(failed.errors[0]!.message).toMatch(/stopped after 1 page/);
      expect(failed.mode).toBe('incremental');
      // A transient failure: the job waits to retry; cancel it.
      expect((await new JobQueue(t.db).cancel(a, job.id))?.state).toMatch(/cancelled|active/);
      await jobState(job.id, ['cancelled', 'failed', 'done']);
    } finally {
      rsu.faults.failMatching = null;
    }
    expect((await entry('1'))!.last_name).toBe('Last0');
    expect((await t.owner.query('SELECT since FROM sync_cursors WHERE partner_id = $1', [a])).rows[0]).toEqual(before);
    // The next sync catches up.
    await sync();
    expect((await entry('1'))!.last_name).toBe('NotYet');
  });

  it('fails at once, saying why, when this SECRET_KEY cannot open the credentials', async () => {
    const other = new SecretBox(randomBytes(32));
    await withPartner(t.db, b, (tx) =>
      tx.query(`INSERT INTO provider_connections (partner_id, provider, credentials_sealed) VALUES ($1, 'runsignup', $2)`, [b, other.seal(JSON.stringify(CREDS))]),
    );
    const [c] = await connections.list(b);
    const job = await connections.syncNow(b, c!.id, '4242');
    const r = await jobState(job.id, ['done', 'failed', 'cancelled']);
    expect(r).toMatchObject({ state: 'failed', attempts: 1 });
    expect(r.last_error).toMatch(/credentials cannot be opened: this SECRET_KEY cannot open a stored secret/);
    expect((await lastRun(b)).status).toBe('failed');
    // "Test connection" says the same instead of throwing.
    expect(await connections.test(b, c!.id)).toMatchObject({ ok: false, kind: 'secret_key', message: expect.stringMatching(/cannot be opened: this SECRET_KEY/) });
    expect(Number((await t.owner.query('SELECT count(*) AS n FROM entries WHERE partner_id = $1', [b])).rows[0]!.n)).toBe(0);
  });
});

describe('roster feeding', () => {
  it('feeds the chosen roster; hand edits on the roster are kept and said; removals are marked', async () => {
    const rosters = new Rosters(t.db);
    const ev = await rosters.createEvent(a, { name: 'Display roster' });
    const run = await sync({ rosterEventId: ev.id, full: true });
    expect(run.status).toBe('done');
    const roster = async () =>
      (await t.owner.query<{ id: number; external_id: string; bib: string; first_name: string; race: string | null; removed: boolean }>(
        'SELECT id, external_id, bib, first_name, race, removed_at IS NOT NULL AS removed FROM participants WHERE event_id = $1 ORDER BY external_id',
        [ev.id],
      )).rows;
    const rows = await roster();
    expect(rows.map((r) => r.external_id)).toEqual(['1', '100', '2', '3', '4', '5']);
    expect(rows.find((r) => r.external_id === '1')).toMatchObject({ bib: '1', race: '10K', removed: false });
    // The warehouse hand edit of entry 2 (first_name 'Edie') is the warehouse's; the roster has the provider's.
    expect(rows.find((r) => r.external_id === '2')!.first_name).toBe('Provider');

    const five = rows.find((r) => r.external_id === '5')!;
    await rosters.updateParticipant(a, five.id, { first_name: 'Typed' });
    const p = people().find((x) => x.registration_id === 5)!;
    p.user = { ...p.user, first_name: 'FromProvider' };
    p.last_modified = 2800;
    people().splice(people().findIndex((x) => x.registration_id === 3), 1);
    const again = await sync({ rosterEventId: ev.id, full: true });
    expect(again.notices.map((n) => n.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/roster bib 5: kept the hand edit of first_name \("Typed"\); the provider says "FromProvider"/), expect.stringMatching(/roster: 1 participant\(s\) no longer listed/)]),
    );
    const after = await roster();
    expect(after.find((r) => r.external_id === '5')!.first_name).toBe('Typed');
    expect(after.find((r) => r.external_id === '3')).toMatchObject({ removed: true });
    // Partner B's roster of the same name: untouched.
    expect((await withPartner(t.db, b, (tx) => tx.query('SELECT id FROM participants'))).rows).toEqual([]);
  });

  it('refuses a roster of another partner (not found for this one), writing nothing', async () => {
    const other = await new Rosters(t.db).createEvent(b, { name: 'B roster' });
    await expect(connections.syncNow(a, connId, '4242', { rosterEventId: other.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(connections.syncNow(a, connId, '4242', { warehouseEventId: 999_999 })).rejects.toMatchObject({ code: 'not_found' });
    // A job naming it anyway (a roster removed after the job was queued) fails at once.
    const job = await withPartner(t.db, a, (tx) =>
      enqueueJob(tx, syncJobs.runsignup, { scheduleId: null, connectionId: connId, provider: 'runsignup', externalEventId: '4242', direction: 'pull', trigger: 'manual', rosterEventId: other.id }, { partnerId: a }),
    );
    const r = await jobState(job.id, ['done', 'failed', 'cancelled']);
    expect(r).toMatchObject({ state: 'failed', attempts: 1 });
    expect(r.last_error).toMatch(/Roster event \d+ not found/);
    expect(Number((await t.owner.query('SELECT count(*) AS n FROM participants WHERE event_id = $1', [other.id])).rows[0]!.n)).toBe(0);
  });

  it('fills a chosen warehouse event, and a schedule carries the chosen warehouse event and roster to its job', async () => {
    const ev = (await t.owner.query<{ id: number }>(`INSERT INTO results_events (partner_id, provider, external_id, name) VALUES ($1, 'csv', 'mine', 'Typed-in 10K') RETURNING id::int`, [a])).rows[0]!.id;
    const job = await connections.syncNow(a, connId, '4242', { warehouseEventId: ev });
    expect(await jobState(job.id, ['done', 'failed'])).toMatchObject({ state: 'done' });
    const events = (await t.owner.query(`SELECT DISTINCT event_id::int AS e FROM entries WHERE partner_id = $1 AND provider = 'runsignup'`, [a])).rows;
    expect(events).toEqual([{ e: ev }]);
    expect((await t.owner.query('SELECT name FROM results_events WHERE id = $1', [ev])).rows[0]).toEqual({ name: 'Typed-in 10K' });

    const roster = await new Rosters(t.db).createEvent(a, { name: 'Scheduled roster' });
    const cadence = parseSyncCadence(DEFAULT_SYNC_CADENCE);
    const schedules = new SyncSchedules(t.db, cadence);
    const s = await schedules.upsert(a, { provider: 'runsignup', externalEventId: '4242', startsAt: null, warehouseEventId: ev, rosterEventId: roster.id });
    expect(s).toMatchObject({ warehouse_event_id: ev, roster_event_id: roster.id });
    // Another partner's roster: refused.
    const other = await new Rosters(t.db).createEvent(b, { name: 'B' });
    await expect(schedules.upsert(a, { provider: 'runsignup', externalEventId: '4242', startsAt: null, rosterEventId: other.id })).rejects.toMatchObject({ code: 'not_found' });
    await enqueueDueSyncs(t.db, cadence, log);
    const jobId = Number((await t.owner.query<{ last_job_id: number }>('SELECT last_job_id FROM sync_schedules WHERE id = $1', [s.id])).rows[0]!.last_job_id);
    expect((await t.owner.query('SELECT payload FROM jobs WHERE id = $1', [jobId])).rows[0]!.payload).toMatchObject({ warehouseEventId: ev, rosterEventId: roster.id, trigger: 'schedule' });
    expect(await jobState(jobId, ['done', 'failed'])).toMatchObject({ state: 'done' });
    expect(Number((await t.owner.query('SELECT count(*) AS n FROM participants WHERE event_id = $1', [roster.id])).rows[0]!.n)).toBeGreaterThan(0);
  });
});

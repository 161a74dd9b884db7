/**
 * Sync schedules, the scheduler and sync history on a real database, with an injected clock:
 * due schedules become sync jobs (one per schedule at a time), the cadence tightens towards
 * the start and ends an hour after it, "sync now", several schedulers at once, a test sync
 * handler registered through the entry point recording its runs, and partner isolation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { withPartner } from '../db/tenant.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger } from '../log.js';
import { DEFAULT_SYNC_CADENCE, parseSyncCadence } from './sync-cadence.js';
import { listSyncRuns } from './sync-history.repo.js';
import { recordSyncRun, registerSyncHandler, type SyncPayload } from './sync-jobs.js';
import { enqueueDueSyncs, SyncSchedules } from './sync-schedules.service.js';

const H = 3_600_000;
const M = 60_000;
const cadence = parseSyncCadence(DEFAULT_SYNC_CADENCE);
const log = createLogger('silent');
let t: TestDatabase;
let a: number;
let b: number;
let clock = new Date('2026-06-01T00:00:00Z');
let schedules: SyncSchedules;
const workers: JobWorker[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  const p = await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('sync-a', 'A'), ('sync-b', 'B') RETURNING id`);
  [a, b] = p.rows.map((r) => r.id) as [number, number];
  schedules = new SyncSchedules(t.db, cadence, () => clock);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  // Each test's clock is its own: earlier tests' schedules must not come due in a later one.
  await t.owner.query('UPDATE sync_schedules SET enabled = false');
});
afterAll(() => t?.drop());

const jobsOf = async (scheduleId: number) =>
  (await t.owner.query<{ id: number; queue: string; partner_id: number; state: string; payload: SyncPayload; due: boolean }>(
    `SELECT id, queue, partner_id, state, payload, run_at <= now() AS due FROM jobs WHERE queue LIKE 'sync.%' AND (payload->>'scheduleId')::int = $1 ORDER BY id`,
    [scheduleId],
  )).rows;
const scheduleRow = async (id: number) =>
  (await t.owner.query<{ next_run_at: Date | null; last_job_id: number | null; enabled: boolean }>('SELECT next_run_at, last_job_id, enabled FROM sync_schedules WHERE id = $1', [id])).rows[0]!;
const at = (d: Date, ms: number) => new Date(d.getTime() + ms);

describe('the scheduler', () => {
  it('enqueues a new schedule’s first sync at once, then follows the cadence towards the start', async () => {
    const start = new Date('2026-06-03T07:00:00Z');
    clock = at(start, -30 * H);
    const s = await schedules.upsert(a, { provider: 'runsignup', externalEventId: '123456', startsAt: start });
    expect(s).toMatchObject({ partner_id: a, provider: 'runsignup', direction: 'pull', enabled: true, next_run_at: clock });

    expect(await enqueueDueSyncs(t.db, cadence, log, clock)).toBe(1);
    const [job] = await jobsOf(s.id);
    expect(job).toMatchObject({
      queue: 'sync.runsignup',
      partner_id: a,
      state: 'queued',
      payload: { scheduleId: s.id, provider: 'runsignup', externalEventId: '123456', direction: 'pull', trigger: 'schedule' },
    });
    // 30 h before: every 4 h, so 26 h before.
    expect(await scheduleRow(s.id)).toMatchObject({ next_run_at: at(start, -26 * H), last_job_id: job!.id });
    expect(await enqueueDueSyncs(t.db, cadence, log, at(clock, H))).toBe(0);

    // Due again while the first sync still waits for a worker: it joins that one.
    clock = at(start, -26 * H);
    expect(await enqueueDueSyncs(t.db, cadence, log, clock)).toBe(1);
    expect(await jobsOf(s.id)).toHaveLength(1);
    expect(await scheduleRow(s.id)).toMatchObject({ next_run_at: at(start, -24 * H), last_job_id: job!.id });

    // Once it ran, the next due time brings a new job; the cadence keeps tightening.
    const syncsRan = () => t.owner.query(`UPDATE jobs SET state = 'done', finished_at = now(), secret = NULL WHERE queue LIKE 'sync.%' AND state = 'queued'`);
    for (const [when, next] of [
      [-24 * H, -24 * H + 15 * M],
      [-4 * H - 10 * M, -4 * H],
      [-4 * H, -4 * H + M],
      [59.5 * M, H],
    ] as const) {
      clock = at(start, when);
      await syncsRan();
      await t.owner.query('UPDATE sync_schedules SET next_run_at = $2 WHERE id = $1', [s.id, clock]);
      expect(await enqueueDueSyncs(t.db, cadence, log, clock)).toBe(1);
      expect((await scheduleRow(s.id)).next_run_at).toEqual(at(start, next));
    }
    expect((await jobsOf(s.id)).map((j) => j.state)).toEqual(['done', 'done', 'done', 'done', 'queued']);
    // An hour after the start: the last sync, and the schedule is over.
    clock = at(start, H);
    await syncsRan();
    expect(await enqueueDueSyncs(t.db, cadence, log, clock)).toBe(1);
    expect((await scheduleRow(s.id)).next_run_at).toBeNull();
    expect(await enqueueDueSyncs(t.db, cadence, log, at(clock, 10 * H))).toBe(0);
  });

  it('tightens an existing schedule when its race moves closer, and revives a finished one', async () => {
    clock = new Date('2026-07-01T00:00:00Z');
    const far = at(clock, 10 * 24 * H);
    const s = await schedules.upsert(a, { provider: 'raceroster', externalEventId: 'ev-9', startsAt: far });
    await enqueueDueSyncs(t.db, cadence, log, clock);
    expect((await scheduleRow(s.id)).next_run_at).toEqual(at(clock, 4 * H));
    const soon = at(clock, 2 * H);
    expect((await schedules.upsert(a, { provider: 'raceroster', externalEventId: 'ev-9', startsAt: soon })).next_run_at).toEqual(at(clock, M));
    await t.owner.query('UPDATE sync_schedules SET next_run_at = NULL WHERE id = $1', [s.id]);
    expect((await schedules.upsert(a, { provider: 'raceroster', externalEventId: 'ev-9', startsAt: far })).next_run_at).toEqual(at(clock, 4 * H));
  });

  it('enqueues each due schedule once when several workers’ schedulers run at the same moment', async () => {
    clock = new Date('2026-08-01T00:00:00Z');
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push((await schedules.upsert(i % 2 ? a : b, { provider: 'haku', externalEventId: `race-${i}`, startsAt: null })).id);
    const counts = await Promise.all([1, 2, 3].map(() => enqueueDueSyncs(t.db, cadence, log, clock)));
    expect(counts.reduce((x, y) => x + y, 0)).toBe(12);
    for (const id of ids) expect(await jobsOf(id)).toHaveLength(1);
  });

  it('pauses a schedule naming a provider it has no sync for, and skips paused ones', async () => {
    clock = new Date('2026-09-01T00:00:00Z');
    await t.owner.query(`INSERT INTO sync_schedules (partner_id, provider, external_event_id, next_run_at) VALUES ($1, 'strava', 'x', $2)`, [a, clock]);
    const s = await schedules.upsert(a, { provider: 'eventbrite', externalEventId: 'eb-1', startsAt: null });
    await schedules.setEnabled(a, s.id, false);
    expect(await enqueueDueSyncs(t.db, cadence, log, clock)).toBe(0);
    const strava = await t.owner.query<{ enabled: boolean }>(`SELECT enabled FROM sync_schedules WHERE provider = 'strava'`);
    expect(strava.rows).toEqual([{ enabled: false }]);
    expect(await jobsOf(s.id)).toEqual([]);
  });
});

describe('sync now', () => {
  it('enqueues at once (paused or not), joins a queued sync, and is refused for another partner’s schedule', async () => {
    clock = new Date('2026-10-01T00:00:00Z');
    const s = await schedules.upsert(a, { provider: 'ultrasignup', externalEventId: 'us-5', startsAt: null });
    await schedules.setEnabled(a, s.id, false);
    const first = await schedules.syncNow(a, s.id);
    expect(first.created).toBe(true);
    expect(await jobsOf(s.id)).toMatchObject([{ id: first.id, state: 'queued', due: true, payload: { trigger: 'manual' } }]);
    expect(await schedules.syncNow(a, s.id)).toEqual({ id: first.id, created: false });
    await expect(schedules.syncNow(b, s.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(schedules.setEnabled(b, s.id, true)).rejects.toMatchObject({ code: 'not_found' });
    await expect(schedules.remove(b, s.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await schedules.list(b)).map((x) => x.id)).not.toContain(s.id);
    expect(await scheduleRow(s.id)).toMatchObject({ enabled: false });
  });
});

describe('a sync handler through the entry point', () => {
  it('records its run in sync history, with its job’s progress while it runs', async () => {
    clock = new Date();
    const s = await schedules.upsert(a, { provider: 'copernico', externalEventId: 'cop-1', startsAt: null });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = registerSyncHandler(
      new JobRegistry(),
      async (payload, ctx) =>
        recordSyncRun(t.db, payload, ctx, async () => {
          ctx.progress(1, 2);
          await gate;
          ctx.progress(2, 2);
          return { counts: { new: 3, updated: 1, unchanged: 5, failed: 1, removed: 2 }, errors: [{ message: 'bib 12 twice', record: 'p-12' }] };
        }),
      ['copernico'],
    );
    const w = new JobWorker({ db: t.db, registry, log, leaseMs: 2000, pollMs: 50, shutdownMs: 2000 });
    await w.start();
    workers.push(w);
    const job = await schedules.syncNow(a, s.id);

    const running = await waitFor(async () => {
      const [run] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { scheduleId: s.id, limit: 5 }));
      return run?.progress_done === 1 ? run : undefined;
    });
    expect(running).toMatchObject({ status: 'running', job_id: job.id, provider: 'copernico', trigger: 'manual', progress_done: 1, progress_total: 2, finished_at: null });
    // The other partner sees none of it.
    expect(await withPartner(t.db, b, (tx) => listSyncRuns(tx, b, { limit: 50 }))).toEqual([]);
    expect((await withPartner(t.db, b, (tx) => tx.query('SELECT id FROM sync_history'))).rows).toEqual([]);
    release();
    const done = await waitFor(async () => {
      const [run] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { scheduleId: s.id, limit: 5 }));
      return run?.status === 'done' ? run : undefined;
    });
    expect(done).toMatchObject({
      count_new: 3,
      count_updated: 1,
      count_unchanged: 5,
      count_failed: 1,
      count_removed: 2,
      errors: [{ message: 'bib 12 twice', record: 'p-12' }],
      error_count: 1,
      progress_done: null,
    });
    expect(done.duration_ms).toBeGreaterThanOrEqual(0);
    expect(done.finished_at!.getTime()).toBeGreaterThanOrEqual(done.started_at.getTime());
  });

  it('records a failed run with its error, and the queue retries the sync later', async () => {
    const s = await schedules.upsert(a, { provider: 'active', externalEventId: 'act-1', startsAt: null });
    const registry = registerSyncHandler(
      new JobRegistry(),
      async (payload, ctx) => recordSyncRun(t.db, payload, ctx, async () => Promise.reject(new Error('Active.com answered HTTP 503'))),
      ['active'],
    );
    const w = new JobWorker({ db: t.db, registry, log, leaseMs: 2000, pollMs: 50, shutdownMs: 2000 });
    await w.start();
    workers.push(w);
    const job = await schedules.syncNow(a, s.id);
    const failed = await waitFor(async () => {
      const [run] = await withPartner(t.db, a, (tx) => listSyncRuns(tx, a, { scheduleId: s.id, limit: 5 }));
      return run?.status === 'failed' ? run : undefined;
    });
    expect(failed).toMatchObject({ errors: [{ message: 'Active.com answered HTTP 503' }], error_count: 1, count_new: 0 });
    const state = await waitFor(async () => {
      const r = await t.owner.query<{ state: string; attempts: number; last_error: string; later: boolean }>(
        `SELECT state, attempts, last_error, run_at > now() + interval '10 seconds' AS later FROM jobs WHERE id = $1`,
        [job.id],
      );
      return r.rows[0]?.state === 'queued' ? r.rows[0] : undefined;
    });
    expect(state).toEqual({ state: 'queued', attempts: 1, last_error: 'Active.com answered HTTP 503', later: true });
  });

  it('keeps history rows tied to their own partner’s schedule', async () => {
    const s = await schedules.upsert(a, { provider: 'ctlive', externalEventId: 'ct-1', startsAt: null });
    await expect(
      t.owner.query(`INSERT INTO sync_history (partner_id, schedule_id, provider, external_event_id, direction, trigger) VALUES ($1, $2, 'ctlive', 'ct-1', 'pull', 'manual')`, [b, s.id]),
    ).rejects.toThrow(/foreign key/);
    await expect(
      withPartner(t.db, b, (tx) => tx.query(`INSERT INTO sync_schedules (partner_id, provider, external_event_id) VALUES ($1, 'ctlive', 'ct-2')`, [a])),
    ).rejects.toThrow(/row-level security/);
  });
});

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await sleep(20);
  }
}

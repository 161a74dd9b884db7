/**
 * The job queue on a real database (PGlite in this process, or the server with DATABASE_URL),
 * with several JobWorker instances as separate consumers: claiming, leases, retries and
 * backoff, cancellation, rate limits, progress, shutdown, deduplication, recurring jobs and
 * tenancy. Process-level faults (kill -9 of a worker process) are in worker-process.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { openDatabase, type Database } from '../db/index.js';
import { APP_ROLE, asPlatform, withPartner } from '../db/tenant.js';
import { createLogger } from '../log.js';
import { claimJobs } from './jobs.repo.js';
import { enqueueJob, JobQueue } from './queue.js';
import { defineJob, JobAbort, JobError, JobRegistry, type JobHandler, type JobOptions, type JobScope, type JobType } from './registry.js';
import { JobWorker, type JobWorkerOptions } from './worker.js';

let t: TestDatabase;
let queue: JobQueue;
let partnerA: number;
let partnerB: number;
const log = createLogger('silent');
const workers: JobWorker[] = [];
const extraDbs: Database[] = [];
let typeCounter = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  queue = new JobQueue(t.db);
  const p = await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('job-a', 'A'), ('job-b', 'B') RETURNING id`);
  [partnerA, partnerB] = p.rows.map((r) => r.id) as [number, number];
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  for (const d of extraDbs) await d.close();
  await t?.drop();
});

/** A job type of its own per test, so workers of one test never see another's jobs. */
function testType<S extends 'platform' | 'partner' = 'platform'>(options: Partial<JobOptions> = {}, scope?: S) {
  typeCounter += 1;
  return defineJob({
    name: `test.job-${typeCounter}`,
    scope: (scope ?? 'platform') as S,
    payload: z.object({ n: z.number().int() }),
    backoff: { baseMs: 50, maxMs: 1000 },
    ...options,
  });
}

async function startWorker<P, S extends JobScope>(type: JobType<P, S>, handler: JobHandler<P, S>, opts: Partial<JobWorkerOptions> = {}): Promise<JobWorker> {
  const registry = new JobRegistry().handle(type, handler);
  const w = new JobWorker({ db: t.db, registry, log, leaseMs: 1000, pollMs: 50, shutdownMs: 2000, ...opts });
  await w.start();
  workers.push(w);
  return w;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const stateOf = async (id: number) =>
  (await t.owner.query<{ state: string; attempts: number; last_error: string | null; secret: string | null; result: unknown }>(
    'SELECT state, attempts, last_error, secret, result FROM jobs WHERE id = $1',
    [id],
  )).rows[0]!;

const settled = (id: number) => waitFor(`job ${id} to end`, async () => {
  const s = await stateOf(id);
  return ['done', 'failed', 'cancelled'].includes(s.state) ? s : undefined;
});

describe('enqueueing', () => {
  it('validates the payload against its type and stores nothing invalid', async () => {
    const type = testType();
    await expect(queue.enqueue(type, { n: 'seven' as unknown as number }, {})).rejects.toThrow(/invalid payload for test\.job-\d+/);
    await expect(queue.enqueue(type, { n: 1 }, { partnerId: partnerA } as never)).rejects.toThrow(/platform job/);
    const partnerType = testType({}, 'partner');
    await expect(queue.enqueue(partnerType, { n: 1 }, {} as never)).rejects.toThrow(/partner id is required/);
    const n = await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE queue = ANY($1)', [[type.name, partnerType.name]]);
    expect(n.rows[0]!.n).toBe(0);
  });

  it('fails a claimed job whose stored payload no longer matches its type, without running it', async () => {
    const type = testType();
    let ran = 0;
    const { id } = await queue.enqueue(type, { n: 1 }, { runAt: new Date(Date.now() + 60_000) });
    await t.owner.query(`UPDATE jobs SET payload = '{"n":"x"}', run_at = now() WHERE id = $1`, [id]);
    await startWorker(type, async () => void ran++);
    const s = await settled(id);
    expect(s).toMatchObject({ state: 'failed', attempts: 1 });
    expect(s.last_error).toContain('Invalid payload');
    expect(ran).toBe(0);
  });

  it('joins a queued job with the same dedupe key, moving it sooner; a new one once it ended', async () => {
    const type = testType();
    const later = new Date(Date.now() + 3_600_000);
    const a = await queue.enqueue(type, { n: 1 }, { dedupeKey: 'event:7', runAt: later });
    const b = await queue.enqueue(type, { n: 2 }, { dedupeKey: 'event:7' });
    expect(b).toEqual({ id: a.id, created: false });
    const row = await t.owner.query<{ due: boolean; payload: unknown }>('SELECT run_at <= now() AS due, payload FROM jobs WHERE id = $1', [a.id]);
    expect(row.rows[0]).toEqual({ due: true, payload: { n: 1 } });
    const other = await queue.enqueue(type, { n: 3 }, { dedupeKey: 'event:8' });
    expect(other.created).toBe(true);
    await queue.cancel(null, a.id);
    const c = await queue.enqueue(type, { n: 4 }, { dedupeKey: 'event:7' });
    expect(c.created).toBe(true);
    expect(c.id).not.toBe(a.id);
  });
});

describe('claiming', () => {
  it('gives each job to exactly one of several workers', async () => {
    const type = testType({ concurrency: 3 });
    const runs: Array<{ id: number; worker: string }> = [];
    const handler: JobHandler<{ n: number }, 'platform'> = async (_p, ctx) => {
      await sleep(Math.random() * 5);
      runs.push({ id: ctx.jobId, worker: ctx.log.bindings().worker as string });
    };
    for (let i = 0; i < 4; i++) {
      const w = new JobWorker({ db: t.db, registry: new JobRegistry().handle(type, handler), log: log.child({ worker: `w${i}` }), leaseMs: 2000, pollMs: 20, shutdownMs: 2000 });
      await w.start();
      workers.push(w);
    }
    const ids = await asPlatform(t.db, async (tx) => {
      const out: number[] = [];
      for (let i = 0; i < 80; i++) out.push((await enqueueJob(tx, type, { n: i }, {})).id);
      return out;
    });
    await waitFor('every job to run', () => runs.length >= 80 && runs);
    await sleep(200); // room for a duplicate run to show up
    expect(runs).toHaveLength(80);
    expect(new Set(runs.map((r) => r.id))).toEqual(new Set(ids));
    expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
    const states = await t.owner.query<{ state: string; attempts: number; n: number }>(
      'SELECT state, attempts, count(*)::int AS n FROM jobs WHERE queue = $1 GROUP BY 1, 2',
      [type.name],
    );
    expect(states.rows).toEqual([{ state: 'done', attempts: 1, n: 80 }]);
  });

  it('claims a job again once the lease of a worker that vanished has run out', async () => {
    const type = testType();
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    // A worker claims it and is never heard of again (no renewals, no outcome).
    const ghost = await asPlatform(t.db, (tx) => claimJobs(tx, [type.name], [1], 'ghost-worker', 400));
    expect(ghost.map((j) => j.id)).toEqual([id]);
    const claimedAt = Date.now();
    let ranAt = 0;
    let attempt = 0;
    await startWorker(type, async (_p, ctx) => {
      ranAt = Date.now();
      attempt = ctx.attempt;
    });
    expect(await settled(id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(attempt).toBe(2);
    expect(ranAt - claimedAt).toBeGreaterThanOrEqual(350);
  });

  it('fails a job whose workers keep vanishing once its attempts are used up', async () => {
    const type = testType({ maxAttempts: 1 });
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    await asPlatform(t.db, (tx) => claimJobs(tx, [type.name], [1], 'ghost-worker', 100));
    let ran = 0;
    await startWorker(type, async () => void ran++);
    const s = await settled(id);
    expect(s).toMatchObject({ state: 'failed', attempts: 2 });
    expect(s.last_error).toContain('stopped before it finished');
    expect(ran).toBe(0);
  });

  it('wakes an idle worker on NOTIFY instead of waiting for its next poll', async () => {
    const type = testType();
    let ran = 0;
    await startWorker(type, async () => void ran++, { pollMs: 30_000 });
    await sleep(100); // the worker's first look has found nothing; it sleeps 30 s now
    const started = Date.now();
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    await settled(id);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ran).toBe(1);
  });
});

describe('retries', () => {
  it('retries a failing job with growing, jittered delays, then records its success', async () => {
    const type = testType({ maxAttempts: 4, backoff: { baseMs: 200, maxMs: 10_000 } });
    const starts: number[] = [];
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    await startWorker(type, async (_p, ctx) => {
      starts.push(Date.now());
      if (ctx.attempt < 3) throw new Error(`provider answered 503 (attempt ${ctx.attempt})`);
      return { ok: true };
    });
    const s = await settled(id);
    expect(s).toMatchObject({ state: 'done', attempts: 3, result: { ok: true }, last_error: 'provider answered 503 (attempt 2)' });
    const [g1, g2] = [starts[1]! - starts[0]!, starts[2]! - starts[1]!];
    // Retry 1 waits 100..200 ms, retry 2 waits 200..400 ms (plus polling and a loaded machine).
    expect(g1).toBeGreaterThanOrEqual(100);
    expect(g1).toBeLessThan(200 + 400);
    expect(g2).toBeGreaterThanOrEqual(200);
    expect(g2).toBeLessThan(400 + 400);
  });

  it('fails for good after maxAttempts, at once on a JobError without retry, and waits as told by retryAfterMs', async () => {
    const type = testType({ maxAttempts: 2, backoff: { baseMs: 10, maxMs: 10 } });
    const starts = new Map<number, number[]>();
    await startWorker(type, async (p, ctx) => {
      const list = starts.get(p.n) ?? [];
      list.push(Date.now());
      starts.set(p.n, list);
      if (p.n === 1) throw new Error(`still down (${ctx.attempt})`);
      if (p.n === 2) throw new JobError('ChronoTrack Live rejected the client id, user id or password.', { retry: false });
      if (ctx.attempt === 1) throw new JobError('429 Too Many Requests', { retryAfterMs: 600 });
    });
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => queue.enqueue(type, { n }, {})));
    expect(await settled(a!.id)).toMatchObject({ state: 'failed', attempts: 2, last_error: 'still down (2)' });
    expect(await settled(b!.id)).toMatchObject({ state: 'failed', attempts: 1, last_error: 'ChronoTrack Live rejected the client id, user id or password.' });
    expect(await settled(c!.id)).toMatchObject({ state: 'done', attempts: 2 });
    const [c1, c2] = starts.get(3)!;
    expect(c2! - c1!).toBeGreaterThanOrEqual(600);
  });

  it('aborts a run past its timeout and counts it as a failed attempt', async () => {
    const type = testType({ maxAttempts: 1, timeoutMs: 200 });
    let reason: unknown;
    await startWorker(type, async (_p, ctx) => {
      await sleep(10_000, undefined, { signal: ctx.signal }).catch(() => (reason = ctx.signal.reason));
      ctx.signal.throwIfAborted();
    });
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    expect(await settled(id)).toMatchObject({ state: 'failed', attempts: 1, last_error: 'Timed out after 200 ms.' });
    expect(reason).toBeInstanceOf(JobAbort);
    expect((reason as JobAbort).reason).toBe('timeout');
  });
});

describe('cancelling', () => {
  it('cancels a queued job before it runs and clears its secret', async () => {
    const type = testType({}, 'partner');
    const { id } = await queue.enqueue(type, { n: 1 }, { partnerId: partnerA, secret: 'v1:sealed', runAt: new Date(Date.now() + 60_000) });
    // Another partner cannot reach it.
    expect(await queue.cancel(partnerB, id)).toBeUndefined();
    expect((await stateOf(id)).state).toBe('queued');
    expect(await queue.cancel(partnerA, id)).toMatchObject({ id, state: 'cancelled' });
    expect(await stateOf(id)).toMatchObject({ state: 'cancelled', secret: null, attempts: 0 });
    let ran = 0;
    await startWorker(type, async () => void ran++);
    await t.owner.query('UPDATE jobs SET run_at = now() WHERE id = $1', [id]);
    await sleep(300);
    expect(ran).toBe(0);
  });

  it('stops a running job through its signal, promptly, and records it cancelled', async () => {
    const type = testType({}, 'partner');
    let startedAt = 0;
    let abortedAt = 0;
    // A long lease: the cancel must arrive by NOTIFY, not by waiting for a renewal.
    await startWorker(
      type,
      async (_p, ctx) => {
        startedAt = Date.now();
        await sleep(30_000, undefined, { signal: ctx.signal }).catch(() => (abortedAt = Date.now()));
        ctx.signal.throwIfAborted();
      },
      { leaseMs: 30_000 },
    );
    const { id } = await queue.enqueue(type, { n: 1 }, { partnerId: partnerA });
    await waitFor('the job to start', () => startedAt > 0);
    const asked = Date.now();
    expect(await queue.cancel(partnerA, id)).toMatchObject({ state: 'active', cancel_requested: true });
    expect(await settled(id)).toMatchObject({ state: 'cancelled', attempts: 1 });
    expect(abortedAt - asked).toBeLessThan(2000);
  });
});

describe('rate limits', () => {
  it('holds one queue to its rate across two workers', async () => {
    // One job at a time per worker, each running longer than a token's interval: a token that
    // comes while one worker is busy can only be taken by the other, so both take part however
    // the machine schedules them (with free concurrency one worker could win every token).
    const type = testType({ concurrency: 1, rateLimit: { perSecond: 10, burst: 1 } });
    const starts: Array<{ worker: string }> = [];
    const handler: JobHandler<{ n: number }, 'platform'> = async (_p, ctx) => {
      starts.push({ worker: ctx.log.bindings().worker as string });
      await new Promise((r) => setTimeout(r, 250));
    };
    for (const name of ['left', 'right']) {
      const w = new JobWorker({ db: t.db, registry: new JobRegistry().handle(type, handler), log: log.child({ worker: name }), leaseMs: 2000, pollMs: 20, shutdownMs: 2000 });
      await w.start();
      workers.push(w);
    }
    await asPlatform(t.db, async (tx) => {
      for (let i = 0; i < 10; i++) await enqueueJob(tx, type, { n: i }, {});
    });
    await waitFor('ten starts', () => starts.length >= 10);
    // When each was claimed (in the transaction that took its token), by the database's clock.
    const claimed = await t.owner.query<{ at: Date }>('SELECT started_at AS at FROM jobs WHERE queue = $1 ORDER BY started_at', [type.name]);
    const at = claimed.rows.map((r) => r.at.getTime());
    // One token every 100 ms, shared: the k-th start cannot come before (k−1)·100 ms after the first.
    at.forEach((time, k) => expect(time - at[0]!).toBeGreaterThanOrEqual(k * 100 - 25));
    expect(new Set(starts.map((s) => s.worker))).toEqual(new Set(['left', 'right']));
  });

  it('makes ctx.throttle() wait for the same bucket', async () => {
    const type = testType({ rateLimit: { perSecond: 20, burst: 1 } });
    const calls: number[] = [];
    await startWorker(type, async (_p, ctx) => {
      calls.push(Date.now()); // the start took the first token
      for (let i = 0; i < 4; i++) {
        await ctx.throttle();
        calls.push(Date.now());
      }
    });
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    await settled(id);
    expect(calls).toHaveLength(5);
    // Five calls at 20 per second: at least 200 ms from the first to the last.
    expect(calls[4]! - calls[0]!).toBeGreaterThanOrEqual(175);
  });
});

describe('progress, results and tenancy', () => {
  it('shows a running job’s progress to another connection, then its result, to its partner only', async () => {
    const type = testType({}, 'partner');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await startWorker(type, async (_p, ctx) => {
      expect(ctx.partnerId).toBe(partnerA);
      ctx.progress(1, 3);
      await gate;
      ctx.progress(3, 3);
      return { pages: 3 };
    });
    // Another web node: its own connections to the same database (PGlite has one connection).
    let otherDb = t.db;
    if (t.url) {
      const owner = await openDatabase({ url: t.url });
      otherDb = owner.asRole(APP_ROLE);
      extraDbs.push(otherDb, owner);
    }
    const otherQueue = new JobQueue(otherDb);
    const { id } = await queue.enqueue(type, { n: 1 }, { partnerId: partnerA });
    const running = await waitFor('progress 1/3', async () => {
      const j = await otherQueue.get(partnerA, id);
      return j?.progress_done === 1 && j;
    });
    expect(running).toMatchObject({ state: 'active', progress_done: 1, progress_total: 3, partner_id: partnerA });
    expect(await otherQueue.get(partnerB, id)).toBeUndefined();
    release();
    await settled(id);
    expect(await otherQueue.get(partnerA, id)).toMatchObject({ state: 'done', progress_done: 3, progress_total: 3, result: { pages: 3 } });
  });

  it('lets a partner’s transaction enqueue only for that partner', async () => {
    const type = testType({}, 'partner');
    await expect(withPartner(t.db, partnerA, (tx) => enqueueJob(tx, type, { n: 1 }, { partnerId: partnerB }))).rejects.toThrow(/row-level security/);
    const { id } = await withPartner(t.db, partnerA, (tx) => enqueueJob(tx, type, { n: 1 }, { partnerId: partnerA }));
    expect(await withPartner(t.db, partnerB, (tx) => tx.query('SELECT id FROM jobs WHERE id = $1', [id]))).toMatchObject({ rows: [] });
    expect(await queue.get(partnerB, id)).toBeUndefined();
    await queue.cancel(partnerA, id);
  });
});

describe('stopping', () => {
  it('hands a running job back when its worker stops; the next worker runs it as attempt 1', async () => {
    const type = testType();
    let first = 0;
    const w1 = await startWorker(type, async (_p, ctx) => {
      first++;
      await sleep(30_000, undefined, { signal: ctx.signal });
    });
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    await waitFor('the first run', () => first === 1);
    await w1.stop();
    expect(await stateOf(id)).toMatchObject({ state: 'queued', attempts: 0 });
    let attempt = 0;
    await startWorker(type, async (_p, ctx) => void (attempt = ctx.attempt));
    expect(await settled(id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(attempt).toBe(1);
  });

  it('hands back a job whose handler ignores the stop, after the shutdown grace', async () => {
    const type = testType();
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let started = false;
    const w = await startWorker(
      type,
      async () => {
        started = true;
        await stuck; // ignores its signal
        return 'late';
      },
      { shutdownMs: 300 },
    );
    const { id } = await queue.enqueue(type, { n: 1 }, {});
    await waitFor('the run', () => started);
    const t0 = Date.now();
    await w.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await stateOf(id)).toMatchObject({ state: 'queued', attempts: 0 });
    release();
    await sleep(100);
    // Its late result cannot overwrite the handed-back job.
    expect(await stateOf(id)).toMatchObject({ state: 'queued', result: null });
    await queue.cancel(null, id);
  });
});

describe('recurring jobs', () => {
  it('runs once per interval however many workers schedule it', async () => {
    const type = testType();
    const runs: number[] = [];
    const handler: JobHandler<{ n: number }, 'platform'> = async () => void runs.push(Date.now());
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      const w = new JobWorker({ db: t.db, registry: new JobRegistry().handle(type, handler).every(type, 300, { n: 0 }), log, leaseMs: 2000, pollMs: 25, shutdownMs: 2000 });
      await w.start();
      workers.push(w);
    }
    await sleep(1650);
    const n = runs.length;
    // First run after 300 ms, then every 300 ms: five in 1.65 s (one worker alone would do the
    // same; three enqueueing each on their own would make fifteen).
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(6);
    expect(runs[0]! - t0).toBeGreaterThanOrEqual(250);
  });
});

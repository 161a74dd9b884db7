/**
 * The job runner: claims due jobs of the types its registry handles, runs their handlers,
 * renews their leases while they run, and settles each run (done, retry after a backoff,
 * failed, cancelled, or handed back when the worker stops). Any number of workers, in any
 * number of processes, may run on one database: a job is claimed by one of them at a time
 * (FOR UPDATE SKIP LOCKED), and a job whose worker died is claimed again once its lease runs
 * out. Handlers therefore run at least once and must be idempotent.
 *
 * It sleeps between polls and wakes early on NOTIFY (a job enqueued for now), when one of its
 * runs ends, or when a rate-limit token is due.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Database, Queryable } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import type { Logger } from '../log.js';
import { retryDelayMs } from './backoff.js';
import * as repo from './jobs.repo.js';
import { enqueueJob } from './queue.js';
import { JobAbort, JobError, type AbortReason, type JobContext, type JobRegistry, type RateLimit, type RegisteredJob } from './registry.js';

export interface JobWorkerOptions {
  db: Database;
  registry: JobRegistry;
  log: Logger;
  /** How long a claim holds without renewal; renewed every third of it. */
  leaseMs: number;
  /** Longest sleep between two looks for due jobs (and between two scheduler ticks). */
  pollMs: number;
  /** On stop, how long running handlers get to end before their jobs are handed back anyway. */
  shutdownMs: number;
  /** Run once per poll interval: schedulers that enqueue due work. Their errors are logged. */
  tickers?: Array<() => Promise<void>> | undefined;
  /** This worker's name in jobs.locked_by (default host:pid:random). */
  id?: string | undefined;
  /** The jitter's randomness (tests). */
  random?: (() => number) | undefined;
  /** Told how each run of a job ended (metrics): settled, or failed and queued to retry. */
  onOutcome?: ((queue: string, outcome: JobOutcome) => void) | undefined;
}

export type JobOutcome = 'done' | 'failed' | 'cancelled' | 'retried';

interface Running {
  claim: repo.Claim;
  queue: string;
  controller: AbortController;
  /** Set when the worker aborted the run; decides how a failing handler is settled. */
  reason: AbortReason | undefined;
  done: Promise<void>;
}

const MAX_ERROR_LENGTH = 2000;

export class JobWorker {
  readonly id: string;
  private readonly running = new Map<number, Running>();
  private readonly busy = new Map<string, number>();
  /** Rate-limit key → when (Date.now()) its bucket will have a token again. */
  private readonly tokenDue = new Map<string, number>();
  private readonly unlisten: Array<() => Promise<void>> = [];
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private wokenWhileBusy = false;
  private renewal: NodeJS.Timeout | undefined;
  private renewing = false;
  private lastTick = 0;

  constructor(private readonly opts: JobWorkerOptions) {
    this.id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  /** Declares the recurring jobs, starts listening and polling; resolves once running. */
  async start(): Promise<void> {
    const { db, registry } = this.opts;
    await asPlatform(db, async (tx) => {
      for (const r of registry.recurring) await repo.upsertRecurring(tx, { name: r.type.name, queue: r.type.name, payload: r.payload, everyMs: r.everyMs });
    });
    this.unlisten.push(await db.listen(repo.JOBS_CHANNEL, (queue) => registry.get(queue) && this.wake()));
    this.unlisten.push(
      await db.listen(repo.CANCEL_CHANNEL, (id) => {
        const run = this.running.get(Number(id));
        if (run) this.abort(run, 'cancelled');
      }),
    );
    this.renewal = setInterval(() => void this.renewLeases(), Math.max(20, Math.floor(this.opts.leaseMs / 3)));
    this.loopDone = this.loop();
  }

  /** Jobs this worker is running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Stops claiming, asks running handlers to stop (their signal aborts with 'shutdown'), waits
   * up to shutdownMs, and hands back every job not finished: it runs again on another worker
   * (or this one after a restart) without counting as a failed attempt.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopDone;
    for (const run of this.running.values()) this.abort(run, 'shutdown');
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const late = await Promise.race([all.then(() => false), delay(this.opts.shutdownMs, true, { ref: false })]);
    if (late) {
      for (const run of this.running.values()) {
        this.opts.log.warn({ job_id: run.claim.id, queue: run.queue }, 'job handler did not stop in time; its job is handed back');
        await this.settle(run, (tx) => repo.requeueJob(tx, run.claim, { delayMs: 0, error: null, uncount: true }));
      }
    }
    clearInterval(this.renewal);
    for (const unlisten of this.unlisten) await unlisten().catch(() => {});
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        await this.tick();
        claimed = await this.fill();
      } catch (err) {
        this.opts.log.error({ err }, 'job worker: looking for jobs failed; trying again');
      }
      if (!this.stopping && claimed === 0) await this.sleep(this.nextLookMs());
    }
  }

  /** Once per poll interval: enqueue due recurring jobs, run the tickers. */
  private async tick(): Promise<void> {
    if (Date.now() - this.lastTick < this.opts.pollMs) return;
    this.lastTick = Date.now();
    const { db, registry, log } = this.opts;
    const recurring = registry.recurring;
    if (recurring.length > 0) {
      await asPlatform(db, async (tx) => {
        for (const due of await repo.takeDueRecurring(tx, recurring.map((r) => r.type.name))) {
          const r = recurring.find((x) => x.type.name === due.name);
          // A run still queued or running absorbs the next one instead of piling up behind it.
          if (r) await enqueueJob(tx, r.type, due.payload, { dedupeKey: 'recurring' });
        }
      });
    }
    for (const ticker of this.opts.tickers ?? []) {
      await ticker().catch((err: unknown) => log.error({ err }, 'job worker: scheduler tick failed'));
    }
  }

  /** Claims jobs for every queue with a free slot (and a token, if limited); returns how many it started. */
  private async fill(): Promise<number> {
    const { db, registry } = this.opts;
    const now = Date.now();
    const free: string[] = [];
    const slots: number[] = [];
    const limited: Array<{ queue: string; limit: RateLimit }> = [];
    for (const name of registry.names) {
      const { options } = registry.get(name)!.type;
      const open = options.concurrency - (this.busy.get(name) ?? 0);
      if (open <= 0) continue;
      if (!options.rateLimit) {
        free.push(name);
        slots.push(open);
      } else if ((this.tokenDue.get(bucketOf(name, options.rateLimit)) ?? 0) <= now) {
        limited.push({ queue: name, limit: options.rateLimit });
      }
    }
    const jobs = free.length > 0 ? await asPlatform(db, (tx) => repo.claimJobs(tx, free, slots, this.id, this.opts.leaseMs)) : [];
    // A token is taken only for a queue with a job waiting: an idle limited queue costs one look.
    const due = limited.length > 0 ? await asPlatform(db, (tx) => repo.dueQueues(tx, limited.map((l) => l.queue), this.id)) : [];
    for (const { queue, limit } of limited) {
      if (this.stopping) break;
      if (due.includes(queue)) jobs.push(...(await this.claimWithToken(queue, limit)));
    }
    for (const job of jobs) this.run(job);
    return jobs.length;
  }

  /** Takes a token and claims one job in one transaction (the token comes back if none was due). */
  private claimWithToken(queue: string, limit: RateLimit): Promise<repo.ClaimedJob[]> {
    const key = bucketOf(queue, limit);
    const burst = limit.burst ?? 1;
    return asPlatform(this.opts.db, async (tx) => {
      const waitMs = await repo.takeToken(tx, key, limit.perSecond, burst);
      if (waitMs > 0) {
        this.tokenDue.set(key, Date.now() + waitMs);
        return [];
      }
      const jobs = await repo.claimJobs(tx, [queue], [1], this.id, this.opts.leaseMs);
      if (jobs.length === 0) await repo.returnToken(tx, key, burst);
      return jobs;
    });
  }

  private run(job: repo.ClaimedJob): void {
    const run: Running = {
      claim: { id: job.id, worker: this.id, attempt: job.attempts },
      queue: job.queue,
      controller: new AbortController(),
      reason: undefined,
      done: Promise.resolve(),
    };
    this.running.set(job.id, run);
    this.busy.set(job.queue, (this.busy.get(job.queue) ?? 0) + 1);
    run.done = this.execute(this.opts.registry.get(job.queue)!, job, run)
      .catch((err: unknown) => this.opts.log.error({ err, job_id: job.id }, 'job worker: settling a job failed'))
      .finally(() => {
        this.running.delete(job.id);
        this.busy.set(job.queue, (this.busy.get(job.queue) ?? 1) - 1);
        this.wake();
      });
  }

  private async execute(entry: RegisteredJob, job: repo.ClaimedJob, run: Running): Promise<void> {
    const log = this.opts.log.child({ job_id: job.id, queue: job.queue, attempt: job.attempts, partner_id: job.partner_id });
    if (job.was === 'active') log.warn('job: the worker running it stopped without finishing (its lease ran out); claimed again');
    if (job.cancel_requested) return this.finish(run, { state: 'cancelled' });
    if (job.attempts > job.max_attempts) {
      log.error('job failed: its workers kept stopping before it finished');
      return this.finish(run, { state: 'failed', error: `The worker running it stopped before it finished (${job.max_attempts} attempts).` });
    }
    const parsed = entry.type.payload.safeParse(job.payload);
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues }, 'job failed: its payload does not match its type');
      return this.finish(run, { state: 'failed', error: `Invalid payload: ${parsed.error.message}`.slice(0, MAX_ERROR_LENGTH) });
    }

    const { options } = entry.type;
    const timeout = setTimeout(() => this.abort(run, 'timeout'), options.timeoutMs);
    const progress = this.progressWriter(run, log);
    const ctx: JobContext = {
      jobId: job.id,
      queue: job.queue,
      partnerId: job.partner_id,
      attempt: job.attempts,
      maxAttempts: job.max_attempts,
      secret: job.secret,
      signal: run.controller.signal,
      progress: progress.report,
      throttle: () => this.throttle(job.queue, options.rateLimit, run.controller.signal),
      log,
    };
    try {
      const result = await entry.handler(parsed.data, ctx);
      await progress.flush();
      if (run.reason === 'lease_lost') {
        log.warn('job finished after another worker took it over; this result is dropped');
        return;
      }
      await this.finish(run, { state: 'done', result: result ?? null });
    } catch (err) {
      await progress.flush();
      await this.failed(entry, job, run, err, log);
    } finally {
      clearTimeout(timeout);
    }
  }

  private async failed(entry: RegisteredJob, job: repo.ClaimedJob, run: Running, err: unknown, log: Logger): Promise<void> {
    switch (run.reason) {
      case 'lease_lost':
        log.warn('job stopped: another worker took it over');
        return;
      case 'shutdown':
        log.info('job handed back: this worker is stopping');
        return this.settle(run, (tx) => repo.requeueJob(tx, run.claim, { delayMs: 0, error: null, uncount: true }));
      case 'cancelled':
        log.info('job cancelled');
        return this.finish(run, { state: 'cancelled' });
      case 'timeout':
      case undefined:
        break; // a failure like any other: retried unless permanent or out of attempts
    }
    const message = (run.reason === 'timeout' ? `Timed out after ${entry.type.options.timeoutMs} ms.` : errorMessage(err)).slice(0, MAX_ERROR_LENGTH);
    const permanent = err instanceof JobError && !err.retry;
    if (permanent || job.attempts >= job.max_attempts) {
      log.warn({ err, error: message }, 'job failed');
      return this.finish(run, { state: 'failed', error: message });
    }
    const delayMs =
      err instanceof JobError && err.retryAfterMs !== undefined
        ? err.retryAfterMs
        : retryDelayMs(job.attempts, entry.type.options.backoff, this.opts.random);
    log.info({ err, error: message, retry_in_ms: delayMs }, 'job attempt failed; it will be retried');
    this.opts.onOutcome?.(run.queue, 'retried');
    await this.settle(run, (tx) => repo.requeueJob(tx, run.claim, { delayMs, error: message, uncount: false }));
  }

  private finish(run: Running, end: { state: 'done' | 'failed' | 'cancelled'; result?: unknown; error?: string }): Promise<void> {
    this.opts.onOutcome?.(run.queue, end.state);
    return this.settle(run, (tx) => repo.finishJob(tx, run.claim, end));
  }

  /**
   * Writes the outcome of a run. If the database cannot be reached, the job stays active under a
   * lease nobody renews, and runs again once it runs out: at least once, never lost.
   */
  private async settle(run: Running, write: (tx: Queryable) => Promise<boolean>): Promise<void> {
    try {
      const ours = await asPlatform(this.opts.db, write);
      if (!ours) this.opts.log.warn({ job_id: run.claim.id }, 'job was taken over by another worker before its outcome was written');
    } catch (err) {
      this.opts.log.error({ err, job_id: run.claim.id }, 'job outcome could not be written; it runs again after its lease');
    }
  }

  /** Keeps the claims of running jobs; learns of cancellations and of claims lost to another worker. */
  private async renewLeases(): Promise<void> {
    if (this.renewing || this.running.size === 0) return;
    this.renewing = true;
    try {
      const ids = [...this.running.keys()];
      const held = await asPlatform(this.opts.db, (tx) => repo.renewLeases(tx, this.id, ids, this.opts.leaseMs));
      const byId = new Map(held.map((h) => [h.id, h]));
      for (const id of ids) {
        const run = this.running.get(id);
        if (!run) continue;
        const h = byId.get(id);
        if (!h) this.abort(run, 'lease_lost');
        else if (h.cancel_requested) this.abort(run, 'cancelled');
      }
    } catch (err) {
      // The next renewal tries again; if the lease runs out meanwhile, the job runs elsewhere.
      this.opts.log.warn({ err }, 'job leases could not be renewed');
    } finally {
      this.renewing = false;
    }
  }

  private abort(run: Running, reason: AbortReason): void {
    if (run.reason) return;
    run.reason = reason;
    run.controller.abort(new JobAbort(reason));
  }

  /** Progress writes in order, the latest value only (a page may end while the last is written). */
  private progressWriter(run: Running, log: Logger): { report: (done: number, total?: number | null) => void; flush: () => Promise<void> } {
    let latest: { done: number; total: number | null } | undefined;
    let writing: Promise<void> | undefined;
    const drain = async () => {
      while (latest) {
        const p = latest;
        latest = undefined;
        await asPlatform(this.opts.db, (tx) => repo.setProgress(tx, run.claim, p.done, p.total)).catch((err: unknown) =>
          log.warn({ err }, 'job progress could not be written'),
        );
      }
      writing = undefined;
    };
    return {
      report: (done, total = null) => {
        if (!Number.isInteger(done) || done < 0 || (total !== null && (!Number.isInteger(total) || total < 0))) {
          throw new Error(`progress must be whole numbers >= 0: ${done}/${total}`);
        }
        latest = { done, total };
        writing ??= drain();
      },
      flush: async () => {
        await writing;
      },
    };
  }

  private async throttle(queue: string, limit: RateLimit | undefined, signal: AbortSignal): Promise<void> {
    if (!limit) return;
    const key = bucketOf(queue, limit);
    for (;;) {
      signal.throwIfAborted();
      const waitMs = await asPlatform(this.opts.db, (tx) => repo.takeToken(tx, key, limit.perSecond, limit.burst ?? 1));
      if (waitMs === 0) return;
      await delay(waitMs, undefined, { signal });
    }
  }

  private nextLookMs(): number {
    const now = Date.now();
    let next = this.opts.pollMs;
    for (const due of this.tokenDue.values()) if (due > now) next = Math.min(next, due - now);
    return next;
  }

  private sleep(ms: number): Promise<void> {
    if (this.wokenWhileBusy) {
      this.wokenWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Referenced: while a worker waits for work, the process it serves stays up.
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenWhileBusy = true;
  }
}

function bucketOf(queue: string, limit: RateLimit): string {
  return limit.key ?? queue;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

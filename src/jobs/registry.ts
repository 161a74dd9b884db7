/**
 * The typed job registry. A job type (name → payload schema → options) is declared beside its
 * domain with defineJob; the worker's assembly (src/worker/jobs.ts) registers one handler per
 * type. Enqueueing takes the type itself, so a payload is checked by the compiler, and by zod
 * both when it is enqueued and when a worker claims it.
 */
import type { z } from 'zod';
import type { Logger } from '../log.js';

/** Platform jobs (archival) work across partners; partner jobs carry the partner they work for. */
export type JobScope = 'platform' | 'partner';

/** A token bucket every worker draws from: `perSecond` on average, `burst` at once after a quiet spell. */
export interface RateLimit {
  /** Queues naming the same key share one bucket (a provider's pull and push); default: the queue. */
  key?: string;
  perSecond: number;
  burst?: number;
}

export interface JobOptions {
  /** Claims before the job fails for good, the first included (a lost lease counts). */
  maxAttempts: number;
  /** Retry n waits a random time between half and all of min(maxMs, baseMs · 2^(n−1)). */
  backoff: { baseMs: number; maxMs: number };
  /** Jobs of this type one worker runs at once. */
  concurrency: number;
  /** A run taking longer is aborted and counts as a failed attempt. */
  timeoutMs: number;
  /** Starts of this type's jobs, across all workers; ctx.throttle() draws more tokens. */
  rateLimit?: RateLimit | undefined;
}

export interface JobType<P, S extends JobScope = JobScope> {
  readonly name: string;
  readonly scope: S;
  readonly payload: z.ZodType<P>;
  readonly options: JobOptions;
}

export const DEFAULT_JOB_OPTIONS: JobOptions = {
  maxAttempts: 5,
  backoff: { baseMs: 5_000, maxMs: 30 * 60_000 },
  concurrency: 1,
  timeoutMs: 60 * 60_000,
};

const NAME = /^[a-z][a-z0-9_.-]{0,62}$/;

/** Declares a job type; options not given take DEFAULT_JOB_OPTIONS. */
export function defineJob<Schema extends z.ZodType, S extends JobScope>(
  def: { name: string; scope: S; payload: Schema } & Partial<JobOptions>,
): JobType<z.output<Schema>, S> {
  const { name, scope, payload, ...options } = def;
  if (!NAME.test(name)) throw new Error(`invalid job name: ${name}`);
  const merged = { ...DEFAULT_JOB_OPTIONS, ...options };
  if (!Number.isInteger(merged.maxAttempts) || merged.maxAttempts < 1 || merged.maxAttempts > 100) throw new Error(`${name}: maxAttempts must be 1..100`);
  if (!Number.isInteger(merged.concurrency) || merged.concurrency < 1) throw new Error(`${name}: concurrency must be a positive integer`);
  if (merged.rateLimit && !(merged.rateLimit.perSecond > 0)) throw new Error(`${name}: rateLimit.perSecond must be positive`);
  return { name, scope, payload: payload as z.ZodType<z.output<Schema>>, options: merged };
}

/** What a handler knows about the run it is doing, and what it can tell the queue. */
export interface JobContext<S extends JobScope = JobScope> {
  readonly jobId: number;
  readonly queue: string;
  /** The partner the job works for: handlers open withPartner(db, ctx.partnerId, …) themselves. */
  readonly partnerId: S extends 'partner' ? number : null;
  /** 1 for the first run; a retry or a run after a lost worker counts up. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The secret given at enqueue time (still sealed), or null. */
  readonly secret: string | null;
  /**
   * Aborted when the job is cancelled, runs past its timeout, loses its lease or its worker
   * stops; signal.reason is a JobAbort saying which. Pass it to fetch and stop at the next page.
   */
  readonly signal: AbortSignal;
  /** Reports progress (pages done of total); the latest value is stored, readable from any web node. */
  progress(done: number, total?: number | null): void;
  /** Waits for a token of the type's rate limit: call it before each provider call after the first. */
  throttle(): Promise<void>;
  readonly log: Logger;
}

/** Returns the job's result (stored as JSON; keep it small) or throws to fail the attempt. */
export type JobHandler<P, S extends JobScope = JobScope> = (payload: P, ctx: JobContext<S>) => Promise<unknown>;

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'timeout' | 'lease_lost' | 'shutdown';

export class JobAbort extends Error {
  constructor(readonly reason: AbortReason) {
    super(`job aborted: ${reason}`);
    this.name = 'JobAbort';
  }
}

/**
 * Thrown by a handler to decide the retry: `retry: false` fails the job at once (refused
 * credentials: trying again cannot help); `retryAfterMs` replaces the backoff (a 429's Retry-After).
 */
export class JobError extends Error {
  readonly retry: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retry?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'JobError';
    this.retry = opts.retry ?? true;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export interface RegisteredJob {
  type: JobType<unknown>;
  handler: JobHandler<unknown>;
}

export interface RecurringJob {
  type: JobType<unknown, 'platform'>;
  payload: unknown;
  everyMs: number;
}

/** The jobs one worker runs: a handler per type, and the platform jobs it enqueues on a timer. */
export class JobRegistry {
  private readonly jobs = new Map<string, RegisteredJob>();
  private readonly timers = new Map<string, RecurringJob>();

  handle<P, S extends JobScope>(type: JobType<P, S>, handler: JobHandler<P, S>): this {
    if (this.jobs.has(type.name)) throw new Error(`job ${type.name} has a handler already`);
    this.jobs.set(type.name, { type: type, handler: handler as JobHandler<unknown> });
    return this;
  }

  /** Enqueues `type` every `everyMs` (once across all workers); the type needs a handler here too. */
  every<P>(type: JobType<P, 'platform'>, everyMs: number, payload: P): this {
    if (!(everyMs >= 100)) throw new Error(`${type.name}: interval must be at least 100 ms`);
    this.timers.set(type.name, { type: type, payload: type.payload.parse(payload), everyMs });
    return this;
  }

  get(name: string): RegisteredJob | undefined {
    return this.jobs.get(name);
  }

  get names(): string[] {
    return [...this.jobs.keys()];
  }

  get recurring(): RecurringJob[] {
    return [...this.timers.values()];
  }
}

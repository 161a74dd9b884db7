/**
 * Enqueueing, reading and cancelling jobs: what web processes, the CLI and schedulers use.
 * Nothing here runs a job (that is worker.ts). A partner's job is written, read and cancelled
 * in that partner's transaction, so row-level security keeps one partner away from another's.
 */
import type { Database, Queryable } from '../db/database.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import * as repo from './jobs.repo.js';
import type { JobScope, JobType } from './registry.js';

export type { JobRow, JobState } from './jobs.repo.js';

export interface EnqueueOptions {
  /** Due time (default: now). */
  runAt?: Date | undefined;
  /** While a job of this type with this key is queued or active, enqueueing again joins it. */
  dedupeKey?: string | undefined;
  /** Higher runs first among due jobs of the same type (default 0). */
  priority?: number | undefined;
  /** Sealed secret the handler reads as ctx.secret (provider credentials); cleared when the job ends. */
  secret?: string | undefined;
}

type PartnerArg<S extends JobScope> = S extends 'partner' ? { partnerId: number } : { partnerId?: undefined };

export interface Enqueued {
  id: number;
  /** false when an equal job (same dedupe key) was queued or running: this is its id. */
  created: boolean;
}

/**
 * Enqueues inside the caller's transaction, so the job exists exactly when the caller's rows
 * do (a roster import's row and its job commit together). The transaction must be the
 * partner's (partner jobs) or the platform's.
 */
export async function enqueueJob<P, S extends JobScope>(
  tx: Queryable,
  type: JobType<P, S>,
  payload: P,
  opts: EnqueueOptions & PartnerArg<S>,
): Promise<Enqueued> {
  const partnerId = opts.partnerId ?? null;
  if ((type.scope === 'partner') !== (partnerId !== null)) {
    throw new Error(`${type.name} is a ${type.scope} job: ${partnerId === null ? 'a partner id is required' : 'it takes no partner id'}`);
  }
  const parsed = type.payload.safeParse(payload);
  if (!parsed.success) throw new Error(`invalid payload for ${type.name}: ${parsed.error.message}`);
  return repo.insertJob(tx, {
    queue: type.name,
    partnerId,
    payload: parsed.data,
    maxAttempts: type.options.maxAttempts,
    priority: opts.priority ?? 0,
    dedupeKey: opts.dedupeKey ?? null,
    runAt: opts.runAt ?? null,
    secret: opts.secret ?? null,
  });
}

/** The queue as seen from outside a worker. `partnerId` null acts as the platform. */
export class JobQueue {
  constructor(private readonly db: Database) {}

  enqueue<P, S extends JobScope>(type: JobType<P, S>, payload: P, opts: EnqueueOptions & PartnerArg<S>): Promise<Enqueued> {
    return this.scoped(opts.partnerId ?? null, (tx) => enqueueJob(tx, type, payload, opts));
  }

  /** The job, if it exists and the caller may see it. */
  get(partnerId: number | null, id: number): Promise<repo.JobRow | undefined> {
    return this.scoped(partnerId, (tx) => repo.getJob(tx, id));
  }

  /**
   * Cancels a queued job at once, or asks the worker of an active one to stop it; answers the
   * job as it is then (state 'cancelled', or 'active' with cancel_requested until its worker
   * has stopped). A finished job is answered unchanged; an unknown one is undefined.
   */
  cancel(partnerId: number | null, id: number): Promise<repo.JobRow | undefined> {
    return this.scoped(partnerId, (tx) => repo.cancelJob(tx, id));
  }

  private scoped<T>(partnerId: number | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return partnerId === null ? asPlatform(this.db, fn) : withPartner(this.db, partnerId, fn);
  }
}

/**
 * All SQL of the job queue (tables jobs, job_recurring, job_rate_limits; migration 0070).
 * Workers call these in platform transactions; a partner's transaction reaches only its own
 * jobs (row-level security). Every statement that settles a job is fenced by the claim
 * (worker id and attempt): a worker whose lease was taken over can no longer change the job.
 */
import type { Queryable } from '../db/database.js';

export type JobState = 'queued' | 'active' | 'done' | 'failed' | 'cancelled';

/** A claimed job, as the worker runs it. */
export interface ClaimedJob {
  id: number;
  queue: string;
  partner_id: number | null;
  payload: unknown;
  secret: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: boolean;
  /** The state before this claim: 'active' means its previous worker's lease ran out. */
  was: 'queued' | 'active';
}

/** A job as anyone allowed to see it reads it (no payload, no secret). */
export interface JobRow {
  id: number;
  queue: string;
  partner_id: number | null;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  cancel_requested: boolean;
  progress_done: number | null;
  progress_total: number | null;
  last_error: string | null;
  result: unknown;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Identifies one claim of a job: settling statements match it or do nothing. */
export interface Claim {
  id: number;
  worker: string;
  attempt: number;
}

const JOB_COLS = `id, queue, partner_id, state, attempts, max_attempts, run_at, cancel_requested, progress_done, progress_total,
  last_error, result, created_at, started_at, finished_at`;
const ms = (p: string) => `(${p}::double precision * interval '1 millisecond')`;
/** Due for a claim: queued and due, or active under a lease that ran out (never our own). */
const CLAIMABLE = `((state = 'queued' AND run_at <= now()) OR (state = 'active' AND lease_until < now() AND locked_by <> $2))`;

export const JOBS_CHANNEL = 'p88_jobs';
export const CANCEL_CHANNEL = 'p88_jobs_cancel';

export interface NewJob {
  queue: string;
  partnerId: number | null;
  payload: unknown;
  maxAttempts: number;
  priority: number;
  dedupeKey: string | null;
  /** Absolute due time; null = now. */
  runAt: Date | null;
  secret: string | null;
}

/**
 * Inserts a job, or joins the queued/active one with the same dedupe key (moving a queued one's
 * due time earlier if asked to run sooner). Returns the job id and whether it is new.
 */
export async function insertJob(tx: Queryable, job: NewJob): Promise<{ id: number; created: boolean }> {
  for (let tries = 0; tries < 3; tries++) {
    // A job due now wakes the workers (at commit; one NOTIFY per queue and transaction).
    const inserted = await tx.query<{ id: number }>(
      `INSERT INTO jobs (queue, partner_id, payload, max_attempts, priority, dedupe_key, run_at, secret)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, coalesce($7::timestamptz, now()), $8)
       ON CONFLICT DO NOTHING
       RETURNING id, CASE WHEN $7::timestamptz IS NULL THEN pg_notify($9, $1) END AS notified`,
      [job.queue, job.partnerId, JSON.stringify(job.payload), job.maxAttempts, job.priority, job.dedupeKey, job.runAt, job.secret, JOBS_CHANNEL],
    );
    if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
    const joined = await tx.query<{ id: number }>(
      `UPDATE jobs SET run_at = least(run_at, coalesce($4::timestamptz, now())), updated_at = now()
        WHERE queue = $1 AND coalesce(partner_id, 0) = coalesce($2::integer, 0) AND dedupe_key = $3 AND state IN ('queued', 'active')
        RETURNING id`,
      [job.queue, job.partnerId, job.dedupeKey, job.runAt],
    );
    if (joined.rows[0]) return { id: joined.rows[0].id, created: false };
    // The duplicate ended between the two statements: insert again.
  }
  throw new Error(`could not enqueue ${job.queue}: its duplicate keeps changing`);
}

export async function getJob(tx: Queryable, id: number): Promise<JobRow | undefined> {
  const r = await tx.query<JobRow>(`SELECT ${JOB_COLS} FROM jobs WHERE id = $1`, [id]);
  return r.rows[0];
}

/** The queues among `queues` with a job to claim now (a look before taking rate-limit tokens). */
export async function dueQueues(tx: Queryable, queues: string[], worker: string): Promise<string[]> {
  const r = await tx.query<{ queue: string }>(`SELECT DISTINCT queue FROM jobs WHERE queue = ANY($1::text[]) AND ${CLAIMABLE}`, [queues, worker]);
  return r.rows.map((row) => row.queue);
}

/**
 * Claims due jobs for `worker`: up to `slots[i]` of `queues[i]` each, in priority and due order,
 * skipping rows another claimer holds. One statement for every queue a worker serves, so an
 * idle worker's look for work is one query.
 */
export async function claimJobs(tx: Queryable, queues: string[], slots: number[], worker: string, leaseMs: number): Promise<ClaimedJob[]> {
  const r = await tx.query<ClaimedJob>(
    `WITH next AS (
       SELECT c.id, c.was
         FROM unnest($1::text[], $3::integer[]) AS want(queue, slots)
         CROSS JOIN LATERAL (
           SELECT id, state AS was FROM jobs
            WHERE queue = want.queue AND ${CLAIMABLE}
            ORDER BY priority DESC, run_at, id
            LIMIT want.slots
            FOR UPDATE SKIP LOCKED
         ) c
     )
     UPDATE jobs j
        SET state = 'active', attempts = j.attempts + 1, locked_by = $2, lease_until = now() + ${ms('$4')},
            started_at = now(), updated_at = now()
       FROM next
      WHERE j.id = next.id
      RETURNING j.id, j.queue, j.partner_id, j.payload, j.secret, j.attempts, j.max_attempts, j.cancel_requested, next.was`,
    [queues, worker, slots, leaseMs],
  );
  return r.rows;
}

/** Renews the leases of the worker's running jobs; answers the ones it still holds. */
export async function renewLeases(tx: Queryable, worker: string, ids: number[], leaseMs: number): Promise<Array<{ id: number; cancel_requested: boolean }>> {
  const r = await tx.query<{ id: number; cancel_requested: boolean }>(
    `UPDATE jobs SET lease_until = now() + ${ms('$3')}, updated_at = now()
      WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND state = 'active'
      RETURNING id, cancel_requested`,
    [ids, worker, leaseMs],
  );
  return r.rows;
}

export async function setProgress(tx: Queryable, claim: Claim, done: number, total: number | null): Promise<void> {
  await tx.query(
    `UPDATE jobs SET progress_done = $4, progress_total = $5, updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'active'`,
    [claim.id, claim.worker, claim.attempt, done, total],
  );
}

/** Ends a claimed job (done, failed or cancelled); false when the claim was no longer ours. */
export async function finishJob(
  tx: Queryable,
  claim: Claim,
  end: { state: 'done' | 'failed' | 'cancelled'; result?: unknown; error?: string | null },
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE jobs SET state = $4, result = $5::jsonb, last_error = coalesce($6, last_error), secret = NULL,
            locked_by = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'active'`,
    [claim.id, claim.worker, claim.attempt, end.state, end.result === undefined ? null : JSON.stringify(end.result), end.error ?? null],
  );
  return r.rowCount > 0;
}

/**
 * Puts a claimed job back in the queue: a failed attempt to retry after `delayMs`, or (with
 * `uncount`) a run its stopping worker gave back, which does not count as an attempt.
 */
export async function requeueJob(tx: Queryable, claim: Claim, again: { delayMs: number; error: string | null; uncount: boolean }): Promise<boolean> {
  const r = await tx.query(
    `UPDATE jobs SET state = 'queued', run_at = now() + ${ms('$4')}, last_error = coalesce($5, last_error),
            attempts = CASE WHEN $6 THEN attempts - 1 ELSE attempts END,
            locked_by = NULL, lease_until = NULL, progress_done = NULL, progress_total = NULL, updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'active'`,
    [claim.id, claim.worker, claim.attempt, again.delayMs, again.error, again.uncount],
  );
  return r.rowCount > 0;
}

/**
 * Cancels a job: a queued one ends now; an active one is flagged, and its worker (told on the
 * cancel channel, or at its next lease renewal) aborts the handler. Returns the state after.
 */
export async function cancelJob(tx: Queryable, id: number): Promise<JobRow | undefined> {
  const r = await tx.query<JobRow>(
    `UPDATE jobs
        SET cancel_requested = true, updated_at = now(),
            state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
            finished_at = CASE WHEN state = 'queued' THEN now() END,
            secret = CASE WHEN state = 'queued' THEN NULL ELSE secret END
      WHERE id = $1 AND state IN ('queued', 'active')
      RETURNING ${JOB_COLS}`,
    [id],
  );
  if (r.rows[0]?.state === 'active') await tx.query('SELECT pg_notify($1, $2)', [CANCEL_CHANNEL, String(id)]);
  return r.rows[0] ?? (await getJob(tx, id));
}

/** Deletes up to `limit` jobs that ended more than `olderThanMs` ago; returns how many. */
export async function pruneJobs(tx: Queryable, olderThanMs: number, limit: number): Promise<number> {
  const r = await tx.query(
    `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE finished_at < now() - ${ms('$1')} LIMIT $2)`,
    [olderThanMs, limit],
  );
  return r.rowCount;
}

/**
 * Declares a recurring job. A new one first runs after min(interval, 1 min); an existing one
 * keeps its time unless the new interval brings it sooner.
 */
export async function upsertRecurring(tx: Queryable, job: { name: string; queue: string; payload: unknown; everyMs: number }): Promise<void> {
  await tx.query(
    `INSERT INTO job_recurring (name, queue, payload, every_ms, next_run_at)
     VALUES ($1, $2, $3::jsonb, $4::bigint, now() + ${ms('least($4::bigint, 60000)')})
     ON CONFLICT (name) DO UPDATE
        SET queue = EXCLUDED.queue, payload = EXCLUDED.payload, every_ms = EXCLUDED.every_ms,
            next_run_at = least(job_recurring.next_run_at, now() + ${ms('EXCLUDED.every_ms')}), updated_at = now()`,
    [job.name, job.queue, JSON.stringify(job.payload), job.everyMs],
  );
}

/** Moves each due recurring job's time on by its interval and returns them: the caller enqueues them. */
export async function takeDueRecurring(tx: Queryable, names: string[]): Promise<Array<{ name: string; payload: unknown }>> {
  const r = await tx.query<{ name: string; payload: unknown }>(
    `UPDATE job_recurring SET next_run_at = now() + ${ms('every_ms')}, updated_at = now()
      WHERE name = ANY($1::text[]) AND next_run_at <= now()
      RETURNING name, payload`,
    [names],
  );
  return r.rows;
}

/**
 * Takes one token from a bucket that refills at `perSecond` up to `burst`. Returns 0 when
 * taken, else the milliseconds until a token will be there. The row lock of the upsert
 * serializes concurrent takers on every worker.
 */
export async function takeToken(tx: Queryable, key: string, perSecond: number, burst: number): Promise<number> {
  const level = `least($3::double precision, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * $2::double precision)`;
  const taken = await tx.query(
    `INSERT INTO job_rate_limits AS b (key, tokens, updated_at) VALUES ($1, $3::double precision - 1, clock_timestamp())
     ON CONFLICT (key) DO UPDATE SET tokens = ${level} - 1, updated_at = clock_timestamp()
      WHERE ${level} >= 1
     RETURNING 1`,
    [key, perSecond, burst],
  );
  if (taken.rowCount > 0) return 0;
  const r = await tx.query<{ level: number }>(`SELECT ${level} AS level FROM job_rate_limits b WHERE key = $1`, [key, perSecond, burst]);
  const missing = 1 - (r.rows[0]?.level ?? 0);
  return Math.max(1, Math.ceil((missing / perSecond) * 1000));
}

/** Gives back a token taken for a claim that found no job. */
export async function returnToken(tx: Queryable, key: string, burst: number): Promise<void> {
  await tx.query(`UPDATE job_rate_limits SET tokens = least($2::double precision, tokens + 1) WHERE key = $1`, [key, burst]);
}

export interface QueueCounts {
  queued: number;
  /** Queued and due now: what workers have not caught up with. */
  due: number;
  active: number;
  failed_last_day: number;
  /** Seconds the oldest due job has waited; null when none waits. */
  oldest_due_seconds: number | null;
}

/** The whole queue's state at a glance (platform scope: every partner's jobs). */
export async function queueCounts(tx: Queryable): Promise<QueueCounts> {
  const r = await tx.query<QueueCounts>(
    `SELECT count(*) FILTER (WHERE state = 'queued')::int AS queued,
            count(*) FILTER (WHERE state = 'queued' AND run_at <= now())::int AS due,
            count(*) FILTER (WHERE state = 'active')::int AS active,
            count(*) FILTER (WHERE state = 'failed' AND finished_at > now() - interval '1 day')::int AS failed_last_day,
            round(extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 'queued' AND run_at <= now())))::int AS oldest_due_seconds
       FROM jobs`,
  );
  return r.rows[0]!;
}

/** All SQL of sync_history (migration 0071): one row per sync run, with its counts, errors and duration. */
import type { Queryable } from '../db/database.js';

export interface SyncCounts {
  new: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Records gone at the provider, marked removed here (never silently dropped). */
  removed: number;
  /** Records where a partner's hand edit was kept against the provider's value (notices say which). */
  kept: number;
}

/** What a run kept or noticed that is not an error (a hand edit kept, an incomplete pull). */
export interface SyncNotice {
  message: string;
  record?: string;
  field?: string;
}

export interface SyncError {
  message: string;
  /** The provider's id of the record concerned, if any. */
  record?: string;
}

export type SyncRunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface SyncRunRow {
  id: number;
  schedule_id: number | null;
  job_id: number | null;
  provider: string;
  external_event_id: string;
  direction: 'pull' | 'push';
  trigger: 'schedule' | 'manual';
  status: SyncRunStatus;
  count_new: number;
  count_updated: number;
  count_unchanged: number;
  count_failed: number;
  count_removed: number;
  count_kept: number;
  errors: SyncError[];
  notices: SyncNotice[];
  mode: 'full' | 'incremental' | null;
  error_count: number;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  /** Of the run's job while it runs (pages done of total), from jobs. */
  progress_done: number | null;
  progress_total: number | null;
}

/** Errors kept per run (error_count says how many there were). */
export const MAX_STORED_SYNC_ERRORS = 100;

export async function startSyncRun(
  tx: Queryable,
  partnerId: number,
  run: { scheduleId: number | null; jobId: number | null; provider: string; externalEventId: string; direction: 'pull' | 'push'; trigger: 'schedule' | 'manual' },
): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO sync_history (partner_id, schedule_id, job_id, provider, external_event_id, direction, trigger)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [partnerId, run.scheduleId, run.jobId, run.provider, run.externalEventId, run.direction, run.trigger],
  );
  return r.rows[0]!.id;
}

/** Ends a running run with its outcome; its duration is measured by the database clock. */
export async function finishSyncRun(
  tx: Queryable,
  partnerId: number,
  id: number,
  end: { status: Exclude<SyncRunStatus, 'running'>; counts: Partial<SyncCounts>; errors: SyncError[]; notices?: SyncNotice[]; mode?: 'full' | 'incremental' | null },
): Promise<void> {
  const c = end.counts;
  await tx.query(
    `UPDATE sync_history
        SET status = $3, count_new = $4, count_updated = $5, count_unchanged = $6, count_failed = $7, count_removed = $8,
            errors = $9::jsonb, error_count = $10, count_kept = $11, notices = $12::jsonb, mode = coalesce($13, mode),
            finished_at = clock_timestamp(),
            duration_ms = greatest(0, round(extract(epoch FROM clock_timestamp() - started_at) * 1000))::integer
      WHERE partner_id = $1 AND id = $2 AND status = 'running'`,
    [
      partnerId,
      id,
      end.status,
      c.new ?? 0,
      c.updated ?? 0,
      c.unchanged ?? 0,
      c.failed ?? 0,
      c.removed ?? 0,
      JSON.stringify(end.errors.slice(0, MAX_STORED_SYNC_ERRORS)),
      end.errors.length,
      c.kept ?? 0,
      JSON.stringify((end.notices ?? []).slice(0, MAX_STORED_SYNC_ERRORS)),
      end.mode ?? null,
    ],
  );
}

/** The partner's latest runs (of one schedule, if given), newest first, with running jobs' progress. */
export async function listSyncRuns(tx: Queryable, partnerId: number, opts: { scheduleId?: number; provider?: string; externalEventId?: string; limit: number }): Promise<SyncRunRow[]> {
  const r = await tx.query<SyncRunRow>(
    `SELECT h.id, h.schedule_id, h.job_id, h.provider, h.external_event_id, h.direction, h.trigger, h.status,
            h.count_new, h.count_updated, h.count_unchanged, h.count_failed, h.count_removed, h.count_kept, h.errors, h.error_count, h.notices, h.mode,
            h.started_at, h.finished_at, h.duration_ms,
            CASE WHEN h.status = 'running' THEN j.progress_done END AS progress_done,
            CASE WHEN h.status = 'running' THEN j.progress_total END AS progress_total
       FROM sync_history h
       LEFT JOIN jobs j ON j.id = h.job_id AND j.partner_id = h.partner_id
      WHERE h.partner_id = $1 AND ($2::integer IS NULL OR h.schedule_id = $2)
        AND ($4::text IS NULL OR h.provider = $4) AND ($5::text IS NULL OR h.external_event_id = $5)
      ORDER BY h.started_at DESC, h.id DESC
      LIMIT $3`,
    [partnerId, opts.scheduleId ?? null, opts.limit, opts.provider ?? null, opts.externalEventId ?? null],
  );
  return r.rows;
}

/** Says early whether a running run is full or incremental (so a failed run says it too). */
export async function setSyncRunMode(tx: Queryable, partnerId: number, id: number, mode: 'full' | 'incremental'): Promise<void> {
  await tx.query(`UPDATE sync_history SET mode = $3 WHERE partner_id = $1 AND id = $2 AND status = 'running'`, [partnerId, id, mode]);
}

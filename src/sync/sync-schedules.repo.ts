/** All SQL of sync_schedules (migration 0071): which provider events are synced, and when next. */
import type { Queryable } from '../db/database.js';

export interface SyncScheduleRow {
  id: number;
  partner_id: number;
  provider: string;
  external_event_id: string;
  direction: 'pull' | 'push';
  starts_at: Date | null;
  enabled: boolean;
  next_run_at: Date | null;
  last_enqueued_at: Date | null;
  last_job_id: number | null;
  /** The warehouse event it fills (null: its own) and the roster it also feeds (null: none); migration 0075. */
  warehouse_event_id: number | null;
  roster_event_id: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLS = 'id, partner_id, provider, external_event_id, direction, starts_at, enabled, next_run_at, last_enqueued_at, last_job_id, warehouse_event_id::int AS warehouse_event_id, roster_event_id, created_at, updated_at';

/**
 * Creates a schedule (first sync due at `firstRunAt`) or updates its start time; an updated
 * start brings the next sync sooner when the new cadence asks for it (`nextRunAt`), and
 * revives a schedule that had run its course.
 */
export async function upsertSchedule(
  tx: Queryable,
  partnerId: number,
  s: { provider: string; externalEventId: string; direction: 'pull' | 'push'; startsAt: Date | null; firstRunAt: Date; nextRunAt: Date | null; warehouseEventId?: number | null; rosterEventId?: number | null },
): Promise<SyncScheduleRow> {
  const r = await tx.query<SyncScheduleRow>(
    `INSERT INTO sync_schedules (partner_id, provider, external_event_id, direction, starts_at, next_run_at, warehouse_event_id, roster_event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $8, $9)
     ON CONFLICT (partner_id, provider, external_event_id, direction) DO UPDATE
        SET starts_at = EXCLUDED.starts_at,
            warehouse_event_id = CASE WHEN $10 THEN EXCLUDED.warehouse_event_id ELSE sync_schedules.warehouse_event_id END,
            roster_event_id = CASE WHEN $11 THEN EXCLUDED.roster_event_id ELSE sync_schedules.roster_event_id END,
            next_run_at = CASE WHEN sync_schedules.next_run_at IS NULL THEN $7::timestamptz
                               ELSE least(sync_schedules.next_run_at, coalesce($7::timestamptz, sync_schedules.next_run_at)) END,
            updated_at = now()
     RETURNING ${COLS}`,
    [partnerId, s.provider, s.externalEventId, s.direction, s.startsAt, s.firstRunAt, s.nextRunAt, s.warehouseEventId ?? null, s.rosterEventId ?? null, s.warehouseEventId !== undefined, s.rosterEventId !== undefined],
  );
  return r.rows[0]!;
}

export async function getSchedule(tx: Queryable, partnerId: number, id: number): Promise<SyncScheduleRow | undefined> {
  const r = await tx.query<SyncScheduleRow>(`SELECT ${COLS} FROM sync_schedules WHERE partner_id = $1 AND id = $2`, [partnerId, id]);
  return r.rows[0];
}

export async function listSchedules(tx: Queryable, partnerId: number): Promise<SyncScheduleRow[]> {
  const r = await tx.query<SyncScheduleRow>(`SELECT ${COLS} FROM sync_schedules WHERE partner_id = $1 ORDER BY starts_at NULLS LAST, id`, [partnerId]);
  return r.rows;
}

export async function setScheduleEnabled(tx: Queryable, partnerId: number, id: number, enabled: boolean): Promise<SyncScheduleRow | undefined> {
  const r = await tx.query<SyncScheduleRow>(
    `UPDATE sync_schedules SET enabled = $3, updated_at = now() WHERE partner_id = $1 AND id = $2 RETURNING ${COLS}`,
    [partnerId, id, enabled],
  );
  return r.rows[0];
}

export async function deleteSchedule(tx: Queryable, partnerId: number, id: number): Promise<boolean> {
  const r = await tx.query('DELETE FROM sync_schedules WHERE partner_id = $1 AND id = $2', [partnerId, id]);
  return r.rowCount > 0;
}

/**
 * Enabled schedules due at `now` (every partner's: the caller is the platform), locked so a
 * scheduler on another worker skips them until this one has moved them on.
 */
export async function lockDueSchedules(tx: Queryable, now: Date, limit: number): Promise<SyncScheduleRow[]> {
  const r = await tx.query<SyncScheduleRow>(
    `SELECT ${COLS} FROM sync_schedules
      WHERE enabled AND next_run_at <= $1
      ORDER BY next_run_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return r.rows;
}

/** Records a sync enqueued for the schedule and when the next is due (null: the schedule is over). */
export async function markEnqueued(tx: Queryable, partnerId: number, id: number, jobId: number, at: Date, next: Date | null): Promise<void> {
  await tx.query(
    `UPDATE sync_schedules SET last_job_id = $3, last_enqueued_at = $4, next_run_at = $5, updated_at = now() WHERE partner_id = $1 AND id = $2`,
    [partnerId, id, jobId, at, next],
  );
}

/**
 * Synced provider events and their schedules: a partner adds an event to sync (with its start
 * time, so the cadence can tighten towards it), pauses or removes it, or asks for a sync now.
 * The scheduler (enqueueDueSyncs, run by every worker on each tick) turns due schedules into
 * sync jobs; at most one sync per schedule is queued or running at a time.
 */
import type { Database, Queryable } from '../db/database.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import { sqlState } from '../db/errors.js';
import { AppError } from '../errors.js';
import { enqueueJob, type Enqueued } from '../jobs/queue.js';
import type { Logger } from '../log.js';
import { nextSyncAt, type SyncCadence } from './sync-cadence.js';
import { isSyncProvider, syncJobs, type SyncPayload, type SyncProvider } from './sync-jobs.js';
import * as repo from './sync-schedules.repo.js';

export type { SyncScheduleRow } from './sync-schedules.repo.js';

export interface ScheduleInput {
  provider: SyncProvider;
  externalEventId: string;
  direction?: 'pull' | 'push';
  startsAt: Date | null;
  /** The warehouse event to fill (null: its own); absent keeps what is set. */
  warehouseEventId?: number | null;
  /** The roster to feed as well (null: none); absent keeps what is set. */
  rosterEventId?: number | null;
}

/** The dedupe key that keeps one sync per schedule queued or running. */
const dedupeKey = (scheduleId: number) => `schedule:${scheduleId}`;

export class SyncSchedules {
  constructor(
    private readonly db: Database,
    private readonly cadence: SyncCadence,
    /** The clock (tests). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds an event to sync (its first sync is due at once) or updates its start time. */
  upsert(partnerId: number, input: ScheduleInput): Promise<repo.SyncScheduleRow> {
    if (!isSyncProvider(input.provider)) throw new AppError('bad_request', `Unknown provider "${String(input.provider)}".`);
    const now = this.now();
    return withPartner(this.db, partnerId, (tx) =>
      repo.upsertSchedule(tx, partnerId, {
        provider: input.provider,
        externalEventId: input.externalEventId,
        direction: input.direction ?? 'pull',
        startsAt: input.startsAt,
        firstRunAt: now,
        nextRunAt: nextSyncAt(now, input.startsAt, this.cadence),
        ...(input.warehouseEventId !== undefined ? { warehouseEventId: input.warehouseEventId } : {}),
        ...(input.rosterEventId !== undefined ? { rosterEventId: input.rosterEventId } : {}),
      }),
    ).catch((err: unknown) => {
      if (sqlState(err) === '23503') throw new AppError('not_found', 'That warehouse event or roster is not this partner’s.');
      throw err;
    });
  }

  list(partnerId: number): Promise<repo.SyncScheduleRow[]> {
    return withPartner(this.db, partnerId, (tx) => repo.listSchedules(tx, partnerId));
  }

  async setEnabled(partnerId: number, scheduleId: number, enabled: boolean): Promise<repo.SyncScheduleRow> {
    const row = await withPartner(this.db, partnerId, (tx) => repo.setScheduleEnabled(tx, partnerId, scheduleId, enabled));
    if (!row) throw new AppError('not_found', 'Sync schedule not found.');
    return row;
  }

  async remove(partnerId: number, scheduleId: number): Promise<void> {
    if (!(await withPartner(this.db, partnerId, (tx) => repo.deleteSchedule(tx, partnerId, scheduleId)))) {
      throw new AppError('not_found', 'Sync schedule not found.');
    }
  }

  /**
   * "Sync now": enqueues a sync of the schedule's event due at once, paused or not. A sync of
   * it already queued is moved to now and answered instead; one running is answered as it is.
   */
  syncNow(partnerId: number, scheduleId: number): Promise<Enqueued> {
    return withPartner(this.db, partnerId, async (tx) => {
      const s = await repo.getSchedule(tx, partnerId, scheduleId);
      if (!s) throw new AppError('not_found', 'Sync schedule not found.');
      return enqueueSync(tx, s, 'manual');
    });
  }
}

function enqueueSync(tx: Queryable, s: repo.SyncScheduleRow, trigger: SyncPayload['trigger']): Promise<Enqueued> {
  if (!isSyncProvider(s.provider)) throw new Error(`sync schedule ${s.id} names an unknown provider "${s.provider}"`);
  const payload: SyncPayload = {
    scheduleId: s.id, provider: s.provider, externalEventId: s.external_event_id, direction: s.direction, trigger,
    ...(s.warehouse_event_id !== null ? { warehouseEventId: s.warehouse_event_id } : {}),
    ...(s.roster_event_id !== null ? { rosterEventId: s.roster_event_id } : {}),
  };
  return enqueueJob(tx, syncJobs[s.provider], payload, { partnerId: s.partner_id, dedupeKey: dedupeKey(s.id) });
}

/**
 * The scheduler: enqueues a sync for every schedule due at `now` and sets its next time from
 * the cadence. Safe on any number of workers at once: due rows are locked and skipped by the
 * others, and a schedule whose previous sync is still queued or running joins it.
 */
export async function enqueueDueSyncs(db: Database, cadence: SyncCadence, log: Pick<Logger, 'warn'>, now: Date = new Date()): Promise<number> {
  return asPlatform(db, async (tx) => {
    let enqueued = 0;
    for (const s of await repo.lockDueSchedules(tx, now, 200)) {
      if (!isSyncProvider(s.provider)) {
        log.warn({ schedule_id: s.id, partner_id: s.partner_id, provider: s.provider }, 'sync schedule names an unknown provider; paused');
        await repo.setScheduleEnabled(tx, s.partner_id, s.id, false);
        continue;
      }
      const job = await enqueueSync(tx, s, 'schedule');
      await repo.markEnqueued(tx, s.partner_id, s.id, job.id, now, nextSyncAt(now, s.starts_at, cadence));
      enqueued += 1;
    }
    return enqueued;
  });
}

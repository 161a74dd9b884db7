/**
 * Provider sync as queue jobs: one job type per provider (queue `sync.<provider>`), so each
 * provider's rate limit holds across all workers. The handlers are the adapters' sync code:
 * they register with registerSyncHandler, and record each run with recordSyncRun.
 */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { defineJob, JobAbort, type JobContext, type JobHandler, type JobRegistry, type JobType, type RateLimit } from '../jobs/registry.js';
import { finishSyncRun, startSyncRun, type SyncCounts, type SyncError, type SyncNotice } from './sync-history.repo.js';

/** The adapters of src/providers/<name>/ that sync. */
export const SYNC_PROVIDERS = ['runsignup', 'raceroster', 'ultrasignup', 'active', 'eventbrite', 'copernico', 'ctlive', 'haku'] as const;
export type SyncProvider = (typeof SYNC_PROVIDERS)[number];

export const syncPayloadSchema = z.object({
  /** The schedule that enqueued it; null for a "sync now" of a connection's event without one. */
  scheduleId: z.number().int().positive().nullable(),
  /** The provider connection to use; the partner's connection for `provider` when absent. */
  connectionId: z.number().int().positive().optional(),
  provider: z.enum(SYNC_PROVIDERS),
  externalEventId: z.string().min(1).max(100),
  direction: z.enum(['pull', 'push']),
  trigger: z.enum(['schedule', 'manual']),
  /** A full pull even when a cursor allows an incremental one (removals are only seen by a full pull). */
  full: z.boolean().optional(),
  /** Roster event the pulled participants also feed (a display can use it); none when absent. */
  rosterEventId: z.number().int().positive().optional(),
  /** Pull: the warehouse event to fill (else the provider event's own); push: the one whose results go back. */
  warehouseEventId: z.number().int().positive().optional(),
  /** Push: the provider's race (RunSignUp event id) and, for RunSignUp, the result set to fill. */
  raceExternalId: z.string().min(1).max(100).optional(),
  resultSetId: z.string().min(1).max(100).optional(),
});
export type SyncPayload = z.infer<typeof syncPayloadSchema>;

/**
 * [guess] providers.md documents no provider's rate limit: two sync starts a second per
 * provider, and ctx.throttle() before each call after a sync's first, keep every worker
 * together well under what such APIs allow. Change it here, for one provider or all.
 */
const PROVIDER_RATE_LIMIT: Record<SyncProvider, Omit<RateLimit, 'key'>> = Object.fromEntries(
  SYNC_PROVIDERS.map((p) => [p, { perSecond: 2, burst: 4 }]),
) as Record<SyncProvider, Omit<RateLimit, 'key'>>;

export const syncJobs = Object.fromEntries(
  SYNC_PROVIDERS.map((provider) => [
    provider,
    defineJob({
      name: `sync.${provider}`,
      scope: 'partner',
      payload: syncPayloadSchema,
      maxAttempts: 5,
      backoff: { baseMs: 30_000, maxMs: 30 * 60_000 },
      concurrency: 2,
      timeoutMs: 30 * 60_000,
      // Pull and push of one provider share its budget.
      rateLimit: { key: `provider.${provider}`, ...PROVIDER_RATE_LIMIT[provider] },
    }),
  ]),
) as Record<SyncProvider, JobType<SyncPayload, 'partner'>>;

export function isSyncProvider(name: string): name is SyncProvider {
  return (SYNC_PROVIDERS as readonly string[]).includes(name);
}

/** The entry point for sync handlers: `handler` runs every sync job of these providers. */
export function registerSyncHandler(
  registry: JobRegistry,
  handler: JobHandler<SyncPayload, 'partner'>,
  providers: readonly SyncProvider[] = SYNC_PROVIDERS,
): JobRegistry {
  for (const p of providers) registry.handle(syncJobs[p], handler);
  return registry;
}

export interface SyncOutcome {
  counts: Partial<SyncCounts>;
  errors?: SyncError[];
  notices?: SyncNotice[];
  mode?: 'full' | 'incremental';
}

/**
 * Runs a sync's body and records it in sync_history: a running row first (the dashboard shows
 * it with its job's progress), then its counts and errors. A body that throws is recorded
 * failed (or cancelled) with its message, and the error is rethrown for the queue to retry.
 */
export async function recordSyncRun(
  db: Database,
  payload: SyncPayload,
  ctx: JobContext<'partner'>,
  body: (historyId: number) => Promise<SyncOutcome>,
): Promise<SyncOutcome & { historyId: number }> {
  const partnerId = ctx.partnerId;
  const historyId = await withPartner(db, partnerId, (tx) =>
    startSyncRun(tx, partnerId, {
      scheduleId: payload.scheduleId ?? null,
      jobId: ctx.jobId,
      provider: payload.provider,
      externalEventId: payload.externalEventId,
      direction: payload.direction,
      trigger: payload.trigger,
    }),
  );
  try {
    const outcome = await body(historyId);
    await withPartner(db, partnerId, (tx) => finishSyncRun(tx, partnerId, historyId, { status: 'done', counts: outcome.counts, errors: outcome.errors ?? [], notices: outcome.notices ?? [], mode: outcome.mode ?? null }));
    return { ...outcome, historyId };
  } catch (err) {
    const cancelled = ctx.signal.reason instanceof JobAbort && ctx.signal.reason.reason === 'cancelled';
    const message = err instanceof Error ? err.message : String(err);
    await withPartner(db, partnerId, (tx) =>
      finishSyncRun(tx, partnerId, historyId, { status: cancelled ? 'cancelled' : 'failed', counts: {}, errors: [{ message }] }),
    );
    throw err;
  }
}

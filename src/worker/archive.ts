/**
 * Retention: reads older than the window move from timing_reads to timing_reads_archive, in
 * bounded batches so a large backlog never holds one huge transaction or lock. Idempotent:
 * the archive has the same unique key, so a batch interrupted and repeated moves nothing twice.
 * The worker runs it as a recurring job (ARCHIVE_INTERVAL_SECONDS); `p88 archive` at will.
 */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { defineJob, type JobHandler } from '../jobs/registry.js';
import { archiveReadsBefore } from '../timing/timing.repo.js';
import { pruneConnectionLog } from '../collector/collector.repo.js';

const DAY_MS = 24 * 3600 * 1000;

/** Moves every read received before `olderThan`; returns how many moved. */
export async function archiveReads(db: Database, olderThan: Date, batchSize = 10_000, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    signal?.throwIfAborted();
    // Retention is the platform's job across every partner.
    const moved = await asPlatform(db, (tx) => archiveReadsBefore(tx, olderThan, batchSize));
    total += moved;
    if (moved < batchSize) return total;
  }
}

export const archiveReadsJob = defineJob({
  name: 'reads.archive',
  scope: 'platform',
  payload: z.object({}),
  maxAttempts: 3,
  backoff: { baseMs: 60_000, maxMs: 30 * 60_000 },
});

/** Deletes connection_log rows of connections that ended before `before` (the reads' retention). */
export async function pruneConnections(db: Database, before: Date, batchSize = 10_000, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    signal?.throwIfAborted();
    const n = await asPlatform(db, (tx) => pruneConnectionLog(tx, before, batchSize));
    total += n;
    if (n < batchSize) return total;
  }
}

/**
 * The recurring archival: moves reads older than `archiveAfterDays` at the time it runs, and
 * prunes the connection log with the same retention.
 */
export function archiveReadsHandler(db: Database, archiveAfterDays: number): JobHandler<Record<string, never>, 'platform'> {
  return async (_payload, ctx) => {
    const cutoff = new Date(Date.now() - archiveAfterDays * DAY_MS);
    const moved = await archiveReads(db, cutoff, 10_000, ctx.signal);
    const connectionsPruned = await pruneConnections(db, cutoff, 10_000, ctx.signal);
    ctx.log.info({ moved, connectionsPruned, cutoff: cutoff.toISOString() }, 'archived old reads');
    return { moved, connectionsPruned, cutoff: cutoff.toISOString() };
  };
}

/**
 * Retention: reads older than the window move from timing_reads to timing_reads_archive, in
 * bounded batches so a large backlog never holds one huge transaction or lock. Idempotent:
 * the archive has the same unique key, so a batch interrupted and repeated moves nothing twice.
 */
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { archiveReadsBefore } from '../timing/timing.repo.js';

/** Moves every read received before `olderThan`; returns how many moved. */
export async function archiveReads(db: Database, olderThan: Date, batchSize = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    // Retention is the platform's job across every partner.
    const moved = await asPlatform(db, (tx) => archiveReadsBefore(tx, olderThan, batchSize));
    total += moved;
    if (moved < batchSize) return total;
  }
}

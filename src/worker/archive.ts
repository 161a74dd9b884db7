/**
 * Retention: reads older than the window move from timing_reads to timing_reads_archive, in
 * bounded batches so a large backlog never holds one huge transaction or lock. Idempotent:
 * the archive has the same unique key, so a batch interrupted and repeated moves nothing twice.
 */
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';

const COLUMNS = `id, partner_id, session_id, location_id, stream_id, source_key, connection_log_id, sequence_number,
  location_name, tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at`;

/** Moves every read received before `olderThan`; returns how many moved. */
export async function archiveReads(db: Database, olderThan: Date, batchSize = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    // Retention is the platform's job across every partner.
    const moved = await asPlatform(db, async (tx) => {
      const r = await tx.query<{ n: number }>(
        `WITH moved AS (
           DELETE FROM timing_reads
            WHERE id IN (SELECT id FROM timing_reads WHERE received_at < $1 LIMIT $2)
           RETURNING ${COLUMNS}
         ), archived AS (
           INSERT INTO timing_reads_archive (${COLUMNS})
           SELECT ${COLUMNS} FROM moved
           ON CONFLICT (stream_id, sequence_number) DO NOTHING
         )
         SELECT count(*)::int AS n FROM moved`,
        [olderThan, batchSize],
      );
      return r.rows[0]?.n ?? 0;
    });
    total += moved;
    if (moved < batchSize) return total;
  }
}

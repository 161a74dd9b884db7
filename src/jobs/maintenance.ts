/** The queue's own upkeep, as a recurring job: finished jobs are deleted after the retention period. */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { pruneJobs } from './jobs.repo.js';
import { defineJob, type JobHandler } from './registry.js';

export const pruneJobsJob = defineJob({
  name: 'jobs.prune',
  scope: 'platform',
  payload: z.object({}),
  maxAttempts: 3,
  backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
});

const BATCH = 5_000;

/** Deletes jobs that ended more than `retentionMs` ago, in batches (no long lock on the queue). */
export function pruneJobsHandler(db: Database, retentionMs: number): JobHandler<Record<string, never>, 'platform'> {
  return async (_payload, ctx) => {
    let deleted = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      const n = await asPlatform(db, (tx) => pruneJobs(tx, retentionMs, BATCH));
      deleted += n;
      if (n < BATCH) return { deleted };
    }
  };
}

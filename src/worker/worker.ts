/** Background jobs of the platform. Today: the daily retention run. */
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { archiveReads } from './archive.js';

const DAY_MS = 24 * 3600 * 1000;

export interface WorkerHandle {
  close(): Promise<void>;
}

export function startWorker(deps: { db: Database; log: Logger; archiveAfterDays: number; firstRunDelayMs?: number }): WorkerHandle {
  const log = deps.log.child({ component: 'worker' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const runArchive = async () => {
    const cutoff = new Date(Date.now() - deps.archiveAfterDays * DAY_MS);
    // Two workers running at once is harmless: a row deleted by one is skipped by the other.
    try {
      const moved = await archiveReads(deps.db, cutoff);
      log.info({ moved, cutoff: cutoff.toISOString() }, 'archived old reads');
    } catch (err) {
      log.error({ err: String(err) }, 'archive run failed; next run tomorrow');
    }
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runArchive().finally(() => {
        running = null;
        schedule(DAY_MS);
      });
    }, delay);
    timer.unref();
  };
  // First run shortly after start (not during it), then daily.
  schedule(deps.firstRunDelayMs ?? 60_000);

  return {
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The worker service: runs the queue's jobs (src/jobs/) and the schedulers that enqueue them,
 * until stopped. `p88 worker` runs it alone (any number of them on one database); `p88 start`
 * runs it beside the web app and the collector, on the embedded database.
 */
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import type { Logger } from '../log.js';
import { enqueueDueSyncs } from '../sync/sync-schedules.service.js';
import { buildJobRegistry } from './jobs.js';
import { startWorkerStatus } from './worker-status.js';

export interface WorkerHandle {
  /** This worker's name in jobs.locked_by. */
  readonly id: string;
  /** The port its /health and /metrics listen on (null: taken by another worker on this host). */
  readonly statusPort: number | null;
  /** Stops claiming, lets running jobs stop (handing back the unfinished), and returns. */
  close(): Promise<void>;
}

export interface WorkerDeps {
  db: Database;
  log: Logger;
  config: Config;
  /** Adds handlers to the platform's (tests; a deployment's own jobs). */
  extend?: ((registry: JobRegistry) => void) | undefined;
}

export async function startWorker(deps: WorkerDeps): Promise<WorkerHandle> {
  const { db, config } = deps;
  const log = deps.log.child({ component: 'worker' });
  const box = new SecretBox(await loadSecretKey(config.secretKey, config.dataDir));
  const registry = buildJobRegistry({ db, log, config, box });
  deps.extend?.(registry);
  const status = await startWorkerStatus({ db, host: config.WORKER_STATUS_HOST, port: config.WORKER_STATUS_PORT, token: config.METRICS_TOKEN, log });
  const worker = new JobWorker({
    db,
    registry,
    log,
    leaseMs: config.JOBS_LEASE_SECONDS * 1000,
    pollMs: config.JOBS_POLL_SECONDS * 1000,
    shutdownMs: config.JOBS_SHUTDOWN_SECONDS * 1000,
    tickers: [async () => void (await enqueueDueSyncs(db, config.SYNC_CADENCE, log))],
    onOutcome: (queue, outcome) => status.outcome(queue, outcome),
  });
  try {
    await worker.start();
  } catch (err) {
    await status.close();
    throw err;
  }
  log.info({ worker: worker.id, jobs: registry.names, status_port: status.port }, 'worker running');
  return {
    id: worker.id,
    statusPort: status.port,
    close: async () => {
      await worker.stop();
      await status.close();
    },
  };
}

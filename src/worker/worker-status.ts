/**
 * The worker's own HTTP listener (WORKER_STATUS_HOST:WORKER_STATUS_PORT, loopback by default):
 * GET /health (the database answers) and GET /metrics (Prometheus): the job queue's depth and
 * age read from the database at scrape time, this worker's job outcomes by queue, its database
 * pool, and Node's own metrics (event-loop delay, memory).
 */
import Fastify from 'fastify';
import client from 'prom-client';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { pingDatabase } from '../db/ping.js';
import { asPlatform } from '../db/tenant.js';
import { createProcessMetrics, installHttpMetrics, metricsRoute, registerPoolMetrics } from '../http/metrics.js';
import { queueCounts, type QueueCounts } from '../jobs/jobs.repo.js';
import type { JobOutcome } from '../jobs/worker.js';

export interface WorkerStatus {
  /** null: the port was taken (another worker on this host), so this one serves no status. */
  port: number | null;
  /** Counts a run's outcome (the JobWorker's onOutcome). */
  outcome(queue: string, outcome: JobOutcome): void;
  close(): Promise<void>;
}

const QUEUE_GAUGES: Array<[keyof QueueCounts, string, string]> = [
  ['queued', 'p88_worker_jobs_queued', 'Jobs waiting (due now or later), over every worker'],
  ['due', 'p88_worker_jobs_due', 'Jobs due now that no worker has claimed yet'],
  ['active', 'p88_worker_jobs_active', 'Jobs running now, over every worker'],
  ['failed_last_day', 'p88_worker_jobs_failed_last_day', 'Jobs that failed for good in the last 24 hours'],
  ['oldest_due_seconds', 'p88_worker_jobs_oldest_due_seconds', 'How long the oldest due job has waited (0 when none waits)'],
];

export async function startWorkerStatus(opts: { db: Database; host: string; port: number; token?: string | undefined; log: Logger }): Promise<WorkerStatus> {
  // Probes and scrapes every few seconds would drown the log.
  const app = Fastify({ logger: false });
  const metrics = createProcessMetrics('p88_worker_');
  installHttpMetrics(app, metrics);
  metricsRoute(app, metrics, { token: opts.token });
  registerPoolMetrics(metrics, { main: opts.db });
  const outcomes = new client.Counter({
    name: 'p88_worker_job_runs_total',
    help: "This worker's job runs by queue and outcome (retried: failed, queued to try again)",
    labelNames: ['queue', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const queueReadOk = new client.Gauge({
    name: 'p88_worker_queue_read_ok',
    help: 'Whether the last scrape could read the queue from the database',
    registers: [metrics.registry],
  });
  // One query per scrape for every queue gauge: the first gauge's collect reads, the rest reuse it.
  let counts: Promise<QueueCounts | null> | null = null;
  const read = () =>
    (counts ??= asPlatform(opts.db, queueCounts)
      .catch(() => null)
      .finally(() => setTimeout(() => (counts = null), 500).unref()));
  for (const [key, name, help] of QUEUE_GAUGES) {
    new client.Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        const c = await read();
        queueReadOk.set(c ? 1 : 0);
        if (c) this.set(c[key] ?? 0);
      },
    });
  }
  app.get('/health', async (_request, reply) => {
    const up = await pingDatabase(opts.db).then(
      () => true,
      () => false,
    );
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'down', checks: { database: up ? 'up' : 'down' }, timestamp: new Date().toISOString() });
  });
  let port: number | null;
  try {
    await app.listen({ host: opts.host, port: opts.port });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : opts.port;
  } catch (err) {
    // Several workers may run on one host; the status port is not a reason to run no jobs.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    opts.log.warn({ host: opts.host, port: opts.port }, 'worker status port in use (another worker on this host?): this worker serves no /health or /metrics; give each worker its own WORKER_STATUS_PORT');
    port = null;
  }
  return {
    port,
    outcome: (queue, outcome) => outcomes.inc({ queue, outcome }),
    close: () => app.close(),
  };
}

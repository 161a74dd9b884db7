/**
 * Job queue throughput on the backend the environment selects (DATABASE_URL = a server;
 * unset = embedded PGlite in memory): enqueue N jobs in one transaction, then drain them with
 * W workers of concurrency C whose handler does nothing. Prints jobs per second for the
 * enqueue and the drain, the drain's claim-to-done latency, and, against baselines measured in
 * the same run (N one-statement queries; N empty platform transactions, what every claim and
 * every settlement is), what one job costs: a loaded machine moves the rates, not the ratios.
 *   node --import tsx bench/jobs.ts [N=1000] [W=2] [C=4]
 */
import { z } from 'zod';
import { createTestDatabase } from '../test/helpers/db.js';
import { asPlatform } from '../src/db/tenant.js';
import { enqueueJob } from '../src/jobs/queue.js';
import { defineJob, JobRegistry } from '../src/jobs/registry.js';
import { JobWorker } from '../src/jobs/worker.js';
import { createLogger } from '../src/log.js';

const [n = 1000, w = 2, c = 4] = process.argv.slice(2).map(Number);
const job = defineJob({ name: 'bench.noop', scope: 'platform', payload: z.object({ i: z.number() }), concurrency: c });
const t = await createTestDatabase();
const log = createLogger('warn');
let done = 0;
let finish!: () => void;
const all = new Promise<void>((r) => (finish = r));
const workers: JobWorker[] = [];
for (let i = 0; i < w; i++) {
  const registry = new JobRegistry().handle(job, async () => {
    if (++done === n) finish();
  });
  const worker = new JobWorker({ db: t.db, registry, log, leaseMs: 30_000, pollMs: 100, shutdownMs: 1000 });
  workers.push(worker);
}
let b = performance.now();
for (let i = 0; i < n; i++) await t.owner.query('SELECT 1');
const statementMs = (performance.now() - b) / n;
b = performance.now();
for (let i = 0; i < n; i++) await asPlatform(t.db, (tx) => tx.query('SELECT 1'));
const transactionMs = (performance.now() - b) / n;

const t0 = performance.now();
await asPlatform(t.db, async (tx) => {
  for (let i = 0; i < n; i++) await enqueueJob(tx, job, { i }, { runAt: new Date(Date.now() + 3_600_000) });
});
const enqueueMs = performance.now() - t0;
await t.owner.query(`UPDATE jobs SET run_at = now() WHERE queue = 'bench.noop'`);
for (const worker of workers) await worker.start();
const t1 = performance.now();
await all;
const drainMs = performance.now() - t1;
const lat = await t.owner.query<{ p50: number; p99: number }>(
  `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
     FROM (SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM jobs WHERE queue = 'bench.noop') x`,
);
for (const worker of workers) await worker.stop();
await t.drop();
const backend = process.env.DATABASE_URL ? 'postgres server' : 'PGlite';
console.log(
  `${backend}: ${n} jobs, ${w} workers x concurrency ${c}\n` +
    `  enqueue  ${Math.round(enqueueMs)} ms  ${Math.round(n / (enqueueMs / 1000))} jobs/s (one transaction)\n` +
    `  drain    ${Math.round(drainMs)} ms  ${Math.round(n / (drainMs / 1000))} jobs/s\n` +
    `  claim-to-done p50 ${Number(lat.rows[0]!.p50).toFixed(1)} ms, p99 ${Number(lat.rows[0]!.p99).toFixed(1)} ms\n` +
    `  baselines: a statement ${statementMs.toFixed(2)} ms, an empty platform transaction ${transactionMs.toFixed(2)} ms\n` +
    `  one job drained = ${(drainMs / n / transactionMs).toFixed(2)} empty platform transactions of wall time ` +
    `(a claim for every one or more jobs, a settlement for each); one enqueued = ${(enqueueMs / n / statementMs).toFixed(2)} statements`,
);

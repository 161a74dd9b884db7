/**
 * A job worker in a process of its own, for worker-process.test.ts: the real JobWorker on the
 * server database, with test job types that record each run in job_runs (created by the test).
 * Prints "ready" once claiming, "started <job id> <attempt>" when a hanging job starts, and
 * stops cleanly on SIGTERM. Environment: CHILD_DB_URL, CHILD_NAME, CHILD_LEASE_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/db/index.js';
import { APP_ROLE } from '../../src/db/tenant.js';
import { JobRegistry } from '../../src/jobs/registry.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/log.js';
import { hangJob, limitedJob, recordJob } from './job-types.js';

async function main(): Promise<void> {
  const name = process.env.CHILD_NAME ?? 'child';
  const owner = await openDatabase({ url: process.env.CHILD_DB_URL, max: 1 });
  const db = owner.asRole(APP_ROLE, { max: 8 });
  const record = (jobId: number, attempt: number) =>
    db.query('INSERT INTO job_runs (job_id, worker, attempt, at) VALUES ($1, $2, $3, clock_timestamp())', [jobId, name, attempt]);
  const registry = new JobRegistry()
    .handle(recordJob, async (_p, ctx) => {
      await record(ctx.jobId, ctx.attempt);
      await sleep(5);
    })
    .handle(hangJob, async (p, ctx) => {
      if (ctx.attempt === p.hangOnAttempt) {
        process.stdout.write(`started ${ctx.jobId} ${ctx.attempt}\n`);
        await new Promise(() => {}); // until killed
      }
      await record(ctx.jobId, ctx.attempt);
    })
    .handle(limitedJob, async (_p, ctx) => void (await record(ctx.jobId, ctx.attempt)));
  const worker = new JobWorker({
    db,
    registry,
    log: createLogger('warn').child({ child: name }),
    leaseMs: Number(process.env.CHILD_LEASE_MS ?? 1000),
    pollMs: 50,
    shutdownMs: 1000,
    id: `${name}:${process.pid}`,
  });
  await worker.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void worker
      .stop()
      .then(() => db.close())
      .then(() => owner.close())
      .then(() => process.exit(0));
  });
}

void main();

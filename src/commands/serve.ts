/** Runs long-lived services (collector, web, worker) in this process until a signal. */
import v8 from 'node:v8';
import { openRuntime } from '../runtime.js';

export type Service = 'collector' | 'web' | 'worker';

/**
 * How long stopping may take after SIGTERM/SIGINT (plus the worker's own JOBS_SHUTDOWN_SECONDS
 * when it runs): past it the process logs what it was waiting for and exits 1, so a supervisor
 * is never left waiting on a stream or a connection that does not end. A second signal exits
 * at once.
 */
export const SHUTDOWN_BOUND_MS = 10_000;

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent. Its own
 * choice (up to 4×, when collections are fast) let a collector under a flood of 300,000 reads
 * grow to 222–257 MiB while keeping about 35 MiB live (most of a batch's objects outlive two
 * scavenges: they wait for the database); at 50 % the same flood peaked at 168 MiB at the same
 * rate (bench/ingest, same run). A --heap-growing-percent given to node itself wins.
 */
const HEAP_GROWING_PERCENT = 50;

export async function serve(services: Service[], opts: { demo: boolean }): Promise<number> {
  if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // The collector alone must listen (and spool) even when the database is away at start.
  const runtime = await openRuntime({ databaseMayBeAway: services.length === 1 && services[0] === 'collector' });
  const { config, log, db } = runtime;
  const closers: Array<() => Promise<void>> = [];
  const { createBus } = await import('../bus/index.js');
  const bus = await createBus({
    redisUrl: config.REDIS_URL,
    db,
    singleProcess: services.includes('collector') && services.includes('web'),
    log,
  });
  closers.push(() => bus.close());
  log.info({ bus: bus.kind }, 'live-event bus ready');

  if (services.includes('collector')) {
    const { startCollector } = await import('../collector/collector.js');
    const collector = await startCollector({ db, config, log, bus, schemaReady: runtime.schemaReady });
    closers.push(() => collector.close());
  }
  if (services.includes('web')) {
    // First run on an empty database: create the platform owner and print its password once.
    const { ensurePlatformOwner } = await import('./accounts.js');
    await ensurePlatformOwner(runtime.owner, log, { signInUrl: `${config.PUBLIC_URL ?? `http://localhost:${config.PORT}`}/sign-in` });
    const { buildWebApp } = await import('../web/app.js');
    const app = await buildWebApp({ db, logger: log, config, bus });
    await app.listen({ host: config.HOST, port: config.PORT });
    closers.push(() => app.close());
    if (opts.demo) {
      // The embedded database admits one process: seed the demo from inside the server.
      const { seedDemo, formatDemo } = await import('./demo.js');
      process.stdout.write(formatDemo(await seedDemo(runtime, { runners: 60, firstBib: 1000 }), true));
    }
  }
  if (services.includes('worker')) {
    const { startWorker } = await import('../worker/worker.js');
    const worker = await startWorker({ db, log, config });
    closers.push(() => worker.close());
  }

  // A service runs until it is told to stop. Waiting on a signal holds nothing in the event
  // loop: `p88 worker` on a server exited with 0 once the pool closed its idle connections
  // (pg's idleTimeoutMillis, 10 s). This timer holds the process until the signal comes.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(keepAlive);
  const boundMs = SHUTDOWN_BOUND_MS + (services.includes('worker') ? config.JOBS_SHUTDOWN_SECONDS * 1000 : 0);
  let step = 'starting';
  const forced = setTimeout(() => {
    log.error({ bound_ms: boundMs, waiting_for: step }, 'shutdown took too long; exiting');
    process.exit(1);
  }, boundMs);
  forced.unref();
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(1));
  // Web first (stop new requests, end display streams), collector next (spools what is
  // unstored), database last.
  for (const [i, close] of closers.reverse().entries()) {
    step = `step ${i + 1} of ${closers.length}`;
    await close().catch((e) => log.error({ err: String(e) }, 'shutdown step failed'));
  }
  step = 'database';
  await runtime.close();
  clearTimeout(forced);
  return 0;
}

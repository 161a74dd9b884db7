/**
 * Provider sync from the command line (options in sync.command.ts):
 *   p88 sync run --partner <slug> --connection <id> --event <provider event id>
 * Enqueues the pull of one provider event on the job queue (as "sync now" does) and runs it
 * here with a worker for that provider's queue only, printing progress; exits 1 when the
 * sync fails. A sync of that event already queued or running elsewhere is joined and awaited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSecretKey, SecretBox } from '../accounts/secret-box.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { baseUrlsOf } from '../providers/index.js';
import { openRuntime } from '../runtime.js';
import { ProviderConnections } from '../sync/provider-connections.service.js';
import { listSyncRuns } from '../sync/sync-history.repo.js';
import { registerSyncHandler } from '../sync/sync-jobs.js';
import { syncPullHandler } from '../sync/sync-pull.js';
import { UsageError, type Output } from './context.js';

export interface SyncRunOptions {
  partner: string;
  connection: string;
  event: string;
  timeout: string;
  json?: boolean;
  verbose?: boolean;
}

export async function syncRunCommand(opts: SyncRunOptions, io: Output): Promise<number> {
  const connectionId = Number(opts.connection);
  if (!Number.isInteger(connectionId) || connectionId <= 0) throw new UsageError('--connection must be a connection id (see GET /api/providers)');
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const rt = await openRuntime({ command: { verbose: opts.verbose } });
  let worker: JobWorker | undefined;
  try {
    const partner = (await asPlatform(rt.db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [opts.partner]))).rows[0];
    if (!partner) throw new AppError('not_found', `no partner "${opts.partner}"`);
    const box = new SecretBox(await loadSecretKey(rt.config.secretKey, rt.config.dataDir));
    const baseUrls = baseUrlsOf(rt.config);
    const job = await new ProviderConnections(rt.db, box, baseUrls).syncNow(partner.id, connectionId, opts.event);
    const registry = registerSyncHandler(new JobRegistry(), syncPullHandler({ db: rt.db, box, baseUrls }), [job.provider]);
    worker = new JobWorker({ db: rt.db, registry, log: rt.log, leaseMs: rt.config.JOBS_LEASE_SECONDS * 1000, pollMs: 200, shutdownMs: 5000 });
    await worker.start();
    const until = Date.now() + timeoutMs;
    let shown = '';
    for (;;) {
      const row = (await withPartner(rt.db, partner.id, (tx) =>
        tx.query<{ state: string; attempts: number; max_attempts: number; progress_done: number | null; progress_total: number | null; last_error: string | null; run_at: Date }>(
          'SELECT state, attempts, max_attempts, progress_done, progress_total, last_error, run_at FROM jobs WHERE id = $1',
          [job.id],
        ))).rows[0];
      if (!row) throw new AppError('not_found', `job ${job.id} is gone`);
      const line = row.state === 'queued' && row.last_error ? `retrying at ${row.run_at.toISOString()} (attempt ${row.attempts}/${row.max_attempts}): ${row.last_error}` : row.progress_done !== null ? `pages ${row.progress_done}/${row.progress_total ?? '?'}` : row.state;
      if (line !== shown && !opts.json) io.err(`sync ${job.provider} ${opts.event}: ${line}\n`);
      shown = line;
      if (['done', 'failed', 'cancelled'].includes(row.state)) {
        const [run] = (await withPartner(rt.db, partner.id, (tx) => listSyncRuns(tx, partner.id, { limit: 20 }))).filter((r) => Number(r.job_id) === job.id);
        if (opts.json) io.out(`${JSON.stringify({ job_id: job.id, state: row.state, error: row.last_error, run: run ?? null })}\n`);
        else if (run) io.out(`${row.state}: ${run.count_new} new, ${run.count_updated} updated, ${run.count_failed} failed${row.last_error ? ` — ${row.last_error}` : ''} (${run.duration_ms ?? 0} ms)\n`);
        else io.out(`${row.state}${row.last_error ? `: ${row.last_error}` : ''}\n`);
        return row.state === 'done' ? 0 : 1;
      }
      if (Date.now() > until) {
        io.err(`p88: sync still ${row.state} after ${opts.timeout} s (job ${job.id} stays queued for the workers)\n`);
        return 1;
      }
      await sleep(200);
    }
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`p88: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await worker?.stop();
    await rt.close();
  }
}

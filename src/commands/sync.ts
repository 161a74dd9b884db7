/**
 * Provider sync from the command line (options in sync.command.ts):
 *   p88 sync run --partner <slug> (--provider <name> | --connection <id>) --event <provider event id> [--full] [--roster <id>]
 *   p88 sync history --partner <slug> [--provider <name>] [--event <id>] [--limit <n>]
 *   p88 sync push --partner <slug> (--provider <name> | --connection <id>) --event <id> --race <id> --warehouse-event <id> [--result-set <id>]
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
import { baseUrlsOf, type ProviderBaseUrls } from '../providers/index.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { ProviderConnections } from '../sync/provider-connections.service.js';
import { listSyncRuns, type SyncRunRow } from '../sync/sync-history.repo.js';
import { registerSyncHandler, type SyncProvider } from '../sync/sync-jobs.js';
import { syncPullHandler } from '../sync/sync-pull.js';
import { UsageError, type Output } from './context.js';
import { resolveConnection } from './provider.js';

export interface SyncRunOptions {
  partner: string;
  provider?: string;
  connection?: string;
  event: string;
  full?: boolean;
  roster?: string;
  timeout: string;
  json?: boolean;
  verbose?: boolean;
}

export async function syncRunCommand(opts: SyncRunOptions, io: Output): Promise<number> {
  if (opts.connection === undefined && opts.provider === undefined) throw new UsageError('give --provider <name> or --connection <id>');
  const rosterEventId = opts.roster === undefined ? undefined : Number(opts.roster);
  if (rosterEventId !== undefined && !(Number.isInteger(rosterEventId) && rosterEventId > 0)) throw new UsageError('--roster must be a roster event id');
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const rt = await openRuntime({ command: { verbose: opts.verbose } });
  try {
    const partner = (await asPlatform(rt.db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [opts.partner]))).rows[0];
    if (!partner) throw new AppError('not_found', `no partner "${opts.partner}"`);
    const box = new SecretBox(await loadSecretKey(rt.config.secretKey, rt.config.dataDir));
    const baseUrls = baseUrlsOf(rt.config);
    const connections = new ProviderConnections(rt.db, box, baseUrls);
    const conn = await resolveConnection(connections, partner.id, opts);
    const job = await connections.syncNow(partner.id, conn.id, opts.event, { ...(opts.full ? { full: true } : {}), ...(rosterEventId !== undefined ? { rosterEventId } : {}) });
    return await runHere(rt, partner.id, job, `sync ${job.provider} ${opts.event}`, { box, baseUrls, timeoutMs, timeout: opts.timeout, json: opts.json }, io);
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`p88: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await rt.close();
  }
}

/**
 * Runs an enqueued sync job here, with a worker for that provider's queue only, printing its
 * progress on stderr and the run's counts on stdout; 0 when it is done, 1 otherwise.
 */
async function runHere(
  rt: Runtime,
  partnerId: number,
  job: { id: number; provider: SyncProvider },
  label: string,
  o: { box: SecretBox; baseUrls: ProviderBaseUrls; timeoutMs: number; timeout: string; json?: boolean | undefined },
  io: Output,
): Promise<number> {
  const registry = registerSyncHandler(new JobRegistry(), syncPullHandler({ db: rt.db, box: o.box, baseUrls: o.baseUrls }), [job.provider]);
  const worker = new JobWorker({ db: rt.db, registry, log: rt.log, leaseMs: rt.config.JOBS_LEASE_SECONDS * 1000, pollMs: 200, shutdownMs: 5000 });
  await worker.start();
  try {
    const until = Date.now() + o.timeoutMs;
    let shown = '';
    for (;;) {
      const row = (await withPartner(rt.db, partnerId, (tx) =>
        tx.query<{ state: string; attempts: number; max_attempts: number; progress_done: number | null; progress_total: number | null; last_error: string | null; run_at: Date }>(
          'SELECT state, attempts, max_attempts, progress_done, progress_total, last_error, run_at FROM jobs WHERE id = $1',
          [job.id],
        ))).rows[0];
      if (!row) throw new AppError('not_found', `job ${job.id} is gone`);
      const line = row.state === 'queued' && row.last_error ? `retrying at ${row.run_at.toISOString()} (attempt ${row.attempts}/${row.max_attempts}): ${row.last_error}` : row.progress_done !== null ? `pages ${row.progress_done}/${row.progress_total ?? '?'}` : row.state;
      if (line !== shown && !o.json) io.err(`${label}: ${line}\n`);
      shown = line;
      if (['done', 'failed', 'cancelled'].includes(row.state)) {
        const [run] = (await withPartner(rt.db, partnerId, (tx) => listSyncRuns(tx, partnerId, { limit: 20 }))).filter((r) => Number(r.job_id) === job.id);
        if (o.json) io.out(`${JSON.stringify({ job_id: job.id, state: row.state, error: row.last_error, run: run ?? null })}\n`);
        else if (run) io.out(`${row.state}: ${countsOf(run)}${row.last_error ? ` — ${row.last_error}` : ''} (${run.duration_ms ?? 0} ms)\n`);
        else io.out(`${row.state}${row.last_error ? `: ${row.last_error}` : ''}\n`);
        return row.state === 'done' ? 0 : 1;
      }
      if (Date.now() > until) {
        io.err(`p88: sync still ${row.state} after ${o.timeout} s (job ${job.id} stays queued for the workers)\n`);
        return 1;
      }
      await sleep(200);
    }
  } finally {
    await worker.stop();
  }
}

export interface SyncPushOptions {
  partner: string;
  provider?: string;
  connection?: string;
  event: string;
  race: string;
  warehouseEvent: string;
  resultSet?: string;
  timeout: string;
  json?: boolean;
  verbose?: boolean;
}

export async function syncPushCommand(opts: SyncPushOptions, io: Output): Promise<number> {
  if (opts.connection === undefined && opts.provider === undefined) throw new UsageError('give --provider <name> or --connection <id>');
  const warehouseEventId = Number(opts.warehouseEvent);
  if (!(Number.isInteger(warehouseEventId) && warehouseEventId > 0)) throw new UsageError('--warehouse-event must be a results event id');
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const rt = await openRuntime({ command: { verbose: opts.verbose } });
  try {
    const partner = (await asPlatform(rt.db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [opts.partner]))).rows[0];
    if (!partner) throw new AppError('not_found', `no partner "${opts.partner}"`);
    const box = new SecretBox(await loadSecretKey(rt.config.secretKey, rt.config.dataDir));
    const baseUrls = baseUrlsOf(rt.config);
    const connections = new ProviderConnections(rt.db, box, baseUrls);
    const conn = await resolveConnection(connections, partner.id, opts);
    const job = await connections.pushNow(partner.id, conn.id, { externalEventId: opts.event, raceExternalId: opts.race, warehouseEventId, resultSetId: opts.resultSet });
    return await runHere(rt, partner.id, job, `push ${job.provider} ${opts.event}/${opts.race}`, { box, baseUrls, timeoutMs, timeout: opts.timeout, json: opts.json }, io);
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`p88: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await rt.close();
  }
}

const countsOf = (r: SyncRunRow) =>
  `${r.count_new} new, ${r.count_updated} updated, ${r.count_unchanged} unchanged, ${r.count_failed} failed, ${r.count_removed} removed, ${r.count_kept} hand edits kept`;

export interface SyncHistoryOptions {
  partner: string;
  provider?: string;
  event?: string;
  limit: string;
  json?: boolean;
  verbose?: boolean;
}

export async function syncHistoryCommand(opts: SyncHistoryOptions, io: Output): Promise<number> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  const rt = await openRuntime({ command: { verbose: opts.verbose } });
  try {
    const partner = (await asPlatform(rt.db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [opts.partner]))).rows[0];
    if (!partner) {
      io.err(`p88: no partner "${opts.partner}"\n`);
      return 1;
    }
    const runs = await withPartner(rt.db, partner.id, (tx) =>
      listSyncRuns(tx, partner.id, { limit, ...(opts.provider ? { provider: opts.provider } : {}), ...(opts.event ? { externalEventId: opts.event } : {}) }),
    );
    if (opts.json) {
      io.out(`${JSON.stringify(runs)}\n`);
      return 0;
    }
    if (runs.length === 0) io.out('no sync runs\n');
    for (const r of runs) {
      const progress = r.status === 'running' && r.progress_done !== null ? ` pages ${r.progress_done}/${r.progress_total ?? '?'}` : '';
      io.out(`${r.started_at.toISOString()} ${r.provider} ${r.external_event_id} ${r.direction}${r.mode ? ` ${r.mode}` : ''} ${r.trigger} ${r.status}${progress}: ${countsOf(r)}${r.duration_ms !== null ? ` (${r.duration_ms} ms)` : ''}\n`);
      for (const e of r.errors) io.out(`  error: ${e.message}\n`);
      if (r.error_count > r.errors.length) io.out(`  … ${r.error_count - r.errors.length} more errors\n`);
      for (const n of r.notices.slice(0, 10)) io.out(`  note: ${n.message}\n`);
      if (r.notices.length > 10) io.out(`  … ${r.notices.length - 10} more notices\n`);
    }
    return 0;
  } finally {
    await rt.close();
  }
}

/**
 * `p88 status`: every service of this host on one screen, for the person on call. It asks the
 * services over HTTP (collector status port, web /health), the server database directly (its
 * version, pending migrations, the job queue) and the backup folder (the newest backup). It
 * never opens the embedded database: that belongs to the running process.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultBackupDir, type Manifest } from '../backup/backup.js';
import { loadConfig, type Config } from '../config.js';
import { pendingMigrations } from '../db/migrate.js';
import { asPlatform } from '../db/tenant.js';
import { queueCounts, type QueueCounts } from '../jobs/jobs.repo.js';
import { version } from '../version.js';
import type { Output } from './context.js';

export interface StatusOptions {
  backupDir?: string;
  json?: boolean;
  verbose?: boolean;
}

/** One service's answer: what it said (null when it did not answer) and what is wrong, if anything. */
interface Check<T> {
  ok: boolean;
  problem: string | null;
  details: T | null;
}

export interface StatusReport {
  version: string;
  collector: Check<Record<string, unknown>> & { url: string };
  web: Check<Record<string, unknown>> & { url: string };
  database: Check<{ backend: string; server_version?: string; pending_migrations: string[]; queue?: QueueCounts }>;
  backup: Check<{ path: string; created_at: string; age_hours: number; bytes: number } | null> & { dir: string };
  ok: boolean;
}

const TIMEOUT_MS = 2_000;

export async function statusReport(config: Config, backupDir = defaultBackupDir(config), now = new Date()): Promise<StatusReport> {
  const local = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const collectorUrl = `http://${local(config.COLLECTOR_HOST)}:${config.COLLECTOR_STATUS_PORT}/status`;
  const webUrl = `http://${local(config.HOST)}:${config.PORT}/health`;
  const [collector, web, database, backup] = await Promise.all([
    check(() => getJson(collectorUrl), (d) => (d.status === 'running' ? null : `status ${String(d.status)}`)),
    check(() => getJson(webUrl), (d) => (d.status === 'ok' ? null : `database ${String(d.database)}`)),
    check(() => databaseState(config), (d) => (d.pending_migrations.length ? `${d.pending_migrations.length} migration(s) pending: p88 migrate` : null)),
    // A nightly backup that has not run for more than a day (and a margin) has stopped.
    check(() => newestBackup(backupDir, now), (d) => (d && d.age_hours > 26 ? `the newest backup is ${d.age_hours} h old` : null)),
  ]);
  return {
    version,
    collector: { ...collector, url: collectorUrl },
    web: { ...web, url: webUrl },
    database,
    backup: { ...backup, dir: backupDir },
    ok: collector.ok && web.ok && database.ok && backup.ok,
  };
}

export async function statusCommand(opts: StatusOptions, io: Output): Promise<number> {
  const report = await statusReport(loadConfig(), opts.backupDir);
  io.out(opts.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
  return report.ok ? 0 : 1;
}

export function formatStatus(r: StatusReport): string {
  const line = (name: string, c: Check<unknown>, text: string) =>
    `${name.padEnd(10)} ${c.ok ? 'ok  ' : 'FAIL'}  ${[c.problem, text].filter(Boolean).join(' — ')}\n`;
  const col = r.collector.details;
  const db = r.database.details;
  const queue = db?.queue;
  const last = r.backup.details;
  return (
    `p88 ${r.version}\n` +
    line('collector', r.collector, col
      ? `${String(col.ingest_mode)} mode, ${String(col.connections)} connection(s), ${String(col.total_reads)} reads, spool ${String(col.spool_bytes)} B` +
        (typeof col.last_write_error === 'string' ? `, last write error: ${col.last_write_error}` : '')
      : r.collector.url) +
    line('web', r.web, r.web.details ? `database ${String(r.web.details.database)}` : r.web.url) +
    line('database', r.database, db
      ? `${db.backend}${db.server_version ? ` ${db.server_version}` : ''}, ${db.pending_migrations.length} migration(s) pending` +
        (queue ? `; jobs: ${queue.due} due, ${queue.active} running, ${queue.failed_last_day} failed in 24 h${queue.oldest_due_seconds !== null ? `, oldest waiting ${queue.oldest_due_seconds} s` : ''}` : '')
      : '') +
    line('backup', r.backup, last ? `${path.basename(last.path)} (${last.age_hours} h ago, ${last.bytes} B)` : r.backup.ok ? `none yet in ${r.backup.dir}` : r.backup.dir)
  );
}

async function databaseState(config: Config): Promise<{ backend: string; server_version?: string; pending_migrations: string[]; queue?: QueueCounts }> {
  if (!config.DATABASE_URL) return { backend: 'embedded (not opened: the running process holds it; see web)', pending_migrations: [] };
  const { openPostgres } = await import('../db/postgres.js');
  const owner = openPostgres(config.DATABASE_URL, { max: 1, connectTimeoutMs: TIMEOUT_MS });
  try {
    const server = (await owner.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
    const pending = await pendingMigrations(owner);
    const queue = pending.length === 0 ? await asPlatform(owner, queueCounts) : undefined;
    return { backend: 'postgres', server_version: server, pending_migrations: pending, ...(queue ? { queue } : {}) };
  } finally {
    await owner.close();
  }
}

async function newestBackup(dir: string, now: Date): Promise<{ path: string; created_at: string; age_hours: number; bytes: number } | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^p88-\d{8}T\d{6}Z$/.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const newest = names.at(-1);
  if (!newest) return null;
  const manifest = JSON.parse(await readFile(path.join(dir, newest, 'manifest.json'), 'utf8')) as Manifest;
  const ageHours = Math.round(((now.getTime() - new Date(manifest.created_at).getTime()) / 3_600_000) * 10) / 10;
  return { path: path.join(dir, newest), created_at: manifest.created_at, age_hours: ageHours, bytes: Object.values(manifest.files).reduce((a, b) => a + b, 0) };
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return (await res.json()) as Record<string, unknown>;
}

/** Runs one check: an answer the judge finds fault with, or no answer at all, is not ok. */
async function check<T>(fn: () => Promise<T>, judge: (details: T) => string | null): Promise<Check<T>> {
  try {
    const details = await fn();
    const problem = details === null ? null : judge(details);
    return { ok: problem === null, problem, details };
  } catch (err) {
    // fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout) in its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, problem: cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)), details: null };
  }
}

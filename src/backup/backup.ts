/**
 * `p88 backup` and `p88 restore`. A backup is a folder named by its UTC time,
 * `p88-20261203T063000Z/`, holding the database (pg_dump's custom format on a server, PGlite's
 * data-directory archive on the embedded database), the collector's spool and rejected reads
 * as they were, and manifest.json. It is written as `….partial` and renamed when complete, so a
 * backup cut short never looks like one. SECRET_KEY is not in it, by design: keep it apart.
 */
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openPglite } from '../db/pglite.js';
import { version } from '../version.js';
import { runPgTool } from './pg-tools.js';
import { backupsToDelete, type Retention } from './retention.js';

export const SERVER_DUMP = 'database.dump';
export const EMBEDDED_DUMP = 'pgdata.tar.gz';
const NAME = /^p88-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface Manifest {
  format: 1;
  created_at: string;
  version: string;
  backend: 'postgres' | 'pglite';
  /** The migrations the database had: a restore applies any newer ones after loading it. */
  migrations: string[];
  /** Each file's size in bytes, relative to the backup folder. */
  files: Record<string, number>;
}

export interface BackupResult {
  path: string;
  manifest: Manifest;
  deleted: string[];
}

/** The folder backups go to unless told: beside the data, which is only a first line of defence. */
export function defaultBackupDir(config: Config): string {
  return path.join(config.dataDir, 'backups');
}

export async function createBackup(config: Config, dir: string, keep: Retention, now = new Date()): Promise<BackupResult> {
  const name = `p88-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  const final = path.join(dir, name);
  const partial = `${final}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    let migrations: string[];
    if (config.DATABASE_URL) {
      await runPgTool('pg_dump', ['--format=custom', '--file', path.join(partial, SERVER_DUMP)], config.DATABASE_URL);
      migrations = await serverMigrations(config.DATABASE_URL);
    } else {
      // The embedded database belongs to one process: this needs it stopped (or run inside it).
      const owner = await openPglite(path.join(config.dataDir, 'pgdata'));
      try {
        migrations = (await owner.query<{ name: string }>('SELECT version AS name FROM schema_migrations ORDER BY version')).rows.map((r) => r.name);
        const archive = Buffer.from(await (await owner.dump()).arrayBuffer());
        await writeFile(path.join(partial, EMBEDDED_DUMP), gzipSync(archive));
      } finally {
        await owner.close();
      }
    }
    await copyIfPresent(path.join(config.dataDir, 'spool'), path.join(partial, 'spool'));
    await copyIfPresent(path.join(config.dataDir, 'rejected.ndjson'), path.join(partial, 'rejected.ndjson'));
    const manifest: Manifest = {
      format: 1,
      created_at: now.toISOString(),
      version,
      backend: config.DATABASE_URL ? 'postgres' : 'pglite',
      migrations,
      files: await sizes(partial),
    };
    await writeFile(path.join(partial, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await rm(final, { recursive: true, force: true });
    await rename(partial, final);
    return { path: final, manifest, deleted: await prune(dir, keep) };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Deletes the backups in dir that the retention does not keep; returns their names. */
export async function prune(dir: string, keep: Retention): Promise<string[]> {
  const backups = (await readdir(dir))
    .map((name) => ({ name, createdAt: timeOf(name) }))
    .filter((b): b is { name: string; createdAt: Date } => b.createdAt !== null);
  const doomed = backupsToDelete(backups, keep);
  for (const b of doomed) await rm(path.join(dir, b.name), { recursive: true, force: true });
  return doomed.map((b) => b.name).sort();
}

export class RestoreRefused extends Error {}

/**
 * Loads a backup into the configured database (and DATA_DIR's spool). Refuses a database or
 * spool that already holds something unless `force`; then applies migrations newer than the
 * backup's.
 */
export async function restoreBackup(config: Config, from: string, force: boolean): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(path.join(from, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== 1) throw new RestoreRefused(`${from}: unknown backup format ${String(manifest.format)}`);
  const target = config.DATABASE_URL ? 'postgres' : 'pglite';
  if (manifest.backend !== target) {
    throw new RestoreRefused(
      `${from} is a backup of ${manifest.backend === 'postgres' ? 'a PostgreSQL server' : 'the embedded database'}; ` +
        `restore it with ${manifest.backend === 'postgres' ? 'DATABASE_URL set' : 'DATABASE_URL unset'}`,
    );
  }
  const spool = path.join(config.dataDir, 'spool');
  if (!force && (await hasFiles(spool))) throw new RestoreRefused(`${spool} is not empty: it may hold reads not yet stored (--force replaces it)`);

  if (config.DATABASE_URL) await restoreServer(config.DATABASE_URL, path.join(from, SERVER_DUMP), force);
  else await restoreEmbedded(path.join(config.dataDir, 'pgdata'), path.join(from, EMBEDDED_DUMP), force);

  await rm(spool, { recursive: true, force: true });
  await copyIfPresent(path.join(from, 'spool'), spool);
  await copyIfPresent(path.join(from, 'rejected.ndjson'), path.join(config.dataDir, 'rejected.ndjson'));
  return manifest;
}

async function restoreServer(url: string, dump: string, force: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    if (tables.rows[0]!.n > 0 && !force) {
      throw new RestoreRefused(`the database has ${tables.rows[0]!.n} tables already: restore into an empty one (--force replaces what is there)`);
    }
    // Roles are the cluster's, not the dump's: the app role must exist before its grants load.
    await client.query(`DO $$ BEGIN CREATE ROLE p88_app NOLOGIN NOBYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await client.query('GRANT p88_app TO CURRENT_USER');
  } finally {
    await client.end();
  }
  const dbname = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  await runPgTool('pg_restore', ['--no-owner', '--exit-on-error', ...(force ? ['--clean', '--if-exists'] : []), '--dbname', dbname, dump], url);
  const { openPostgres } = await import('../db/postgres.js');
  const owner = openPostgres(url, { max: 1 });
  try {
    await migrate(owner);
  } finally {
    await owner.close();
  }
}

async function restoreEmbedded(pgdata: string, archive: string, force: boolean): Promise<void> {
  if (await hasFiles(pgdata)) {
    if (!force) throw new RestoreRefused(`${pgdata} holds a database already: restore into an empty DATA_DIR (--force replaces it)`);
    await rm(pgdata, { recursive: true, force: true });
  }
  const owner = await openPglite(pgdata, new Blob([gunzipSync(await readFile(archive))]));
  try {
    await migrate(owner);
  } finally {
    await owner.close();
  }
}

async function serverMigrations(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT version AS name FROM schema_migrations ORDER BY version')).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

function timeOf(name: string): Date | null {
  const m = NAME.exec(name);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

async function copyIfPresent(from: string, to: string): Promise<void> {
  try {
    await cp(from, to, { recursive: true, errorOnExist: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function hasFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function sizes(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const entry of await readdir(dir, { recursive: true, encoding: 'utf8' })) {
    const info = await stat(path.join(dir, entry));
    if (info.isFile()) out[entry.split(path.sep).join('/')] = info.size;
  }
  return out;
}

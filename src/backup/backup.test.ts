/**
 * Backups restore to the same data: a database with partners, users, a timing session and its
 * reads, a roster, a template, a display link and an image asset is backed up with its spool,
 * restored into a new empty database, and compared table by table. On the embedded database
 * always; on a PostgreSQL server (pg_dump / pg_restore) when the run has one.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addReads, newSession } from '../../test/helpers/factories.js';
import { createServerDatabase } from '../../test/helpers/db.js';
import { seedDemo } from '../commands/demo.js';
import { loadConfig, type Config } from '../config.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { openPglite } from '../db/pglite.js';
import { asPlatform, APP_ROLE, withPartner } from '../db/tenant.js';
import { createLogger } from '../log.js';
import { createBackup, restoreBackup, RestoreRefused } from './backup.js';

const serverBase = process.env.DATABASE_URL || process.env.P88_TEST_PG_URL || undefined;
const KEEP = { daily: 30, weekly: 0 };
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function newConfig(databaseUrl?: string): Promise<Config> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-backup-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', SECRET_KEY: 'cd'.repeat(32) };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return loadConfig(env);
}

/** The owner's connection to the configured database (embedded: DATA_DIR/pgdata). */
function openOwner(config: Config): Promise<Database> {
  return config.DATABASE_URL ? openDatabase({ url: config.DATABASE_URL }) : openPglite(path.join(config.dataDir, 'pgdata'));
}

/** Everything a partner has on race day, and a read waiting in the spool. */
async function seed(config: Config): Promise<{ partnerId: number }> {
  const owner = await openOwner(config);
  let partnerId: number;
  try {
    await migrate(owner);
    const db = owner.asRole(APP_ROLE);
    const demo = await seedDemo({ db, config, log: createLogger('silent') }, { runners: 12, firstBib: 100 });
    partnerId = (await asPlatform(owner, (tx) => tx.query<{ id: number }>(`SELECT id FROM partners WHERE slug = $1`, [demo.partner]))).rows[0]!.id;
    await asPlatform(owner, async (tx) => {
      const session = await newSession(tx, partnerId, { name: 'Hartford 2026' });
      await addReads(tx, partnerId, session, [
        { location: 'start', tag: '0F2A38', seq: 1, readAt: '2026-10-10T13:00:01.25Z' },
        { location: 'finish', tag: '0F2A38', seq: 2, readAt: '2026-10-10T16:01:02.50Z' },
      ]);
      await tx.query(
        `INSERT INTO assets (partner_id, key, name, content_type, width, height, bytes, data, sha256)
         VALUES ($1, $2, 'logo.png', 'image/png', 1, 1, 4, '\\x89504e47', $3)`,
        [partnerId, 'a'.repeat(32), 'b'.repeat(64)],
      );
    });
    await db.close();
  } finally {
    await owner.close();
  }
  await mkdir(path.join(config.dataDir, 'spool'), { recursive: true });
  await writeFile(path.join(config.dataDir, 'spool', 'reads.ndjson'), '{"read":"waiting for the database"}\n');
  return { partnerId };
}

/** Every table's row count and a digest of its rows, seen as the platform (past RLS). */
async function snapshot(config: Config): Promise<Record<string, { rows: number; digest: string }>> {
  const owner = await openOwner(config);
  try {
    return await asPlatform(owner, async (tx) => {
      const tables = (await tx.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows;
      const out: Record<string, { rows: number; digest: string }> = {};
      for (const { name } of tables) {
        const r = await tx.query<{ rows: number; digest: string }>(
          `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
        );
        out[name] = r.rows[0]!;
      }
      return out;
    });
  } finally {
    await owner.close();
  }
}

async function roundTrip(source: Config, target: Config): Promise<void> {
  const { partnerId } = await seed(source);
  const before = await snapshot(source);
  expect(before).toMatchObject({ timing_reads: { rows: 2 }, assets: { rows: 1 } });
  for (const table of ['partners', 'users', 'timing_sources', 'roster_events', 'participants', 'display_templates', 'display_links']) {
    expect(before[table]?.rows, table).toBeGreaterThan(0);
  }

  const backupDir = await mkdtemp(path.join(tmpdir(), 'p88-backups-'));
  const made = await createBackup(source, backupDir, KEEP);
  expect(await readdir(backupDir)).toEqual([path.basename(made.path)]);
  expect(made.manifest.files['spool/reads.ndjson']).toBeGreaterThan(0);

  await restoreBackup(target, made.path, false);
  expect(await snapshot(target)).toEqual(before);
  expect(await readFile(path.join(target.dataDir, 'spool', 'reads.ndjson'), 'utf8')).toBe('{"read":"waiting for the database"}\n');

  // The app role still sees the partner's rows through row-level security, and only them.
  const owner = await openOwner(target);
  const db = owner.asRole(APP_ROLE);
  const seen = await withPartner(db, partnerId, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads'));
  const stranger = await withPartner(db, 1, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads'));
  await db.close();
  await owner.close();
  expect(seen.rows[0]!.n).toBe(2);
  expect(stranger.rows[0]!.n).toBe(0);

  // A database that holds data is not overwritten unless told.
  await expect(restoreBackup(target, made.path, false)).rejects.toBeInstanceOf(RestoreRefused);
  expect(await snapshot(target)).toEqual(before);
}

describe('backup and restore', () => {
  it('round-trips the embedded database and the spool', async () => {
    await roundTrip(await newConfig(), await newConfig());
  });

  it.runIf(serverBase)('round-trips a PostgreSQL server database with pg_dump and pg_restore', async () => {
    const [a, b] = await Promise.all([createServerDatabase(serverBase!), createServerDatabase(serverBase!)]);
    cleanups.push(a.drop, b.drop);
    await roundTrip(await newConfig(a.url), await newConfig(b.url));
  });

  it('refuses to restore a backup into the other kind of database', async () => {
    const source = await newConfig();
    await seed(source);
    const made = await createBackup(source, await mkdtemp(path.join(tmpdir(), 'p88-backups-')), KEEP);
    const server = await newConfig('postgres://nobody@127.0.0.1:1/none');
    await expect(restoreBackup(server, made.path, false)).rejects.toThrow(/backup of the embedded database; restore it with DATABASE_URL unset/);
  });
});

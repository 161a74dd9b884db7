/**
 * A fresh, migrated database per test file, on the backend the run selects:
 * DATABASE_URL set → a new database on that PostgreSQL server (dropped afterwards);
 * unset → in-memory PGlite. Tests never mock our own database.
 *
 * Migrating is done once per test process: PGlite databases start from a dump of one
 * migrated database (an empty cluster takes ~2 s to create, a copy ~0.5 s), and each test
 * file checks the migrations ran (migrate() applies nothing on a copy that is current).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { openPglite } from '../../src/db/pglite.js';
import { APP_ROLE } from '../../src/db/tenant.js';

let migratedDump: Promise<Blob> | undefined;

/**
 * A dump of a freshly migrated PGlite database. Test files run in fresh module scopes, so the
 * dump is kept in the system's temp folder, named by a hash of the migrations: made once per
 * machine and migration set, written atomically so parallel test processes never read half.
 */
function migratedPgliteDump(): Promise<Blob> {
  migratedDump ??= (async () => {
    const dir = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));
    const hash = createHash('sha256');
    for (const f of (await readdir(dir)).sort()) hash.update(f).update(await readFile(join(dir, f)));
    const path = join(tmpdir(), `p88-test-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
    try {
      return new Blob([await readFile(path)]);
    } catch {
      const db = await openPglite();
      await migrate(db);
      const dump = await db.dump();
      await db.close();
      const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, path);
      return dump;
    }
  })();
  return migratedDump;
}

export interface TestDatabase {
  /** The application's connection: role p88_app, row-level security applies. */
  db: Database;
  /** The owner's connection: migrations, fixtures and assertions (bypasses row-level security). */
  owner: Database;
  /** URL of the test database on a server run; undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

export const serverUrl = process.env.DATABASE_URL || undefined;

/** Creates an empty database on the server run (no migrations); returns its URL and a dropper. */
export async function createServerDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `p88_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!serverUrl) {
    const owner = await openPglite(undefined, await migratedPgliteDump());
    await migrate(owner);
    return { db: owner.asRole(APP_ROLE), owner, url: undefined, drop: () => owner.close() };
  }
  const server = await createServerDatabase(serverUrl);
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  const db = owner.asRole(APP_ROLE);
  return {
    db,
    owner,
    url: server.url,
    async drop() {
      await db.close();
      await owner.close();
      await server.drop();
    },
  };
}

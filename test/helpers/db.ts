/**
 * A fresh, migrated database per test file, on the backend the run selects:
 * DATABASE_URL set → a new database on that PostgreSQL server (dropped afterwards);
 * unset → in-memory PGlite. Tests never mock our own database.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { APP_ROLE } from '../../src/db/tenant.js';

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
    const owner = await openDatabase({});
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

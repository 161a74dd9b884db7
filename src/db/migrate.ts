/**
 * Plain numbered SQL migrations (migrations/NNNN_name.sql), applied in order, each in its own
 * transaction, recorded in schema_migrations. Safe to run again and from several processes
 * at once (an advisory lock serializes them on a server).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import type { Database, Queryable } from './database.js';

// From the sources even when running compiled (build/ holds no SQL).
const dir = join(projectRoot, 'src', 'db', 'migrations');
const LOCK_KEY = 880_001;

function migrationFiles(): Promise<string[]> {
  return readdir(dir).then((names) => names.filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort());
}

/** The migrations this code has that the database has not applied (all of them on an empty one). */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const table = await db.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  const done = table.rows[0]?.present
    ? new Set((await db.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
    : new Set<string>();
  return (await migrationFiles()).filter((f) => !done.has(f));
}

/**
 * Applies pending migrations; returns the names applied now. `except` leaves some out (tests:
 * a database that took a later migration before an earlier-numbered one arrived).
 */
export async function migrate(db: Database, opts: { except?: readonly string[] } = {}): Promise<string[]> {
  const files = (await migrationFiles()).filter((f) => !opts.except?.includes(f));
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(join(dir, file), 'utf8');
      // Statements run one by one: the extended protocol (PGlite's tx) takes one per call.
      for (const stmt of splitStatements(sql)) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}

/**
 * Splits a migration script on semicolons that end a statement, keeping $$-quoted bodies
 * (functions, DO blocks) whole. Migrations are our own files, so this small grammar is enough.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (!inDollar && (trimmed.startsWith('--') || trimmed === '')) continue;
    current += line + '\n';
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar;
    if (!inDollar && trimmed.endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

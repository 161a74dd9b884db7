/** Opens the database a process runs on: a PostgreSQL server when a URL is given, else embedded PGlite. */
import type { Database, OpenOptions } from './database.js';

export type { Database, OpenOptions, Queryable, QueryResult } from './database.js';

/** Opens a server pool when a URL is given, else embedded PGlite. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(opts.url, opts);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(opts.dataDir);
}

/** Opens what every process needs: validated config, logger, migrated database. */
import path from 'node:path';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createLogger, type Logger } from './log.js';

export interface Runtime {
  config: Config;
  log: Logger;
  db: Database;
}

/** Embedded PGlite keeps its files here when DATABASE_URL is unset. */
export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pgdata');
}

export async function openRuntime(opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: embeddedDataDir(config) });
  if (opts.migrate !== false) {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  log.info({ database: db.kind === 'pglite' ? `embedded (${embeddedDataDir(config)})` : 'postgres server' }, 'database ready');
  return { config, log, db };
}

/** Opens what every process needs: validated config, logger, migrated database. */
import path from 'node:path';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/index.js';
import { migrate } from './db/migrate.js';
import { APP_ROLE } from './db/tenant.js';
import { createLogger, type Logger } from './log.js';

export interface Runtime {
  config: Config;
  log: Logger;
  /** The application's connection (role p88_app: row-level security applies). */
  db: Database;
  /** The owner's connections (two): migrations and first-run setup only. */
  owner: Database;
  close(): Promise<void>;
}

/** Embedded PGlite keeps its files here when DATABASE_URL is unset. */
export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pgdata');
}

export async function openRuntime(opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const owner = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: embeddedDataDir(config),
    max: 2,
    // Live displays miss what is published until it is back (screens replay on reconnect).
    onListenLost: (err) => log.warn({ err: err.message }, 'database listening connection lost; reopening'),
  });
  if (opts.migrate !== false) {
    const applied = await migrate(owner);
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  const db = owner.asRole(APP_ROLE, { max: config.DATABASE_POOL_SIZE });
  log.info({ database: owner.kind === 'pglite' ? `embedded (${embeddedDataDir(config)})` : 'postgres server' }, 'database ready');
  return {
    config,
    log,
    db,
    owner,
    async close() {
      await db.close();
      await owner.close();
    },
  };
}

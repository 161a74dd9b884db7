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
  /** Migrations applied as it opened (none when the schema was current). */
  migrationsApplied: string[];
  close(): Promise<void>;
}

export interface RuntimeOptions {
  migrate?: boolean;
  /**
   * Set by one-shot commands: their stdout is their result, so logs go to stderr, and only
   * warnings and errors unless verbose or LOG_LEVEL says otherwise. Services (unset) log to
   * stdout at LOG_LEVEL.
   */
  command?: { verbose?: boolean };
}

/** Embedded PGlite keeps its files here when DATABASE_URL is unset. */
export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pgdata');
}

export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const config = loadConfig();
  const log = opts.command ? createLogger(commandLogLevel(config, opts.command.verbose), 'p88', 'stderr') : createLogger(config.LOG_LEVEL);
  const owner = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: embeddedDataDir(config),
    max: 2,
    // Live displays miss what is published until it is back (screens replay on reconnect).
    onListenLost: (err) => log.warn({ err: err.message }, 'database listening connection lost; reopening'),
  });
  const migrationsApplied = opts.migrate === false ? [] : await migrate(owner);
  if (migrationsApplied.length) log.info({ applied: migrationsApplied }, 'migrations applied');
  const db = owner.asRole(APP_ROLE, { max: config.DATABASE_POOL_SIZE });
  log.info({ database: owner.kind === 'pglite' ? `embedded (${embeddedDataDir(config)})` : 'postgres server' }, 'database ready');
  return {
    config,
    log,
    db,
    owner,
    migrationsApplied,
    async close() {
      await db.close();
      await owner.close();
    },
  };
}

function commandLogLevel(config: Config, verbose: boolean | undefined): string {
  if (config.logLevelSet) return config.LOG_LEVEL;
  return verbose ? 'info' : 'warn';
}

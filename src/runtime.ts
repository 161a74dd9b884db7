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
  /**
   * Resolves once the schema is known to be current. Already resolved unless the process was
   * opened with databaseMayBeAway and the server did not answer: then migrations are retried
   * in the background until it does.
   */
  schemaReady: Promise<void>;
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
  /**
   * The collector alone: open even when the database server cannot be reached (it listens and
   * spools meanwhile), and check migrations when the server answers.
   */
  databaseMayBeAway?: boolean;
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
  let migrationsApplied: string[] = [];
  let schemaReady: Promise<void> = Promise.resolve();
  let stopRetrying = () => {};
  if (opts.migrate !== false) {
    try {
      migrationsApplied = await migrate(owner);
      if (migrationsApplied.length) log.info({ applied: migrationsApplied }, 'migrations applied');
    } catch (err) {
      if (!opts.databaseMayBeAway || owner.kind === 'pglite') throw err;
      log.error({ err: String(err) }, 'database unreachable at start; collecting into the spool, migrations checked when it answers');
      const retry = retryMigrations(owner, log);
      schemaReady = retry.done;
      stopRetrying = retry.stop;
    }
  }
  const db = owner.asRole(APP_ROLE, { max: config.DATABASE_POOL_SIZE });
  log.info({ database: owner.kind === 'pglite' ? `embedded (${embeddedDataDir(config)})` : 'postgres server' }, 'database ready');
  return {
    config,
    log,
    db,
    owner,
    migrationsApplied,
    schemaReady,
    async close() {
      stopRetrying();
      await db.close();
      await owner.close();
    },
  };
}

/** Retries migrate() with a growing pause (1 s to 30 s) until it succeeds or stop() is called. */
function retryMigrations(owner: Database, log: Logger): { done: Promise<void>; stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake = () => {};
  const done = (async () => {
    for (let delay = 1_000; !stopped; delay = Math.min(delay * 2, 30_000)) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
      if (stopped) break;
      try {
        const applied = await migrate(owner);
        log.info({ applied }, 'database answers again; schema is current');
        return;
      } catch (err) {
        log.warn({ err: String(err), retryInMs: Math.min(delay * 2, 30_000) }, 'database still unreachable');
      }
    }
    // Stopped before the database came back: never resolves for writers waiting on it.
    await new Promise<never>(() => {});
  })();
  return {
    done,
    stop() {
      stopped = true;
      clearTimeout(timer);
      wake();
    },
  };
}

function commandLogLevel(config: Config, verbose: boolean | undefined): string {
  if (config.logLevelSet) return config.LOG_LEVEL;
  return verbose ? 'info' : 'warn';
}

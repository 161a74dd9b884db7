/**
 * Rules of the timing read API: which sessions a request covers (the partner's active one
 * unless it names one of its own), what a status report says when the database is down, and
 * the response shapes of the seed platform.
 */
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { AppError, errorCatalogue } from '../errors.js';
import type { Logger } from '../log.js';
import { withTimeout } from '../http/timeout.js';
import * as repo from './timing.repo.js';
import type {
  DatabaseStatus,
  RecentReads,
  RecentReadsQuery,
  Sessions,
  SessionsQuery,
  Stats,
  StatsQuery,
} from './timing.schemas.js';

/** A database-status report gives up on the database after this long and says "not connected". */
export const STATUS_DB_TIMEOUT_MS = 2000;

/**
 * "PostgreSQL 16" from version() ("PostgreSQL 16.4 (Debian …) on x86_64-pc-linux-gnu, compiled
 * by gcc …"): the major version only. The full string tells any viewer the exact server, OS
 * and compiler builds, which is an attacker's shopping list (issue 12, finding 7).
 */
export function majorVersion(version: string): string {
  const m = /^(PostgreSQL) (\d+)/.exec(version);
  return m ? `${m[1]} ${m[2]}` : 'PostgreSQL';
}

async function activeIds(tx: Queryable, partnerId: number): Promise<number[]> {
  const active = await repo.findActiveSession(tx, partnerId);
  return active ? [active.id] : [];
}

/** The sessions a request covers: the named one (404 unless the partner's) or the active ones. */
async function scope(tx: Queryable, partnerId: number, sessionId: number | undefined): Promise<number[]> {
  if (sessionId === undefined) return activeIds(tx, partnerId);
  if (!(await repo.sessionExists(tx, partnerId, sessionId))) throw new AppError('not_found', 'Session not found.');
  return [sessionId];
}

/**
 * Every method runs in one transaction scoped to the partner (withPartner): row-level
 * security filters what the repository's own partner_id conditions already filter.
 */
export class TimingService {
  constructor(private readonly db: Database) {}

  async databaseStatus(partnerId: number, log: Pick<Logger, 'warn'>): Promise<DatabaseStatus> {
    try {
      const [version, active] = await withTimeout(
        withPartner(this.db, partnerId, (tx) => Promise.all([repo.databaseVersion(tx), activeIds(tx, partnerId)])),
        STATUS_DB_TIMEOUT_MS,
        'database status',
      );
      return {
        success: true,
        database_enabled: true,
        connected: true,
        current_session: active[0] ?? null,
        database_version: majorVersion(version),
        error: null,
        generated_at: new Date(),
      };
    } catch (err) {
      // The cause goes to the log only; the body says what a client may know.
      log.warn({ err }, 'database status: database not reachable');
      return {
        success: true,
        database_enabled: true,
        connected: false,
        current_session: null,
        error: errorCatalogue.database_unavailable.message,
        generated_at: new Date(),
      };
    }
  }

  stats(partnerId: number, query: StatsQuery): Promise<Stats> {
    return withPartner(this.db, partnerId, async (tx) => {
      const sessionIds = await scope(tx, partnerId, query.session_id);
      const overall = await repo.readTotals(tx, partnerId, sessionIds);
      const byLocation = await repo.readTotalsByLocation(tx, partnerId, sessionIds);
      return { success: true as const, overall, by_location: byLocation, generated_at: new Date() };
    });
  }

  recentReads(partnerId: number, query: RecentReadsQuery): Promise<RecentReads> {
    return withPartner(this.db, partnerId, async (tx) => {
      const sessionIds = await scope(tx, partnerId, query.session_id);
      const reads = await repo.recentReads(tx, partnerId, { sessionIds, location: query.location, limit: query.limit });
      const now = new Date();
      return { success: true as const, reads, count: reads.length, timestamp: now, generated_at: now };
    });
  }

  sessions(partnerId: number, query: SessionsQuery): Promise<Sessions> {
    return withPartner(this.db, partnerId, async (tx) => ({
      success: true as const,
      sessions: await repo.listSessions(tx, partnerId, query.limit),
      generated_at: new Date(),
    }));
  }
}

/**
 * Roster imports in the background: the ChronoTrack Live import is started by a request that
 * answers at once with an import id, runs in this process, and writes its progress (rows
 * received out of the provider's row count) to roster_imports, where any web node answers
 * the dashboard's polls. Scoped like every tenant table: another partner's id is not found.
 *
 * Bounds: a few running imports per partner, one per provider event (a second start joins
 * the running one); finished imports can be polled for about ten minutes; a running import
 * whose process stopped is reported failed once no heartbeat has refreshed it for a minute.
 * close() (the web app shutting down) stops the running imports and marks them failed.
 */
import { randomBytes } from 'node:crypto';
import type { Usage } from '../accounts/usage.service.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Progress } from '../providers/chronotrack/client.js';
import { importFromChronoTrackLive, type ChronoTrackImportOptions } from './ctlive-roster.js';
import { eventByExternalId } from '../rosters/roster.repo.js';
import type { Rosters } from '../rosters/roster.service.js';
import type { RowError } from '../rosters/roster.schemas.js';
import * as repo from './roster-imports.repo.js';

export type { ImportStatus } from './roster-imports.repo.js';

/** Row errors kept in a finished import (the count says how many there were). */
export const MAX_STORED_ERRORS = 1000;

export interface RosterImportResult {
  event_id: number;
  event_name: string;
  /** Rows the provider sent. */
  entries: number;
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** The first MAX_STORED_ERRORS rows not imported. */
  errors: RowError[];
  error_count: number;
}

export interface RosterImport {
  import_id: string;
  source: 'ctlive';
  external_id: string;
  status: repo.ImportStatus;
  received: number;
  total: number | null;
  result: RosterImportResult | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface RosterImportsOptions {
  log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** ChronoTrack Live's base URL (CTLIVE_BASE_URL; unset = production). */
  ctliveBaseUrl?: string | undefined;
  /** Charges a new roster event to the plan (events per month); a re-import is free. */
  usage?: Pick<Usage, 'consume'> | undefined;
  /** How long a finished import can still be polled (default 10 min). */
  expireMs?: number;
  /** How often a running import refreshes its row (default 10 s). */
  heartbeatMs?: number;
  /** A running row not refreshed for this long belongs to a stopped process (default 60 s). */
  staleMs?: number;
  /** Imports one partner may run at once (default 3). */
  maxRunningPerPartner?: number;
  /** Client settings for tests (retries, timeouts). */
  client?: Partial<Pick<ChronoTrackImportOptions, 'timeoutMs' | 'maxAttempts' | 'retryBaseMs' | 'maxRetryDelayMs'>>;
}

export interface ChronoTrackImportInput {
  clientId: string;
  userId: string;
  password: string;
  eventId: string;
}

const STALE_MESSAGE = 'The import stopped unexpectedly (the server restarted). Start it again.';
const SHUTDOWN_MESSAGE = 'The server shut down during the import. Start it again.';
const IMPORT_ID = /^[0-9a-f]{32}$/;


function view(row: repo.RosterImportRow): RosterImport {
  return {
    import_id: row.id,
    source: row.source,
    external_id: row.external_id,
    status: row.status,
    received: row.received,
    total: row.total,
    result: row.status === 'done' ? (row.result as RosterImportResult) : null,
    error: row.status === 'failed' ? (row.error ?? 'The import failed.') : null,
    created_at: row.created_at,
    finished_at: row.finished_at,
  };
}

export class RosterImports {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private closing = false;
  private readonly expireMs: number;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly maxRunning: number;

  constructor(
    private readonly db: Database,
    /** Where the fetched roster is written. */
    private readonly rosters: Rosters,
    private readonly opts: RosterImportsOptions,
  ) {
    this.expireMs = opts.expireMs ?? 10 * 60_000;
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
    this.staleMs = opts.staleMs ?? 60_000;
    this.maxRunning = opts.maxRunningPerPartner ?? 3;
  }

  /**
   * Starts importing a ChronoTrack Live event; resolves as soon as the import is recorded.
   * Starting an event that is already importing returns the running import's id.
   */
  async startChronoTrack(partnerId: number, createdBy: number | null, input: ChronoTrackImportInput): Promise<{ import_id: string }> {
    if (this.closing) throw new AppError('database_unavailable', 'The server is shutting down; try again in a moment.');
    const externalId = input.eventId;
    const before = await withPartner(this.db, partnerId, async (tx) => {
      await repo.sweepImports(tx, partnerId, this.staleMs, this.expireMs, STALE_MESSAGE);
      const running = await repo.runningImportOf(tx, partnerId, 'ctlive', externalId);
      if (running) return { running };
      if ((await repo.countRunningImports(tx, partnerId)) >= this.maxRunning) {
        throw new AppError('too_many_requests', `${this.maxRunning} roster imports are already running; wait for one to finish.`);
      }
      return { exists: (await eventByExternalId(tx, partnerId, 'ctlive', externalId)) !== undefined };
    });
    if (before.running) return { import_id: before.running.id };
    // A new roster event counts against the plan; re-importing one does not.
    if (!before.exists) await this.opts.usage?.consume(partnerId, 'events_per_month');

    const id = randomBytes(16).toString('hex');
    try {
      await withPartner(this.db, partnerId, (tx) => repo.insertImport(tx, partnerId, { id, source: 'ctlive', external_id: externalId, created_by: createdBy }));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Started by a concurrent request meanwhile: join it.
      const running = await withPartner(this.db, partnerId, (tx) => repo.runningImportOf(tx, partnerId, 'ctlive', externalId));
      if (running) return { import_id: running.id };
      throw err;
    }
    this.run(partnerId, id, input);
    return { import_id: id };
  }

  /** The import as the dashboard polls it (404 for an unknown, expired or other partner's id). */
  async get(partnerId: number, importId: string): Promise<RosterImport> {
    if (!IMPORT_ID.test(importId)) throw new AppError('not_found', 'Import not found.');
    const row = await withPartner(this.db, partnerId, async (tx) => {
      await repo.sweepImports(tx, partnerId, this.staleMs, this.expireMs, STALE_MESSAGE);
      return repo.getImport(tx, partnerId, importId, this.expireMs);
    });
    if (!row) throw new AppError('not_found', 'Import not found.');
    return view(row);
  }

  /** Imports running in this process (tests; shutdown). */
  get runningCount(): number {
    return this.running.size;
  }

  /** Waits for this process's running imports to end (tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()].map((j) => j.done));
  }

  /** Stops every running import of this process (marked failed) and waits for them. */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.running.values()) job.controller.abort();
    await this.settle();
  }

  private run(partnerId: number, id: string, input: ChronoTrackImportInput): void {
    const controller = new AbortController();
    const log = this.opts.log;
    const write = (what: string, fn: Parameters<typeof withPartner>[2]) =>
      withPartner(this.db, partnerId, fn).catch((err: unknown) => log.warn({ err, import_id: id }, `roster import: could not record ${what}`));

    // Progress: written in order, the latest value only (a page may arrive while one is written).
    let latest: Progress | undefined;
    let written: Progress | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    const onProgress = (p: Progress) => {
      latest = p;
      chain = chain.then(() => {
        if (!latest || latest === written) return;
        const p2 = latest;
        written = p2;
        return write('progress', (tx) => repo.importProgress(tx, partnerId, id, p2.loaded, p2.total));
      });
    };
    const heartbeat = setInterval(() => void write('heartbeat', (tx) => repo.touchImport(tx, partnerId, id)), this.heartbeatMs);
    heartbeat.unref();

    const work = async () => {
      try {
        const r = await importFromChronoTrackLive(
          this.rosters,
          partnerId,
          {
            ...this.opts.client,
            ...(this.opts.ctliveBaseUrl ? { baseUrl: this.opts.ctliveBaseUrl } : {}),
            clientId: input.clientId,
            userId: input.userId,
            password: input.password,
            eventId: input.eventId,
            log,
            signal: controller.signal,
          },
          onProgress,
        );
        await chain;
        const result: RosterImportResult = {
          event_id: r.event.id,
          event_name: r.event.name,
          entries: r.entries,
          inserted: r.inserted,
          updated: r.updated,
          unchanged: r.unchanged,
          removed: r.removed,
          errors: r.errors.slice(0, MAX_STORED_ERRORS),
          error_count: r.errors.length,
        };
        await write('the result', (tx) =>
          repo.finishImport(tx, partnerId, id, { status: 'done', received: r.entries, total: latest?.total ?? r.entries, event_id: r.event.id, result }),
        );
        log.info({ import_id: id, partner_id: partnerId, entries: r.entries, inserted: r.inserted, updated: r.updated }, 'roster import done');
      } catch (err) {
        await chain;
        let message: string;
        if (controller.signal.aborted) message = SHUTDOWN_MESSAGE;
        else if (err instanceof AppError) message = err.message;
        else {
          message = 'The import failed unexpectedly. Try again; if it keeps failing, contact support.';
          log.error({ err, import_id: id, partner_id: partnerId }, 'roster import failed');
        }
        await write('the failure', (tx) => repo.finishImport(tx, partnerId, id, { status: 'failed', error: message }));
        if (err instanceof AppError) log.info({ import_id: id, partner_id: partnerId, reason: message }, 'roster import failed');
      } finally {
        clearInterval(heartbeat);
        this.running.delete(id);
      }
    };
    const entry = { controller, done: Promise.resolve() };
    this.running.set(id, entry);
    entry.done = work();
  }
}

/**
 * Roster imports in the background: the ChronoTrack Live import is started by a request that
 * answers at once with an import id, and runs as a queue job that any worker takes (the
 * in-process worker of `p88 start`, or a `p88 worker`): a web process that stops no longer
 * loses it, and one whose worker dies is taken up again after its lease. The import row
 * (roster_imports) and its job commit together; the row carries the progress (rows received
 * out of the provider's row count) that any web node answers the dashboard's polls with.
 * Scoped like every tenant table: another partner's id is not found.
 *
 * The ChronoTrack credentials travel sealed with the platform's key in the job's secret, which
 * the queue clears when the job ends; neither they nor the password's hash are ever stored
 * in clear or logged.
 *
 * Bounds: a few running imports per partner, one per provider event (a second start joins the
 * running one); finished imports can be polled for about ten minutes.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SecretBox } from '../accounts/secret-box.js';
import type { Usage } from '../accounts/usage.service.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { enqueueJob } from '../jobs/queue.js';
import { defineJob, JobAbort, JobError, type JobHandler } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { Progress } from '../providers/chronotrack/client.js';
import { eventByExternalId } from '../rosters/roster.repo.js';
import type { RowError } from '../rosters/roster.schemas.js';
import { Rosters } from '../rosters/roster.service.js';
import { importFromChronoTrackLive, type ChronoTrackImportOptions } from './ctlive-roster.js';
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

export interface ChronoTrackImportInput {
  clientId: string;
  userId: string;
  password: string;
  eventId: string;
}

const credentialsSchema = z.object({ clientId: z.string(), userId: z.string(), password: z.string() });

/** The import as a queue job: which import row it fills, and which provider event. */
export const ctliveImportJob = defineJob({
  name: 'rosters.ctlive-import',
  scope: 'partner',
  payload: z.object({ importId: z.string().regex(/^[0-9a-f]{32}$/), eventId: z.string().min(1).max(100) }),
  // Further attempts are for a worker that died; the provider's own failures end the import
  // (its client already retried each page).
  maxAttempts: 3,
  backoff: { baseMs: 10_000, maxMs: 5 * 60_000 },
  concurrency: 2,
  timeoutMs: 30 * 60_000,
});

const STALE_MESSAGE = 'The import stopped unexpectedly (the server restarted). Start it again.';
const CANCELLED_MESSAGE = 'The import was cancelled.';
const UNEXPECTED_MESSAGE = 'The import failed unexpectedly. Try again; if it keeps failing, contact support.';
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

export interface RosterImportsOptions {
  /** Seals the provider credentials into the job (the worker opens them with the same key). */
  box: SecretBox;
  /** Charges a new roster event to the plan (events per month); a re-import is free. */
  usage?: Pick<Usage, 'consume'> | undefined;
  /** How long a finished import can still be polled (default 10 min). */
  expireMs?: number;
  /** A running row from before imports were jobs, not refreshed for this long, is stale (default 60 s). */
  staleMs?: number;
  /** Imports one partner may run at once (default 3). */
  maxRunningPerPartner?: number;
}

/** The web side: starts imports (as jobs) and answers polls. */
export class RosterImports {
  private readonly expireMs: number;
  private readonly staleMs: number;
  private readonly maxRunning: number;

  constructor(
    private readonly db: Database,
    private readonly opts: RosterImportsOptions,
  ) {
    this.expireMs = opts.expireMs ?? 10 * 60_000;
    this.staleMs = opts.staleMs ?? 60_000;
    this.maxRunning = opts.maxRunningPerPartner ?? 3;
  }

  /**
   * Starts importing a ChronoTrack Live event; resolves as soon as the import and its job are
   * recorded. Starting an event that is already importing returns the running import's id.
   */
  async startChronoTrack(partnerId: number, createdBy: number | null, input: ChronoTrackImportInput): Promise<{ import_id: string }> {
    const externalId = input.eventId;
    const before = await withPartner(this.db, partnerId, async (tx) => {
      await this.sweep(tx, partnerId);
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
    const secret = this.opts.box.seal(JSON.stringify({ clientId: input.clientId, userId: input.userId, password: input.password }));
    try {
      await withPartner(this.db, partnerId, async (tx) => {
        const job = await enqueueJob(tx, ctliveImportJob, { importId: id, eventId: externalId }, { partnerId, secret });
        await repo.insertImport(tx, partnerId, { id, source: 'ctlive', external_id: externalId, created_by: createdBy, job_id: job.id });
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Started by a concurrent request meanwhile (and this job rolled back with the row): join it.
      const running = await withPartner(this.db, partnerId, (tx) => repo.runningImportOf(tx, partnerId, 'ctlive', externalId));
      if (running) return { import_id: running.id };
      throw err;
    }
    return { import_id: id };
  }

  /** The import as the dashboard polls it (404 for an unknown, expired or other partner's id). */
  async get(partnerId: number, importId: string): Promise<RosterImport> {
    if (!IMPORT_ID.test(importId)) throw new AppError('not_found', 'Import not found.');
    const row = await withPartner(this.db, partnerId, async (tx) => {
      await this.sweep(tx, partnerId);
      return repo.getImport(tx, partnerId, importId, this.expireMs);
    });
    if (!row) throw new AppError('not_found', 'Import not found.');
    return view(row);
  }

  private sweep(tx: Parameters<typeof repo.sweepImports>[0], partnerId: number): Promise<void> {
    return repo.sweepImports(tx, partnerId, { staleMs: this.staleMs, expireMs: this.expireMs, staleMessage: STALE_MESSAGE, cancelledMessage: CANCELLED_MESSAGE });
  }
}

export interface RosterImportHandlerDeps {
  db: Database;
  box: SecretBox;
  log: Pick<Logger, 'error' | 'warn'>;
  /** ChronoTrack Live's base URL (CTLIVE_BASE_URL; unset = production). */
  ctliveBaseUrl?: string | undefined;
  /** Client settings for tests (retries, timeouts). */
  client?: Partial<Pick<ChronoTrackImportOptions, 'timeoutMs' | 'maxAttempts' | 'retryBaseMs' | 'maxRetryDelayMs'>> | undefined;
}

/** The worker side: runs one import job, writing its progress and outcome to its import row. */
export function rosterImportHandler(deps: RosterImportHandlerDeps): JobHandler<z.infer<typeof ctliveImportJob.payload>, 'partner'> {
  const { db } = deps;
  return async ({ importId, eventId }, ctx) => {
    const partnerId = ctx.partnerId;
    const write = (what: string, fn: Parameters<typeof withPartner>[2]) =>
      withPartner(db, partnerId, fn).catch((err: unknown) => ctx.log.warn({ err, import_id: importId }, `roster import: could not record ${what}`));

    // Finished already (a worker died after writing the outcome): nothing left to do.
    if ((await withPartner(db, partnerId, (tx) => repo.importStatus(tx, partnerId, importId))) !== 'running') return { skipped: true };
    const credentials = credentialsSchema.safeParse(ctx.secret === null ? null : JSON.parse(deps.box.open(ctx.secret)));
    if (!credentials.success) {
      await write('the failure', (tx) => repo.finishImport(tx, partnerId, importId, { status: 'failed', error: UNEXPECTED_MESSAGE }));
      throw new JobError('the job carries no ChronoTrack credentials', { retry: false });
    }
    // A run after a lost worker starts from nothing again.
    if (ctx.attempt > 1) await write('progress', (tx) => repo.importProgress(tx, partnerId, importId, 0, null));

    // Progress: written in order, the latest value only (a page may arrive while one is written).
    let latest: Progress | undefined;
    let written: Progress | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    const onProgress = (p: Progress) => {
      latest = p;
      ctx.progress(p.loaded, p.total ?? null);
      chain = chain.then(() => {
        if (!latest || latest === written) return;
        const p2 = latest;
        written = p2;
        return write('progress', (tx) => repo.importProgress(tx, partnerId, importId, p2.loaded, p2.total));
      });
    };

    try {
      const r = await importFromChronoTrackLive(
        new Rosters(db),
        partnerId,
        {
          ...deps.client,
          ...(deps.ctliveBaseUrl ? { baseUrl: deps.ctliveBaseUrl } : {}),
          ...credentials.data,
          eventId,
          log: ctx.log,
          signal: ctx.signal,
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
        repo.finishImport(tx, partnerId, importId, { status: 'done', received: r.entries, total: latest?.total ?? r.entries, event_id: r.event.id, result }),
      );
      return { import_id: importId, event_id: r.event.id, entries: r.entries, inserted: r.inserted, updated: r.updated };
    } catch (err) {
      await chain;
      const aborted = ctx.signal.reason instanceof JobAbort ? ctx.signal.reason.reason : undefined;
      // The job runs again (this worker is stopping, or another took it over): the row stays running.
      if (aborted === 'shutdown' || aborted === 'lease_lost') throw err;
      let message: string;
      if (aborted === 'cancelled') message = CANCELLED_MESSAGE;
      else if (aborted === 'timeout') message = 'The import took too long and was stopped. Start it again.';
      else if (err instanceof AppError) message = err.message;
      else if (ctx.attempt < ctx.maxAttempts) throw err;
      else {
        message = UNEXPECTED_MESSAGE;
        deps.log.error({ err, import_id: importId, partner_id: partnerId }, 'roster import failed');
      }
      await write('the failure', (tx) => repo.finishImport(tx, partnerId, importId, { status: 'failed', error: message }));
      throw new JobError(message, { retry: false, cause: err });
    }
  };
}

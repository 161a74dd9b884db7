/** All SQL of background roster imports (table roster_imports): one row per import job, its progress and outcome. */
import type { Queryable } from '../db/database.js';


export type ImportStatus = 'running' | 'done' | 'failed';

export interface RosterImportRow {
  id: string;
  source: 'ctlive';
  external_id: string;
  status: ImportStatus;
  received: number;
  total: number | null;
  event_id: number | null;
  result: unknown;
  error: string | null;
  /** The queue job doing it (NULL for rows from before imports were jobs). */
  job_id: number | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const IMPORT_COLS = 'id, source, external_id, status, received, total, event_id, result, error, job_id, created_at, updated_at, finished_at';
/** A duration in milliseconds as a SQL interval parameter. */
const ms = (n: string) => `(${n}::double precision * interval '1 millisecond')`;

export async function insertImport(
  tx: Queryable,
  partnerId: number,
  job: { id: string; source: 'ctlive'; external_id: string; created_by: number | null; job_id: number },
): Promise<RosterImportRow> {
  const r = await tx.query<RosterImportRow>(
    `INSERT INTO roster_imports (id, partner_id, source, external_id, created_by, job_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${IMPORT_COLS}`,
    [job.id, partnerId, job.source, job.external_id, job.created_by, job.job_id],
  );
  return r.rows[0]!;
}

/** The import, unless it finished more than `expireMs` ago. */
export async function getImport(tx: Queryable, partnerId: number, id: string, expireMs: number): Promise<RosterImportRow | undefined> {
  const r = await tx.query<RosterImportRow>(
    `SELECT ${IMPORT_COLS} FROM roster_imports
      WHERE partner_id = $1 AND id = $2 AND (finished_at IS NULL OR finished_at > now() - ${ms('$3')})`,
    [partnerId, id, expireMs],
  );
  return r.rows[0];
}

/** The import's status, however long ago it finished. */
export async function importStatus(tx: Queryable, partnerId: number, id: string): Promise<ImportStatus | undefined> {
  const r = await tx.query<{ status: ImportStatus }>('SELECT status FROM roster_imports WHERE partner_id = $1 AND id = $2', [partnerId, id]);
  return r.rows[0]?.status;
}

/** The running import of a provider event, if any. */
export async function runningImportOf(tx: Queryable, partnerId: number, source: 'ctlive', externalId: string): Promise<RosterImportRow | undefined> {
  const r = await tx.query<RosterImportRow>(
    `SELECT ${IMPORT_COLS} FROM roster_imports WHERE partner_id = $1 AND source = $2 AND external_id = $3 AND status = 'running'`,
    [partnerId, source, externalId],
  );
  return r.rows[0];
}

export async function countRunningImports(tx: Queryable, partnerId: number): Promise<number> {
  const r = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM roster_imports WHERE partner_id = $1 AND status = 'running'`, [partnerId]);
  return r.rows[0]!.n;
}

/** Progress of a running import (also its heartbeat). */
export async function importProgress(tx: Queryable, partnerId: number, id: string, received: number, total: number | null): Promise<void> {
  await tx.query(
    `UPDATE roster_imports SET received = $3, total = $4, updated_at = now() WHERE partner_id = $1 AND id = $2 AND status = 'running'`,
    [partnerId, id, received, total],
  );
}

export async function finishImport(
  tx: Queryable,
  partnerId: number,
  id: string,
  end: { status: 'done' | 'failed'; received?: number; total?: number | null; event_id?: number | null; result?: unknown; error?: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE roster_imports
        SET status = $3, received = coalesce($4, received), total = coalesce($5, total), event_id = $6, result = $7::jsonb,
            error = $8, updated_at = now(), finished_at = now()
      WHERE partner_id = $1 AND id = $2 AND status = 'running'`,
    [
      partnerId,
      id,
      end.status,
      end.received ?? null,
      end.total ?? null,
      end.event_id ?? null,
      end.result === undefined ? null : JSON.stringify(end.result),
      end.error ?? null,
    ],
  );
}

/**
 * Housekeeping before a new import or a poll: a running row whose job is no longer queued or
 * running (cancelled, or failed without the handler saying so: its workers kept dying) becomes
 * failed; so does a row from before imports were jobs (no job_id) that no process has
 * refreshed for `staleMs`. Rows finished more than `expireMs` ago are deleted.
 */
export async function sweepImports(
  tx: Queryable,
  partnerId: number,
  opts: { staleMs: number; expireMs: number; staleMessage: string; cancelledMessage: string },
): Promise<void> {
  await tx.query(
    `UPDATE roster_imports r
        SET status = 'failed', finished_at = now(), updated_at = now(),
            error = CASE WHEN (SELECT j.state FROM jobs j WHERE j.id = r.job_id) = 'cancelled' THEN $4 ELSE $3 END
      WHERE r.partner_id = $1 AND r.status = 'running'
        AND CASE WHEN r.job_id IS NULL THEN r.updated_at < now() - ${ms('$2')}
                 ELSE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = r.job_id AND j.state IN ('queued', 'active')) END`,
    [partnerId, opts.staleMs, opts.staleMessage, opts.cancelledMessage],
  );
  await tx.query(`DELETE FROM roster_imports WHERE partner_id = $1 AND finished_at < now() - ${ms('$2')}`, [partnerId, opts.expireMs]);
}

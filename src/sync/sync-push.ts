/**
 * Pushing results back to a provider (RunSignUp full-results, ChronoTrack Live), from the
 * warehouse, on demand: the `sync.<provider>` job with direction 'push' (the provider's rate
 * limit is shared with its pulls). Which results: those of the warehouse event in the payload —
 * of one race when the payload names it, else of the event's race synced from this provider
 * race, else all of the event's. Sent in batches of PUSH_BATCH, one call each; the history row
 * counts what the provider says it accepted (new) and what it did not (failed).
 */
import type { Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { JobError, type JobContext } from '../jobs/registry.js';
import { createAdapter, isProviderName, PROVIDER_DEFINITIONS } from '../providers/index.js';
import type { PushResult } from '../providers/records.js';
import * as repo from './provider-connections.repo.js';
import type { SyncNotice } from './sync-history.repo.js';
import { recordSyncRun, type SyncPayload } from './sync-jobs.js';
import { openCredentials, toJobError, type SyncPullDeps } from './sync-pull.js';

/** Results per provider call. */
export const PUSH_BATCH = 1000;

interface Row {
  bib: string | null;
  entry_provider: string;
  entry_external_id: string;
  status: PushResult['status'];
  chip_time_ms: string | null;
  gun_time_ms: string | null;
  overall_place: number | null;
  splits: Array<{ external_id: string; provider: string; time_ms: string | null }> | null;
}

/** The warehouse results to push (by place, then bib), with their splits in one query. */
export async function resultsToPush(tx: Queryable, partnerId: number, provider: string, p: { warehouseEventId: number; warehouseRaceId?: number | undefined; raceExternalId: string }): Promise<PushResult[]> {
  const r = await tx.query<Row>(
    `WITH chosen AS (
       SELECT coalesce($3::bigint, (SELECT id FROM races WHERE partner_id = $1 AND event_id = $2 AND provider = $4 AND external_id = $5)) AS race_id)
     SELECT e.bib, e.provider AS entry_provider, e.external_id AS entry_external_id, r.status, r.chip_time_ms::text, r.gun_time_ms::text, r.overall_place,
            (SELECT json_agg(json_build_object('external_id', s.external_id, 'provider', s.provider, 'time_ms', s.time_ms::text) ORDER BY s.seq)
               FROM splits s WHERE s.result_id = r.id AND s.partner_id = r.partner_id) AS splits
       FROM results r
       JOIN entries e ON e.id = r.entry_id AND e.partner_id = r.partner_id
       CROSS JOIN chosen
      WHERE r.partner_id = $1 AND r.event_id = $2 AND (chosen.race_id IS NULL OR r.race_id = chosen.race_id)
      ORDER BY r.overall_place NULLS LAST, e.bib`,
    [partnerId, p.warehouseEventId, p.warehouseRaceId ?? null, provider, p.raceExternalId],
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  return r.rows
    .filter((x): x is Row & { bib: string } => !!x.bib)
    .map((x) => {
      const ours = x.entry_provider === provider && !x.entry_external_id.startsWith('result:');
      return {
        bib: x.bib,
        participantExternalId: ours ? x.entry_external_id : null,
        status: x.status,
        chipTimeMs: num(x.chip_time_ms),
        gunTimeMs: num(x.gun_time_ms),
        overallPlace: x.overall_place,
        // The provider's own split ids only come back from splits synced from it ("<result>:<split id>").
        splits: (x.splits ?? []).filter((s) => s.provider === provider && s.external_id.includes(':')).map((s) => ({ externalId: s.external_id.slice(s.external_id.lastIndexOf(':') + 1), timeMs: num(s.time_ms) })),
      };
    });
}

export async function runPush(deps: SyncPullDeps, payload: SyncPayload, ctx: JobContext<'partner'>): Promise<{ historyId: number; counts: object }> {
  const partnerId = ctx.partnerId;
  const conn = await withPartner(deps.db, partnerId, (tx) =>
    payload.connectionId ? repo.getSealedConnection(tx, partnerId, payload.connectionId) : repo.getSealedConnectionByProvider(tx, partnerId, payload.provider),
  );
  const out = await recordSyncRun(deps.db, payload, ctx, async () => {
    if (!conn || conn.provider !== payload.provider || !isProviderName(conn.provider)) throw new JobError(`No ${payload.provider} connection: connect the provider first.`, { retry: false });
    if (!PROVIDER_DEFINITIONS[conn.provider].pushResults) throw new JobError(`${PROVIDER_DEFINITIONS[conn.provider].label} does not accept results.`, { retry: false });
    if (payload.warehouseEventId === undefined || payload.raceExternalId === undefined) throw new JobError('A push names the warehouse event and the provider race.', { retry: false });
    const warehouseEventId = payload.warehouseEventId;
    const raceExternalId = payload.raceExternalId;
    const rows = await withPartner(deps.db, partnerId, async (tx) => {
      if ((await tx.query('SELECT 1 FROM results_events WHERE partner_id = $1 AND id = $2', [partnerId, warehouseEventId])).rows.length === 0) {
        throw new JobError(`Warehouse event ${warehouseEventId} not found.`, { retry: false });
      }
      return resultsToPush(tx, partnerId, conn.provider, { warehouseEventId, raceExternalId });
    });
    const credentials = openCredentials(deps.box, conn.provider, conn.credentials_sealed);
    let first = true;
    const adapter = createAdapter(conn.provider, credentials, deps.baseUrls, {
      ...deps.adapterOptions,
      signal: ctx.signal,
      beforeRequest: async () => {
        if (first) first = false;
        else await ctx.throttle();
      },
    });
    if (!adapter.pushResults) throw new JobError(`${PROVIDER_DEFINITIONS[conn.provider].label} does not accept results.`, { retry: false });
    const notices: SyncNotice[] = [];
    let sent = 0;
    let accepted = 0;
    let unknown = false;
    const batches = Math.max(1, Math.ceil(rows.length / PUSH_BATCH));
    try {
      for (let i = 0; i < rows.length; i += PUSH_BATCH) {
        const o = await adapter.pushResults({ eventExternalId: payload.externalEventId, raceExternalId, resultSetId: payload.resultSetId }, rows.slice(i, i + PUSH_BATCH));
        sent += o.sent;
        if (o.accepted === null) unknown = true;
        else accepted += o.accepted;
        ctx.progress(i / PUSH_BATCH + 1, batches);
      }
    } catch (err) {
      throw toJobError(err, sent > 0 ? ` ${sent} of ${rows.length} results were sent before it failed; the next push sends them all again.` : '');
    }
    notices.push({ message: `sent ${sent} result(s) of warehouse event ${warehouseEventId} to ${PROVIDER_DEFINITIONS[conn.provider].label} race ${raceExternalId}${payload.resultSetId ? ` (result set ${payload.resultSetId})` : ''}; ${unknown ? 'the provider did not say how many it stored' : `the provider stored ${accepted}`}` });
    return { counts: unknown ? { new: sent } : { new: accepted, failed: Math.max(0, sent - accepted) }, notices };
  });
  return { historyId: out.historyId, counts: out.counts };
}

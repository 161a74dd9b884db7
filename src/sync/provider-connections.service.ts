/**
 * Provider connections: a partner connects a provider with its credential fields (checked
 * against the provider's schema), tests it with one cheap call, removes it, and asks for a
 * sync of one of the provider's events now. Credentials are sealed with the platform's key
 * before they reach the database and are never returned: answers carry the non-secret fields
 * only (the ones PROVIDER_DEFINITIONS does not mark secret).
 */
import { WrongSecretKeyError, type SecretBox } from '../accounts/secret-box.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { enqueueJob, type Enqueued } from '../jobs/queue.js';
import type { ProviderEvent } from '../providers/records.js';
import { createAdapter, CREDENTIAL_SCHEMAS, isProviderName, PROVIDER_DEFINITIONS, ProviderError, type ProviderBaseUrls, type ProviderName } from '../providers/index.js';
import * as repo from './provider-connections.repo.js';
import { syncJobs, type SyncPayload } from './sync-jobs.js';

export type { ConnectionRow } from './provider-connections.repo.js';

export interface TestOutcome {
  ok: boolean;
  /** What failed: auth (refused credentials), not_found, rate_limited, unavailable (down), bad_response, invalid_request, secret_key (this SECRET_KEY cannot open them). */
  kind: string | null;
  message: string | null;
}

/** The dedupe key that keeps one sync of an event queued or running at a time. */
const eventDedupeKey = (eventId: string) => `event:${eventId}`;

export class ProviderConnections {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly baseUrls: ProviderBaseUrls,
    private readonly adapterOptions: { timeoutMs?: number; maxAttempts?: number; retryBaseMs?: number } = { timeoutMs: 10_000, maxAttempts: 2 },
  ) {}

  definitions() {
    return Object.values(PROVIDER_DEFINITIONS);
  }

  list(partnerId: number): Promise<repo.ConnectionRow[]> {
    return withPartner(this.db, partnerId, (tx) => repo.listConnections(tx, partnerId));
  }

  async create(partnerId: number, provider: string, fields: Record<string, unknown>): Promise<repo.ConnectionRow> {
    if (!isProviderName(provider)) throw new AppError('bad_request', `Unknown provider "${provider}".`);
    const parsed = CREDENTIAL_SCHEMAS[provider].safeParse(fields);
    if (!parsed.success) {
      const names = [...new Set(parsed.error.issues.map((i) => i.path.join('.')).filter(Boolean))];
      throw new AppError('bad_request', `The ${PROVIDER_DEFINITIONS[provider].label} connection needs ${names.length ? names.join(', ') : 'other fields'}.`, { fields: names });
    }
    const creds = parsed.data as Record<string, unknown>;
    const publicFields: Record<string, string> = {};
    for (const f of PROVIDER_DEFINITIONS[provider].fields) {
      const v = creds[f.name];
      if (!f.secret && v !== undefined) publicFields[f.name] = Array.isArray(v) ? v.join(', ') : String(v as string);
    }
    try {
      return await withPartner(this.db, partnerId, (tx) => repo.insertConnection(tx, partnerId, { provider, sealed: this.box.seal(JSON.stringify(creds)), publicFields }));
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', `${PROVIDER_DEFINITIONS[provider].label} is connected already: remove that connection first.`);
      throw err;
    }
  }

  /** One cheap authenticated call; the outcome is stored on the connection and answered. */
  async test(partnerId: number, id: number): Promise<TestOutcome & { connection: repo.ConnectionRow }> {
    const conn = await withPartner(this.db, partnerId, (tx) => repo.getSealedConnection(tx, partnerId, id));
    if (!conn || !isProviderName(conn.provider)) throw new AppError('not_found', 'Provider connection not found.');
    let outcome: TestOutcome = { ok: true, kind: null, message: null };
    try {
      await createAdapter(conn.provider, JSON.parse(this.box.open(conn.credentials_sealed)), this.baseUrls, this.adapterOptions).testConnection();
    } catch (err) {
      if (err instanceof WrongSecretKeyError) outcome = { ok: false, kind: 'secret_key', message: `The stored credentials cannot be opened: ${err.message}` };
      else if (!(err instanceof ProviderError)) throw err;
      else outcome = { ok: false, kind: err.kind, message: err.message };
    }
    const connection = await withPartner(this.db, partnerId, (tx) => repo.recordTest(tx, partnerId, id, outcome.message));
    if (!connection) throw new AppError('not_found', 'Provider connection not found.');
    return { ...outcome, connection };
  }

  async remove(partnerId: number, id: number): Promise<void> {
    if (!(await withPartner(this.db, partnerId, (tx) => repo.deleteConnection(tx, partnerId, id)))) throw new AppError('not_found', 'Provider connection not found.');
  }

  /** "Sync now": enqueues a pull of the event (joins one queued); `full` ignores the cursor, `rosterEventId` feeds that roster too. */
  syncNow(partnerId: number, id: number, externalEventId: string, opts: { full?: boolean; rosterEventId?: number; warehouseEventId?: number } = {}): Promise<Enqueued & { provider: ProviderName }> {
    return withPartner(this.db, partnerId, async (tx) => {
      const conn = await repo.getSealedConnection(tx, partnerId, id);
      if (!conn || !isProviderName(conn.provider)) throw new AppError('not_found', 'Provider connection not found.');
      if (opts.rosterEventId !== undefined && (await tx.query('SELECT 1 FROM roster_events WHERE partner_id = $1 AND id = $2', [partnerId, opts.rosterEventId])).rows.length === 0) {
        throw new AppError('not_found', 'Roster event not found.');
      }
      if (opts.warehouseEventId !== undefined && (await tx.query('SELECT 1 FROM results_events WHERE partner_id = $1 AND id = $2', [partnerId, opts.warehouseEventId])).rows.length === 0) {
        throw new AppError('not_found', 'Warehouse event not found.');
      }
      const payload: SyncPayload = { scheduleId: null, connectionId: conn.id, provider: conn.provider, externalEventId, direction: 'pull', trigger: 'manual',
        ...(opts.full ? { full: true } : {}),
        ...(opts.rosterEventId !== undefined ? { rosterEventId: opts.rosterEventId } : {}),
        ...(opts.warehouseEventId !== undefined ? { warehouseEventId: opts.warehouseEventId } : {}),
      };
      const job = await enqueueJob(tx, syncJobs[conn.provider], payload, { partnerId, dedupeKey: eventDedupeKey(externalEventId) });
      return { ...job, provider: conn.provider };
    });
  }

  /**
   * "Push results": enqueues a push of a warehouse event's results to the provider's race
   * (RunSignUp also needs the result set); joins one of the same race already queued.
   */
  pushNow(partnerId: number, id: number, p: { externalEventId: string; raceExternalId: string; warehouseEventId: number; resultSetId?: string | undefined }): Promise<Enqueued & { provider: ProviderName }> {
    return withPartner(this.db, partnerId, async (tx) => {
      const conn = await repo.getSealedConnection(tx, partnerId, id);
      if (!conn || !isProviderName(conn.provider)) throw new AppError('not_found', 'Provider connection not found.');
      const def = PROVIDER_DEFINITIONS[conn.provider];
      if (!def.pushResults) throw new AppError('bad_request', `${def.label} does not accept results.`);
      if (conn.provider === 'runsignup' && !p.resultSetId) throw new AppError('bad_request', 'RunSignUp needs the result set to fill (result_set_id).');
      if ((await tx.query('SELECT 1 FROM results_events WHERE partner_id = $1 AND id = $2', [partnerId, p.warehouseEventId])).rows.length === 0) throw new AppError('not_found', 'Warehouse event not found.');
      const payload: SyncPayload = {
        scheduleId: null, connectionId: conn.id, provider: conn.provider, externalEventId: p.externalEventId, direction: 'push', trigger: 'manual',
        warehouseEventId: p.warehouseEventId, raceExternalId: p.raceExternalId, ...(p.resultSetId ? { resultSetId: p.resultSetId } : {}),
      };
      const job = await enqueueJob(tx, syncJobs[conn.provider], payload, { partnerId, dedupeKey: `push:${p.externalEventId}:${p.raceExternalId}` });
      return { ...job, provider: conn.provider };
    });
  }

  /** The provider's events on this connection (for "sync this event"); a provider failure is a 502 saying what failed. */
  async listEvents(partnerId: number, id: number): Promise<ProviderEvent[]> {
    const conn = await withPartner(this.db, partnerId, (tx) => repo.getSealedConnection(tx, partnerId, id));
    if (!conn || !isProviderName(conn.provider)) throw new AppError('not_found', 'Provider connection not found.');
    try {
      return await createAdapter(conn.provider, JSON.parse(this.box.open(conn.credentials_sealed)), this.baseUrls, this.adapterOptions).listEvents();
    } catch (err) {
      if (err instanceof WrongSecretKeyError) throw new AppError('upstream_error', `The stored credentials cannot be opened: ${err.message}`);
      if (err instanceof ProviderError) throw new AppError(err.kind === 'auth' ? 'bad_request' : 'upstream_error', err.message, { kind: err.kind });
      throw err;
    }
  }
}

/**
 * The pull sync: one provider event's races, participants and results into the results
 * warehouse (results_events, races, entries, results, splits), keyed by (partner, provider,
 * external id) so a second run updates in place, with the provider's payload kept in raw.
 * It runs as the `sync.<provider>` queue job (sync-jobs.ts: each provider's rate limit holds
 * across workers) and records each run in sync_history.
 *
 * Page by page: each page of participants or results is its own transaction, so progress is
 * real and a failure mid-sync leaves earlier pages stored (and the run recorded failed).
 * Provider errors decide the retry: rate limits and outages retry (a 429's Retry-After
 * replaces the backoff), refused credentials and unknown events fail at once.
 */
import type { SecretBox } from '../accounts/secret-box.js';
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { JobError, type JobContext, type JobHandler } from '../jobs/registry.js';
import { createAdapter, isProviderName, ProviderError, type ProviderAdapter } from '../providers/index.js';
import type { ProviderBaseUrls } from '../providers/index.js';
import type { ProviderParticipant, ProviderRace, ProviderResult } from '../providers/records.js';
import * as results from '../results/results.repo.js';
import * as repo from './provider-connections.repo.js';
import type { SyncCounts, SyncError } from './sync-history.repo.js';
import { recordSyncRun, type SyncPayload } from './sync-jobs.js';

export interface SyncPullDeps {
  db: Database;
  box: SecretBox;
  baseUrls: ProviderBaseUrls;
  /** Adapter HTTP tuning (tests shorten the retries). */
  adapterOptions?: { retryBaseMs?: number; maxRetryDelayMs?: number; maxAttempts?: number; timeoutMs?: number } | undefined;
}

export interface PullSummary {
  eventId: number;
  races: number;
  participants: { new: number; updated: number; failed: number };
  results: { new: number; updated: number; failed: number };
  pages: number;
}

const MILE = 1609.344;
const distanceUnit = (m: number | null): 'km' | 'mi' | 'm' => (m !== null && Math.abs(m / MILE - Math.round((m / MILE) * 10) / 10) < 0.01 && m % 1000 !== 0 ? 'mi' : 'km');
/** The warehouse keeps every status providers report (migration 0051), DNQ and unknown included. */
const RESULT_STATUS: Record<ProviderResult['status'], string | null> = { finished: 'finished', DNF: 'DNF', DNS: 'DNS', DQ: 'DQ', DNQ: 'DNQ', unknown: 'unknown' };
const cut = (s: string | null, n: number) => (s === null ? null : s.slice(0, n) || null);

/** The job handler for every `sync.<provider>` queue (registerSyncHandler). */
export function syncPullHandler(deps: SyncPullDeps): JobHandler<SyncPayload, 'partner'> {
  return async (payload, ctx) => {
    if (payload.direction !== 'pull') throw new JobError('Pushing results back to the provider is not built yet.', { retry: false });
    const partnerId = ctx.partnerId;
    const conn = await withPartner(deps.db, partnerId, (tx) =>
      payload.connectionId ? repo.getSealedConnection(tx, partnerId, payload.connectionId) : repo.getSealedConnectionByProvider(tx, partnerId, payload.provider),
    );
    return recordSyncRun(deps.db, payload, ctx, async () => {
      if (!conn || conn.provider !== payload.provider) throw new JobError(`No ${payload.provider} connection: connect the provider first.`, { retry: false });
      if (!isProviderName(conn.provider)) throw new JobError(`Unknown provider ${String(conn.provider as string)}.`, { retry: false });
      let first = true;
      try {
        const adapter = createAdapter(conn.provider, JSON.parse(deps.box.open(conn.credentials_sealed)), deps.baseUrls, {
          ...deps.adapterOptions,
          signal: ctx.signal,
          // The job's start drew the first token; every further request draws its own.
          beforeRequest: async () => {
            if (first) first = false;
            else await ctx.throttle();
          },
        });
        const summary = await pullEvent(deps.db, partnerId, adapter, payload.externalEventId, ctx);
        const counts: Partial<SyncCounts> = {
          new: summary.participants.new + summary.results.new,
          updated: summary.participants.updated + summary.results.updated,
          failed: summary.participants.failed + summary.results.failed,
        };
        return { counts, errors: summary.errors, summary: summary.summary };
      } catch (err) {
        throw toJobError(err);
      }
    }).then((o) => ({ historyId: o.historyId, counts: o.counts }));
  };
}

/** ProviderError → JobError: transient ones retry (after Retry-After when given), others fail at once. */
export function toJobError(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.kind === 'aborted') return err;
  return new JobError(err.message, { retry: err.transient, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}), cause: err });
}

interface Pulled {
  participants: { new: number; updated: number; failed: number };
  results: { new: number; updated: number; failed: number };
  errors: SyncError[];
  summary: PullSummary;
}

/** Pulls one provider event into the warehouse of `partnerId`. */
export async function pullEvent(db: Database, partnerId: number, adapter: ProviderAdapter, eventExternalId: string, ctx: Pick<JobContext, 'progress' | 'signal'>): Promise<Pulled> {
  const provider = adapter.provider;
  const races = await adapter.listRaces(eventExternalId);
  const event = (await adapter.listEvents()).find((e) => e.externalId === eventExternalId);
  const errors: SyncError[] = [];
  const participants = { new: 0, updated: 0, failed: 0 };
  const resultCounts = { new: 0, updated: 0, failed: 0 };
  let pages = 0;

  const raceIds = new Map<string, number>();
  const eventId = await withPartner(db, partnerId, async (tx) => {
    const ev = await results.upsertEvent(tx, partnerId, provider, {
      external_id: eventExternalId,
      name: (event?.name || `${provider} event ${eventExternalId}`).slice(0, 200),
      start_date: event?.startDate ?? null,
      start_time: races.map((r) => r.startsAt).filter((s): s is string => !!s).sort()[0] ?? null,
      time_zone: event?.timezone ?? null,
      city: event?.city ?? null,
      state: event?.region ?? null,
      country: event?.country ?? null,
      raw: event?.raw ?? null,
    });
    for (const r of races) raceIds.set(r.externalId, await upsertRace(tx, partnerId, provider, Number(ev.id), r));
    return Number(ev.id);
  });

  /** A participant or result naming no (known) race: the event's only race, else one race standing for the event. */
  const raceOf = async (tx: Queryable, raceExternalId: string | null): Promise<number> => {
    if (raceExternalId && raceIds.has(raceExternalId)) return raceIds.get(raceExternalId)!;
    if (!raceExternalId && raceIds.size === 1) return [...raceIds.values()][0]!;
    const key = raceExternalId ?? `event:${eventExternalId}`;
    const id = await upsertRace(tx, partnerId, provider, eventId, {
      provider, externalId: key, eventExternalId, name: raceExternalId ? `Race ${raceExternalId}` : (event?.name ?? 'All participants'), distanceMeters: null, startsAt: null, waves: [], raw: null,
    });
    raceIds.set(key, id);
    return id;
  };

  let knownTotal = 0;
  for await (const page of adapter.pullParticipants({ eventExternalId })) {
    pages += 1;
    if (page.page === 1) knownTotal += page.totalPages ?? 1;
    await withPartner(db, partnerId, async (tx) => {
      const rows: results.EntryInput[] = [];
      const seen = new Set<string>();
      for (const p of page.items) {
        if (seen.has(p.externalId)) continue;
        seen.add(p.externalId);
        rows.push(entryOf(p, eventId, await raceOf(tx, p.raceExternalId)));
      }
      const r = await results.upsertEntries(tx, partnerId, provider, rows);
      participants.new += r.inserted;
      participants.updated += r.updated;
    });
    ctx.progress(pages, Math.max(pages, knownTotal));
  }

  if (adapter.pullResults) {
    for await (const page of adapter.pullResults({ eventExternalId })) {
      pages += 1;
      if (page.page === 1) knownTotal += page.totalPages ?? 1;
      await withPartner(db, partnerId, (tx) => storeResults(tx, partnerId, provider, eventId, page.items, raceOf, resultCounts, errors));
      ctx.progress(pages, Math.max(pages, knownTotal));
    }
    await withPartner(db, partnerId, (tx) => results.refreshDerived(tx, [...new Set(raceIds.values())], false));
  }
  return { participants, results: resultCounts, errors, summary: { eventId, races: races.length, participants, results: resultCounts, pages } };
}

async function upsertRace(tx: Queryable, partnerId: number, provider: string, eventId: number, r: ProviderRace): Promise<number> {
  const res = await results.upsertRace(tx, partnerId, provider, {
    external_id: r.externalId,
    event_id: eventId,
    name: (r.name || `Race ${r.externalId}`).slice(0, 200),
    distance_m: r.distanceMeters,
    distance_unit: distanceUnit(r.distanceMeters),
    start_time: r.startsAt,
    raw: r.raw,
  });
  return Number(res.id);
}

function entryOf(p: ProviderParticipant, eventId: number, raceId: number): results.EntryInput {
  return {
    external_id: p.externalId,
    event_id: eventId,
    race_id: raceId,
    bib: cut(p.bib, 32),
    first_name: p.firstName,
    last_name: p.lastName,
    gender: p.gender,
    age: p.age,
    birth_date: p.birthDate,
    city: p.city,
    state: p.region,
    country: p.country,
    team: p.team,
    division: p.division,
    wave: p.wave,
    status: p.status,
    raw: p.raw,
  };
}

/** One page of results: each matched to its entry (by participant id, else bib in the race, else an entry made from the result). */
async function storeResults(
  tx: Queryable,
  partnerId: number,
  provider: string,
  eventId: number,
  items: ProviderResult[],
  raceOf: (tx: Queryable, raceExternalId: string | null) => Promise<number>,
  counts: { new: number; updated: number; failed: number },
  errors: SyncError[],
): Promise<void> {
  const byParticipant = await repo.entryIdsByExternalId(tx, partnerId, provider, items.map((r) => r.participantExternalId).filter((x): x is string => !!x));
  const rows: Array<{ r: ProviderResult; raceId: number; status: string; entryId: number | null }> = [];
  for (const r of items) {
    const status = RESULT_STATUS[r.status];
    if (!status) {
      counts.failed += 1;
      errors.push({ message: `result ${r.externalId} (bib ${r.bib ?? '?'}) has a status the warehouse does not know`, record: r.externalId });
      continue;
    }
    rows.push({ r, raceId: await raceOf(tx, r.raceExternalId), status, entryId: r.participantExternalId ? (byParticipant.get(r.participantExternalId) ?? null) : null });
  }
  // Unmatched: by bib within the race.
  const byRace = new Map<number, string[]>();
  for (const x of rows) if (x.entryId === null && x.r.bib) byRace.set(x.raceId, [...(byRace.get(x.raceId) ?? []), x.r.bib]);
  for (const [raceId, bibs] of byRace) {
    const ids = await repo.entryIdsByBib(tx, partnerId, raceId, bibs);
    for (const x of rows) if (x.entryId === null && x.raceId === raceId && x.r.bib) x.entryId = ids.get(x.r.bib) ?? null;
  }
  // Still unmatched: an entry made from the result itself.
  const missing = rows.filter((x) => x.entryId === null);
  if (missing.length) {
    const made = await results.upsertEntries(
      tx,
      partnerId,
      provider,
      dedupe(missing, (x) => `result:${x.r.externalId}`).map((x) => ({
        external_id: `result:${x.r.externalId}`, event_id: eventId, race_id: x.raceId, bib: cut(x.r.bib, 32), first_name: x.r.firstName, last_name: x.r.lastName,
        gender: x.r.gender, age: x.r.age, city: x.r.city, state: x.r.region, country: x.r.country, team: null, division: x.r.division, raw: null,
      })),
    );
    for (const x of missing) x.entryId = made.ids.get(`result:${x.r.externalId}`) ?? null;
  }
  const stored = dedupe(rows, (x) => String(x.entryId));
  const res = await results.upsertResults(
    tx,
    partnerId,
    provider,
    stored.map((x) => ({
      external_id: x.r.externalId, entry_id: x.entryId!, race_id: x.raceId, event_id: eventId, status: x.status,
      chip_time_ms: x.r.chipTimeMs, gun_time_ms: x.r.gunTimeMs, overall_place: x.r.overallPlace, gender_place: x.r.genderPlace,
      division_place: x.r.divisionPlace, raw: x.r.raw,
    })),
  );
  counts.new += res.inserted;
  counts.updated += res.updated;
  const splits: results.SplitInput[] = [];
  for (const x of stored) {
    const resultId = res.ids.get(x.r.externalId);
    if (resultId === undefined) continue;
    const labels = new Set<string>();
    x.r.splits.forEach((s, i) => {
      const label = s.label.slice(0, 100) || `Split ${i + 1}`;
      if (labels.has(label)) return;
      labels.add(label);
      splits.push({ external_id: `${x.r.externalId}:${s.externalId ?? i + 1}`, result_id: Number(resultId), seq: i + 1, label, distance_m: s.distanceMeters, time_ms: s.timeMs, raw: null });
    });
  }
  await results.replaceSplits(tx, partnerId, provider, stored.map((x) => Number(res.ids.get(x.r.externalId))).filter((n) => !Number.isNaN(n)), splits);
}

function dedupe<T>(rows: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of rows) m.set(key(x), x);
  return [...m.values()];
}

/**
 * The pull sync: one provider event's races, participants and results into the results
 * warehouse (results_events, races, entries, results, splits), keyed by (partner, provider,
 * external id) so a second run updates in place, with the provider's payload kept in raw.
 * It runs as the `sync.<provider>` queue job (sync-jobs.ts: each provider's rate limit holds
 * across workers) and records each run in sync_history.
 *
 * Fetch, then write: every page is fetched first (the job's progress counts pages), then all
 * of it is written in one transaction, so a page that still fails after the adapter's retries
 * (an outage mid-sync) leaves the previous data and cursor whole, and the run is recorded
 * failed saying so. Incremental where the provider allows it (the adapter's nextSince, kept in
 * sync_cursors per connection and event), full at least daily (only a full pull sees a
 * registration the provider dropped: it is marked removed, not deleted). Hand-edited entry
 * columns are kept and named in the run's notices (sync-warehouse.repo.ts).
 * Provider errors decide the retry: rate limits and outages retry (a 429's Retry-After
 * replaces the backoff), refused credentials and unknown events fail at once.
 */
import { performance } from 'node:perf_hooks';
import { WrongSecretKeyError, type SecretBox } from '../accounts/secret-box.js';
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { JobError, type JobContext, type JobHandler } from '../jobs/registry.js';
import { createAdapter, isProviderName, ProviderError, type ProviderAdapter } from '../providers/index.js';
import type { ProviderBaseUrls } from '../providers/index.js';
import type { ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult } from '../providers/records.js';
import * as results from '../results/results.repo.js';
import * as repo from './provider-connections.repo.js';
import { setSyncRunMode, type SyncCounts, type SyncError, type SyncNotice } from './sync-history.repo.js';
import { runPush } from './sync-push.js';
import { feedRoster } from './sync-roster.js';
import * as wh from './sync-warehouse.repo.js';
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
  participants: { new: number; updated: number; unchanged: number; failed: number };
  results: { new: number; updated: number; unchanged: number; failed: number };
  pages: number;
  /** Milliseconds fetching from the provider, and writing (the one transaction). */
  fetchMs: number;
  writeMs: number;
}

const MILE = 1609.344;
const distanceUnit = (m: number | null): 'km' | 'mi' | 'm' => (m !== null && Math.abs(m / MILE - Math.round((m / MILE) * 10) / 10) < 0.01 && m % 1000 !== 0 ? 'mi' : 'km');
/** The warehouse keeps every status providers report (migration 0051), DNQ and unknown included. */
const RESULT_STATUS: Record<ProviderResult['status'], string | null> = { finished: 'finished', DNF: 'DNF', DNS: 'DNS', DQ: 'DQ', DNQ: 'DNQ', unknown: 'unknown' };
const cut = (s: string | null, n: number) => (s === null ? null : s.slice(0, n) || null);

/** Full pulls at least this often even where incremental ones are possible: only a full pull sees removals. */
export const FULL_PULL_EVERY_MS = 24 * 3_600_000;
/** Rows per write statement (a RunSignUp page). */
const WRITE_CHUNK = 2500;

/** The job handler for every `sync.<provider>` job (registerSyncHandler): pulls here, pushes in sync-push.ts. */
export function syncPullHandler(deps: SyncPullDeps): JobHandler<SyncPayload, 'partner'> {
  return async (payload, ctx) => {
    if (payload.direction === 'push') return runPush(deps, payload, ctx);
    const partnerId = ctx.partnerId;
    const conn = await withPartner(deps.db, partnerId, (tx) =>
      payload.connectionId ? repo.getSealedConnection(tx, partnerId, payload.connectionId) : repo.getSealedConnectionByProvider(tx, partnerId, payload.provider),
    );
    return recordSyncRun(deps.db, payload, ctx, async (historyId) => {
      if (!conn || conn.provider !== payload.provider) throw new JobError(`No ${payload.provider} connection: connect the provider first.`, { retry: false });
      if (!isProviderName(conn.provider)) throw new JobError(`Unknown provider ${String(conn.provider as string)}.`, { retry: false });
      const credentials = openCredentials(deps.box, conn.provider, conn.credentials_sealed);
      const cursor = await withPartner(deps.db, partnerId, (tx) => wh.getCursor(tx, partnerId, conn.id, payload.externalEventId));
      const full = payload.full === true || !cursor || !cursor.full_pull_at || Date.now() - cursor.full_pull_at.getTime() > FULL_PULL_EVERY_MS;
      await withPartner(deps.db, partnerId, (tx) => setSyncRunMode(tx, partnerId, historyId, full ? 'full' : 'incremental'));
      let first = true;
      try {
        const adapter = createAdapter(conn.provider, credentials, deps.baseUrls, {
          ...deps.adapterOptions,
          signal: ctx.signal,
          // The job's start drew the first token; every further request draws its own.
          beforeRequest: async () => {
            if (first) first = false;
            else await ctx.throttle();
          },
        });
        const pulled = await pullEvent(deps.db, partnerId, adapter, payload.externalEventId, ctx, {
          since: full ? null : cursor.since,
          connectionId: conn.id,
          ...(payload.rosterEventId !== undefined ? { rosterEventId: payload.rosterEventId } : {}),
          ...(payload.warehouseEventId !== undefined ? { warehouseEventId: payload.warehouseEventId } : {}),
        });
        const { participants: p, results: r } = pulled;
        const counts: Partial<SyncCounts> = {
          new: p.new + r.new,
          updated: p.updated + r.updated,
          unchanged: p.unchanged + r.unchanged,
          failed: p.failed + r.failed,
          removed: pulled.removed,
          kept: pulled.kept,
        };
        return { counts, errors: pulled.errors, notices: pulled.notices, mode: pulled.mode, summary: pulled.summary };
      } catch (err) {
        throw toJobError(err);
      }
    }).then((o) => ({ historyId: o.historyId, counts: o.counts }));
  };
}

/**
 * The connection's credentials. A SECRET_KEY that cannot open them (rotated without re-sealing,
 * or another key on this process) fails the job at once, saying so: retrying cannot help.
 */
export function openCredentials(box: SecretBox, provider: string, sealed: string): Record<string, unknown> {
  try {
    return JSON.parse(box.open(sealed)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof WrongSecretKeyError) {
      throw new JobError(`The ${provider} connection's credentials cannot be opened: ${err.message} Or connect ${provider} again.`, { retry: false, cause: err });
    }
    throw err;
  }
}

/** ProviderError → JobError: transient ones retry (after Retry-After when given), others fail at once. `note` is added to the message. */
export function toJobError(err: unknown, note = ''): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.kind === 'aborted') return err;
  return new JobError(err.message + note, { retry: err.transient, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}), cause: err });
}

type Counts = { new: number; updated: number; unchanged: number; failed: number };

interface Pulled {
  participants: Counts;
  results: Counts;
  removed: number;
  kept: number;
  errors: SyncError[];
  notices: SyncNotice[];
  mode: 'full' | 'incremental';
  summary: PullSummary;
}

export interface PullOptions {
  /** The cursor of the previous complete pull; null for a full pull. */
  since: string | null;
  /** Where the next cursor is stored (none when absent). */
  connectionId?: number;
  /** Roster event the participants also feed. */
  rosterEventId?: number;
  /** The warehouse event to fill instead of the provider event's own (one made by a CSV import, say). */
  warehouseEventId?: number;
}

/**
 * Pulls one provider event into the warehouse of `partnerId`, in two phases: every page is
 * fetched first (progress counts them; a page that fails after the adapter's retries stops the
 * sync before anything is written, so the previous data stays whole), then everything is
 * written in one transaction: entries and results compared with what is stored (new, updated,
 * unchanged), hand-edited columns kept, registrations a full pull no longer lists marked
 * removed, and the provider's cursor saved for the next incremental pull.
 */
export async function pullEvent(
  db: Database,
  partnerId: number,
  adapter: ProviderAdapter,
  eventExternalId: string,
  ctx: Pick<JobContext, 'progress' | 'signal'>,
  opts: PullOptions = { since: null },
): Promise<Pulled> {
  const provider = adapter.provider;
  const mode = opts.since ? 'incremental' : 'full';
  const fetchStarted = performance.now();
  let pages = 0;
  let knownTotal = 0;
  const fetched: ProviderParticipant[] = [];
  const fetchedResults: ProviderResult[] = [];
  let nextSince: string | null = null;
  let races: ProviderRace[];
  let event: ProviderEvent | undefined;
  try {
    races = await adapter.listRaces(eventExternalId);
    event = (await adapter.listEvents()).find((e) => e.externalId === eventExternalId);
    for await (const page of adapter.pullParticipants({ eventExternalId, since: opts.since })) {
      pages += 1;
      if (page.page === 1) knownTotal += page.totalPages ?? 1;
      fetched.push(...page.items);
      nextSince = page.nextSince;
      ctx.progress(pages, Math.max(pages, knownTotal));
    }
    if (adapter.pullResults) {
      for await (const page of adapter.pullResults({ eventExternalId })) {
        pages += 1;
        if (page.page === 1) knownTotal += page.totalPages ?? 1;
        fetchedResults.push(...page.items);
        ctx.progress(pages, Math.max(pages, knownTotal));
      }
    }
  } catch (err) {
    throw toJobError(err, pages > 0 ? ` The pull stopped after ${pages} page(s); nothing was written: the previous data is kept.` : ' Nothing was written: the previous data is kept.');
  }

  const fetchMs = Math.round(performance.now() - fetchStarted);
  const writeStarted = performance.now();
  const errors: SyncError[] = [];
  const notices: SyncNotice[] = [];
  const participants: Counts = { new: 0, updated: 0, unchanged: 0, failed: 0 };
  const resultCounts: Counts = { new: 0, updated: 0, unchanged: 0, failed: 0 };
  let removed = 0;
  let kept = 0;

  const eventId = await withPartner(db, partnerId, async (tx) => {
    const raceIds = new Map<string, number>();
    const chosen = opts.warehouseEventId;
    if (chosen !== undefined && (await tx.query('SELECT 1 FROM results_events WHERE partner_id = $1 AND id = $2', [partnerId, chosen])).rows.length === 0) {
      throw new JobError(`Warehouse event ${chosen} not found: choose another event for this sync.`, { retry: false });
    }
    const ev = chosen !== undefined ? { id: chosen } : await results.upsertEvent(tx, partnerId, provider, {
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
    const eventId = Number(ev.id);
    for (const r of races) raceIds.set(r.externalId, await upsertRace(tx, partnerId, provider, eventId, r));

    /** A participant or result naming no (known) race: the event's only race, else one race standing for the event. */
    const raceOf = async (raceExternalId: string | null): Promise<number> => {
      if (raceExternalId && raceIds.has(raceExternalId)) return raceIds.get(raceExternalId)!;
      if (!raceExternalId && raceIds.size === 1) return [...raceIds.values()][0]!;
      const key = raceExternalId ?? `event:${eventExternalId}`;
      const id = await upsertRace(tx, partnerId, provider, eventId, {
        provider, externalId: key, eventExternalId, name: raceExternalId ? `Race ${raceExternalId}` : (event?.name ?? 'All participants'), distanceMeters: null, startsAt: null, waves: [], raw: null,
      });
      raceIds.set(key, id);
      return id;
    };

    const people = dedupe(fetched, (p) => p.externalId);
    const rows: results.EntryInput[] = [];
    for (const p of people) rows.push(entryOf(p, eventId, await raceOf(p.raceExternalId)));
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      const r = await wh.syncEntries(tx, partnerId, provider, rows.slice(i, i + WRITE_CHUNK), notices);
      participants.new += r.inserted;
      participants.updated += r.updated;
      participants.unchanged += r.unchanged;
      kept += r.kept;
    }
    if (mode === 'full') {
      const stored = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM entries WHERE partner_id = $1 AND provider = $2 AND event_id = $3 AND removed_at IS NULL AND external_id NOT LIKE 'result:%'`, [partnerId, provider, eventId]);
      if (people.length === 0 && stored.rows[0]!.n > 0) {
        notices.push({ message: `The provider listed no registrations; the ${stored.rows[0]!.n} stored are kept, not marked removed (a full pull that lists none is taken for a provider fault).` });
      } else {
        const gone = await wh.markRemovedEntries(tx, partnerId, provider, eventId, people.map((p) => p.externalId));
        removed = gone.length;
        if (gone.length) notices.push({ message: `${gone.length} registration(s) no longer listed by the provider are marked removed (kept, with their results): ${gone.slice(0, 20).join(', ')}${gone.length > 20 ? ', …' : ''}` });
      }
    }
    for (let i = 0; i < fetchedResults.length; i += WRITE_CHUNK) {
      await storeResults(tx, partnerId, provider, eventId, fetchedResults.slice(i, i + WRITE_CHUNK), raceOf, resultCounts, errors);
    }
    // Rows of these races an incremental pull did not list follow their race to the event it now fills.
    const allRaces = [...new Set(raceIds.values())];
    await tx.query('UPDATE entries SET event_id = $2, updated_at = now() WHERE partner_id = $1 AND race_id = ANY($3::bigint[]) AND event_id <> $2', [partnerId, eventId, allRaces]);
    await tx.query('UPDATE results SET event_id = $2, updated_at = now() WHERE partner_id = $1 AND race_id = ANY($3::bigint[]) AND event_id <> $2', [partnerId, eventId, allRaces]);
    // Pace from the new and changed results (a race's distance changing alone waits for its next changed result).
    if (adapter.pullResults && resultCounts.new + resultCounts.updated > 0) await results.refreshDerived(tx, allRaces, false);
    if (opts.connectionId !== undefined && nextSince) await wh.saveCursor(tx, partnerId, opts.connectionId, eventExternalId, nextSince, mode === 'full');
    if (opts.rosterEventId !== undefined) {
      const fed = await feedRoster(tx, partnerId, opts.rosterEventId, people, races, mode === 'full', notices);
      kept += fed.kept;
    }
    return eventId;
  });
  return {
    participants,
    results: resultCounts,
    removed,
    kept,
    errors,
    notices,
    mode,
    summary: { eventId, races: races.length, participants, results: resultCounts, pages, fetchMs, writeMs: Math.round(performance.now() - writeStarted) },
  };
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

/** One batch of results: each matched to its entry (by participant id, else bib in the race, else an entry made from the result). */
async function storeResults(
  tx: Queryable,
  partnerId: number,
  provider: string,
  eventId: number,
  items: ProviderResult[],
  raceOf: (raceExternalId: string | null) => Promise<number>,
  counts: Counts,
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
    rows.push({ r, raceId: await raceOf(r.raceExternalId), status, entryId: r.participantExternalId ? (byParticipant.get(r.participantExternalId) ?? null) : null });
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
    const made = await wh.syncEntries(
      tx,
      partnerId,
      provider,
      dedupe(missing, (x) => `result:${x.r.externalId}`).map((x) => ({
        external_id: `result:${x.r.externalId}`, event_id: eventId, race_id: x.raceId, bib: cut(x.r.bib, 32), first_name: x.r.firstName, last_name: x.r.lastName,
        gender: x.r.gender, age: x.r.age, city: x.r.city, state: x.r.region, country: x.r.country, team: null, division: x.r.division, raw: null,
      })),
      [],
    );
    for (const x of missing) x.entryId = made.ids.get(`result:${x.r.externalId}`) ?? null;
  }
  const stored = dedupe(rows, (x) => String(x.entryId));
  const res = await wh.syncResults(
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
  counts.unchanged += res.unchanged;
  // Splits of the new and changed results only (an unchanged result's raw, splits included, is the same).
  const written = stored.filter((x) => res.written.has(x.r.externalId));
  const splits: results.SplitInput[] = [];
  for (const x of written) {
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
  await results.replaceSplits(tx, partnerId, provider, written.map((x) => Number(res.ids.get(x.r.externalId))).filter((n) => !Number.isNaN(n)), splits);
}

function dedupe<T>(rows: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of rows) m.set(key(x), x);
  return [...m.values()];
}

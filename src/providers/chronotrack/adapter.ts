/**
 * ChronoTrack Live as a sync adapter: events, races (with their waves), entries (per event or
 * per race, paged by the X-Ctlive-* headers), results with splits and gender/division places,
 * and results pushed back. Built on ChronoTrackClient, the same client the display's roster
 * login uses (simple auth: client id, user id and the password's SHA-1 on every request).
 * CTLive has no modified-after filter we know of, so every pull is a full one (nextSince null).
 */
import type { ListEventsOptions, Page, ParticipantPage, ProviderAdapter, PullParticipantsOptions, PullResultsOptions, PushOutcome, PushResultsOptions } from '../adapter.js';
import type { ProviderEvent, ProviderRace, ProviderResult, PushResult } from '../records.js';
import { formatDuration } from '../units.js';
import { ChronoTrackClient, ChronoTrackError, type ChronoTrackClientOptions } from './client.js';
import { FINISH_INTERVAL, type CtPushAnswer, type CtPushRow } from './guessed-shapes.js';
import { toEvent, toParticipant, toRace, toResults } from './mapping.js';

/** Results handed out per page once grouped by athlete. */
const RESULTS_PER_PAGE = 1000;

export class CtLiveAdapter implements ProviderAdapter {
  readonly provider = 'ctlive' as const;
  readonly client: ChronoTrackClient;

  constructor(opts: ChronoTrackClientOptions) {
    this.client = new ChronoTrackClient(opts);
  }

  async testConnection(): Promise<void> {
    await this.client.list('/event', 'event', { size: '1' });
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const events = (await this.client.list('/event', 'event')).map(toEvent);
    return events.filter((e) => (!opts.from || (e.startDate ?? '') >= opts.from) && (!opts.to || (e.startDate ?? '') <= opts.to));
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    const id = checkId(eventExternalId);
    const [races, waves] = await Promise.all([this.client.list(`/event/${id}/race`, 'event_race'), this.client.list(`/event/${id}/wave`, 'event_wave')]);
    return races.map((r) => toRace(id, r, waves));
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const eventId = checkId(opts.eventExternalId);
    const races = await this.listRaces(eventId);
    const byName = new Map(races.map((r) => [r.name, r.externalId]));
    const path = opts.raceExternalId ? `/race/${checkId(opts.raceExternalId)}/entry` : `/event/${eventId}/entry`;
    const key = opts.raceExternalId ? 'race_entry' : 'event_entry';
    for await (const p of this.client.pages(path, key, { include_test_entries: 'true', elide_json: 'false' })) {
      yield {
        items: p.rows.map((r) => {
          const participant = toParticipant(eventId, r, byName);
          return opts.raceExternalId && participant.raceExternalId === null ? { ...participant, raceExternalId: opts.raceExternalId } : participant;
        }),
        page: p.page,
        totalPages: p.pageCount,
        totalItems: p.rowCount,
        nextSince: null,
      };
    }
  }

  private async allRows(path: string, key: string, bracket?: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const p of this.client.pages(path, key, bracket ? { bracket } : {})) rows.push(...p.rows);
    return rows;
  }

  async *pullResults(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>> {
    const eventId = checkId(opts.eventExternalId);
    const path = opts.raceExternalId ? `/race/${checkId(opts.raceExternalId)}/results` : `/event/${eventId}/results`;
    const key = opts.raceExternalId ? 'race_results' : 'event_results';
    // An athlete's intervals may span pages: read every page, then group.
    const [rows, sex, age] = [await this.allRows(path, key), await this.allRows(path, key, 'SEX'), await this.allRows(path, key, 'AGE')];
    const ranks = (list: Record<string, unknown>[]) =>
      new Map(
        list
          .filter((r) => r.results_interval_name === undefined || r.results_interval_name === FINISH_INTERVAL)
          .map((r) => [String(r.results_entry_id), Number(r.results_rank)] as const)
          .filter(([, n]) => Number.isInteger(n) && n > 0),
      );
    const results = toResults(eventId, rows, ranks(sex), ranks(age));
    const totalPages = Math.max(1, Math.ceil(results.length / RESULTS_PER_PAGE));
    for (let i = 0; i < totalPages; i++) {
      yield { items: results.slice(i * RESULTS_PER_PAGE, (i + 1) * RESULTS_PER_PAGE), page: i + 1, totalPages, totalItems: results.length };
    }
  }

  /** Posts finish results to a race [guess: see guessed-shapes.ts]. Not retried, so never posted twice. */
  async pushResults(opts: PushResultsOptions, results: PushResult[]): Promise<PushOutcome> {
    checkId(opts.eventExternalId);
    const raceId = checkId(opts.raceExternalId);
    const rows: CtPushRow[] = results.map((r) => {
      const status = r.status === 'finished' || r.status === 'unknown' ? null : r.status;
      const row: CtPushRow = {
        results_bib: r.bib,
        results_time: status ?? (r.chipTimeMs !== null ? formatDuration(r.chipTimeMs) : r.gunTimeMs !== null ? formatDuration(r.gunTimeMs) : ''),
        results_interval_name: FINISH_INTERVAL,
      };
      if (r.participantExternalId) row.results_entry_id = r.participantExternalId;
      if (r.gunTimeMs !== null && !status) row.results_gun_time = formatDuration(r.gunTimeMs);
      if (r.overallPlace !== null && !status) row.results_rank = String(r.overallPlace);
      return row;
    });
    const answer = (await this.client.post(`/race/${raceId}/results`, { race_results: rows })) as CtPushAnswer | undefined;
    const created = Number(answer?.results_created ?? NaN);
    const updated = Number(answer?.results_updated ?? 0);
    return { sent: rows.length, accepted: Number.isFinite(created) ? created + (Number.isFinite(updated) ? updated : 0) : null, raw: answer ?? null };
  }
}

function checkId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(id)) throw new ChronoTrackError('invalid_request', 'A ChronoTrack id is letters and digits only.');
  return id;
}

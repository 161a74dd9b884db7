/**
 * RunSignUp adapter (https://runsignup.com/Rest, `format=json`). Auth by `rsu_api_key` with the
 * secret in the X-RSU-API-SECRET header (so the secret never sits in a URL), or an OAuth2
 * bearer token [doc]. Errors come back as HTTP 200 with `{"error":{error_code,error_msg}}`:
 * every answer is checked for it. Participants are paged 2,500 at a time sorted by
 * registration id; incremental pulls pass `modified_after_timestamp`, which is inclusive: the
 * watermark handed back is the newest last_modified itself, not + 1, so a registration changed
 * later in that same second is not missed; the rows of that second come again and the sync
 * finds them unchanged.
 */
import type { ListEventsOptions, Page, ParticipantPage, ProviderAdapter, PullParticipantsOptions, PullResultsOptions, PushOutcome, PushResultsOptions } from '../adapter.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace, ProviderResult, PushResult } from '../records.js';
import { formatDuration } from '../units.js';
import { AUTH_ERROR_CODES, NOT_FOUND_ERROR_CODES, PARTNER_RACES_QUERY, type FullResultRow, type FullResultsAnswer } from './guessed-shapes.js';
import { eventToRace, raceToEvent, toParticipant, toResult } from './mapping.js';

export const RUNSIGNUP_BASE_URL = 'https://runsignup.com/Rest';
/** RunSignUp serves at most 2,500 participants a page [doc]. */
export const RSU_PARTICIPANT_PAGE = 2500;
export const RSU_RESULTS_PAGE = 2500;
const RSU_RACES_PAGE = 100;
const MAX_PAGES = 1000;

export type RunSignUpCredentials = { apiKey: string; apiSecret: string } | { accessToken: string };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class RunSignUpAdapter implements ProviderAdapter {
  readonly provider = 'runsignup' as const;
  readonly http: ProviderHttp;

  constructor(credentials: RunSignUpCredentials, opts: Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'> & { baseUrl?: string | undefined } = {}) {
    const auth: Pick<ProviderHttpOptions, 'headers' | 'query'> =
      'accessToken' in credentials
        ? { headers: { authorization: `Bearer ${credentials.accessToken}` } }
        : { query: { rsu_api_key: credentials.apiKey }, headers: { 'x-rsu-api-secret': credentials.apiSecret } };
    this.http = new ProviderHttp({ ...opts, ...auth, provider: 'runsignup', label: 'RunSignUp', baseUrl: opts.baseUrl ?? RUNSIGNUP_BASE_URL });
  }

  /** GET (or POST) with format=json, and RunSignUp's HTTP-200 errors turned into ProviderErrors. */
  private async call(path: string, query: Record<string, string | number | undefined | null> = {}, json?: unknown): Promise<unknown> {
    const res = await this.http.request(path, { method: json === undefined ? 'GET' : 'POST', query: { format: 'json', ...query }, json });
    const body = this.http.expectJson(res, 'an answer');
    const error = obj(obj(body).error);
    if (obj(body).error !== undefined) {
      const code = Number(error.error_code);
      const msg = typeof error.error_msg === 'string' ? error.error_msg : 'unknown error';
      const say = `RunSignUp refused the request: ${msg}${Number.isFinite(code) ? ` (error ${code})` : ''}.`;
      if (AUTH_ERROR_CODES.has(code) || /\b(api key|secret|auth|permission|access denied|not authorized)/i.test(msg)) throw this.http.error('auth', say, res.status);
      if (NOT_FOUND_ERROR_CODES.has(code) || /not found|invalid (race|event)/i.test(msg)) throw this.http.error('not_found', say, res.status);
      throw this.http.error('bad_response', say, res.status);
    }
    return body;
  }

  async testConnection(): Promise<void> {
    await this.call('/races', { events: 'F', page: 1, results_per_page: 1, ...PARTNER_RACES_QUERY });
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const out: ProviderEvent[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.call('/races', { events: 'T', page, results_per_page: RSU_RACES_PAGE, start_date: opts.from, end_date: opts.to, ...PARTNER_RACES_QUERY });
      const rows = arr(obj(body).races).map((r) => obj(obj(r).race));
      out.push(...rows.map(raceToEvent));
      if (rows.length < RSU_RACES_PAGE) break;
    }
    return out;
  }

  private async race(raceId: string): Promise<Obj> {
    const body = await this.call(`/race/${checkId(this.http, raceId)}`, { events: 'T' });
    return obj(obj(body).race);
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    const race = await this.race(eventExternalId);
    return arr(race.events).map((e) => eventToRace(race, obj(e)));
  }

  private async eventIds(raceId: string, only?: string): Promise<string[]> {
    if (only) return [checkId(this.http, only)];
    return (await this.listRaces(raceId)).map((r) => r.externalId);
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const raceId = checkId(this.http, opts.eventExternalId);
    const since = opts.since && /^\d+$/.test(opts.since) ? Number(opts.since) : null;
    let newest = since === null ? 0 : since - 1;
    let n = 0;
    for (const eventId of await this.eventIds(raceId, opts.raceExternalId)) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await this.call(`/race/${raceId}/participants`, {
          event_id: eventId,
          page,
          results_per_page: RSU_PARTICIPANT_PAGE,
          sort: 'registration_id ASC',
          modified_after_timestamp: since ?? undefined,
        });
        // A top-level array of { event, participants } (one element per event asked).
        const rows = arr(body).flatMap((g) => arr(obj(g).participants).map(obj));
        for (const r of rows) if (typeof r.last_modified === 'number' || /^\d+$/.test(String(r.last_modified))) newest = Math.max(newest, Number(r.last_modified));
        n++;
        const items = rows.map((r) => toParticipant(raceId, eventId, r));
        const last = rows.length < RSU_PARTICIPANT_PAGE;
        yield { items, page: n, totalPages: null, totalItems: null, nextSince: newest > 0 ? String(newest) : (opts.since ?? null) };
        if (last) break;
      }
    }
  }

  async *pullResults(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>> {
    const raceId = checkId(this.http, opts.eventExternalId);
    let n = 0;
    for (const eventId of await this.eventIds(raceId, opts.raceExternalId)) {
      const sets = arr(obj(await this.call(`/race/${raceId}/results/get-result-sets`, { event_id: eventId })).individual_results_sets).map(obj);
      for (const set of sets) {
        for (let page = 1; page <= MAX_PAGES; page++) {
          const body = await this.call(`/race/${raceId}/results/get-results`, {
            event_id: eventId,
            individual_result_set_id: String(set.individual_result_set_id),
            page,
            results_per_page: RSU_RESULTS_PAGE,
          });
          const groups = arr(obj(body).individual_results_sets).map(obj);
          const items = groups.flatMap((g) => arr(g.results).map((r) => toResult(raceId, eventId, obj(g.results_headers), obj(r))));
          n++;
          yield { items, page: n, totalPages: null, totalItems: null };
          if (items.length < RSU_RESULTS_PAGE) break;
        }
      }
    }
  }

  /** POST full-results for one event and result set; rows match by registration id, else bib. */
  async pushResults(opts: PushResultsOptions, results: PushResult[]): Promise<PushOutcome> {
    const raceId = checkId(this.http, opts.eventExternalId);
    if (!opts.resultSetId) throw this.http.error('invalid_request', 'RunSignUp needs the result set to fill (individual_result_set_id).');
    const rows: FullResultRow[] = results.map((r) => {
      const status = r.status === 'finished' || r.status === 'unknown' ? null : r.status;
      const row: FullResultRow = {
        bib_num: r.bib,
        clock_time: status ?? (r.gunTimeMs !== null ? formatDuration(r.gunTimeMs) : r.chipTimeMs !== null ? formatDuration(r.chipTimeMs) : ''),
      };
      if (r.participantExternalId) row.registration_id = r.participantExternalId;
      if (r.overallPlace !== null && !status) row.place = r.overallPlace;
      if (r.chipTimeMs !== null && !status) row.chip_time = formatDuration(r.chipTimeMs);
      for (const s of r.splits) if (s.timeMs !== null) row[`split-${s.externalId}`] = formatDuration(s.timeMs);
      return row;
    });
    const answer = obj(
      await this.call(`/race/${raceId}/results/full-results`, { event_id: checkId(this.http, opts.raceExternalId), individual_result_set_id: checkId(this.http, opts.resultSetId) }, { results: rows }),
    ) as FullResultsAnswer;
    const accepted = (answer.num_results_created ?? 0) + (answer.num_results_updated ?? 0);
    return { sent: rows.length, accepted: answer.num_results_created === undefined && answer.num_results_updated === undefined ? null : accepted, raw: answer };
  }
}

/** Ids go into paths: digits only for RunSignUp. */
function checkId(http: ProviderHttp, id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw http.error('invalid_request', `A RunSignUp id is digits only (got "${id.slice(0, 40)}").`);
  return id;
}

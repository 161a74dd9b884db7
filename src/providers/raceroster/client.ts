/**
 * Race Roster adapter. Registration data through the OAuth2 API (https://raceroster.com/api/v1):
 * a password grant (`grant_type=access_token`, their spelling [doc]) gives an access and a
 * refresh token; the access token is refreshed before it expires and once more on a 401, and
 * a refused refresh falls back to a new grant. Token answers and lists come wrapped in
 * `{"data":[…]}` (token answers only sometimes [seen]). Results through the public results API
 * (https://results.raceroster.com/v2/api, no auth).
 */
import type { ListEventsOptions, Page, ParticipantPage, ProviderAdapter, PullParticipantsOptions, PullResultsOptions } from '../adapter.js';
import { ProviderError, ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace, ProviderResult } from '../records.js';
import { PARTICIPANT_PAGE, RESULTS_CODE_FIELD, RESULTS_PAGE } from './guessed-shapes.js';
import { arr, obj, toEvent, toParticipant, toRaces, toResult } from './mapping.js';

export const RACEROSTER_BASE_URL = 'https://raceroster.com/api/v1';
export const RACEROSTER_RESULTS_BASE_URL = 'https://results.raceroster.com/v2/api';
const EVENTS_PAGE = 100;
const MAX_PAGES = 1000;
/** Refresh this long before the access token's stated expiry. */
const EXPIRY_MARGIN_MS = 60_000;

export interface RaceRosterCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

interface Tokens {
  access: string;
  refresh: string | null;
  expiresAt: number;
}

type HttpOpts = Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'>;

export class RaceRosterAdapter implements ProviderAdapter {
  readonly provider = 'raceroster' as const;
  readonly http: ProviderHttp;
  readonly results: ProviderHttp;
  private readonly oauthUrl: string;
  private tokens: Tokens | null = null;
  /** Grants and refreshes made (tests). */
  tokenCalls = { grant: 0, refresh: 0 };

  constructor(
    private readonly credentials: RaceRosterCredentials,
    opts: HttpOpts & { baseUrl?: string | undefined; resultsBaseUrl?: string | undefined; now?: () => number } = {},
  ) {
    const base = (opts.baseUrl ?? RACEROSTER_BASE_URL).replace(/\/+$/, '');
    this.http = new ProviderHttp({ ...opts, provider: 'raceroster', label: 'Race Roster', baseUrl: base });
    this.results = new ProviderHttp({ ...opts, provider: 'raceroster', label: 'Race Roster results', baseUrl: opts.resultsBaseUrl ?? RACEROSTER_RESULTS_BASE_URL });
    // https://raceroster.com/api/v1 → https://raceroster.com/api/oauth/authorize
    this.oauthUrl = new URL('../oauth/authorize', `${base}/`).toString();
    this.now = opts.now ?? Date.now;
  }
  private readonly now: () => number;

  private async tokenRequest(form: Record<string, string>): Promise<Tokens> {
    const res = await this.http.request(this.oauthUrl, { method: 'POST', absolute: true, form: { client_id: this.credentials.clientId, client_secret: this.credentials.clientSecret, ...form } });
    const body = obj(this.http.expectJson(res, 'a token answer'));
    // Sometimes wrapped: {"data":[{access_token …}]} (or {"data":{…}}).
    const t = body.access_token !== undefined ? body : obj(Array.isArray(body.data) ? body.data[0] : body.data);
    if (typeof t.access_token !== 'string' || t.access_token === '') {
      throw this.http.error('auth', 'Race Roster did not give an access token: check the client id and secret, user name and password.', res.status);
    }
    const expires = Number(t.expires_in);
    return { access: t.access_token, refresh: typeof t.refresh_token === 'string' ? t.refresh_token : null, expiresAt: this.now() + (Number.isFinite(expires) && expires > 0 ? expires * 1000 : 3_600_000) };
  }

  private async grant(): Promise<Tokens> {
    this.tokenCalls.grant++;
    return this.tokenRequest({ grant_type: 'access_token', username: this.credentials.username, password: this.credentials.password });
  }

  /** A refresh, or a new grant when there is no refresh token or it is refused. */
  private async renew(): Promise<Tokens> {
    const refresh = this.tokens?.refresh;
    if (refresh) {
      this.tokenCalls.refresh++;
      try {
        return await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh });
      } catch (err) {
        if (!(err instanceof ProviderError) || (err.kind !== 'auth' && err.kind !== 'bad_response')) throw err;
      }
    }
    return this.grant();
  }

  private async accessToken(): Promise<string> {
    if (!this.tokens) this.tokens = await this.grant();
    else if (this.now() >= this.tokens.expiresAt - EXPIRY_MARGIN_MS) this.tokens = await this.renew();
    return this.tokens.access;
  }

  /** An authenticated GET; a 401 renews the token once and tries again. */
  private async get(path: string, query: Record<string, string | number | undefined> = {}): Promise<Record<string, unknown>> {
    for (let round = 0; ; round++) {
      const token = await this.accessToken();
      try {
        const res = await this.http.request(path, { query, headers: { authorization: `Bearer ${token}` } });
        return obj(this.http.expectJson(res, 'an answer'));
      } catch (err) {
        if (round > 0 || !(err instanceof ProviderError) || err.kind !== 'auth') throw err;
        this.tokens = await this.renew();
      }
    }
  }

  async testConnection(): Promise<void> {
    await this.get('/events', { offset: 0, limit: 1 });
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const out: ProviderEvent[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.get('/events', { offset: page * EVENTS_PAGE, limit: EVENTS_PAGE, eventDateFrom: opts.from, eventDateTo: opts.to });
      const rows = arr(body.data).map(obj);
      out.push(...rows.map(toEvent));
      if (rows.length < EVENTS_PAGE) break;
    }
    return out;
  }

  private async event(eventId: string): Promise<Record<string, unknown>> {
    const body = await this.get(`/events/${checkId(this.http, eventId)}`);
    return obj(Array.isArray(body.data) ? body.data[0] : body.data);
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    return toRaces(await this.event(eventExternalId));
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const eventId = checkId(this.http, opts.eventExternalId);
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.get(`/events/${eventId}/participants`, { offset: page * PARTICIPANT_PAGE, limit: PARTICIPANT_PAGE, subEventId: opts.raceExternalId });
      const rows = arr(body.data).map(obj);
      const total = Number(obj(body.metadata).totalCount);
      const totalItems = Number.isInteger(total) && total >= 0 ? total : null;
      yield {
        items: rows.map((r) => toParticipant(eventId, r)).filter((p) => !opts.raceExternalId || p.raceExternalId === opts.raceExternalId),
        page: page + 1,
        totalPages: totalItems === null ? null : Math.max(1, Math.ceil(totalItems / PARTICIPANT_PAGE)),
        totalItems,
        nextSince: null,
      };
      const seen = page * PARTICIPANT_PAGE + rows.length;
      if (rows.length < PARTICIPANT_PAGE || (totalItems !== null && seen >= totalItems)) break;
    }
  }

  async *pullResults(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>> {
    const eventId = checkId(this.http, opts.eventExternalId);
    let code = eventId;
    try {
      const e = await this.event(eventId);
      if (typeof e[RESULTS_CODE_FIELD] === 'string' && /^[A-Za-z0-9_-]{1,80}$/.test(e[RESULTS_CODE_FIELD])) code = e[RESULTS_CODE_FIELD];
    } catch (err) {
      if (!(err instanceof ProviderError) || err.kind !== 'not_found') throw err;
    }
    const info = obj(this.results.expectJson(await this.results.request(`/events/${code}`), 'an event'));
    const subs = arr(obj(info.data).subEvents).map(obj).filter((s) => !opts.raceExternalId || String(s.subEventId) === opts.raceExternalId);
    let n = 0;
    for (const s of subs) {
      for (let start = 0, i = 0; i < MAX_PAGES; i++, start += RESULTS_PAGE) {
        const res = await this.results.request(`/result-events/${checkId(this.http, String(s.resultEventId))}/sub-events/${checkId(this.http, String(s.subEventId))}/results`, { query: { start, limit: RESULTS_PAGE } });
        const rows = arr(obj(this.results.expectJson(res, 'results')).data).map(obj);
        n++;
        yield { items: rows.map((r) => toResult(eventId, String(s.subEventId), r)), page: n, totalPages: null, totalItems: null };
        if (rows.length < RESULTS_PAGE) break;
      }
    }
  }
}

function checkId(http: ProviderHttp, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw http.error('invalid_request', `A Race Roster id is letters and digits only (got "${id.slice(0, 40)}").`);
  return id;
}

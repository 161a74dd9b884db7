/**
 * ACTIVE.com adapter. Events through the public search (https://api.amp.active.com/v2/search,
 * `api_key` [seen]), registrations through ACTIVEWorks Endurance with the account's API token
 * ([guess]: see guessed-shapes.ts). No results pull (ACTIVE's results posting is not public).
 * Registrations page by `page`/`per_page` with `totalResults`; every pull is a full one.
 */
import type { ListEventsOptions, ParticipantPage, ProviderAdapter, PullParticipantsOptions } from '../adapter.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace } from '../records.js';
import { ASSET_PATH, ORG_PARAM, REGISTRATIONS_PAGE, REGISTRATIONS_PATH, SEARCH_PAGE, TOKEN_HEADER } from './guessed-shapes.js';
import { arr, obj, toEvent, toParticipant, toRaces } from './mapping.js';

export const ACTIVE_BASE_URL = 'https://api.amp.active.com';
const MAX_PAGES = 1000;

export interface ActiveCredentials {
  /** The public search's key. */
  apiKey: string;
  /** The ACTIVEWorks account API token (registrations). */
  accountToken: string;
  /** Narrows the event search to the partner's organization. */
  organizationGuid?: string | undefined;
}

export class ActiveAdapter implements ProviderAdapter {
  readonly provider = 'active' as const;
  readonly http: ProviderHttp;

  constructor(
    private readonly credentials: ActiveCredentials,
    opts: Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'> & { baseUrl?: string | undefined } = {},
  ) {
    this.http = new ProviderHttp({ ...opts, provider: 'active', label: 'ACTIVE', baseUrl: opts.baseUrl ?? ACTIVE_BASE_URL });
  }

  private async get(path: string, query: Record<string, string | number | undefined>, token = false): Promise<Record<string, unknown>> {
    const res = await this.http.request(path, {
      query: token ? query : { ...query, api_key: this.credentials.apiKey },
      headers: token ? TOKEN_HEADER(this.credentials.accountToken) : {},
    });
    return obj(this.http.expectJson(res, 'an answer'));
  }

  async testConnection(): Promise<void> {
    await this.get('/v2/search', { per_page: 1, current_page: 1 });
    // The registrations token is tested too: one registration of no event must be a 404, not a 401.
    try {
      await this.get(REGISTRATIONS_PATH('00000000-0000-0000-0000-000000000000'), { page: 1, per_page: 1 }, true);
    } catch (err) {
      if ((err as { kind?: string }).kind !== 'not_found') throw err;
    }
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const out: ProviderEvent[] = [];
    const range = opts.from || opts.to ? `${opts.from ?? ''}..${opts.to ?? ''}` : undefined;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.get('/v2/search', { current_page: page, per_page: SEARCH_PAGE, start_date: range, [ORG_PARAM]: this.credentials.organizationGuid });
      const rows = arr(body.results).map(obj);
      out.push(...rows.map(toEvent));
      const total = Number(body.totalResults);
      if (rows.length < SEARCH_PAGE || (Number.isFinite(total) && out.length >= total)) break;
    }
    return out;
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    const body = await this.get(ASSET_PATH(checkGuid(this.http, eventExternalId)), {});
    const asset = arr(body.results).length > 0 ? obj(arr(body.results)[0]) : body;
    return toRaces(asset);
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const guid = checkGuid(this.http, opts.eventExternalId);
    const races = await this.listRaces(guid);
    const byName = new Map(races.map((r) => [r.name.toLowerCase(), r.externalId]));
    let seen = 0;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.get(REGISTRATIONS_PATH(guid), { page, per_page: REGISTRATIONS_PAGE }, true);
      const rows = arr(body.results).map(obj);
      const total = Number(body.totalResults);
      const totalItems = Number.isInteger(total) && total >= 0 ? total : null;
      seen += rows.length;
      yield {
        items: rows.map((r) => toParticipant(guid, r, byName)).filter((p) => !opts.raceExternalId || p.raceExternalId === opts.raceExternalId),
        page,
        totalPages: totalItems === null ? null : Math.max(1, Math.ceil(totalItems / REGISTRATIONS_PAGE)),
        totalItems,
        nextSince: null,
      };
      if (rows.length < REGISTRATIONS_PAGE || (totalItems !== null && seen >= totalItems)) break;
    }
  }
}

function checkGuid(http: ProviderHttp, id: string): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw http.error('invalid_request', `An ACTIVE asset id is a GUID (got "${id.slice(0, 40)}").`);
  return id;
}

/**
 * Haku adapter. Haku publishes no API documentation: every path and shape is a guess kept in
 * guessed-shapes.ts, served by the fake server, so the adapter is ready to be pointed at the
 * real service (HAKU_BASE_URL) once its API is known and that file is corrected.
 */
import type { ListEventsOptions, Page, ParticipantPage, ProviderAdapter, PullParticipantsOptions, PullResultsOptions } from '../adapter.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace, ProviderResult } from '../records.js';
import { isoInstant } from '../units.js';
import { AUTH_HEADER, HAKU_DEFAULT_BASE_URL, PATHS, PER_PAGE, UPDATED_SINCE_PARAM, type HakuEvent, type HakuList, type HakuRegistration, type HakuResult } from './guessed-shapes.js';
import { toEvent, toParticipant, toRaces, toResult } from './mapping.js';

export const HAKU_BASE_URL = HAKU_DEFAULT_BASE_URL;
const MAX_PAGES = 1000;

export interface HakuCredentials {
  token: string;
  organizationId: string;
}

export class HakuAdapter implements ProviderAdapter {
  readonly provider = 'haku' as const;
  readonly http: ProviderHttp;

  constructor(
    private readonly credentials: HakuCredentials,
    opts: Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'> & { baseUrl?: string | undefined } = {},
  ) {
    this.http = new ProviderHttp({ ...opts, headers: AUTH_HEADER(credentials.token), provider: 'haku', label: 'Haku', baseUrl: opts.baseUrl ?? HAKU_BASE_URL });
  }

  private async list<T>(path: string, query: Record<string, string | number | undefined>, page: number): Promise<{ rows: T[]; totalPages: number | null; total: number | null }> {
    const body = this.http.expectJson(await this.http.request(path, { query: { ...query, page, per_page: PER_PAGE } }), 'a list') as HakuList<T>;
    if (!body || !Array.isArray(body.data)) throw this.http.error('bad_response', 'Haku sent a list in an unexpected shape.');
    return { rows: body.data, totalPages: typeof body.meta?.total_pages === 'number' ? body.meta.total_pages : null, total: typeof body.meta?.total === 'number' ? body.meta.total : null };
  }

  private async *pages<T>(path: string, query: Record<string, string | number | undefined> = {}): AsyncIterable<{ rows: T[]; page: number; totalPages: number | null; total: number | null }> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const p = await this.list<T>(path, query, page);
      yield { ...p, page };
      if (p.rows.length < PER_PAGE || (p.totalPages !== null && page >= p.totalPages)) return;
    }
  }

  async testConnection(): Promise<void> {
    await this.list(PATHS.events(checkId(this.http, this.credentials.organizationId)), {}, 1);
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const out: ProviderEvent[] = [];
    for await (const p of this.pages<HakuEvent>(PATHS.events(checkId(this.http, this.credentials.organizationId)), { start_date_from: opts.from, start_date_to: opts.to })) out.push(...p.rows.map(toEvent));
    return out;
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    const body = this.http.expectJson(await this.http.request(PATHS.event(checkId(this.http, eventExternalId))), 'an event') as { data?: HakuEvent };
    if (!body?.data) throw this.http.error('bad_response', 'Haku sent an event in an unexpected shape.');
    return toRaces(body.data);
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const id = checkId(this.http, opts.eventExternalId);
    const since = opts.since ? isoInstant(opts.since) : null;
    let newest = since;
    for await (const p of this.pages<HakuRegistration>(PATHS.registrations(id), { race_id: opts.raceExternalId, [UPDATED_SINCE_PARAM]: since ?? undefined })) {
      const items = p.rows.map((r) => toParticipant(id, r));
      for (const i of items) if (i.updatedAt && (!newest || i.updatedAt > newest)) newest = i.updatedAt;
      yield { items, page: p.page, totalPages: p.totalPages, totalItems: p.total, nextSince: newest };
    }
  }

  async *pullResults(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>> {
    const id = checkId(this.http, opts.eventExternalId);
    for await (const p of this.pages<HakuResult>(PATHS.results(id), { race_id: opts.raceExternalId })) {
      yield { items: p.rows.map((r) => toResult(id, r)), page: p.page, totalPages: p.totalPages, totalItems: p.total };
    }
  }
}

function checkId(http: ProviderHttp, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw http.error('invalid_request', `A Haku id is letters, digits and dashes (got "${id.slice(0, 40)}").`);
  return id;
}

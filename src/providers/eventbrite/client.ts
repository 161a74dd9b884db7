/**
 * Eventbrite adapter (https://www.eventbriteapi.com/v3, bearer token [doc]); registration only,
 * Eventbrite has no results. Lists page by continuation tokens (`pagination.continuation`,
 * `has_more_items`); incremental pulls pass `changed_since`. The bib is the answer to a custom
 * question whose text (or id) the connection configures. Attendees are asked without a status
 * filter, so a cancelled or refunded registration comes back marked instead of vanishing.
 */
import type { ListEventsOptions, ParticipantPage, ProviderAdapter, PullParticipantsOptions } from '../adapter.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace } from '../records.js';
import { isoInstant } from '../units.js';
import { DEFAULT_BIB_QUESTION } from './guessed-shapes.js';
import { arr, obj, toEvent, toParticipant, toRace } from './mapping.js';

export const EVENTBRITE_BASE_URL = 'https://www.eventbriteapi.com/v3';
const MAX_PAGES = 2000;

export interface EventbriteCredentials {
  token: string;
  /** The custom question holding the bib (its text or id); default "Bib Number". */
  bibQuestion?: string | undefined;
}

export class EventbriteAdapter implements ProviderAdapter {
  readonly provider = 'eventbrite' as const;
  readonly http: ProviderHttp;
  private readonly bibQuestion: string;

  constructor(credentials: EventbriteCredentials, opts: Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'> & { baseUrl?: string | undefined } = {}) {
    this.http = new ProviderHttp({ ...opts, headers: { authorization: `Bearer ${credentials.token}` }, provider: 'eventbrite', label: 'Eventbrite', baseUrl: opts.baseUrl ?? EVENTBRITE_BASE_URL });
    this.bibQuestion = credentials.bibQuestion?.trim() || DEFAULT_BIB_QUESTION;
  }

  private async get(path: string, query: Record<string, string | undefined> = {}): Promise<Record<string, unknown>> {
    return obj(this.http.expectJson(await this.http.request(path, { query }), 'an answer'));
  }

  /** Every page of a continuation-paged list. */
  private async *pages(path: string, key: string, query: Record<string, string | undefined>): AsyncIterable<{ rows: Record<string, unknown>[]; page: number; pageCount: number | null; objectCount: number | null }> {
    let continuation: string | undefined;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.get(path, { ...query, continuation });
      const p = obj(body.pagination);
      const pageCount = Number(p.page_count);
      const objectCount = Number(p.object_count);
      yield { rows: arr(body[key]).map(obj), page, pageCount: Number.isInteger(pageCount) ? pageCount : null, objectCount: Number.isInteger(objectCount) ? objectCount : null };
      if (p.has_more_items !== true || typeof p.continuation !== 'string' || p.continuation === '' || p.continuation === continuation) return;
      continuation = p.continuation;
    }
  }

  async testConnection(): Promise<void> {
    await this.get('/users/me/organizations/');
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const orgs = arr((await this.get('/users/me/organizations/')).organizations).map(obj);
    const out: ProviderEvent[] = [];
    for (const org of orgs) {
      const id = checkId(this.http, String(org.id));
      const range = { 'start_date.range_start': opts.from ? `${opts.from}T00:00:00` : undefined, 'start_date.range_end': opts.to ? `${opts.to}T23:59:59` : undefined };
      for await (const p of this.pages(`/organizations/${id}/events/`, 'events', { status: 'live', expand: 'venue', ...range })) out.push(...p.rows.map(toEvent));
    }
    return out;
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    const id = checkId(this.http, eventExternalId);
    const event = await this.get(`/events/${id}/`);
    const startUtc = isoInstant(obj(event.start).utc);
    const races: ProviderRace[] = [];
    for await (const p of this.pages(`/events/${id}/ticket_classes/`, 'ticket_classes', {})) races.push(...p.rows.map((t) => toRace(id, t, startUtc)));
    return races;
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const id = checkId(this.http, opts.eventExternalId);
    const since = opts.since ? isoInstant(opts.since) : null;
    // changed_since takes seconds precision without a fraction: 2025-03-01T10:00:00Z.
    const changedSince = since ? since.replace(/\.\d{3}Z$/, 'Z') : undefined;
    let newest = since;
    for await (const p of this.pages(`/events/${id}/attendees/`, 'attendees', { changed_since: changedSince })) {
      const items = p.rows.map((a) => toParticipant(id, a, this.bibQuestion)).filter((a) => !opts.raceExternalId || a.raceExternalId === opts.raceExternalId);
      for (const a of items) if (a.updatedAt && (!newest || a.updatedAt > newest)) newest = a.updatedAt;
      yield { items, page: p.page, totalPages: p.pageCount, totalItems: p.objectCount, nextSince: newest };
    }
  }
}

function checkId(http: ProviderHttp, id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw http.error('invalid_request', `An Eventbrite id is digits only (got "${id.slice(0, 40)}").`);
  return id;
}

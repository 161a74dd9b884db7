/**
 * UltraSignup adapter: undocumented JSON endpoints under https://ultrasignup.com/service/events.svc,
 * no auth, no paging (each list is one array). Events are editions (dtid), races distances (did).
 * Participants and results come per distance; every pull is a full one.
 */
import type { ListEventsOptions, Page, ParticipantPage, ProviderAdapter, PullParticipantsOptions, PullResultsOptions } from '../adapter.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace, ProviderResult } from '../records.js';
import { CLOSEST_EVENTS_QUERY, EDITION_PATH, ENTRANTS_PATH } from './guessed-shapes.js';
import { arr, obj, toEvent, toParticipant, toRaces, toResult } from './mapping.js';

export const ULTRASIGNUP_BASE_URL = 'https://ultrasignup.com/service/events.svc';

export class UltraSignupAdapter implements ProviderAdapter {
  readonly provider = 'ultrasignup' as const;
  readonly http: ProviderHttp;

  constructor(opts: Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'> & { baseUrl?: string | undefined } = {}) {
    this.http = new ProviderHttp({ ...opts, provider: 'ultrasignup', label: 'UltraSignup', baseUrl: opts.baseUrl ?? ULTRASIGNUP_BASE_URL });
  }

  private async list(path: string, what: string, query: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const body = this.http.expectJson(await this.http.request(path, { query }), what);
    if (!Array.isArray(body)) throw this.http.error('bad_response', `UltraSignup sent ${what} in an unexpected shape.`);
    return body.map(obj);
  }

  async testConnection(): Promise<void> {
    await this.list('/closestevents', 'events', CLOSEST_EVENTS_QUERY(undefined));
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const events = (await this.list('/closestevents', 'events', CLOSEST_EVENTS_QUERY(opts.from))).map(toEvent);
    return events.filter((e) => (!opts.from || (e.startDate ?? '') >= opts.from) && (!opts.to || (e.startDate ?? '') <= opts.to));
  }

  private async edition(dtid: string): Promise<Record<string, unknown>> {
    const body = obj(this.http.expectJson(await this.http.request(EDITION_PATH(checkId(this.http, dtid))), 'an event'));
    if (body.EventDateId === undefined) throw this.http.error('not_found', 'UltraSignup has no such event.');
    return body;
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    return toRaces(await this.edition(eventExternalId));
  }

  private async distances(eventId: string, only?: string): Promise<string[]> {
    if (only) return [checkId(this.http, only)];
    return (await this.listRaces(eventId)).map((r) => r.externalId);
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const eventId = checkId(this.http, opts.eventExternalId);
    const dids = await this.distances(eventId, opts.raceExternalId);
    for (const [i, did] of dids.entries()) {
      const rows = await this.list(ENTRANTS_PATH(did), 'entrants');
      yield { items: rows.map((r) => toParticipant(eventId, did, r)), page: i + 1, totalPages: dids.length, totalItems: null, nextSince: null };
    }
  }

  async *pullResults(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>> {
    const eventId = checkId(this.http, opts.eventExternalId);
    const dids = await this.distances(eventId, opts.raceExternalId);
    for (const [i, did] of dids.entries()) {
      const rows = arr(await this.list(`/results/${did}/1/json`, 'results')).map(obj);
      yield { items: rows.map((r) => toResult(eventId, did, r)), page: i + 1, totalPages: dids.length, totalItems: null };
    }
  }
}

function checkId(http: ProviderHttp, id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw http.error('invalid_request', `An UltraSignup id is digits only (got "${id.slice(0, 40)}").`);
  return id;
}

/**
 * Copernico adapter (https://public-api.copernico.cloud/api/races, header x-api-key [seen]).
 * A race (slug) is our Event, its events our Races. Entrants and results come from the
 * timer's presets (GET /{slug}/preset/{login}:::{preset}/{event} → {data:[…]}), one call per
 * race: no call per athlete. Every body is repaired for double-encoded UTF-8 first.
 */
import type { ListEventsOptions, Page, ParticipantPage, ProviderAdapter, PullParticipantsOptions, PullResultsOptions } from '../adapter.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http.js';
import type { ProviderEvent, ProviderRace, ProviderResult } from '../records.js';
import { repairUtf8Deep } from '../units.js';
import { DEFAULT_PRESETS } from './guessed-shapes.js';
import { arr, obj, toEvent, toParticipant, toRaces, toResult } from './mapping.js';

export const COPERNICO_BASE_URL = 'https://public-api.copernico.cloud/api/races';

export interface CopernicoCredentials {
  apiKey: string;
  /** The timer's login, the first part of a preset's name. */
  login: string;
  /** The race slugs this connection syncs (there is no "my races" endpoint). */
  raceSlugs: string[];
  participantsPreset?: string | undefined;
  resultsPreset?: string | undefined;
}

export class CopernicoAdapter implements ProviderAdapter {
  readonly provider = 'copernico' as const;
  readonly http: ProviderHttp;

  constructor(
    private readonly credentials: CopernicoCredentials,
    opts: Omit<ProviderHttpOptions, 'provider' | 'label' | 'baseUrl'> & { baseUrl?: string | undefined } = {},
  ) {
    this.http = new ProviderHttp({ ...opts, headers: { 'x-api-key': credentials.apiKey }, provider: 'copernico', label: 'Copernico', baseUrl: opts.baseUrl ?? COPERNICO_BASE_URL });
  }

  private async get(path: string): Promise<Record<string, unknown>> {
    return obj(repairUtf8Deep(this.http.expectJson(await this.http.request(path), 'an answer')));
  }

  private race(slug: string): Promise<Record<string, unknown>> {
    return this.get(`/${checkSlug(this.http, slug)}`);
  }

  async testConnection(): Promise<void> {
    const first = this.credentials.raceSlugs[0];
    if (!first) throw this.http.error('invalid_request', 'Name at least one Copernico race to test the connection with.');
    await this.race(first);
  }

  async listEvents(opts: ListEventsOptions = {}): Promise<ProviderEvent[]> {
    const out: ProviderEvent[] = [];
    for (const slug of this.credentials.raceSlugs) out.push(toEvent(slug, await this.race(slug)));
    return out.filter((e) => (!opts.from || (e.startDate ?? '') >= opts.from) && (!opts.to || (e.startDate ?? '') <= opts.to));
  }

  async listRaces(eventExternalId: string): Promise<ProviderRace[]> {
    return toRaces(eventExternalId, await this.race(eventExternalId));
  }

  private async preset(slug: string, preset: string, eventId: string): Promise<Record<string, unknown>[]> {
    const name = encodeURIComponent(`${this.credentials.login}:::${preset}`);
    const body = await this.get(`/${checkSlug(this.http, slug)}/preset/${name}/${checkSlug(this.http, eventId)}`);
    return arr(body.data).map(obj);
  }

  private async events(slug: string, only?: string): Promise<string[]> {
    return only ? [only] : (await this.listRaces(slug)).map((r) => r.externalId);
  }

  async *pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage> {
    const ids = await this.events(opts.eventExternalId, opts.raceExternalId);
    for (const [i, id] of ids.entries()) {
      const rows = await this.preset(opts.eventExternalId, this.credentials.participantsPreset ?? DEFAULT_PRESETS.participants, id);
      yield { items: rows.map((r) => toParticipant(opts.eventExternalId, id, r)), page: i + 1, totalPages: ids.length, totalItems: null, nextSince: null };
    }
  }

  async *pullResults(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>> {
    const ids = await this.events(opts.eventExternalId, opts.raceExternalId);
    for (const [i, id] of ids.entries()) {
      const rows = await this.preset(opts.eventExternalId, this.credentials.resultsPreset ?? DEFAULT_PRESETS.results, id);
      yield { items: rows.map((r) => toResult(opts.eventExternalId, id, r)), page: i + 1, totalPages: ids.length, totalItems: null };
    }
  }
}

function checkSlug(http: ProviderHttp, slug: string): string {
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(slug)) throw http.error('invalid_request', `A Copernico race or event id is letters, digits and dashes (got "${slug.slice(0, 40)}").`);
  return slug;
}

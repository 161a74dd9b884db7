/**
 * What every provider adapter offers. Adapters are leaves: HTTP in, neutral records out
 * (records.ts); they never touch our database. Lists that can be long (participants, results)
 * are async iterables of pages, so a sync writes page by page, shows progress (page / pages)
 * and stops cleanly when its job is cancelled (the signal given to createAdapter).
 */
import type { ProviderEvent, ProviderName, ProviderParticipant, ProviderRace, ProviderResult, PushResult } from './records.js';

export interface Page<T> {
  items: T[];
  /** 1-based. */
  page: number;
  /** When the provider says (CTLive's page-count header, Race Roster's totalCount …). */
  totalPages: number | null;
  totalItems: number | null;
}

export interface ParticipantPage extends Page<ProviderParticipant> {
  /**
   * What to pass as `since` on the next incremental pull once every page is stored (the
   * provider's own watermark, opaque to the caller); null when the provider has no incremental
   * pull, in which case every pull is a full one.
   */
  nextSince: string | null;
}

export interface ListEventsOptions {
  /** ISO dates (inclusive) bounding the events' start. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface PullParticipantsOptions {
  eventExternalId: string;
  /** One race of the event only; every race when unset. */
  raceExternalId?: string | undefined;
  /** A previous page's nextSince: only what changed since (where the provider allows it). */
  since?: string | null | undefined;
}

export interface PullResultsOptions {
  eventExternalId: string;
  raceExternalId?: string | undefined;
}

export interface PushResultsOptions {
  eventExternalId: string;
  raceExternalId: string;
  /** RunSignUp: the result set to fill (created beforehand in their dashboard or API). */
  resultSetId?: string | undefined;
}

export interface PushOutcome {
  sent: number;
  /** What the provider says it stored, when it says. */
  accepted: number | null;
  raw: unknown;
}

export interface ProviderAdapter {
  readonly provider: ProviderName;
  /** One cheap authenticated call: resolves, or throws a ProviderError saying what failed. */
  testConnection(): Promise<void>;
  listEvents(opts?: ListEventsOptions): Promise<ProviderEvent[]>;
  listRaces(eventExternalId: string): Promise<ProviderRace[]>;
  pullParticipants(opts: PullParticipantsOptions): AsyncIterable<ParticipantPage>;
  /** Absent where the provider has no results (Eventbrite). */
  pullResults?(opts: PullResultsOptions): AsyncIterable<Page<ProviderResult>>;
  /** Present where the provider accepts results (RunSignUp full-results, CTLive). */
  pushResults?(opts: PushResultsOptions, results: PushResult[]): Promise<PushOutcome>;
}

/** Every page of an async iterable of pages, flattened (tests, small pulls). */
export async function collectPages<T>(pages: AsyncIterable<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p.items);
  return out;
}

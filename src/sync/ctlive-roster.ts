/**
 * The display's ChronoTrack Live roster login: credentials + event id → the event and every
 * entry, stored as one roster event (source 'ctlive', external id = the event id). Everything
 * is fetched before anything is written, and written in one transaction, so a failure at any
 * page stores nothing; a re-import updates the same event in place.
 */
import type { Rosters } from '../rosters/roster.service.js';
import type { RosterEvent, UpsertResult } from '../rosters/roster.schemas.js';
import { AppError } from '../errors.js';
import { ChronoTrackClient, type ChronoTrackClientOptions, type Progress } from '../providers/chronotrack/client.js';
import { ProviderError } from '../providers/http.js';
import { entryToParticipant } from '../providers/chronotrack/mapping.js';

export interface ChronoTrackImportOptions extends ChronoTrackClientOptions {
  eventId: string;
}

export interface ChronoTrackImportResult extends UpsertResult {
  event: RosterEvent;
  /** Entries ChronoTrack sent. */
  entries: number;
}

/**
 * Imports (or re-imports) a ChronoTrack Live event's roster for a partner. onProgress gets
 * { loaded, total } after each page, total from the X-Ctlive-Row-Count header. Provider
 * failures become AppErrors with a message fit for the user: 400 for refused credentials,
 * 404 for an unknown event, 500 with the reason for an unreachable or misbehaving provider.
 */
export async function importFromChronoTrackLive(
  rosters: Rosters,
  partnerId: number,
  opts: ChronoTrackImportOptions,
  onProgress?: (p: Progress) => void,
): Promise<ChronoTrackImportResult> {
  const client = new ChronoTrackClient(opts);
  let name: string;
  let entries: Record<string, unknown>[];
  try {
    const event = await client.getEvent(opts.eventId);
    name = event.event_name?.trim() || `ChronoTrack event ${opts.eventId}`;
    entries = await client.listEventEntries(opts.eventId, onProgress);
  } catch (err) {
    throw toAppError(err);
  }
  const result = await rosters.importProviderRoster(partnerId, { source: 'ctlive', externalId: opts.eventId, name }, entries.map(entryToParticipant));
  return { ...result, entries: entries.length };
}

/** Any adapter's ProviderError (ChronoTrackError is one) → an AppError fit for the user. */
export function toAppError(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  const details = { provider: err.provider, kind: err.kind, status: err.status };
  switch (err.kind) {
    case 'auth':
    case 'invalid_request':
      return Object.assign(new AppError('bad_request', err.message, details), { cause: err });
    case 'not_found':
      return Object.assign(new AppError('not_found', err.message, details), { cause: err });
    default:
      // ChronoTrack down, answering HTML or timing out: their outage, not our 500.
      return Object.assign(new AppError('upstream_error', err.message, details), { cause: err });
  }
}

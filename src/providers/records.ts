/**
 * The neutral records provider adapters return. Providers are leaves: they speak HTTP and
 * map payloads to these shapes, and know nothing of rosters, results or displays; the sync
 * jobs (src/sync) write these records into our tables.
 *
 * The zod schemas are the contract: every adapter's mapping output is parsed with them in its
 * tests, so a mapping that drifts (a number id, a time in seconds) fails there, not in the
 * warehouse. External ids are strings, times are milliseconds, dates ISO 8601; `raw` is the
 * provider's payload for the row, kept whole.
 */
import { z } from 'zod';
import { GENDERS, type Gender } from '../shared/gender.js';

export const PROVIDERS = ['runsignup', 'ctlive', 'raceroster', 'ultrasignup', 'active', 'eventbrite', 'copernico', 'haku'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const provider = z.enum(PROVIDERS);
const id = z.string().min(1);
const text = z.string().nullable();
/** ISO 8601: a calendar date (2025-07-26) or an instant with its offset (2025-07-26T13:30:00.000Z). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);
const ms = z.number().int().min(0);

export const providerEventSchema = z.object({
  provider,
  externalId: id,
  name: z.string(),
  /** The event's (first) day, in its own time zone. */
  startDate: isoDate.nullable(),
  /** IANA zone when the provider says it. */
  timezone: text,
  city: text,
  region: text,
  country: text,
  url: text,
  status: text,
  updatedAt: isoInstant.nullable(),
  raw: z.unknown(),
});
export type ProviderEvent = z.infer<typeof providerEventSchema>;

export const providerRaceSchema = z.object({
  provider,
  externalId: id,
  eventExternalId: id,
  name: z.string(),
  distanceMeters: z.number().positive().nullable(),
  startsAt: isoInstant.nullable(),
  waves: z.array(z.string()),
  /** The entry fee where the provider lists one (RunSignUp's "$55.00" → 5500). */
  feeCents: z.number().int().nullable().optional(),
  raw: z.unknown(),
});
export type ProviderRace = z.infer<typeof providerRaceSchema>;

export const PARTICIPANT_STATUSES = ['active', 'cancelled', 'transferred'] as const;
export const providerParticipantSchema = z.object({
  provider,
  externalId: id,
  eventExternalId: id,
  raceExternalId: id.nullable(),
  bib: text,
  chip: text,
  firstName: text,
  lastName: text,
  gender: z.enum(GENDERS),
  birthDate: isoDate.nullable(),
  age: z.number().int().min(0).max(130).nullable(),
  email: text,
  city: text,
  region: text,
  country: text,
  team: text,
  division: text,
  wave: text,
  status: z.enum(PARTICIPANT_STATUSES),
  registeredAt: isoInstant.nullable(),
  updatedAt: isoInstant.nullable(),
  raw: z.unknown(),
});
export type ProviderParticipant = z.infer<typeof providerParticipantSchema>;

export const RESULT_STATUSES = ['finished', 'DNF', 'DNS', 'DQ', 'DNQ', 'unknown'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export const providerSplitSchema = z.object({
  /** The provider's split id when it has one (RunSignUp's split-8841 → "8841"). */
  externalId: text,
  label: z.string(),
  distanceMeters: z.number().positive().nullable(),
  /** Elapsed from the start, ms; null when the athlete has no time there. */
  timeMs: ms.nullable(),
});
export type ProviderSplit = z.infer<typeof providerSplitSchema>;

export const providerResultSchema = z.object({
  provider,
  externalId: id,
  eventExternalId: id,
  raceExternalId: id.nullable(),
  participantExternalId: id.nullable(),
  bib: text,
  firstName: text,
  lastName: text,
  gender: z.enum(GENDERS),
  age: z.number().int().min(0).max(130).nullable(),
  city: text,
  region: text,
  country: text,
  status: z.enum(RESULT_STATUSES),
  /** May exceed 24 h (ultras): plain milliseconds, never a time of day. */
  chipTimeMs: ms.nullable(),
  gunTimeMs: ms.nullable(),
  overallPlace: z.number().int().positive().nullable(),
  genderPlace: z.number().int().positive().nullable(),
  division: text,
  divisionPlace: z.number().int().positive().nullable(),
  splits: z.array(providerSplitSchema),
  raw: z.unknown(),
});
export type ProviderResult = z.infer<typeof providerResultSchema>;

/** One result as we send it back to a provider (RunSignUp full-results, CTLive). */
export const pushResultSchema = z.object({
  bib: z.string().min(1),
  /** The provider's registration/entry id when we know it (preferred match). */
  participantExternalId: z.string().nullable(),
  status: z.enum(RESULT_STATUSES),
  chipTimeMs: ms.nullable(),
  gunTimeMs: ms.nullable(),
  overallPlace: z.number().int().positive().nullable(),
  splits: z.array(z.object({ externalId: z.string(), timeMs: ms.nullable() })),
});
export type PushResult = z.infer<typeof pushResultSchema>;

/** A person's entry in a provider's race, as roster data (the CTLive roster import). Null = the provider sent nothing. */
export interface ProviderEntry {
  external_id: string | null;
  bib: string;
  first_name: string | null;
  last_name: string | null;
  gender: Gender;
  age: number | null;
  city: string | null;
  state: string | null;
  country: string | null;
  division: string | null;
  race: string | null;
  wave: string | null;
  team: string | null;
  /** The provider's payload, kept whole beside the normalized fields. */
  raw: unknown;
}

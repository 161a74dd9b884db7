/**
 * Shapes of the roster layer: events, participants, and what callers may send. The zod
 * schemas are the boundary checks (HTTP bodies, CSV rows, provider rows all pass them).
 */
import { z } from 'zod';
import { GENDERS, type Gender } from '../shared/gender.js';

export const ROSTER_SOURCES = ['csv', 'ctlive', 'manual'] as const;
export type RosterSource = (typeof ROSTER_SOURCES)[number];

export { GENDERS, normalizeGender, type Gender } from '../shared/gender.js';

export interface RosterEvent {
  id: number;
  name: string;
  source: RosterSource;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface RosterEventSummary extends RosterEvent {
  participant_count: number;
}

/** A participant as the display uses it (no raw source row). */
export interface Participant {
  id: number;
  event_id: number;
  external_id: string | null;
  bib: string;
  tags: string[];
  first_name: string | null;
  last_name: string | null;
  age: number | null;
  gender: Gender;
  city: string | null;
  state: string | null;
  country: string | null;
  division: string | null;
  race: string | null;
  wave: string | null;
  team: string | null;
  custom_message: string | null;
  updated_at: Date;
}

export interface ParticipantWithRaw extends Participant {
  raw: unknown;
}

/** Text fields a source may fill; undefined = the source does not provide it (kept on update). */
export const TEXT_FIELDS = ['first_name', 'last_name', 'city', 'state', 'country', 'division', 'race', 'wave', 'team', 'custom_message'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

const MAX_TEXT = 200;
const MAX_MESSAGE = 500;

/** Removes characters PostgreSQL text cannot hold (NUL) and other C0 controls except tab/newline. */
export function cleanText(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
}

/** A JSON value without NUL characters, which jsonb cannot hold (a hostile or broken source row). */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(/\u0000/g, '') : value;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    // fromEntries, not assignment: a "__proto__" header stays a key like any other.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [jsonSafe(k), jsonSafe(v)]));
  }
  return value;
}

const optionalText = (max: number) =>
  z
    .string()
    .transform(cleanText)
    .pipe(z.string().max(max, `longer than ${max} characters`))
    .transform((s) => (s === '' ? null : s))
    .nullable()
    .optional();

const tag = z
  .string()
  .transform(cleanText)
  .pipe(z.string().min(1).max(64, 'tag longer than 64 characters'));

/**
 * One participant from any source. Every field but the bib is optional: an absent field
 * keeps the stored value on re-import, null clears it.
 */
export const participantInputSchema = z.object({
  external_id: z.string().transform(cleanText).pipe(z.string().min(1).max(100)).nullable().optional(),
  bib: z
    .string({ error: 'missing bib' })
    .transform(cleanText)
    .pipe(z.string().min(1, 'missing bib').max(32, 'bib longer than 32 characters')),
  tags: z.array(tag).max(10, 'more than 10 tags').optional(),
  first_name: optionalText(MAX_TEXT),
  last_name: optionalText(MAX_TEXT),
  age: z.number().int('age must be a whole number').min(0, 'age out of range').max(130, 'age out of range').nullable().optional(),
  gender: z.enum(GENDERS).optional(),
  city: optionalText(MAX_TEXT),
  state: optionalText(MAX_TEXT),
  country: optionalText(MAX_TEXT),
  division: optionalText(MAX_TEXT),
  race: optionalText(MAX_TEXT),
  wave: optionalText(MAX_TEXT),
  team: optionalText(MAX_TEXT),
  custom_message: optionalText(MAX_MESSAGE),
  raw: z.unknown().transform(jsonSafe).optional(),
});
export type ParticipantInput = z.input<typeof participantInputSchema>;
export type ParticipantValues = z.output<typeof participantInputSchema>;

/** A hand edit of one participant: any subset of the fields. */
export const participantPatchSchema = participantInputSchema.omit({ raw: true }).partial();
export type ParticipantPatch = z.input<typeof participantPatchSchema>;

export const createEventSchema = z.object({
  name: z.string().transform(cleanText).pipe(z.string().min(1, 'name is required').max(200)),
  source: z.enum(ROSTER_SOURCES).default('manual'),
  external_id: z.string().transform(cleanText).pipe(z.string().min(1).max(100)).nullable().optional(),
});
export type CreateEventInput = z.input<typeof createEventSchema>;

/** A row the import skipped, by its number in the source (CSV line, ChronoTrack entry index). */
export interface RowError {
  row: number;
  reason: string;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Participants deleted because the source no longer lists them (removeMissing only). */
  removed: number;
  errors: RowError[];
}

/**
 * ChronoTrack Live payloads → neutral provider entries (src/providers/records.ts). CTLive sends numbers as strings (and
 * sometimes as numbers), so every field is read as text; the entry is kept whole as `raw`.
 */
import { z } from 'zod';
import { normalizeGender } from '../../shared/gender.js';
import type { ProviderEntry } from '../records.js';

/** A scalar CTLive field: string or number on the wire, text here; anything else = absent. */
const field = z
  .unknown()
  .transform((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined))
  .optional();

const ctEntrySchema = z.looseObject({
  entry_id: field,
  entry_bib: field,
  entry_name: field,
  entry_type: field,
  entry_status: field,
  entry_race_age: field,
  athlete_id: field,
  athlete_first_name: field,
  athlete_last_name: field,
  athlete_sex: field,
  athlete_birthdate: field,
  location_city: field,
  location_region: field,
  location_country: field,
  bracket_name: field,
  race_name: field,
  reg_choice_name: field,
  wave_name: field,
  team_name: field,
});
/** An entry as received; kept whole as the participant's raw row. */
export type CtEntry = Record<string, unknown>;

export const entriesEnvelopeSchema = z.object({ event_entry: z.array(z.record(z.string(), z.unknown())) });

const ctEventSchema = z.looseObject({ event_id: field, event_name: field, event_start_time: field });
export type CtEvent = z.output<typeof ctEventSchema>;
/** `/event/{id}` → `{ event: {...} }` (a one-element list is accepted too). */
export const eventEnvelopeSchema = z.object({
  event: z.union([ctEventSchema, z.array(ctEventSchema).length(1).transform((a) => a[0]!)]),
});

const text = (v: string | undefined) => (v === undefined ? null : v.trim() === '' ? null : v);

/**
 * One entry as a participant input. Tags and the custom message are left out: CTLive's tag
 * code is the bib (the lookup falls back to it), and a message typed in by hand must survive
 * a re-import.
 */
export function entryToParticipant(raw: CtEntry): ProviderEntry {
  const entry = ctEntrySchema.parse(raw);
  let first = text(entry.athlete_first_name);
  let last = text(entry.athlete_last_name);
  const full = text(entry.entry_name);
  if (first === null && last === null && full !== null) {
    const i = full.trim().indexOf(' ');
    first = i < 0 ? full.trim() : full.trim().slice(0, i);
    last = i < 0 ? null : full.trim().slice(i + 1);
  }
  const age = entry.entry_race_age?.trim();
  return {
    external_id: text(entry.entry_id),
    bib: entry.entry_bib?.trim() ?? '',
    first_name: first,
    last_name: last,
    gender: normalizeGender(entry.athlete_sex),
    age: age !== undefined && /^\d{1,3}$/.test(age) && Number(age) <= 130 ? Number(age) : null,
    city: text(entry.location_city),
    state: text(entry.location_region),
    country: text(entry.location_country),
    division: text(entry.bracket_name),
    race: text(entry.race_name) ?? text(entry.reg_choice_name),
    wave: text(entry.wave_name),
    team: text(entry.team_name),
    raw,
  };
}

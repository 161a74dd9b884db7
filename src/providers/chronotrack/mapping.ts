/**
 * ChronoTrack Live payloads → neutral provider entries (src/providers/records.ts). CTLive sends numbers as strings (and
 * sometimes as numbers), so every field is read as text; the entry is kept whole as `raw`.
 */
import { z } from 'zod';
import { normalizeGender } from '../../shared/gender.js';
import type { ProviderEntry, ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult } from '../records.js';
import { ageOf, distanceMeters, epochSeconds, isoDate, posInt, resultTime, statusOf, str } from '../units.js';
import { ENTRY_RACE_ID, EVENT_FIELDS, FINISH_INTERVAL, RACE_FIELDS, WAVE_FIELDS } from './guessed-shapes.js';

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
/** `{ <key>: [...] }`, the envelope of every CTLive list. */
export const listEnvelopeSchema = (key: string) => z.object({ [key]: z.array(z.record(z.string(), z.unknown())) });

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

// ---- Neutral records for the sync adapter (adapter.ts) ----

type Obj = Record<string, unknown>;

export function toEvent(e: Obj): ProviderEvent {
  const start = epochSeconds(e.event_start_time);
  const tz = str(e[EVENT_FIELDS.timezone]);
  return {
    provider: 'ctlive',
    externalId: String(e.event_id),
    name: str(e.event_name) ?? `ChronoTrack event ${String(e.event_id)}`,
    startDate: start ? (tz ? localDateIn(start, tz) : start.slice(0, 10)) : null,
    timezone: tz,
    city: str(e[EVENT_FIELDS.city]),
    region: str(e[EVENT_FIELDS.region]),
    country: str(e[EVENT_FIELDS.country]),
    url: str(e[EVENT_FIELDS.url]),
    status: null,
    updatedAt: null,
    raw: e,
  };
}

function localDateIn(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

export function toRace(eventId: string, r: Obj, waves: Obj[]): ProviderRace {
  const id = String(r[RACE_FIELDS.id]);
  const distance = Number(r[RACE_FIELDS.distance]);
  return {
    provider: 'ctlive',
    externalId: id,
    eventExternalId: eventId,
    name: str(r[RACE_FIELDS.name]) ?? `Race ${id}`,
    distanceMeters: Number.isFinite(distance) && distance > 0 ? distanceMeters(distance, str(r[RACE_FIELDS.unit]) ?? 'm') : distanceMeters(r[RACE_FIELDS.name]),
    startsAt: epochSeconds(r[RACE_FIELDS.start]),
    waves: waves.filter((w) => String(w[WAVE_FIELDS.raceId]) === id).map((w) => str(w[WAVE_FIELDS.name]) ?? String(w[WAVE_FIELDS.id])),
    raw: r,
  };
}

/** An entry as a neutral participant; the race id from the entry, else from its race's name. */
export function toParticipant(eventId: string, raw: Obj, raceIdByName: Map<string, string>): ProviderParticipant {
  const e = entryToParticipant(raw);
  const raceId = str(raw[ENTRY_RACE_ID]) ?? (e.race ? (raceIdByName.get(e.race) ?? null) : null);
  const status = str(raw.entry_status)?.toUpperCase();
  return {
    provider: 'ctlive',
    externalId: e.external_id ?? `bib:${e.bib}`,
    eventExternalId: eventId,
    raceExternalId: raceId,
    bib: e.bib === '' ? null : e.bib,
    chip: null,
    firstName: e.first_name,
    lastName: e.last_name,
    gender: e.gender,
    birthDate: isoDate(raw.athlete_birthdate),
    age: e.age,
    email: null,
    city: e.city,
    region: e.state,
    country: e.country,
    team: e.team,
    division: e.division,
    wave: e.wave,
    status: status === 'CANCELLED' || status === 'CANCELED' || status === 'DELETED' || status === 'INACTIVE' ? 'cancelled' : status === 'TRANSFERRED' ? 'transferred' : 'active',
    registeredAt: null,
    updatedAt: null,
    raw,
  };
}

/**
 * Result rows (one per athlete and interval) → one result per athlete: the "Full Course" row
 * is the finish, every other interval a split. Gender and division places come from the
 * same list asked with bracket=SEX and bracket=AGE (maps entry id → rank).
 */
export function toResults(eventId: string, rows: Obj[], sexRanks: Map<string, number>, ageRanks: Map<string, number>): ProviderResult[] {
  const byEntry = new Map<string, { finish: Obj | null; splits: Obj[] }>();
  for (const r of rows) {
    const key = str(r.results_entry_id) ?? `bib:${str(r.results_bib) ?? ''}`;
    const g = byEntry.get(key) ?? { finish: null, splits: [] };
    if ((str(r.results_interval_name) ?? FINISH_INTERVAL) === FINISH_INTERVAL) g.finish = r;
    else g.splits.push(r);
    byEntry.set(key, g);
  }
  const out: ProviderResult[] = [];
  for (const [key, g] of byEntry) {
    const f = g.finish ?? g.splits.at(-1)!;
    const chip = g.finish ? resultTime(f.results_time) : { status: null, ms: null };
    const gun = g.finish ? resultTime(f.results_gun_time) : { status: null, ms: null };
    const entryId = str(f.results_entry_id);
    out.push({
      provider: 'ctlive',
      externalId: key,
      eventExternalId: eventId,
      raceExternalId: str(f.results_race_id),
      participantExternalId: entryId,
      bib: str(f.results_bib),
      firstName: str(f.results_first_name),
      lastName: str(f.results_last_name),
      gender: normalizeGender(str(f.results_sex)),
      age: ageOf(f.results_age),
      city: str(f.results_city),
      region: str(f.results_state),
      country: str(f.results_country),
      // No finish row but splits: still on course or gone; the provider did not say which.
      status: g.finish ? statusOf(chip.status ?? gun.status, chip.ms, gun.ms) : 'unknown',
      chipTimeMs: chip.ms,
      gunTimeMs: gun.ms,
      overallPlace: g.finish ? posInt(f.results_rank) : null,
      genderPlace: entryId ? (sexRanks.get(entryId) ?? null) : null,
      division: str(f.results_primary_bracket_name),
      divisionPlace: entryId ? (ageRanks.get(entryId) ?? null) : null,
      splits: g.splits.map((s) => ({ externalId: null, label: str(s.results_interval_name) ?? 'Split', distanceMeters: distanceMeters(s.results_interval_name), timeMs: resultTime(s.results_time).ms })),
      raw: g.finish ? [g.finish, ...g.splits] : g.splits,
    });
  }
  return out;
}

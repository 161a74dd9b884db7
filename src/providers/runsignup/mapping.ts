/**
 * RunSignUp payloads → neutral records. An RSU "race" is our Event, an RSU "event" is our
 * Race. Booleans are "T"/"F", money is "$55.00", event start times are in the race's time
 * zone, registration dates and other timestamps in US Eastern [doc].
 */
import type { ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult, ProviderSplit } from '../records.js';
import { ageOf, distanceMeters, epochSeconds, genderOf, isoDate, moneyCents, posInt, resultTime, statusOf, str, tfBool, usDate, zonedToIso } from '../units.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** RunSignUp's other timestamps are US Eastern [doc]. */
export const RSU_OTHER_ZONE = 'America/New_York';

function usDateTimeIso(value: unknown, zone: string | null): string | null {
  const d = usDate(value);
  return d && d.time ? zonedToIso(d.date, d.time, zone) : null;
}

export function raceToEvent(rsuRace: Obj): ProviderEvent {
  const a = obj(rsuRace.address);
  const draft = tfBool(rsuRace.is_draft_race);
  const open = tfBool(rsuRace.is_registration_open);
  return {
    provider: 'runsignup',
    externalId: String(rsuRace.race_id),
    name: str(rsuRace.name) ?? `RunSignUp race ${String(rsuRace.race_id)}`,
    startDate: usDate(rsuRace.next_date)?.date ?? null,
    timezone: str(rsuRace.timezone),
    city: str(a.city),
    region: str(a.state),
    country: str(a.country_code),
    url: str(rsuRace.url),
    status: draft ? 'draft' : open === true ? 'registration_open' : open === false ? 'registration_closed' : null,
    updatedAt: epochSeconds(rsuRace.last_modified),
    raw: rsuRace,
  };
}

export function eventToRace(rsuRace: Obj, rsuEvent: Obj): ProviderRace {
  const zone = str(rsuRace.timezone);
  const periods = arr(rsuEvent.registration_periods).map(obj);
  // The fee of the latest period that has one ("$55.00").
  const fee = periods.map((p) => moneyCents(p.race_fee)).filter((c): c is number => c !== null).at(-1) ?? null;
  return {
    provider: 'runsignup',
    externalId: String(rsuEvent.event_id),
    eventExternalId: String(rsuRace.race_id),
    name: str(rsuEvent.name) ?? `Event ${String(rsuEvent.event_id)}`,
    distanceMeters: distanceMeters(rsuEvent.distance) ?? distanceMeters(rsuEvent.name),
    startsAt: usDateTimeIso(rsuEvent.start_time, zone),
    waves: [],
    feeCents: fee,
    raw: rsuEvent,
  };
}

export function toParticipant(raceId: string, eventId: string, p: Obj): ProviderParticipant {
  const u = obj(p.user);
  const a = obj(u.address);
  return {
    provider: 'runsignup',
    externalId: String(p.registration_id),
    eventExternalId: raceId,
    raceExternalId: eventId,
    bib: str(p.bib_num),
    chip: str(p.chip_num),
    firstName: str(u.first_name),
    lastName: str(u.last_name),
    gender: genderOf(u.gender),
    birthDate: isoDate(u.dob),
    age: ageOf(p.age),
    email: str(u.email),
    city: str(a.city),
    region: str(a.state),
    country: str(a.country_code),
    team: str(p.team_name),
    division: null,
    wave: null,
    status: 'active',
    registeredAt: usDateTimeIso(p.registration_date, RSU_OTHER_ZONE),
    updatedAt: epochSeconds(p.last_modified),
    raw: p,
  };
}

/** One row of get-results; splits are the `split-<id>` columns named in results_headers. */
export function toResult(raceId: string, eventId: string, headers: Obj, r: Obj): ProviderResult {
  const chip = resultTime(r.chip_time);
  const clock = resultTime(r.clock_time);
  const splits: ProviderSplit[] = Object.keys(headers)
    .filter((k) => k.startsWith('split-'))
    .map((k) => ({ externalId: k.slice(6), label: str(headers[k]) ?? k, distanceMeters: distanceMeters(headers[k]), timeMs: resultTime(r[k]).ms }));
  return {
    provider: 'runsignup',
    externalId: String(r.result_id),
    eventExternalId: raceId,
    raceExternalId: eventId,
    participantExternalId: str(r.registration_id),
    bib: str(r.bib),
    firstName: str(r.first_name),
    lastName: str(r.last_name),
    gender: genderOf(r.gender),
    age: ageOf(r.age),
    city: str(r.city),
    region: str(r.state),
    country: str(r.country_code),
    status: statusOf(clock.status ?? chip.status, chip.ms, clock.ms),
    chipTimeMs: chip.ms,
    gunTimeMs: clock.ms,
    overallPlace: posInt(r.place),
    genderPlace: posInt(r.gender_place),
    division: str(r.division),
    divisionPlace: posInt(r.division_place),
    splits,
    raw: r,
  };
}

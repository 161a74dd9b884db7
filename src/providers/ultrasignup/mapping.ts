/**
 * UltraSignup payloads → neutral records. Dates are .NET "/Date(ms)/", result times are
 * milliseconds as strings ("16405000"), result status is a code (1 finished, 2 DNF, 3 DNS, 5 DQ).
 * An edition (dtid) is our Event, a distance (did) our Race.
 */
import type { ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult } from '../records.js';
import { ageOf, distanceMeters, dotNetDate, durationMs, genderOf, msString, posInt, str } from '../units.js';
import { STATUS_CODES } from './guessed-shapes.js';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function toEvent(e: Obj): ProviderEvent {
  const at = dotNetDate(e.EventDate);
  return {
    provider: 'ultrasignup',
    externalId: String(e.EventDateId),
    name: str(e.EventName) ?? `UltraSignup event ${String(e.EventDateId)}`,
    // The ms are midnight of the race day (UTC) as UltraSignup sends them.
    startDate: at ? at.slice(0, 10) : null,
    timezone: null,
    city: str(e.City),
    region: str(e.State),
    country: null,
    url: `https://ultrasignup.com/register.aspx?did=${String(e.EventDateId)}`,
    status: null,
    updatedAt: null,
    raw: e,
  };
}

export function toRaces(e: Obj): ProviderRace[] {
  return arr(e.Distances).map((v) => {
    const d = obj(v);
    return {
      provider: 'ultrasignup' as const,
      externalId: String(d.DistanceId),
      eventExternalId: String(e.EventDateId),
      name: str(d.DistanceName) ?? `Distance ${String(d.DistanceId)}`,
      distanceMeters: distanceMeters(d.DistanceName),
      startsAt: dotNetDate(d.StartTime),
      waves: [],
      raw: d,
    };
  });
}

export function toParticipant(eventId: string, did: string, p: Obj): ProviderParticipant {
  return {
    provider: 'ultrasignup',
    externalId: String(p.participant_id),
    eventExternalId: eventId,
    raceExternalId: did,
    bib: str(p.bib),
    chip: null,
    firstName: str(p.firstname),
    lastName: str(p.lastname),
    gender: genderOf(p.gender),
    birthDate: null,
    age: ageOf(p.age),
    email: null,
    city: str(p.city),
    region: str(p.state),
    country: str(p.country),
    team: null,
    division: null,
    wave: null,
    status: 'active',
    registeredAt: dotNetDate(p.registered),
    updatedAt: null,
    raw: p,
  };
}

export function toResult(eventId: string, did: string, r: Obj): ProviderResult {
  const code = Number(r.status);
  const status = STATUS_CODES[code] ?? 'unknown';
  // time is ms as a string; formattime ("4:33:25") when it is missing.
  const ms = status === 'finished' ? (msString(r.time) ?? durationMs(r.formattime)) : null;
  return {
    provider: 'ultrasignup',
    externalId: `${did}:${String(r.participant_id)}`,
    eventExternalId: eventId,
    raceExternalId: did,
    participantExternalId: str(r.participant_id),
    bib: str(r.bib),
    firstName: str(r.firstname),
    lastName: str(r.lastname),
    gender: genderOf(r.gender),
    age: ageOf(r.age),
    city: str(r.city),
    region: str(r.state),
    country: null,
    status,
    chipTimeMs: ms,
    gunTimeMs: ms,
    overallPlace: status === 'finished' ? posInt(r.place) : null,
    genderPlace: status === 'finished' ? posInt(r.gender_place) : null,
    division: str(r.agegroup),
    divisionPlace: status === 'finished' ? posInt(r.age_rank) : null,
    splits: [],
    raw: r,
  };
}

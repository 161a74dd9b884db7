/** ACTIVE.com payloads → neutral records. An asset is our Event, its components our Races. */
import type { ProviderEvent, ProviderParticipant, ProviderRace } from '../records.js';
import { distanceMeters, genderOf, isoDate, isoInstant, str } from '../units.js';
import { REGISTRATION_FIELDS as F } from './guessed-shapes.js';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** activityStartDate: "2025-06-01T07:00:00" (local, no offset) or with one. */
function localStart(v: unknown): { date: string | null; instant: string | null } {
  const s = str(v);
  if (!s) return { date: null, instant: null };
  return { date: isoDate(s), instant: /([+-]\d{2}:?\d{2}|Z)$/.test(s) ? isoInstant(s) : null };
}

export function toEvent(a: Obj): ProviderEvent {
  const place = obj(a.place);
  return {
    provider: 'active',
    externalId: String(a.assetGuid),
    name: str(a.assetName) ?? `ACTIVE event ${String(a.assetGuid)}`,
    startDate: localStart(a.activityStartDate).date,
    timezone: str(a.timezone),
    city: str(place.cityName),
    region: str(place.stateProvinceCode),
    country: str(place.countryCode),
    url: str(a.urlAdr) ?? str(a.registrationUrlAdr),
    status: str(a.assetStatus && obj(a.assetStatus).assetStatusName),
    updatedAt: isoInstant(a.modifiedDate),
    raw: a,
  };
}

export function toRaces(a: Obj): ProviderRace[] {
  return arr(a.assetComponents).map((v) => {
    const c = obj(v);
    return {
      provider: 'active' as const,
      externalId: String(c.assetGuid),
      eventExternalId: String(a.assetGuid),
      name: str(c.assetName) ?? 'Race',
      distanceMeters: distanceMeters(c.assetName),
      startsAt: localStart(c.activityStartDate).instant,
      waves: [],
      raw: c,
    };
  });
}

export function toParticipant(eventId: string, r: Obj, raceByName: Map<string, string>): ProviderParticipant {
  const category = str(r[F.category]);
  const status = (str(r[F.status]) ?? '').toLowerCase();
  return {
    provider: 'active',
    externalId: String(r[F.id]),
    eventExternalId: eventId,
    raceExternalId: category ? (raceByName.get(category.toLowerCase()) ?? null) : null,
    bib: str(r[F.bib]),
    chip: null,
    firstName: str(r[F.firstName]),
    lastName: str(r[F.lastName]),
    gender: genderOf(r[F.gender]),
    birthDate: isoDate(r[F.birthDate]),
    age: null,
    email: null,
    city: str(r[F.city]),
    region: str(r[F.region]),
    country: str(r[F.country]),
    team: null,
    division: category,
    wave: null,
    status: status === 'cancelled' || status === 'canceled' || status === 'refunded' ? 'cancelled' : 'active',
    registeredAt: isoInstant(r[F.createdAt]),
    updatedAt: null,
    raw: r,
  };
}

/** Race Roster payloads → neutral records. ISO dates with offsets; gender integers 0/1/2/8/9 [doc]. */
import type { ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult } from '../records.js';
import { distanceMeters, genderOf, isoDate, isoInstant, posInt, resultTime, statusOf, str } from '../units.js';
import { PARTICIPANT_FIELDS as F } from './guessed-shapes.js';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const code = (v: unknown) => str(obj(v).code) ?? str(v);

export function toEvent(e: Obj): ProviderEvent {
  return {
    provider: 'raceroster',
    externalId: String(e.eventId),
    name: str(e.name) ?? `Race Roster event ${String(e.eventId)}`,
    startDate: isoDate(e.startDate),
    timezone: str(e.timeZone),
    city: str(e.city),
    region: code(e.region),
    country: code(e.country),
    url: str(e.url),
    status: str(e.status),
    updatedAt: isoInstant(e.lastModifiedDate),
    raw: e,
  };
}

export function toRaces(e: Obj): ProviderRace[] {
  return arr(obj(e.subEvents).data ?? e.subEvents).map((v) => {
    const s = obj(v);
    const m = Number(obj(s.subEventDistance).inMeters);
    return {
      provider: 'raceroster' as const,
      externalId: String(s.subEventId),
      eventExternalId: String(e.eventId),
      name: str(s.name) ?? `Sub-event ${String(s.subEventId)}`,
      distanceMeters: Number.isFinite(m) && m > 0 ? m : distanceMeters(s.name),
      startsAt: isoInstant(s.startDate),
      waves: [],
      raw: s,
    };
  });
}

export function toParticipant(eventId: string, p: Obj): ProviderParticipant {
  const active = p[F.active];
  return {
    provider: 'raceroster',
    externalId: String(p[F.id]),
    eventExternalId: eventId,
    raceExternalId: str(p[F.subEventId]),
    bib: str(p[F.bib]),
    chip: null,
    firstName: str(p[F.firstName]),
    lastName: str(p[F.lastName]),
    gender: genderOf(p[F.gender]),
    birthDate: isoDate(p[F.birthDate]),
    age: null,
    email: str(p.email),
    city: str(p[F.city]),
    region: code(p[F.region]),
    country: code(p[F.country]),
    team: str(p[F.team]),
    division: null,
    wave: null,
    status: active === false ? 'cancelled' : 'active',
    registeredAt: isoInstant(p[F.registeredAt]),
    updatedAt: isoInstant(p[F.updatedAt]),
    raw: p,
  };
}

/** A public results row: `name` is the whole name; gender only through the division ("F 30-39"). */
export function toResult(eventId: string, subEventId: string, r: Obj): ProviderResult {
  const name = str(r.name) ?? '';
  const i = name.indexOf(' ');
  const gun = resultTime(r.gunTime);
  const chip = resultTime(r.chipTime);
  const division = str(r.division);
  return {
    provider: 'raceroster',
    externalId: String(r.id),
    eventExternalId: eventId,
    raceExternalId: subEventId,
    participantExternalId: str(r.participantId),
    bib: str(r.bib),
    firstName: name === '' ? null : i < 0 ? name : name.slice(0, i),
    lastName: i < 0 ? null : name.slice(i + 1),
    gender: genderOf(r.gender ?? /^([MFX])\b/i.exec(division ?? '')?.[1]),
    age: null,
    city: str(r.fromCity),
    region: str(r.fromProvState),
    country: str(r.fromCountry),
    status: statusOf(gun.status ?? chip.status, gun.ms, chip.ms),
    chipTimeMs: chip.ms,
    gunTimeMs: gun.ms,
    overallPlace: posInt(r.overallPlace),
    genderPlace: posInt(r.genderPlace),
    division,
    divisionPlace: posInt(r.divisionPlace),
    splits: [],
    raw: r,
  };
}

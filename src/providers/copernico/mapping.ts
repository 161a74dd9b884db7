/**
 * Copernico payloads → neutral records. Strings are sometimes double-encoded UTF-8; every
 * body is repaired (units.repairUtf8Deep) before it is mapped, and `raw` keeps the repaired
 * text. Times are ms; gender is "male"/"female".
 */
import type { ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult } from '../records.js';
import { ageOf, distanceMeters, genderOf, isoDate, isoInstant, msString, posInt, str, statusWord } from '../units.js';
import { FINISH_SPLIT, RACE_EVENT_FIELDS as E, RUNNER_FIELDS as F, RUNNER_STATUS } from './guessed-shapes.js';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function toEvent(slug: string, r: Obj): ProviderEvent {
  return {
    provider: 'copernico',
    externalId: slug,
    name: str(r.name) ?? slug,
    startDate: isoDate(r.date),
    timezone: str(r.timezone),
    city: str(r.city) ?? str(r.location),
    region: str(r.province) ?? str(r.region),
    country: str(r.country),
    url: str(r.url),
    status: str(r.status),
    updatedAt: isoInstant(r.updatedAt),
    raw: r,
  };
}

export function toRaces(slug: string, r: Obj): ProviderRace[] {
  return arr(r.events).map((v) => {
    const e = obj(v);
    const d = Number(e[E.distance]);
    return {
      provider: 'copernico' as const,
      externalId: String(e[E.id]),
      eventExternalId: slug,
      name: str(e[E.name]) ?? String(e[E.id]),
      distanceMeters: Number.isFinite(d) && d > 0 ? d : distanceMeters(e[E.name]),
      startsAt: isoInstant(e[E.start]),
      waves: arr(e.waves).map((w) => str(obj(w).name) ?? str(w)).filter((w): w is string => w !== null),
      raw: e,
    };
  });
}

function chipOf(v: unknown): string | null {
  if (Array.isArray(v)) return v.map((c) => str(c)).filter((c): c is string => c !== null).join(',') || null;
  return str(v);
}

export function toParticipant(slug: string, eventId: string, r: Obj): ProviderParticipant {
  return {
    provider: 'copernico',
    externalId: String(r[F.id]),
    eventExternalId: slug,
    raceExternalId: eventId,
    bib: str(r[F.bib]),
    chip: chipOf(r[F.chip]),
    firstName: str(r[F.firstName]),
    lastName: str(r[F.lastName]),
    gender: genderOf(r[F.gender]),
    birthDate: isoDate(r[F.birthDate]),
    age: ageOf(r.age),
    email: null,
    city: str(r[F.city]),
    region: null,
    country: str(r[F.country]),
    team: str(r[F.club]),
    division: str(r[F.category]),
    wave: str(r[F.wave]),
    status: 'active',
    registeredAt: null,
    updatedAt: null,
    raw: r,
  };
}

export function toResult(slug: string, eventId: string, r: Obj): ProviderResult {
  const times = obj(r[F.times]);
  const finish = obj(times[FINISH_SPLIT]);
  const word = str(r[F.status])?.toLowerCase() ?? '';
  const gun = msString(finish.time);
  const net = msString(finish.netTime);
  const status = RUNNER_STATUS[word] ?? statusWord(word) ?? (gun !== null || net !== null ? 'finished' : 'unknown');
  const done = status === 'finished';
  return {
    provider: 'copernico',
    externalId: `${eventId}:${String(r[F.id])}`,
    eventExternalId: slug,
    raceExternalId: eventId,
    participantExternalId: String(r[F.id]),
    bib: str(r[F.bib]),
    firstName: str(r[F.firstName]),
    lastName: str(r[F.lastName]),
    gender: genderOf(r[F.gender]),
    age: ageOf(r.age),
    city: str(r[F.city]),
    region: null,
    country: str(r[F.country]),
    status,
    chipTimeMs: done ? net : null,
    gunTimeMs: done ? gun : null,
    overallPlace: done ? posInt(r[F.overallPlace]) : null,
    genderPlace: done ? posInt(r[F.genderPlace]) : null,
    division: str(r[F.category]),
    divisionPlace: done ? posInt(r[F.categoryPlace]) : null,
    splits: Object.entries(times)
      .filter(([k]) => k !== FINISH_SPLIT)
      .map(([k, v]) => {
        const d = Number(obj(v).distance);
        return { externalId: k, label: k, distanceMeters: Number.isFinite(d) && d > 0 ? d : distanceMeters(k), timeMs: msString(obj(v).time) };
      }),
    raw: r,
  };
}

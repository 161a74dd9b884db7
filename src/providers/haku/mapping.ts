/** Haku payloads (all [guess]: guessed-shapes.ts) → neutral records. */
import type { ProviderEvent, ProviderParticipant, ProviderRace, ProviderResult } from '../records.js';
import { ageOf, distanceMeters, genderOf, isoDate, isoInstant, posInt, resultTime, statusOf, statusWord, str } from '../units.js';
import type { HakuEvent, HakuRegistration, HakuResult } from './guessed-shapes.js';

export function toEvent(e: HakuEvent): ProviderEvent {
  return {
    provider: 'haku',
    externalId: String(e.id),
    name: str(e.name) ?? `Haku event ${String(e.id)}`,
    startDate: isoDate(e.start_date),
    timezone: str(e.time_zone),
    city: str(e.city),
    region: str(e.state),
    country: str(e.country),
    url: str(e.url),
    status: str(e.status),
    updatedAt: isoInstant(e.updated_at),
    raw: e,
  };
}

export function toRaces(e: HakuEvent): ProviderRace[] {
  return (e.races ?? []).map((r) => ({
    provider: 'haku' as const,
    externalId: String(r.id),
    eventExternalId: String(e.id),
    name: str(r.name) ?? `Race ${String(r.id)}`,
    distanceMeters: typeof r.distance_meters === 'number' && r.distance_meters > 0 ? r.distance_meters : distanceMeters(r.name),
    startsAt: isoInstant(r.start_time),
    waves: (r.waves ?? []).filter((w) => typeof w === 'string'),
    raw: r,
  }));
}

export function toParticipant(eventId: string, r: HakuRegistration): ProviderParticipant {
  const s = (r.status ?? '').toLowerCase();
  return {
    provider: 'haku',
    externalId: String(r.id),
    eventExternalId: eventId,
    raceExternalId: str(r.race_id),
    bib: str(r.bib),
    chip: null,
    firstName: str(r.first_name),
    lastName: str(r.last_name),
    gender: genderOf(r.gender),
    birthDate: isoDate(r.date_of_birth),
    age: null,
    email: str(r.email),
    city: str(r.city),
    region: str(r.state),
    country: str(r.country),
    team: str(r.team),
    division: null,
    wave: null,
    status: s === 'cancelled' || s === 'canceled' || s === 'refunded' ? 'cancelled' : s === 'transferred' ? 'transferred' : 'active',
    registeredAt: isoInstant(r.created_at),
    updatedAt: isoInstant(r.updated_at),
    raw: r,
  };
}

export function toResult(eventId: string, r: HakuResult): ProviderResult {
  const chip = resultTime(r.chip_time);
  const gun = resultTime(r.gun_time);
  const status = statusOf(statusWord(r.status) ?? chip.status ?? gun.status, chip.ms, gun.ms);
  return {
    provider: 'haku',
    externalId: String(r.id),
    eventExternalId: eventId,
    raceExternalId: str(r.race_id),
    participantExternalId: str(r.registration_id),
    bib: str(r.bib),
    firstName: str(r.first_name),
    lastName: str(r.last_name),
    gender: genderOf(r.gender),
    age: ageOf(r.age),
    city: null,
    region: null,
    country: null,
    status,
    chipTimeMs: chip.ms,
    gunTimeMs: gun.ms,
    overallPlace: posInt(r.overall_place),
    genderPlace: posInt(r.gender_place),
    division: str(r.division),
    divisionPlace: posInt(r.division_place),
    splits: (r.splits ?? []).map((s) => ({
      externalId: null,
      label: str(s.name) ?? 'Split',
      distanceMeters: typeof s.distance_meters === 'number' && s.distance_meters > 0 ? s.distance_meters : distanceMeters(s.name),
      timeMs: resultTime(s.time).ms,
    })),
    raw: r,
  };
}

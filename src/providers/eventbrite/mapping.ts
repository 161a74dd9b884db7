/** Eventbrite payloads → neutral records. Dates are {timezone, local, utc} [doc]; the bib comes from a custom question. */
import type { ProviderEvent, ProviderParticipant, ProviderRace } from '../records.js';
import { ageOf, distanceMeters, genderOf, isoDate, isoInstant, str } from '../units.js';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const textOf = (v: unknown) => str(obj(v).text) ?? str(v);

export function toEvent(e: Obj): ProviderEvent {
  const start = obj(e.start);
  const address = obj(obj(e.venue).address);
  return {
    provider: 'eventbrite',
    externalId: String(e.id),
    name: textOf(e.name) ?? `Eventbrite event ${String(e.id)}`,
    startDate: isoDate(start.local),
    timezone: str(start.timezone),
    city: str(address.city),
    region: str(address.region),
    country: str(address.country),
    url: str(e.url),
    status: str(e.status),
    updatedAt: isoInstant(e.changed),
    raw: e,
  };
}

export function toRace(eventId: string, t: Obj, eventStartUtc: string | null): ProviderRace {
  return {
    provider: 'eventbrite',
    externalId: String(t.id),
    eventExternalId: eventId,
    name: str(t.name) ?? `Ticket ${String(t.id)}`,
    distanceMeters: distanceMeters(t.name),
    startsAt: eventStartUtc,
    waves: [],
    raw: t,
  };
}

/** The answer to the bib question: matched by question id, or by its text (case and spaces ignored). */
export function bibFrom(answers: unknown, question: string): string | null {
  const want = question.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const a of arr(answers).map(obj)) {
    const text = (str(a.question) ?? '').toLowerCase().replace(/\s+/g, ' ');
    if (String(a.question_id) === question.trim() || text === want) return str(a.answer);
  }
  return null;
}

export function toParticipant(eventId: string, a: Obj, bibQuestion: string): ProviderParticipant {
  const p = obj(a.profile);
  const home = obj(obj(p.addresses).home);
  const gone = a.cancelled === true || a.refunded === true || a.status === 'Not Attending' || a.status === 'Deleted';
  return {
    provider: 'eventbrite',
    externalId: String(a.id),
    eventExternalId: eventId,
    raceExternalId: str(a.ticket_class_id),
    bib: bibFrom(a.answers, bibQuestion),
    chip: null,
    firstName: str(p.first_name),
    lastName: str(p.last_name),
    gender: genderOf(p.gender),
    birthDate: isoDate(p.birth_date),
    age: ageOf(p.age),
    email: str(p.email),
    city: str(home.city),
    region: str(home.region),
    country: str(home.country),
    team: null,
    division: null,
    wave: null,
    status: a.status === 'Transferred' ? 'transferred' : gone ? 'cancelled' : 'active',
    registeredAt: isoInstant(a.created),
    updatedAt: isoInstant(a.changed),
    raw: a,
  };
}

/**
 * Turns CTP01 times into instants. Local times (iso, normal, msecs) need the event's time
 * zone, and times of day also the event date. Done here rather than in SQL: PostgreSQL's
 * AT TIME ZONE with a named zone cost a third of the insert rate. The zone offset is cached
 * per zone and UTC hour, so Intl runs once an hour of race, not once a read.
 */
import { TimeKind } from '../ctp01/index.js';
import { wallClock } from '../time-zone.js';

export interface EventClock {
  timezone: string;
  /** The session's local event date, YYYY-MM-DD. */
  eventDate: string;
}

const HOUR = 3_600_000;
const offsets = new Map<string, number>();

/** Epoch ms of a read time, given the session's clock. */
export function toInstant(kind: TimeKind, ms: number, clock: EventClock): number {
  switch (kind) {
    case TimeKind.Epoch:
      return ms;
    case TimeKind.LocalDateTime:
      return localToUtc(ms, clock.timezone);
    case TimeKind.TimeOfDay:
      // Times past 24 h (multi-day events) simply run into the following days.
      return localToUtc(Date.parse(`${clock.eventDate}T00:00:00Z`) + ms, clock.timezone);
  }
}

/** Wall-clock ms (read as if UTC) in `tz` → epoch ms. Gaps and overlaps resolve like PostgreSQL's. */
export function localToUtc(wallMs: number, tz: string): number {
  const first = offsetAt(wallMs, tz);
  const guess = wallMs - first;
  const second = offsetAt(guess, tz);
  return second === first ? guess : wallMs - second;
}

/** The zone's offset (wall − UTC, ms) at an instant. */
export function offsetAt(utcMs: number, tz: string): number {
  const hour = Math.floor(utcMs / HOUR);
  const key = `${tz}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    // Offsets change on hour boundaries in every zone in use today (some at :30/:45, still
    // constant within a UTC hour for all but a handful of historical transitions).
    const at = hour * HOUR;
    const p = wallClock(new Date(at), tz);
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    offset = wall - at;
    if (offsets.size > 10_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

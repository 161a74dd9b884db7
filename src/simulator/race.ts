/**
 * A pure, seeded race model: who crosses which mat when, and the raw reads a ChronoTrack
 * controller would number and push for it. No I/O, no clock: times are ms after the gun,
 * turned into wire text only when a time format has been negotiated.
 */
import { formatTime, tagLine, TimeKind, type TimeFormat } from '../ctp01/index.js';
import { createRng, type Rng } from './prng.js';

/** A timing point on the course. */
export interface CourseLocation {
  name: string;
  distanceKm: number;
}

export interface RaceEvent {
  name: string;
  id: string;
  description: string;
  /** Local event date, YYYY-MM-DD. */
  date: string;
  /** Gun time as ms after local midnight of `date`. */
  gunTimeOfDayMs: number;
  /** Offset of the event's local time from UTC, minutes (e.g. 120 for CEST); only unix times need it. */
  utcOffsetMinutes: number;
}

export interface RaceOptions {
  seed?: number;
  runners?: number;
  firstBib?: number;
  course?: CourseLocation[];
  event?: Partial<RaceEvent>;
  /** Median pace in s/km; individual paces are log-normal around it. */
  medianPaceSecPerKm?: number;
  /** σ of ln(pace); 0.2 gives roughly 4:15–7:00 /km for the middle 80 % at a 5:30 median. */
  paceSpread?: number;
  /** Runners crossing the start mat per second (chip start behind the gun). */
  startFlowPerSecond?: number;
  minReadsPerCrossing?: number;
  maxReadsPerCrossing?: number;
  /** Reads of one crossing fall within this window. */
  crossingWindowMs?: number;
  /** Mat segments per location, numbered 1..gators. */
  gators?: number;
  /** Share of runners that stop before the finish. */
  dnfRate?: number;
  /** Chance that a mat misses a runner entirely (a real-world gap results must survive). */
  missRate?: number;
  /** 6 hex chars put in the reader field of guntime and newlocation lines. */
  controllerId?: string;
}

/** One raw read, as the controller stores and numbers it. */
export interface SimObservation {
  location: string;
  /** 1..n per location, in time order. */
  sequence: number;
  /** Bib as text, or `guntime`. */
  tag: string;
  /** ms after the gun. */
  raceMs: number;
  lap: number;
  readerId: string;
  gator: number;
}

export interface LocationTrack extends CourseLocation {
  /** The mat's reader: last three MAC octets as 6 hex chars. */
  readerId: string;
  observations: SimObservation[];
}

/** A simulated athlete: bib (= tag), pace, and when each mat first sees them. */
export interface Athlete {
  bib: number;
  paceSecPerKm: number;
  startDelayMs: number;
  /** First-read time per course location (same order as `locations`), null when not read there. */
  crossings: Array<number | null>;
}

export interface Race {
  event: RaceEvent;
  controllerId: string;
  athletes: Athlete[];
  /** Sorted by distance; the first is the start, where the guntime line is. */
  locations: LocationTrack[];
}

export const DEFAULT_COURSE: readonly CourseLocation[] = [
  { name: 'start', distanceKm: 0 },
  { name: '5k', distanceKm: 5 },
  { name: 'finish', distanceKm: 10 },
];

/** The event's date defaults to today (UTC): the collector stores only reads timed near now. */
const DEFAULT_EVENT: Omit<RaceEvent, 'date'> = {
  name: 'Simulated 10K',
  id: '1',
  description: 'Replayed by p88 simulate',
  gunTimeOfDayMs: 8 * 3600_000,
  utcOffsetMinutes: 0,
};

const LOCATION_NAME = /^[^,;~|\t\0\r\n]{1,16}$/;
const MAX_SEQUENCE = 999_999;

/** Builds the race for a seed; the same options always give the same race (on the same day, unless options.event.date is set). */
export function generateRace(options: RaceOptions = {}): Race {
  const rng = createRng(options.seed ?? 1);
  const runnerCount = options.runners ?? 100;
  const firstBib = options.firstBib ?? 1000;
  const course = [...(options.course ?? DEFAULT_COURSE)].sort((a, b) => a.distanceKm - b.distanceKm);
  validateCourse(course);
  const event: RaceEvent = { ...DEFAULT_EVENT, date: new Date().toISOString().slice(0, 10), ...options.event };
  const controllerId = (options.controllerId ?? rng.hex(6)).toUpperCase();
  if (!/^[0-9A-F]{6}$/.test(controllerId)) throw new Error('controllerId must be 6 hex chars');

  const cfg = {
    medianPace: options.medianPaceSecPerKm ?? 330,
    spread: options.paceSpread ?? 0.2,
    flow: options.startFlowPerSecond ?? 20,
    minReads: options.minReadsPerCrossing ?? 1,
    maxReads: options.maxReadsPerCrossing ?? 6,
    window: options.crossingWindowMs ?? 1000,
    gators: options.gators ?? 4,
    dnfRate: options.dnfRate ?? 0.01,
    missRate: options.missRate ?? 0.003,
  };
  if (cfg.minReads < 1 || cfg.maxReads < cfg.minReads) throw new Error('reads per crossing must be 1 ≤ min ≤ max');
  if (cfg.gators < 1 || cfg.gators > 99) throw new Error('gators must be 1–99');

  const locations: LocationTrack[] = course.map((c) => ({ ...c, readerId: rng.hex(6), observations: [] }));
  const athletes = makeAthletes(rng, runnerCount, firstBib, cfg.medianPace, cfg.spread, cfg.flow);

  const start = locations[0];
  if (start) {
    start.observations.push({
      location: start.name, sequence: 0, tag: 'guntime', raceMs: 0, lap: 0, readerId: controllerId, gator: 0,
    });
  }
  for (const athlete of athletes) {
    athlete.crossings = crossingTimes(rng, athlete, course, cfg.dnfRate);
    athlete.crossings.forEach((at, i) => {
      const loc = locations[i];
      if (at === null || !loc) return;
      if (rng.next() < cfg.missRate) {
        athlete.crossings[i] = null;
        return;
      }
      addReads(rng, loc, athlete.bib, at, cfg);
    });
  }
  for (const loc of locations) {
    // Stable sort: reads at the same millisecond keep generation order, so the seed fixes the order.
    loc.observations.sort((a, b) => a.raceMs - b.raceMs);
    if (loc.observations.length > MAX_SEQUENCE) {
      throw new Error(`${loc.name} has ${loc.observations.length} reads; CTP01 sequences stop at ${MAX_SEQUENCE}`);
    }
    loc.observations.forEach((o, i) => (o.sequence = i + 1));
  }
  return { event, controllerId, athletes, locations };
}

/** Throws when a course cannot be carried by CTP01 (names) or makes no sense (distances). */
export function validateCourse(course: CourseLocation[]): void {
  if (course.length === 0) throw new Error('a course needs at least one location');
  const seen = new Set<string>();
  for (const c of course) {
    if (!LOCATION_NAME.test(c.name)) {
      throw new Error(`location name "${c.name}" must be 1–16 chars without , ; ~ | tab`);
    }
    if (seen.has(c.name)) throw new Error(`location "${c.name}" appears twice`);
    if (!(c.distanceKm >= 0) || !Number.isFinite(c.distanceKm)) throw new Error(`location "${c.name}" needs a distance ≥ 0`);
    seen.add(c.name);
  }
}

function makeAthletes(rng: Rng, count: number, firstBib: number, median: number, spread: number, flow: number): Athlete[] {
  const athletes: Athlete[] = [];
  for (let i = 0; i < count; i++) {
    const pace = median * Math.exp(spread * rng.normal());
    // Walkers and elites exist, but a 10× spread would only model typos.
    athletes.push({ bib: firstBib + i, paceSecPerKm: clamp(pace, median / 2.5, median * 2.5), startDelayMs: 0, crossings: [] });
  }
  // Faster runners line up in front, imperfectly: the start mat sees a seeded-corral order.
  const order = athletes
    .map((r) => ({ r, key: Math.log(r.paceSecPerKm) + 0.15 * rng.normal() }))
    .sort((a, b) => a.key - b.key);
  order.forEach(({ r }, rank) => {
    r.startDelayMs = Math.round(((rank + rng.next()) / flow) * 1000) + 1;
  });
  return athletes;
}

/** First-read time at each course location, null after a DNF. */
function crossingTimes(rng: Rng, athlete: Athlete, course: CourseLocation[], dnfRate: number): Array<number | null> {
  const total = course[course.length - 1]?.distanceKm ?? 0;
  // Most runners slow down a little as the race goes on; some negative-split.
  const fade = clamp(0.05 + 0.05 * rng.normal(), -0.05, 0.3);
  const lastReached = rng.next() < dnfRate && course.length > 1 ? rng.int(0, course.length - 2) : course.length - 1;
  const times: Array<number | null> = [];
  let at = athlete.startDelayMs;
  let prevKm = course[0]?.distanceKm ?? 0;
  // Distance before the first mat is covered from the gun line, not the mat.
  at += prevKm * athlete.paceSecPerKm * 1000;
  course.forEach((loc, i) => {
    const seg = loc.distanceKm - prevKm;
    if (seg > 0) {
      const progress = total > 0 ? loc.distanceKm / total : 0;
      const segPace = athlete.paceSecPerKm * (1 + fade * progress) * Math.exp(0.03 * rng.normal());
      at += seg * segPace * 1000;
    }
    prevKm = loc.distanceKm;
    times.push(i <= lastReached ? Math.round(at) : null);
  });
  return times;
}

interface ReadConfig {
  minReads: number;
  maxReads: number;
  window: number;
  gators: number;
}

function addReads(rng: Rng, loc: LocationTrack, bib: number, at: number, cfg: ReadConfig): void {
  // Sum of two uniforms: middling read counts are commoner than 1 or max.
  const span = cfg.maxReads - cfg.minReads + 1;
  const reads = cfg.minReads + Math.min(span - 1, Math.floor(((rng.next() + rng.next()) / 2) * span));
  const gator = rng.int(1, cfg.gators);
  const offsets = [0];
  for (let i = 1; i < reads; i++) offsets.push(Math.floor(rng.next() * cfg.window));
  offsets.sort((a, b) => a - b);
  for (const off of offsets) {
    // A runner's chip is seen mostly by one mat segment, sometimes by its neighbour.
    const g = rng.next() < 0.25 ? clamp(gator + (rng.next() < 0.5 ? -1 : 1), 1, cfg.gators) : gator;
    loc.observations.push({
      location: loc.name, sequence: 0, tag: String(bib), raceMs: at + off, lap: 1, readerId: loc.readerId, gator: g,
    });
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Formats a race time (ms after the gun) as the event's local time in a CTP01 time format. */
export function formatRaceTime(event: RaceEvent, raceMs: number, format: TimeFormat): string {
  const timeOfDay = event.gunTimeOfDayMs + raceMs;
  const [y, m, d] = event.date.split('-').map(Number) as [number, number, number];
  const midnightWall = Date.UTC(y, m - 1, d);
  switch (format) {
    case 'normal':
    case 'msecs':
      return formatTime({ kind: TimeKind.TimeOfDay, ms: timeOfDay }, format);
    case 'iso':
      return formatTime({ kind: TimeKind.LocalDateTime, ms: midnightWall + timeOfDay }, format);
    case 'unix':
      return formatTime({ kind: TimeKind.Epoch, ms: midnightWall + timeOfDay - event.utcOffsetMinutes * 60_000 }, format);
  }
}

export type TagFormat = 'CT01_33' | 'CT01_13';

/** The wire line (CRLF included) for one observation. */
export function renderObservation(race: Race, o: SimObservation, timeFormat: TimeFormat, tagFormat: TagFormat = 'CT01_33'): string {
  return tagLine({
    format: tagFormat,
    sequence: o.sequence,
    location: o.location,
    tag: o.tag,
    timeText: formatRaceTime(race.event, o.raceMs, timeFormat),
    lap: o.lap,
    readerId: o.readerId,
    gator: o.gator,
  });
}

/**
 * Renders observation lines, same output as renderObservation but several times faster:
 * reads arrive in time order, so the formatted second is reused and only the hundredths
 * change. Rendering on the fly (not keeping millions of strings) keeps a max-speed run's
 * garbage young and cheap to collect.
 */
export class LineRenderer {
  private readonly sep: string;
  private lastSecond = NaN;
  private secondText = '';

  constructor(
    private readonly race: Race,
    private readonly timeFormat: TimeFormat,
    private readonly tagFormat: TagFormat = 'CT01_33',
  ) {
    this.sep = tagFormat === 'CT01_13' ? ',' : '~';
  }

  line(o: SimObservation): string {
    const sep = this.sep;
    return `${this.tagFormat}${sep}${o.sequence}${sep}${o.location}${sep}${o.tag}${sep}${this.time(o.raceMs)}${sep}${o.lap}${sep}${o.readerId}${sep}${o.gator}\r\n`;
  }

  private time(raceMs: number): string {
    if (this.timeFormat === 'msecs') return formatRaceTime(this.race.event, raceMs, 'msecs');
    const gun = this.race.event.gunTimeOfDayMs;
    // Seconds of the wall clock, not of the race: the gun need not fall on a whole second.
    const wallMs = gun + raceMs;
    const second = Math.floor(wallMs / 1000);
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      // Every format but msecs ends in `.hh`; the prefix up to it is the same within a second.
      this.secondText = formatRaceTime(this.race.event, second * 1000 - gun, this.timeFormat).slice(0, -2);
    }
    const h = Math.floor((wallMs % 1000) / 10);
    return this.secondText + (h < 10 ? `0${h}` : `${h}`);
  }
}

/** Every line of a location, in order. */
export function renderTrack(race: Race, observations: SimObservation[], timeFormat: TimeFormat, tagFormat: TagFormat = 'CT01_33'): string[] {
  const r = new LineRenderer(race, timeFormat, tagFormat);
  return observations.map((o) => r.line(o));
}

const NAMED_DISTANCE = /^(\d+(?:\.\d+)?)(k|km|mi|m)$/i;

/**
 * A course from location names alone: `start` is 0, `finish` is `courseKm`, names such as
 * `5k`, `10km`, `3mi` or `800m` carry their distance, anything else sits evenly between its
 * known neighbours. Order is kept as given.
 */
export function courseFromNames(names: string[], courseKm = 10): CourseLocation[] {
  const known = names.map((n, i): number | null => {
    const lower = n.toLowerCase();
    if (lower === 'start') return 0;
    if (lower === 'finish') return courseKm;
    const m = NAMED_DISTANCE.exec(n);
    if (m) {
      const v = Number(m[1]);
      const unit = (m[2] ?? 'k').toLowerCase();
      return unit === 'mi' ? v * 1.609344 : unit === 'm' ? v / 1000 : v;
    }
    if (i === 0) return 0;
    if (i === names.length - 1) return courseKm;
    return null;
  });
  return names.map((name, i) => ({ name, distanceKm: known[i] ?? interpolate(known, i) }));
}

function interpolate(known: Array<number | null>, i: number): number {
  let lo = i - 1;
  while (lo > 0 && known[lo] === null) lo--;
  let hi = i + 1;
  while (hi < known.length - 1 && known[hi] === null) hi++;
  const a = known[lo] ?? 0;
  const b = known[hi] ?? a;
  return a + ((b - a) * (i - lo)) / (hi - lo);
}

/** Parses `start:0,5k:5,finish:10` (name:km pairs). Throws with the offending item. */
export function parseCourse(text: string): CourseLocation[] {
  return text.split(',').map((item) => {
    const idx = item.lastIndexOf(':');
    const name = item.slice(0, idx).trim();
    const km = Number(item.slice(idx + 1));
    if (idx <= 0 || !name || item.slice(idx + 1).trim() === '' || !Number.isFinite(km) || km < 0) {
      throw new Error(`course item "${item}" is not name:km`);
    }
    return { name, distanceKm: km };
  });
}

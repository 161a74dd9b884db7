import { describe, expect, it } from 'vitest';
import { parseClientLine } from '../ctp01/index.js';
import { courseFromNames, formatRaceTime, generateRace, parseCourse, renderObservation, renderTrack, type RaceEvent } from './race.js';

const course = [
  { name: 'start', distanceKm: 0 },
  { name: '5k', distanceKm: 5 },
  { name: '10k', distanceKm: 10 },
  { name: 'finish', distanceKm: 21.1 },
];

describe('generateRace', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateRace({ seed: 42, runners: 200, course });
    const b = generateRace({ seed: 42, runners: 200, course });
    const c = generateRace({ seed: 43, runners: 200, course });
    expect(b).toEqual(a);
    expect(c.locations[1]!.observations).not.toEqual(a.locations[1]!.observations);
  });

  it('numbers each location 1..n in time order', () => {
    const race = generateRace({ seed: 7, runners: 300, course });
    for (const loc of race.locations) {
      expect(loc.observations.length).toBeGreaterThan(300);
      loc.observations.forEach((o, i) => {
        expect(o.sequence).toBe(i + 1);
        expect(o.location).toBe(loc.name);
        if (i > 0) expect(o.raceMs).toBeGreaterThanOrEqual(loc.observations[i - 1]!.raceMs);
      });
    }
  });

  it('puts the gun time first at the start, lap 0, controller id as reader', () => {
    const race = generateRace({ seed: 1, runners: 50, course, controllerId: '0a1b2c' });
    const gun = race.locations[0]!.observations[0]!;
    expect(gun).toMatchObject({ sequence: 1, tag: 'guntime', raceMs: 0, lap: 0, readerId: '0A1B2C', gator: 0 });
    expect(race.locations.slice(1).every((l) => l.observations.every((o) => o.tag !== 'guntime'))).toBe(true);
  });

  it('gives tags equal to bibs from 1000, with 1–6 reads per crossing within a second on one mat', () => {
    const race = generateRace({ seed: 3, runners: 400, course, dnfRate: 0, missRate: 0 });
    expect(race.athletes.map((r) => r.bib)).toEqual(Array.from({ length: 400 }, (_, i) => 1000 + i));
    const finish = race.locations[3]!;
    expect(finish.readerId).toMatch(/^[0-9A-F]{6}$/);
    const byTag = new Map<string, number[]>();
    for (const o of finish.observations) {
      expect(o.readerId).toBe(finish.readerId);
      expect(o.gator).toBeGreaterThanOrEqual(1);
      expect(o.gator).toBeLessThanOrEqual(4);
      expect(o.lap).toBe(1);
      byTag.set(o.tag, [...(byTag.get(o.tag) ?? []), o.raceMs]);
    }
    expect(byTag.size).toBe(400);
    const counts = [...byTag.values()].map((t) => t.length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(6);
    expect(new Set(counts).size).toBeGreaterThanOrEqual(4);
    for (const times of byTag.values()) expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1000);
    expect(new Set(finish.observations.map((o) => o.gator)).size).toBe(4);
  });

  it('moves every runner forward along the course at a log-normal pace', () => {
    const race = generateRace({ seed: 11, runners: 2000, course, dnfRate: 0, missRate: 0, medianPaceSecPerKm: 300 });
    for (const r of race.athletes) {
      const [s, k5, k10, fin] = r.crossings as number[];
      expect(s).toBeGreaterThan(0);
      expect(k5).toBeGreaterThan(s!);
      expect(k10).toBeGreaterThan(k5!);
      expect(fin).toBeGreaterThan(k10!);
    }
    const paces = race.athletes.map((r) => r.paceSecPerKm).sort((a, b) => a - b);
    const median = paces[1000]!;
    expect(median).toBeGreaterThan(285);
    expect(median).toBeLessThan(315);
    // Spread: the 10th and 90th percentiles of exp(0.2·z) are ×0.77 and ×1.29.
    expect(paces[200]! / median).toBeCloseTo(0.774, 1);
    expect(paces[1800]! / median).toBeCloseTo(1.292, 1);
    // Arrivals at the finish spread over tens of minutes, not a single burst.
    const fin = race.locations[3]!.observations;
    expect(fin[fin.length - 1]!.raceMs - fin[0]!.raceMs).toBeGreaterThan(40 * 60_000);
  });

  it('loses DNF runners after some point and an occasional missed read', () => {
    const race = generateRace({ seed: 5, runners: 1000, course, dnfRate: 0.1, missRate: 0.02 });
    const noFinish = race.athletes.filter((r) => r.crossings[3] === null).length;
    expect(noFinish).toBeGreaterThan(80);
    expect(noFinish).toBeLessThan(200);
    const finishTags = new Set(race.locations[3]!.observations.map((o) => o.tag));
    expect(finishTags.size).toBe(1000 - noFinish);
  });

  it('rejects location names CTP01 cannot carry', () => {
    expect(() => generateRace({ course: [{ name: 'a-very-long-location', distanceKm: 0 }] })).toThrow(/1–16 chars/);
    expect(() => generateRace({ course: [{ name: 'a~b', distanceKm: 0 }] })).toThrow(/1–16 chars/);
    expect(() => generateRace({ course: [{ name: 'x', distanceKm: 0 }, { name: 'x', distanceKm: 1 }] })).toThrow(/twice/);
  });
});

describe('times and lines', () => {
  // The spec's example: 16 Oct 2008, 14:02:15.31.
  const event: RaceEvent = {
    name: 'e', id: '1', description: '', date: '2008-10-16', gunTimeOfDayMs: (14 * 3600 + 2 * 60 + 15) * 1000 + 310, utcOffsetMinutes: 0,
  };

  it('formats a race time in every CTP01 format', () => {
    expect(formatRaceTime(event, 0, 'normal')).toBe('14:02:15.31');
    expect(formatRaceTime(event, 0, 'iso')).toBe('2008-10-16T14:02:15.31');
    expect(formatRaceTime(event, 0, 'unix')).toBe('1224165735.31');
    expect(formatRaceTime(event, 0, 'msecs')).toBe('50535310');
    expect(formatRaceTime({ ...event, utcOffsetMinutes: 120 }, 0, 'unix')).toBe('1224158535.31');
    // Past midnight: normal keeps counting hours, iso rolls the date.
    expect(formatRaceTime(event, 10 * 3600_000, 'normal')).toBe('24:02:15.31');
    expect(formatRaceTime(event, 10 * 3600_000, 'iso')).toBe('2008-10-17T00:02:15.31');
  });

  it.each(['normal', 'iso', 'unix', 'msecs'] as const)('renders a whole track in %s exactly as line by line', (format) => {
    // A gun off the whole second and a UTC offset catch a fast path that reuses the wrong second.
    const race = generateRace({ seed: 8, runners: 300, event: { ...event, utcOffsetMinutes: -300 } });
    for (const tagFormat of ['CT01_33', 'CT01_13'] as const) {
      for (const loc of race.locations) {
        expect(renderTrack(race, loc.observations, format, tagFormat)).toEqual(
          loc.observations.map((o) => renderObservation(race, o, format, tagFormat)),
        );
      }
    }
  });

  it('renders CT01_33 lines the parser reads back', () => {
    const race = generateRace({ seed: 2, runners: 5, event });
    const o = race.locations[1]!.observations[0]!;
    const line = renderObservation(race, o, 'iso');
    expect(line.endsWith('\r\n')).toBe(true);
    const parsed = parseClientLine(line.slice(0, -2), 'iso');
    expect(parsed).toMatchObject({ type: 'tag', sequence: 1, location: '5k', tag: o.tag, lap: 1, readerId: o.readerId, gator: o.gator });
  });
});

describe('course helpers', () => {
  it('infers distances from names', () => {
    expect(courseFromNames(['start', '5k', 'half', 'finish'], 20)).toEqual([
      { name: 'start', distanceKm: 0 }, { name: '5k', distanceKm: 5 }, { name: 'half', distanceKm: 12.5 }, { name: 'finish', distanceKm: 20 },
    ]);
    expect(courseFromNames(['a', 'b', 'c'], 10).map((c) => c.distanceKm)).toEqual([0, 5, 10]);
    expect(courseFromNames(['start', '1mi', '800m'])[1]!.distanceKm).toBeCloseTo(1.609, 3);
  });

  it('parses name:km lists and rejects junk', () => {
    expect(parseCourse('start:0,turn:2.5,finish:5')).toEqual([
      { name: 'start', distanceKm: 0 }, { name: 'turn', distanceKm: 2.5 }, { name: 'finish', distanceKm: 5 },
    ]);
    expect(() => parseCourse('start:0,finish')).toThrow(/"finish"/);
    expect(() => parseCourse('start:x')).toThrow(/name:km/);
  });
});

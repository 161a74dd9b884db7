import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_CADENCE, nextSyncAt, parseSyncCadence, syncIntervalAt } from './sync-cadence.js';

const H = 3_600_000;
const M = 60_000;
const cadence = parseSyncCadence(DEFAULT_SYNC_CADENCE);
const start = new Date('2026-06-06T07:00:00Z');
/** A clock `ms` before (negative: after) the start. */
const before = (ms: number) => new Date(start.getTime() - ms);
const gapAfter = (now: Date) => {
  const next = nextSyncAt(now, start, cadence);
  return next === null ? null : next.getTime() - now.getTime();
};

describe('the seed’s cadence', () => {
  it('parses to every 4 h, 15 min within 24 h, 1 min within 4 h, until 1 h after the start', () => {
    expect(cadence).toEqual({ everyMs: 4 * H, steps: [{ withinMs: 24 * H, everyMs: 15 * M }, { withinMs: 4 * H, everyMs: M }], stopAfterMs: H });
  });

  it('syncs every 4 hours while the race is more than a day away', () => {
    expect(gapAfter(before(72 * H))).toBe(4 * H);
    expect(syncIntervalAt(before(30 * H), start, cadence)).toBe(4 * H);
  });

  it('tightens on time: the last far sync before the 24 h mark lands on it', () => {
    // 25 h before: 4 h later would be 21 h before; the 15-minute window opens at 24 h.
    expect(nextSyncAt(before(25 * H), start, cadence)).toEqual(before(24 * H));
    expect(nextSyncAt(before(4 * H + 5 * M), start, cadence)).toEqual(before(4 * H));
  });

  it('syncs every 15 minutes within 24 h and every minute within 4 h, and on through the race', () => {
    expect(gapAfter(before(24 * H))).toBe(15 * M);
    expect(gapAfter(before(10 * H))).toBe(15 * M);
    expect(gapAfter(before(4 * H))).toBe(M);
    expect(gapAfter(before(0))).toBe(M);
    expect(gapAfter(before(-30 * M))).toBe(M);
  });

  it('stops an hour after the start, with a last sync at that moment', () => {
    expect(nextSyncAt(before(-59.5 * M), start, cadence)).toEqual(before(-H));
    expect(nextSyncAt(before(-H), start, cadence)).toBeNull();
    expect(nextSyncAt(before(-5 * H), start, cadence)).toBeNull();
    expect(syncIntervalAt(before(-H), start, cadence)).toBeNull();
  });

  it('walks a whole race day: 6 far syncs, 80 every 15 min, 300 every minute, then stops', () => {
    let now = before(48 * H);
    const gaps = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const next = nextSyncAt(now, start, cadence);
      if (!next) break;
      const gap = next.getTime() - now.getTime();
      gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
      now = next;
    }
    expect(now).toEqual(before(-H));
    expect(Object.fromEntries(gaps)).toEqual({ [4 * H]: 6, [15 * M]: 80, [M]: 300 });
  });

  it('keeps the far interval when the start is unknown', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(nextSyncAt(now, null, cadence)).toEqual(new Date(now.getTime() + 4 * H));
  });
});

describe('SYNC_CADENCE text', () => {
  it('accepts other cadences, in any order and case, without a stop', () => {
    expect(parseSyncCadence('Within 2h every 30s, every 1d')).toEqual({ everyMs: 86_400_000, steps: [{ withinMs: 2 * H, everyMs: 30_000 }], stopAfterMs: 0 });
  });

  it('says what is wrong with a bad one', () => {
    expect(() => parseSyncCadence('within 4h every 1m')).toThrow(/missing/);
    expect(() => parseSyncCadence('every 4h, every 1h')).toThrow(/twice/);
    expect(() => parseSyncCadence('every 4h, hourly')).toThrow(/unrecognized part "hourly"/);
    expect(() => parseSyncCadence('every 1h, within 24h every 2h')).toThrow(/must not be longer/);
    expect(() => parseSyncCadence('every 0s')).toThrow(/longer than zero/);
    expect(() => parseSyncCadence('every 4h, within 3h every 0m')).toThrow(/longer than zero/);
  });
});

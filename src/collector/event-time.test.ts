import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeKind } from '../ctp01/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { localToUtc, toInstant } from './event-time.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('event time', () => {
  // Ordinary times and both sides of DST changes, in zones with whole, half and 45-minute offsets.
  const cases: Array<[string, string]> = [
    ['2026-10-18 07:00:03.25', 'America/New_York'],
    ['2026-03-08 01:59:59', 'America/New_York'],
    ['2026-03-08 03:00:00', 'America/New_York'],
    ['2026-11-01 00:59:00', 'America/New_York'],
    ['2026-11-01 03:30:00', 'America/New_York'],
    ['2026-04-05 02:30:00', 'Australia/Adelaide'],
    ['2026-07-01 12:00:00', 'Asia/Kathmandu'],
    ['2026-06-21 23:59:59.99', 'Europe/London'],
    ['2026-01-01 00:00:00', 'UTC'],
  ];

  it.each(cases)('reads %s in %s as PostgreSQL does', async (local, tz) => {
    const expected = await t.db.query<{ ts: Date }>(`SELECT $1::timestamp AT TIME ZONE $2 AS ts`, [local, tz]);
    const wall = Date.parse(local.replace(' ', 'T') + 'Z');
    expect(localToUtc(wall, tz)).toBe(expected.rows[0]!.ts.getTime());
  });

  it('counts times of day from the event date, past 24 h for multi-day events', () => {
    const clock = { timezone: 'America/Denver', eventDate: '2026-08-14' };
    // 102:12:32.37 = 4 days 6 h later; Denver is UTC-6 in August.
    const ms = ((102 * 60 + 12) * 60 + 32) * 1000 + 370;
    expect(new Date(toInstant(TimeKind.TimeOfDay, ms, clock)).toISOString()).toBe('2026-08-18T12:12:32.370Z');
    expect(toInstant(TimeKind.Epoch, 1224165735310, clock)).toBe(1224165735310);
  });
});

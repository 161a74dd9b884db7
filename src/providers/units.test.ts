/** The shared parsing: result times past 24 h and status words, distances, gender, dates, money, booleans. */
import { describe, expect, it } from 'vitest';
import { distanceMeters, dotNetDate, durationMs, epochSeconds, formatDuration, genderOf, moneyCents, msString, resultTime, tfBool, usDate, zonedToIso } from './units.js';

describe('units', () => {
  it('reads clock times, past 24 h and in day forms', () => {
    expect(durationMs('16:05.3')).toBe(965_300);
    expect(durationMs('1:02:03')).toBe(3_723_000);
    expect(durationMs('25:13:07.25')).toBe(90_787_250);
    expect(durationMs('1d 01:13:07')).toBe(90_787_000);
    expect(durationMs('1.01:13:07')).toBe(90_787_000);
    expect(durationMs('59.9')).toBe(59_900);
    expect(durationMs('100:00:00')).toBe(360_000_000);
    for (const bad of ['', 'DNF', '1:75:00', '12:61', 'abc', null, undefined]) expect(durationMs(bad)).toBeNull();
  });

  it('tells status words from times', () => {
    expect(resultTime('DNF')).toEqual({ status: 'DNF', ms: null });
    expect(resultTime('did not start')).toEqual({ status: 'DNS', ms: null });
    expect(resultTime('DSQ')).toEqual({ status: 'DQ', ms: null });
    expect(resultTime('dq')).toEqual({ status: 'DQ', ms: null });
    expect(resultTime('DNQ')).toEqual({ status: 'DNQ', ms: null });
    expect(resultTime('3:59:59')).toEqual({ status: null, ms: 14_399_000 });
    expect(msString('16405000')).toBe(16_405_000);
    expect(msString('0')).toBeNull();
    expect(formatDuration(90_787_400)).toBe('25:13:07.4');
  });

  it('normalizes gender to M/F/X/U from words, letters and Race Roster’s integers', () => {
    expect(['M', 'male', 'Female', 'f', 'X', 'Non-binary', '', 'prefer not', 1, 2, 9, 0, 8, '2', null].map(genderOf)).toEqual(['M', 'M', 'F', 'F', 'X', 'X', 'U', 'U', 'M', 'F', 'X', 'U', 'U', 'F', 'U']);
  });

  it('reads distances in names and units', () => {
    expect(distanceMeters('5K')).toBe(5000);
    expect(distanceMeters('13.1 Miles')).toBe(21082.406);
    expect(distanceMeters('Half Marathon')).toBe(21097.5);
    expect(distanceMeters('Media Maratón')).toBe(21097.5);
    expect(distanceMeters('Marathon')).toBe(42195);
    expect(distanceMeters('100 Miler')).toBe(160934.4);
    expect(distanceMeters('Mile 1')).toBe(1609.344);
    expect(distanceMeters(3.1, 'Miles')).toBe(4988.966);
    expect(distanceMeters('Kids dash')).toBeNull();
  });

  it('reads provider dates: US, .NET, epoch, wall clock in a zone', () => {
    expect(usDate('7/26/2025 07:30')).toEqual({ date: '2025-07-26', time: '07:30' });
    expect(usDate('07/26/2025')).toEqual({ date: '2025-07-26', time: null });
    expect(usDate('7/26/2025 12:05 AM')).toEqual({ date: '2025-07-26', time: '00:05' });
    expect(dotNetDate('/Date(1721980800000)/')).toBe('2024-07-26T08:00:00.000Z');
    expect(dotNetDate('/Date(1721980800000-0600)/')).toBe('2024-07-26T08:00:00.000Z');
    expect(epochSeconds('1767168000')).toBe('2025-12-31T08:00:00.000Z');
    expect(zonedToIso('2025-07-26', '07:30', 'America/New_York')).toBe('2025-07-26T11:30:00.000Z');
    expect(zonedToIso('2025-01-26', '07:30', 'America/New_York')).toBe('2025-01-26T12:30:00.000Z');
    expect(zonedToIso('2025-03-09', '03:30', 'America/New_York')).toBe('2025-03-09T07:30:00.000Z');
    expect(zonedToIso('2025-07-26', '07:30', 'Not/AZone')).toBeNull();
  });

  it('reads money as strings and T/F booleans', () => {
    expect(moneyCents('$55.00')).toBe(5500);
    expect(moneyCents('1,234.5')).toBe(123_450);
    expect(moneyCents('-$3.25')).toBe(-325);
    expect(moneyCents('free')).toBeNull();
    expect([tfBool('T'), tfBool('F'), tfBool(true), tfBool('Y')]).toEqual([true, false, true, null]);
  });
});

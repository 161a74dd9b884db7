import { describe, expect, it } from 'vitest';
import { backupsToDelete, isoWeek } from './retention.js';

const at = (iso: string) => ({ name: iso, createdAt: new Date(iso) });

describe('backup retention', () => {
  it('keeps the newest backup of each of the last N days, then one per week', () => {
    const backups = [
      at('2026-12-03T06:00:00Z'), at('2026-12-03T01:00:00Z'), // two today: the 06:00 one stays
      at('2026-12-02T06:00:00Z'), at('2026-12-01T06:00:00Z'),
      at('2026-11-25T06:00:00Z'), at('2026-11-24T06:00:00Z'), // week 48: the 25th stays
      at('2026-11-17T06:00:00Z'), // week 47: beyond two weeks
    ];
    const deleted = backupsToDelete(backups, { daily: 3, weekly: 1 }).map((b) => b.name);
    expect(deleted.sort()).toEqual(['2026-11-17T06:00:00Z', '2026-11-24T06:00:00Z', '2026-12-03T01:00:00Z']);
    expect(backupsToDelete(backups, { daily: 30, weekly: 0 }).map((b) => b.name)).toEqual(['2026-12-03T01:00:00Z']);
  });

  it('names ISO weeks across a year boundary', () => {
    expect(isoWeek(new Date('2026-12-31T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2027-01-04T00:00:00Z'))).toBe('2027-W01');
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
  });
});

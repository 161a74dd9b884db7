/**
 * Which backups to keep: the newest of each of the last `daily` days that have one, and the
 * newest of each of the last `weekly` ISO weeks before those; everything else goes. Days and
 * weeks are UTC, so the choice does not move with the host's time zone.
 */
export interface Retention {
  daily: number;
  weekly: number;
}

export function backupsToDelete<T extends { createdAt: Date }>(backups: readonly T[], keep: Retention): T[] {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const kept = new Set<T>();
  const days = new Set<string>();
  const weeks = new Set<string>();
  for (const backup of newestFirst) {
    const day = backup.createdAt.toISOString().slice(0, 10);
    if (days.has(day)) continue;
    if (days.size < keep.daily) {
      days.add(day);
      kept.add(backup);
      continue;
    }
    const week = isoWeek(backup.createdAt);
    if (!weeks.has(week) && weeks.size < keep.weekly) {
      weeks.add(week);
      days.add(day);
      kept.add(backup);
    }
  }
  return newestFirst.filter((b) => !kept.has(b));
}

/** "2026-W49": the ISO year and week of a UTC date. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

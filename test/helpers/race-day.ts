/**
 * Read times for tests: today (UTC), so they stay inside the collector's plausibility window
 * (COLLECTOR_READ_WINDOW_DAYS back, one day ahead). A fixed date ages out of it.
 */
const today = new Date();
const RACE_DAY_MS = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());

/** Epoch ms of hh:mm:ss UTC today. */
export function raceTime(hours: number, minutes = 0, seconds = 0): number {
  return RACE_DAY_MS + ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

/** A CT01_33 ISO time field (`YYYY-MM-DDThh:mm:ss.cc`) of hh:mm:ss UTC today. */
export function raceTimeField(hours: number, minutes = 0, seconds = 0): string {
  return new Date(raceTime(hours, minutes, seconds)).toISOString().slice(0, 22);
}

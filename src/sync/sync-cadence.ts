/**
 * How often a synced event is synced, as a function of time to its start: the cadence
 * tightens as race day nears (the seed's: every 4 h, every 15 min within 24 h of the start,
 * every minute within 4 h) and stops some time after the start. Pure: the clock is an argument.
 *
 * Written as text in SYNC_CADENCE, e.g.
 *   every 4h, within 24h every 15m, within 4h every 1m, until 1h after start
 */

export interface SyncCadence {
  /** The interval while the start is further away than every window, or unknown. */
  everyMs: number;
  /** Tighter intervals within a window before the start, widest window first. */
  steps: Array<{ withinMs: number; everyMs: number }>;
  /** No sync is scheduled later than this after the start. */
  stopAfterMs: number;
}

export const DEFAULT_SYNC_CADENCE = 'every 4h, within 24h every 15m, within 4h every 1m, until 1h after start';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = String.raw`(\d{1,6})\s*([smhd])`;

function duration(amount: string, unit: string): number {
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** Parses the SYNC_CADENCE text; throws an Error saying what is wrong. */
export function parseSyncCadence(text: string): SyncCadence {
  let everyMs: number | undefined;
  let stopAfterMs = 0;
  const steps: SyncCadence['steps'] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim().toLowerCase();
    let m: RegExpMatchArray | null;
    if ((m = part.match(new RegExp(`^every ${DURATION}$`)))) {
      if (everyMs !== undefined) throw new Error('"every …" is given twice');
      everyMs = duration(m[1]!, m[2]!);
    } else if ((m = part.match(new RegExp(`^within ${DURATION} every ${DURATION}$`)))) {
      steps.push({ withinMs: duration(m[1]!, m[2]!), everyMs: duration(m[3]!, m[4]!) });
    } else if ((m = part.match(new RegExp(`^until ${DURATION} after (the )?start$`)))) {
      stopAfterMs = duration(m[1]!, m[2]!);
    } else {
      throw new Error(`unrecognized part "${raw.trim()}" (write e.g. "${DEFAULT_SYNC_CADENCE}")`);
    }
  }
  if (everyMs === undefined) throw new Error('the interval far from the start ("every 4h") is missing');
  steps.sort((a, b) => b.withinMs - a.withinMs);
  let wider = everyMs;
  for (const step of steps) {
    if (step.everyMs <= 0 || step.withinMs <= 0) throw new Error('windows and intervals must be longer than zero');
    if (step.everyMs > wider) throw new Error(`the interval within ${step.withinMs / 60_000} min must not be longer than the one before it`);
    wider = step.everyMs;
  }
  if (everyMs <= 0) throw new Error('the interval must be longer than zero');
  return { everyMs, steps, stopAfterMs };
}

/** The interval that applies at `now` (null once the cadence has ended). */
export function syncIntervalAt(now: Date, startsAt: Date | null, cadence: SyncCadence): number | null {
  if (startsAt === null) return cadence.everyMs;
  const untilStart = startsAt.getTime() - now.getTime();
  if (-untilStart >= cadence.stopAfterMs) return null;
  let interval = cadence.everyMs;
  for (const step of cadence.steps) if (untilStart <= step.withinMs) interval = step.everyMs;
  return interval;
}

/**
 * When the next sync after one at `now` is due: one interval later, but no later than the
 * moment a tighter window opens (so the cadence tightens on time) nor than the end; null once
 * the end has passed.
 */
export function nextSyncAt(now: Date, startsAt: Date | null, cadence: SyncCadence): Date | null {
  const interval = syncIntervalAt(now, startsAt, cadence);
  if (interval === null) return null;
  let next = now.getTime() + interval;
  if (startsAt !== null) {
    const start = startsAt.getTime();
    for (const step of cadence.steps) {
      const opens = start - step.withinMs;
      if (opens > now.getTime() && opens < next) next = opens;
    }
    next = Math.min(next, start + cadence.stopAfterMs);
  }
  return new Date(next);
}

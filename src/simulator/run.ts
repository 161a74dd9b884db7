/**
 * Runs several simulated controllers against one collector at once and reports what each
 * sent: the programmatic entry point for tests, benchmarks and `p88 simulate`.
 */
import { performance } from 'node:perf_hooks';
import { SimulatedController, type ControllerEvent, type ControllerOptions, type ControllerStats } from './controller.js';
import { DEFAULT_COURSE, generateRace, type CourseLocation, type RaceOptions } from './race.js';

export interface SimulationOptions
  extends Omit<ControllerOptions, 'race' | 'connectionId' | 'seed' | 'onEvent' | 'onlineAfterMs'> {
  /** Concurrent controllers (TCP clients). */
  clients?: number;
  /** Runners per client. */
  runners?: number;
  /** Client i's bibs start at firstBib + i·runners, so clients never share a tag. */
  firstBib?: number;
  course?: CourseLocation[];
  /** prefix: client 1 keeps the names, client i>1 uses `c<i>-<name>`; shared: every client uses the same names. */
  naming?: 'prefix' | 'shared';
  seed?: number;
  /** Connection ids are `<prefix>-<i>` (1-based). */
  connectionIdPrefix?: string;
  /** Online delay (wall ms) per course location name, before any prefix. */
  onlineAfterMs?: Record<string, number>;
  /** Further race-model knobs (pace, reads per crossing, event date…). */
  race?: Omit<RaceOptions, 'seed' | 'runners' | 'firstBib' | 'course'>;
  /** Stay connected this long after everything was sent, so the collector can drain (an abort or the timeout cuts it short). */
  settleMs?: number;
  /** Give up (report incomplete) after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (client: number, event: ControllerEvent) => void;
  /** Called every progressIntervalMs (default 5000) while the run lasts. */
  onProgress?: (clients: ControllerStats[], elapsedMs: number) => void;
  progressIntervalMs?: number;
}

export interface ClientReport {
  connectionId: string;
  locations: string[];
  observationsPerLocation: Record<string, number>;
  sentPerLocation: Record<string, number>;
  /** Highest seq per location the server said it already held (from its start~loc~seq). */
  acknowledgedPerLocation: Record<string, number>;
  /** Tag lines written, resends after resumes included. */
  linesSent: number;
  /** Distinct observations written at least once. */
  uniqueSent: number;
  reconnects: number;
  drops: number;
  /** Lines per second from start until everything was sent (or the run ended). */
  linesPerSecond: number;
  complete: boolean;
  authError: string | null;
}

export interface SimulationReport {
  /** Every client sent every observation at least once (or the server said it held it already). */
  complete: boolean;
  /** Why the run ended early, when it did. */
  endedBy: 'all-sent' | 'timeout' | 'aborted' | 'failed';
  elapsedMs: number;
  linesSent: number;
  linesPerSecond: number;
  clients: ClientReport[];
}

/** Client i's (0-based) name for a course location under a naming scheme. */
export function clientLocationName(name: string, client: number, naming: SimulationOptions['naming'] = 'prefix'): string {
  return naming === 'shared' || client === 0 ? name : `c${client + 1}-${name}`;
}

/** The controllers runSimulation would start, not yet started (for callers that drive them). */
export function buildControllers(options: SimulationOptions): SimulatedController[] {
  const clients = options.clients ?? 1;
  const runners = options.runners ?? 100;
  const seed = options.seed ?? 1;
  const course = options.course ?? DEFAULT_COURSE;
  if (!Number.isInteger(clients) || clients < 1) throw new Error('clients must be a positive integer');
  // Everything not consumed here is a controller option, so new ones pass through untouched.
  const {
    clients: _clients, runners: _runners, firstBib: _firstBib, course: _course, naming: _naming, seed: _seed,
    connectionIdPrefix: _prefix, onlineAfterMs: _online, race: raceOptions, settleMs: _settle, timeoutMs: _timeout,
    signal: _signal, onProgress: _progress, progressIntervalMs: _every, onEvent, ...controllerOptions
  } = options;
  return Array.from({ length: clients }, (_, i) => {
    const rename = (name: string) => clientLocationName(name, i, options.naming);
    const race = generateRace({
      ...raceOptions,
      seed: seed + i,
      runners,
      firstBib: (options.firstBib ?? 1000) + i * runners,
      course: course.map((c) => ({ ...c, name: rename(c.name) })),
    });
    const onlineAfterMs = Object.fromEntries(Object.entries(options.onlineAfterMs ?? {}).map(([k, v]) => [rename(k), v]));
    return new SimulatedController({
      ...controllerOptions,
      race,
      seed: seed + i,
      onlineAfterMs,
      connectionId: `${options.connectionIdPrefix ?? 'SIM'}-${i + 1}`,
      onEvent: onEvent ? (e) => onEvent(i, e) : undefined,
    });
  });
}

/** Starts the clients, waits until all sent everything (then settleMs), closes them and reports. */
export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationReport> {
  const controllers = buildControllers(options);
  const started = performance.now();
  for (const c of controllers) c.start();
  const { onProgress } = options;
  const progress = onProgress
    ? setInterval(() => onProgress(controllers.map((c) => c.stats()), performance.now() - started), options.progressIntervalMs ?? 5000)
    : undefined;

  let endedBy: SimulationReport['endedBy'] = 'all-sent';
  // Once everything was sent, how the run ended is settled: an abort or timeout during the settle only shortens it.
  let settling = false;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<void>((resolve) => {
    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
      timer = setTimeout(() => {
        if (!settling) endedBy = 'timeout';
        resolve();
      }, options.timeoutMs);
    }
    if (options.signal) {
      onAbort = () => {
        if (!settling) endedBy = 'aborted';
        resolve();
      };
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  const results = Promise.all(controllers.map((c) => c.allSent));
  const outcome = await Promise.race([results, stop.then(() => null)]);
  if (outcome && outcome.includes(false)) endedBy = 'failed';
  if (outcome && endedBy === 'all-sent' && options.settleMs) {
    settling = true;
    await Promise.race([new Promise((r) => setTimeout(r, options.settleMs)), stop]);
  }
  clearTimeout(timer);
  clearInterval(progress);
  if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  await Promise.all(controllers.map((c) => c.close()));
  const elapsedMs = performance.now() - started;

  const clients = controllers.map((c) => clientReport(c, elapsedMs));
  const linesSent = clients.reduce((n, c) => n + c.linesSent, 0);
  return {
    complete: clients.every((c) => c.complete),
    endedBy,
    elapsedMs,
    linesSent,
    linesPerSecond: rate(linesSent, Math.max(0, ...controllers.map((c) => c.stats().allSentAfterMs ?? elapsedMs))),
    clients,
  };
}

function clientReport(c: SimulatedController, elapsedMs: number): ClientReport {
  const s = c.stats();
  const locs = Object.entries(s.perLocation);
  return {
    connectionId: s.connectionId,
    locations: locs.map(([name]) => name),
    observationsPerLocation: Object.fromEntries(locs.map(([n, l]) => [n, l.observations])),
    sentPerLocation: Object.fromEntries(locs.map(([n, l]) => [n, l.sent])),
    acknowledgedPerLocation: Object.fromEntries(locs.map(([n, l]) => [n, l.acknowledged])),
    linesSent: s.linesSent,
    uniqueSent: locs.reduce((n, [, l]) => n + l.uniqueSent, 0),
    reconnects: s.reconnects,
    drops: s.drops,
    linesPerSecond: rate(s.linesSent, s.allSentAfterMs ?? elapsedMs),
    complete: s.allSentAfterMs !== null,
    authError: s.authError,
  };
}

function rate(lines: number, ms: number): number {
  return ms > 0 ? Math.round((lines * 1000) / ms) : 0;
}

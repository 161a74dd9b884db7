/**
 * `p88 simulate` (flags declared in simulate.command.ts): validates the flags' values with zod,
 * replays the race, prints progress to stderr and the report to stdout. Bad values exit 2 with
 * a line naming the flag.
 */
import { z } from 'zod';
import { formatInZone } from '../time-zone.js';
import type { ControllerEvent, ControllerStats } from '../simulator/controller.js';
import { courseFromNames, DEFAULT_COURSE, parseCourse, validateCourse, type CourseLocation } from '../simulator/race.js';
import { clientLocationName, runSimulation, type SimulationOptions, type SimulationReport } from '../simulator/run.js';
import { UsageError, type Output } from './context.js';

/** The flags as commander hands them over: text (defaults filled in), --json a boolean. */
export type SimulateFlags = Record<string, string | boolean | undefined>;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = z.coerce.number().min(0).max(1e7);
const noTilde = z.string().min(1).max(64).regex(/^[^~\r\n]+$/, 'must not contain ~ or line breaks');

// Keys are commander's (camelCase); defaults are declared with the flags.
const schema = z
  .object({
    host: z.string().min(1),
    port: int(1, 65535),
    clients: int(1, 1000),
    runners: int(1, 250_000),
    firstBib: int(0, 99_999_999),
    locations: z.string().optional(),
    course: z.string().optional(),
    courseKm: z.coerce.number().positive().max(1000),
    naming: z.enum(['prefix', 'shared']),
    speed: z
      .string()
      .regex(/^(max|\d+(\.\d+)?)$/, 'must be a positive number or "max"')
      .transform((v) => (v === 'max' ? Infinity : Number(v)))
      .refine((v) => v > 0, 'must be greater than 0'),
    user: noTilde.optional(),
    password: z.string().optional(),
    dropEvery: int(0, 1e9),
    dropProbability: z.coerce.number().min(0).max(1),
    dropMode: z.enum(['graceful', 'abrupt']),
    reconnectDelay: seconds,
    pingInterval: seconds,
    onlineDelay: z
      .string()
      .regex(/^[^=,]+=\d+(\.\d+)?(,[^=,]+=\d+(\.\d+)?)*$/, 'must be loc=seconds[,loc=seconds…]')
      .optional(),
    seed: int(0, 2 ** 32 - 1),
    idPrefix: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1–32 letters, digits, . _ -'),
    eventName: noTilde,
    eventId: noTilde,
    date: z
      .string()
      .regex(/^(today|\d{4}-\d{2}-\d{2})$/, 'must be YYYY-MM-DD or "today"')
      .refine((v) => v === 'today' || isCalendarDate(v), 'is not a calendar date'),
    gun: z.string().regex(/^(now|\d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?)$/, 'must be HH:MM[:SS] or "now"'),
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'),
    settle: seconds,
    timeout: seconds.optional(),
    json: z.boolean().default(false),
  })
  .refine((f) => !(f.locations && f.course), { message: 'use either --locations or --course, not both', path: ['course'] })
  .refine((f) => (f.user === undefined) === (f.password === undefined), { message: '--user and --password go together', path: ['user'] })
  .refine((f) => f.firstBib + f.clients * f.runners - 1 <= 99_999_999, {
    message: 'bibs would exceed 8 digits (CTP01 tags are ≤8 chars)', path: ['runners'],
  });

type Flags = z.infer<typeof schema>;

/** Runs `p88 simulate`; resolves to the exit status (0 all sent, 1 incomplete). */
export async function simulate(raw: SimulateFlags, io: Output): Promise<number> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${flagName(i.path)} ${i.message}`).join('; '));
  const flags = parsed.data;
  let options: SimulationOptions;
  try {
    options = toOptions(flags);
  } catch (e) {
    // The course rules (names, distances, CTP01 lengths) say which flag they are about.
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const quiet = flags.json;
  if (!quiet) {
    const speed = Number.isFinite(flags.speed) ? `speed ${flags.speed}` : 'max speed';
    io.err(`p88 simulate: ${flags.clients} client(s) → ${flags.host}:${flags.port}, ${flags.runners} runners each, ${speed}\n`);
    options.onEvent = eventPrinter(io, flags.user !== undefined);
    options.onProgress = (stats, ms) => io.err(progressLine(stats, ms));
  }
  let report: SimulationReport;
  try {
    report = await runSimulation({ ...options, signal: abort.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  io.out(quiet ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
  return report.complete ? 0 : 1;
}

/** firstBib → --first-bib */
function flagName(path: PropertyKey[]): string {
  const key = String(path[0] ?? '?');
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function toOptions(f: Flags): SimulationOptions {
  let course: CourseLocation[] = [...DEFAULT_COURSE];
  if (f.course) course = parseCourse(f.course);
  else if (f.locations) course = courseFromNames(splitList(f.locations, '--locations'), f.courseKm);
  // The last client has the longest names; if they fit CTP01, every client's do.
  validateCourse(course.map((c) => ({ ...c, name: clientLocationName(c.name, f.clients - 1, f.naming) })));
  const names = new Set(course.map((c) => c.name));

  const onlineAfterMs: Record<string, number> = {};
  for (const item of f.onlineDelay ? f.onlineDelay.split(',') : []) {
    const [name = '', secs = '0'] = item.split('=');
    if (!names.has(name)) throw new UsageError(`--online-delay names "${name}", which is not a course location`);
    onlineAfterMs[name] = Number(secs) * 1000;
  }

  const { date, gunTimeOfDayMs, utcOffsetMinutes } = eventClock(f.date, f.gun, f.timezone);
  return {
    host: f.host,
    port: f.port,
    clients: f.clients,
    runners: f.runners,
    firstBib: f.firstBib,
    course,
    naming: f.naming,
    speed: f.speed,
    user: f.user,
    password: f.password,
    dropEveryLines: f.dropEvery,
    dropProbability: f.dropProbability,
    dropMode: f.dropMode,
    reconnectDelayMs: f.reconnectDelay * 1000,
    pingIntervalMs: f.pingInterval * 1000,
    onlineAfterMs,
    seed: f.seed,
    connectionIdPrefix: f.idPrefix,
    race: {
      event: { name: f.eventName, id: f.eventId, description: 'Replayed by p88 simulate', date, gunTimeOfDayMs, utcOffsetMinutes },
    },
    settleMs: f.settle * 1000,
    timeoutMs: f.timeout === undefined ? undefined : f.timeout * 1000,
  };
}

function splitList(text: string, flag: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} has an empty item`);
  return items;
}

/** Resolves today/now in the event's zone and the zone's UTC offset at the gun. */
function eventClock(dateFlag: string, gunFlag: string, zone: string): { date: string; gunTimeOfDayMs: number; utcOffsetMinutes: number } {
  const now = new Date();
  const wallNow = formatInZone(now, '%Y-%m-%d %H:%M:%S', zone);
  const date = dateFlag === 'today' ? wallNow.slice(0, 10) : dateFlag;
  let gunTimeOfDayMs: number;
  if (gunFlag === 'now') {
    const [h, m, s] = wallNow.slice(11).split(':').map(Number) as [number, number, number];
    gunTimeOfDayMs = ((h * 60 + m) * 60 + s) * 1000;
  } else {
    const [h = 0, m = 0, s = 0] = gunFlag.split(':').map(Number);
    if (h > 23 || m > 59 || s >= 60) throw new UsageError(`--gun ${gunFlag} is not a time of day`);
    gunTimeOfDayMs = Math.round(((h * 60 + m) * 60 + s) * 1000);
  }
  const wallMs = Date.parse(`${date}T00:00:00Z`) + gunTimeOfDayMs;
  return { date, gunTimeOfDayMs, utcOffsetMinutes: offsetMinutes(zone, wallMs) };
}

/** The zone's offset from UTC at a wall-clock moment (ms of that wall clock read as UTC). */
function offsetMinutes(zone: string, wallMs: number): number {
  const at = (instant: number) => {
    const wall = formatInZone(new Date(instant), '%Y-%m-%dT%H:%M:%SZ', zone);
    return Math.round((Date.parse(wall) - instant) / 60_000);
  };
  // Guess the instant with the offset at the wall time read as UTC, then correct once (DST edges).
  return at(wallMs - at(wallMs) * 60_000);
}

function isCalendarDate(text: string): boolean {
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse accepts 2025-02-31 as 3 March; a round trip catches it.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function eventPrinter(io: Output, withCredentials: boolean): (client: number, e: ControllerEvent) => void {
  // A collector that is down yields one ECONNREFUSED per retry; say it once until it changes.
  const lastError = new Map<number, string>();
  return (client, e) => {
    const who = `client ${client + 1}`;
    switch (e.type) {
      case 'ready': {
        lastError.delete(client);
        const options = Object.entries(e.options).filter(([k]) => k !== 'authentication-seed').map(([k, v]) => `${k}=${v}`);
        io.err(e.connection === 1 ? `${who}: connected (${options.join(' ') || 'no options'})\n` : `${who}: reconnected\n`);
        return;
      }
      case 'disconnected':
        if (e.reason !== 'closed by simulator') io.err(`${who}: disconnected (${e.reason})\n`);
        return;
      case 'auth-failed':
        io.err(`${who}: authentication failed: ${e.message}${withCredentials ? '' : ' (give --user and --password: p88 source create makes them)'}\n`);
        return;
      case 'server-error':
        io.err(`${who}: server said err~${e.command}~${e.message}\n`);
        return;
      case 'socket-error':
        if (lastError.get(client) !== e.message) io.err(`${who}: ${e.message}\n`);
        lastError.set(client, e.message);
        return;
      case 'notice':
        io.err(`${who}: ${e.message}\n`);
        return;
      case 'online':
        io.err(`${who}: location ${e.location} online\n`);
        return;
      default:
        return;
    }
  };
}

function progressLine(stats: ControllerStats[], elapsedMs: number): string {
  let sent = 0;
  let total = 0;
  for (const s of stats) {
    for (const l of Object.values(s.perLocation)) {
      sent += l.uniqueSent;
      total += l.observations;
    }
  }
  return `  ${(elapsedMs / 1000).toFixed(0)} s: ${sent}/${total} observations sent\n`;
}

const num = (n: number) => n.toLocaleString('en-US');

function summary(r: SimulationReport): string {
  const state = r.complete ? 'complete' : `incomplete (${r.endedBy})`;
  const lines = [`${state} in ${(r.elapsedMs / 1000).toFixed(2)} s: ${num(r.linesSent)} lines, ${num(r.linesPerSecond)} lines/s`];
  for (const c of r.clients) {
    const locs = c.locations
      .map((l) => {
        const held = c.acknowledgedPerLocation[l] ?? 0;
        return `${l} ${num(c.sentPerLocation[l] ?? 0)}/${num(c.observationsPerLocation[l] ?? 0)}${held > 0 ? ` (server had ${num(held)})` : ''}`;
      })
      .join('  ');
    const auth = c.authError ? `  auth failed: ${c.authError}` : '';
    lines.push(`  ${c.connectionId}  ${locs}  lines ${num(c.linesSent)}  reconnects ${c.reconnects}  ${num(c.linesPerSecond)} lines/s${auth}`);
  }
  return `${lines.join('\n')}\n`;
}

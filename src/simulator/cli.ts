/**
 * `p88 simulate`: replay a race against a collector from the command line. Flags are parsed
 * with node:util and validated with zod; bad flags exit 2 with a message naming the flag.
 * The time format is the server's choice (its greeting), so there is no flag for it.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatInZone } from '../time-zone.js';
import type { ControllerEvent, ControllerStats } from './controller.js';
import { courseFromNames, DEFAULT_COURSE, parseCourse, validateCourse, type CourseLocation } from './race.js';
import { clientLocationName, runSimulation, type SimulationOptions, type SimulationReport } from './run.js';

export const usage = `p88 simulate [flags]   replay a race as CTP01 clients against a collector

  --host H               collector host (127.0.0.1)
  --port N               collector port (61611)
  --clients N            concurrent controllers, each its own connection id (1)
  --runners N            runners per client (100); tag = bib
  --first-bib N          first bib (1000); client i continues after client i-1
  --locations a,b,c      location names (start,5k,finish); distances from names: start=0,
                         finish=--course-km, 5k/10km/3mi/800m as named, others in between
  --course a:km,b:km     locations with explicit distances instead of --locations
  --course-km N          course length for --locations (10)
  --naming prefix|shared client 2+ names its locations c2-start… (prefix, default) or reuses the names (shared)
  --speed N|max          race seconds per wall second: 1 real time, 60, max as fast as possible (1)
  --user U --password P  credentials when the collector asks for authentication
  --drop-every N         drop the link after every N lines, then reconnect (0 = never)
  --drop-probability P   drop after any line with probability P (0)
  --drop-mode graceful|abrupt   FIN after flushing, or RST losing in-flight lines (graceful)
  --reconnect-delay S    seconds before reconnecting (1)
  --ping-interval S      send our own ping every S seconds (0 = never)
  --online-delay loc=S,… a location comes online S seconds after the start
  --seed N               race and drop seed (1)
  --id-prefix P          connection ids are P-1, P-2… (SIM); a collector resumes a known id where it
                         stopped, so a re-run of the same ids sends only what it does not hold yet
  --event-name NAME      event name for geteventinfo
  --event-id ID          event id for geteventinfo (1)
  --date YYYY-MM-DD|today       event date (today)
  --gun HH:MM[:SS]|now          gun time, local to --timezone (now)
  --timezone ZONE        IANA zone of the event's local times (UTC); match the collector's EVENT_TIMEZONE
  --settle S             stay connected S seconds after everything was sent (1)
  --timeout S            give up after S seconds (none)
  --json                 print the report as JSON
  --help
Exit status: 0 all observations sent, 1 incomplete (timeout, authentication, interrupted), 2 bad flags.
`;

const FLAGS = {
  host: { type: 'string' }, port: { type: 'string' }, clients: { type: 'string' }, runners: { type: 'string' },
  'first-bib': { type: 'string' }, locations: { type: 'string' }, course: { type: 'string' },
  'course-km': { type: 'string' }, naming: { type: 'string' }, speed: { type: 'string' }, user: { type: 'string' },
  password: { type: 'string' }, 'drop-every': { type: 'string' }, 'drop-probability': { type: 'string' },
  'drop-mode': { type: 'string' }, 'reconnect-delay': { type: 'string' }, 'ping-interval': { type: 'string' },
  'online-delay': { type: 'string' }, seed: { type: 'string' }, 'id-prefix': { type: 'string' }, 'event-name': { type: 'string' },
  'event-id': { type: 'string' }, date: { type: 'string' }, gun: { type: 'string' }, timezone: { type: 'string' },
  settle: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = z.coerce.number().min(0).max(1e7);
const noTilde = z.string().min(1).max(64).regex(/^[^~\r\n]+$/, 'must not contain ~ or line breaks');

const schema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: int(1, 65535).default(61611),
    clients: int(1, 1000).default(1),
    runners: int(1, 250_000).default(100),
    'first-bib': int(0, 99_999_999).default(1000),
    locations: z.string().optional(),
    course: z.string().optional(),
    'course-km': z.coerce.number().positive().max(1000).default(10),
    naming: z.enum(['prefix', 'shared']).default('prefix'),
    speed: z
      .string()
      .regex(/^(max|\d+(\.\d+)?)$/, 'must be a positive number or "max"')
      .default('1')
      .transform((v) => (v === 'max' ? Infinity : Number(v)))
      .refine((v) => v > 0, 'must be greater than 0'),
    user: noTilde.optional(),
    password: z.string().optional(),
    'drop-every': int(0, 1e9).default(0),
    'drop-probability': z.coerce.number().min(0).max(1).default(0),
    'drop-mode': z.enum(['graceful', 'abrupt']).default('graceful'),
    'reconnect-delay': seconds.default(1),
    'ping-interval': seconds.default(0),
    'online-delay': z
      .string()
      .regex(/^[^=,]+=\d+(\.\d+)?(,[^=,]+=\d+(\.\d+)?)*$/, 'must be loc=seconds[,loc=seconds…]')
      .optional(),
    seed: int(0, 2 ** 32 - 1).default(1),
    'id-prefix': z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1–32 letters, digits, . _ -').default('SIM'),
    'event-name': noTilde.default('Simulated race'),
    'event-id': noTilde.default('1'),
    date: z
      .string()
      .regex(/^(today|\d{4}-\d{2}-\d{2})$/, 'must be YYYY-MM-DD or "today"')
      .refine((v) => v === 'today' || isCalendarDate(v), 'is not a calendar date')
      .default('today'),
    gun: z.string().regex(/^(now|\d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?)$/, 'must be HH:MM[:SS] or "now"').default('now'),
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris').default('UTC'),
    settle: seconds.default(1),
    timeout: seconds.optional(),
    json: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .refine((f) => !(f.locations && f.course), { message: 'use either --locations or --course, not both', path: ['course'] })
  .refine((f) => (f.user === undefined) === (f.password === undefined), { message: '--user and --password go together', path: ['user'] })
  .refine((f) => f['first-bib'] + f.clients * f.runners - 1 <= 99_999_999, {
    message: 'bibs would exceed 8 digits (CTP01 tags are ≤8 chars)', path: ['runners'],
  });

type Flags = z.infer<typeof schema>;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** Runs `p88 simulate` with the arguments after the subcommand; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let flags: Flags;
  let options: SimulationOptions;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new FlagError(`unexpected argument "${positionals[0]}"`);
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      throw new FlagError(parsed.error.issues.map((i) => `--${i.path.join('.') || '?'} ${i.message}`).join('\n'));
    }
    flags = parsed.data;
    if (flags.help) {
      io.out(usage);
      return 0;
    }
    options = toOptions(flags);
  } catch (e) {
    io.err(`p88 simulate: ${e instanceof Error ? e.message : String(e)}\nTry p88 simulate --help\n`);
    return 2;
  }

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const quiet = flags.json;
  if (!quiet) {
    const speed = Number.isFinite(flags.speed) ? `speed ${flags.speed}` : 'max speed';
    io.err(`p88 simulate: ${flags.clients} client(s) → ${flags.host}:${flags.port}, ${flags.runners} runners each, ${speed}\n`);
    options.onEvent = eventPrinter(io);
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

class FlagError extends Error {}

function toOptions(f: Flags): SimulationOptions {
  let course: CourseLocation[] = [...DEFAULT_COURSE];
  if (f.course) course = parseCourse(f.course);
  else if (f.locations) course = courseFromNames(splitList(f.locations, '--locations'), f['course-km']);
  // The last client has the longest names; if they fit CTP01, every client's do.
  validateCourse(course.map((c) => ({ ...c, name: clientLocationName(c.name, f.clients - 1, f.naming) })));
  const names = new Set(course.map((c) => c.name));

  const onlineAfterMs: Record<string, number> = {};
  for (const item of f['online-delay'] ? f['online-delay'].split(',') : []) {
    const [name = '', secs = '0'] = item.split('=');
    if (!names.has(name)) throw new FlagError(`--online-delay names "${name}", which is not a course location`);
    onlineAfterMs[name] = Number(secs) * 1000;
  }

  const { date, gunTimeOfDayMs, utcOffsetMinutes } = eventClock(f.date, f.gun, f.timezone);
  return {
    host: f.host,
    port: f.port,
    clients: f.clients,
    runners: f.runners,
    firstBib: f['first-bib'],
    course,
    naming: f.naming,
    speed: f.speed,
    user: f.user,
    password: f.password,
    dropEveryLines: f['drop-every'],
    dropProbability: f['drop-probability'],
    dropMode: f['drop-mode'],
    reconnectDelayMs: f['reconnect-delay'] * 1000,
    pingIntervalMs: f['ping-interval'] * 1000,
    onlineAfterMs,
    seed: f.seed,
    connectionIdPrefix: f['id-prefix'],
    race: {
      event: { name: f['event-name'], id: f['event-id'], description: 'Replayed by p88 simulate', date, gunTimeOfDayMs, utcOffsetMinutes },
    },
    settleMs: f.settle * 1000,
    timeoutMs: f.timeout === undefined ? undefined : f.timeout * 1000,
  };
}

function splitList(text: string, flag: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new FlagError(`${flag} has an empty item`);
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
    if (h > 23 || m > 59 || s >= 60) throw new FlagError(`--gun ${gunFlag} is not a time of day`);
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

function eventPrinter(io: CliIo): (client: number, e: ControllerEvent) => void {
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
        io.err(`${who}: authentication failed: ${e.message}\n`);
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

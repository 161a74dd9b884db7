/**
 * The only reader of process.env. Everything is parsed and validated once, at start, so a
 * bad value stops the process with a message naming the variable instead of failing later.
 */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SYNC_CADENCE, parseSyncCadence } from './sync/sync-cadence.js';

// 0 = any free port (tests, several collectors on one host).
const port = z.coerce.number().int().min(0).max(65535);
/** An http(s) base URL without query or fragment (credentials are added per request). */
const baseUrl = z
  .string()
  .url()
  .refine((v) => /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(v), 'must be an http:// or https:// URL without query or fragment')
  .optional();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * Connections each process keeps to a PostgreSQL server for its work (the collector's
   * writers, the web's requests); LISTEN takes one more of its own. Unused on PGlite.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  /**
   * A second server (a streaming replica, or a Citus coordinator's read endpoint) for the web
   * process's read-only routes: the read API (/api/db), the questions engine (/api/ask) and
   * the timing reads (/api/timing). Same role and row-level security as DATABASE_URL; a
   * DATABASE_POOL_SIZE pool of its own. Unset: those routes use DATABASE_URL.
   */
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * The web process's separate small pool for anonymous display routes (link lookups, stream
   * replays, heartbeats), so public traffic can never take the connections signed-in work
   * needs; its statements stop after PUBLIC_STATEMENT_TIMEOUT_MS. Unused on PGlite.
   */
  DATABASE_PUBLIC_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(3),
  PUBLIC_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: port.default(5000),
  HOST: z.string().min(1).default('0.0.0.0'),
  COLLECTOR_HOST: z.string().min(1).default('0.0.0.0'),
  COLLECTOR_PORT: port.default(61611),
  COLLECTOR_STATUS_PORT: port.default(61612),
  /** Authentication the collector asks of CTP01 clients in its greeting. */
  COLLECTOR_AUTH: z
    .enum(['none', 'plaintext', 'hmac-sha1', 'hmac-md5', 'seed-sha1', 'seed-md5'])
    .default('hmac-sha1'),
  /**
   * Whether clients that never authorize may stream (their reads go to the local partner).
   * Default: yes on the embedded quick start, no when DATABASE_URL points at a server
   * (a deployment, usually reachable from the internet).
   */
  COLLECTOR_ALLOW_ANONYMOUS: bool.optional(),
  /** Seconds of silence before the collector pings a client; twice this closes it. */
  COLLECTOR_IDLE_SECONDS: z.coerce.number().positive().default(30),
  /** Seconds a new connection has to greet (or send a first read) and authorize; then it is closed. */
  COLLECTOR_HANDSHAKE_SECONDS: z.coerce.number().positive().default(10),
  /** Open CTP01 connections in all. Past it, the oldest connection not yet authorized makes room. */
  COLLECTOR_MAX_CONNECTIONS: z.coerce.number().int().positive().default(2000),
  /** Open CTP01 connections from one IP address. */
  COLLECTOR_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().positive().default(64),
  /**
   * Reads timed more than this many days before now (or more than a day after) are counted and
   * logged as bad lines instead of stored: a year 0000 or 33658 is a broken clock, not a race.
   */
  COLLECTOR_READ_WINDOW_DAYS: z.coerce.number().positive().default(7),
  /** Distinct locations one connection may stream; reads of more are bad lines. */
  COLLECTOR_MAX_LOCATIONS_PER_CONNECTION: z.coerce.number().int().positive().default(100),
  /** Distinct locations of one partner's session across all its connections. */
  COLLECTOR_MAX_LOCATIONS_PER_SESSION: z.coerce.number().int().positive().default(1000),
  /** Failed authorizations from one address before each further attempt waits (doubling, to 30 s). */
  COLLECTOR_AUTH_FAILURES_BEFORE_BACKOFF: z.coerce.number().int().min(1).default(5),
  /** Session name pattern, strftime-style (%Y %m %d %H %M %S). */
  SESSION_NAME_FORMAT: z.string().min(1).default('Session_%Y%m%d_%H%M%S'),
  /** Time zone of events whose reads carry local times (normal, iso, msecs formats). */
  EVENT_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as America/New_York')
    .default('UTC'),
  /** Reads older than this move to timing_reads_archive. */
  ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(1).default(30),
  /** How often the worker runs the archival (a recurring job, once across all workers). */
  ARCHIVE_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(30 * 86_400).default(86_400),
  /**
   * How long a worker's claim on a job holds without renewal (renewed every third of it): a
   * job whose worker died runs again this long after its last renewal.
   */
  JOBS_LEASE_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
  /** Longest a worker sleeps between looks for due jobs and schedules (NOTIFY wakes it sooner). */
  JOBS_POLL_SECONDS: z.coerce.number().min(0.01).max(60).default(1),
  /** On SIGTERM, how long running jobs get to stop before they are handed back to the queue. */
  JOBS_SHUTDOWN_SECONDS: z.coerce.number().min(0).max(600).default(10),
  /** Finished jobs are deleted after this many days. */
  JOBS_RETENTION_DAYS: z.coerce.number().min(0.001).max(3650).default(7),
  /** How often a synced event is synced as its start nears (src/sync/sync-cadence.ts). */
  SYNC_CADENCE: z
    .string()
    .default(DEFAULT_SYNC_CADENCE)
    .transform((text, ctx) => {
      try {
        return parseSyncCadence(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** 32-byte key (hex or base64) that encrypts timing-source secrets at rest. */
  SECRET_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, 'must be 32 bytes as 64 hex chars or base64')
    .optional(),
  /** Other origins allowed to call the API from a browser (comma-separated); none by default. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins like https://results.example.com'))),
  /** The address people reach the web app at (links in mails); default http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  /** Behind a reverse proxy: trust its X-Forwarded-* headers (client address, https). */
  TRUST_PROXY: bool.default(false),
  /** smtp://user:pass@host:587 or smtps://…; unset = mails (reset, invitation links) go to the log. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('Project88Hub <no-reply@localhost>'),
  /** ChronoTrack Live API base (default https://api.chronotrack.com/api; their test system: https://qa-api.chronotrack.com/api). */
  CTLIVE_BASE_URL: baseUrl,
  /**
   * Provider API bases (src/providers/index.ts baseUrlsOf): unset = the real service. Tests and
   * staging point them at fakes. Trusted configuration, so not run through the SSRF-safe fetch.
   */
  RUNSIGNUP_BASE_URL: baseUrl,
  RACEROSTER_BASE_URL: baseUrl,
  RACEROSTER_RESULTS_BASE_URL: baseUrl,
  ULTRASIGNUP_BASE_URL: baseUrl,
  ACTIVE_BASE_URL: baseUrl,
  EVENTBRITE_BASE_URL: baseUrl,
  COPERNICO_BASE_URL: baseUrl,
  HAKU_BASE_URL: baseUrl,
  /** The platform's ChronoTrack Live API client id, used when a roster import does not name one. */
  CTLIVE_CLIENT_ID: z.string().min(1).max(200).optional(),
  /**
   * Bearer token Prometheus sends to read the web process's and the worker's /metrics; unset =
   * only a client on the same machine, not through a proxy, may read them.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** The worker's own HTTP listener (/health, /metrics); loopback by default. */
  WORKER_STATUS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_STATUS_PORT: port.default(61613),
  /** Stripe webhook endpoint secret (whsec_…); unset = the webhook answers 503. */
  STRIPE_WEBHOOK_SECRET: z.string().min(10).optional(),
  /**
   * The questions engine's optional language-model fallback (src/ask/ask.llm.ts): an
   * OpenAI-compatible base URL (…/v1) and model; both set = a question the rules do not
   * understand is sent to the model, which may only fill the engine's plan. Operator
   * configuration, so not run through the SSRF-safe fetch.
   */
  LLM_BASE_URL: baseUrl,
  LLM_MODEL: z.string().min(1).max(200).optional(),
  /** Bearer key for LLM_BASE_URL (optional: local servers need none); redacted in logs. */
  LLM_API_KEY: z.string().min(1).max(1000).optional(),
  /** How long the model gets per question before the answer is "not understood". */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every variable the configuration reads (deploy/p88.env.example lists each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export type Config = Omit<z.infer<typeof schema>, 'COLLECTOR_ALLOW_ANONYMOUS'> & {
  COLLECTOR_ALLOW_ANONYMOUS: boolean;
  dataDir: string;
  secretKey: Buffer | null;
  /** Whether LOG_LEVEL was given: one-shot commands log only warnings unless it is (or --verbose). */
  logLevelSet: boolean;
};

/** Parses an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset": shells and .env files often export VAR= .
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.DATABASE_URL !== undefined && c.SECRET_KEY === undefined) {
    // On a server several processes (often on several hosts) share the sealed secrets; a key
    // each one made for itself in its DATA_DIR would open none of the others' secrets.
    throw new ConfigError(
      'Invalid configuration:\n  SECRET_KEY: required with DATABASE_URL. Every process that shares the database ' +
        'needs the same key: make one with `openssl rand -hex 32` and set SECRET_KEY to it in every ' +
        "process's environment (keep a copy outside the database's backups).",
    );
  }
  if (c.DATABASE_READ_URL !== undefined && c.DATABASE_URL === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_READ_URL: needs DATABASE_URL (the embedded database has no second server to read from).',
    );
  }
  return {
    ...c,
    COLLECTOR_ALLOW_ANONYMOUS: c.COLLECTOR_ALLOW_ANONYMOUS ?? c.DATABASE_URL === undefined,
    dataDir: path.resolve(c.DATA_DIR),
    secretKey: c.SECRET_KEY ? decodeKey(c.SECRET_KEY) : null,
    logLevelSet: cleaned.LOG_LEVEL !== undefined,
  };
}

export class ConfigError extends Error {}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A 32-byte key written as 64 hex characters or base64; null when it is not one. */
export function decodeKey(v: string): Buffer | null {
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  return buf.length === 32 ? buf : null;
}

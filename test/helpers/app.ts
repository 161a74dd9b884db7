/**
 * The one way tests build the web app: the real buildWebApp over a test database, with its log
 * kept in memory so a test can read it (mails "sent" without SMTP are log lines), optionally
 * listening on a free loopback port. close() closes the app and drops the database it made.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Bus } from '../../src/bus/bus.js';
import type { Database } from '../../src/db/database.js';
import type { DisplayFeeds } from '../../src/display/display-stream.js';
import type { ReplayGate } from '../../src/display/replay-gate.js';
import type { SafeFetchPolicy } from '../../src/http/safe-fetch.js';
import type { Logger } from '../../src/log.js';
import { buildWebApp } from '../../src/web/app.js';
import { testConfig } from './config.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** The base of links in mails (PUBLIC_URL); tests open them on their own port, the token is what counts. */
export const TEST_PUBLIC_URL = 'http://p88.test';

export interface TestAppOptions {
  /** Environment on top of the test defaults (e.g. CTLIVE_BASE_URL of a fake provider). */
  env?: Record<string, string>;
  /** The test database to use; a new one is made (and dropped by close()) when absent. */
  testDb?: TestDatabase;
  /** The app's database connection when it must differ from the test database's (one that is down, say). */
  database?: Database;
  bus?: Bus;
  heartbeatMs?: number;
  fetchStylesPolicy?: SafeFetchPolicy;
  /** The display routes' replay gate, and a look at their feeds (abuse tests). */
  replayGate?: ReplayGate;
  onDisplayFeeds?: (feeds: DisplayFeeds) => void;
  /** Listen on 127.0.0.1 and a free port (real HTTP clients, SSE); otherwise use app.inject. */
  listen?: boolean;
  /** Adds test-only routes before the app is ready (it takes no routes after). */
  extraRoutes?: (app: FastifyInstance) => void;
}

export interface TestApp {
  t: TestDatabase;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> when listening, else ''. */
  baseUrl: string;
  /** Every log line written so far, parsed. */
  logLines(): Record<string, unknown>[];
  /** Mails "sent" so far (written to the log: no SMTP in tests), oldest first. */
  mails(): Array<{ to: string; subject: string; text: string }>;
  close(): Promise<void>;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const t = opts.testDb ?? (await createTestDatabase());
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink) as Logger;
  const app = await buildWebApp({
    db: opts.database ?? t.db,
    logger,
    config: testConfig({ PUBLIC_URL: TEST_PUBLIC_URL, ...opts.env }),
    ...(opts.bus ? { bus: opts.bus } : {}),
    ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
    ...(opts.fetchStylesPolicy ? { fetchStylesPolicy: opts.fetchStylesPolicy } : {}),
    ...(opts.replayGate ? { replayGate: opts.replayGate } : {}),
    ...(opts.onDisplayFeeds ? { onDisplayFeeds: opts.onDisplayFeeds } : {}),
  });
  opts.extraRoutes?.(app);
  let baseUrl = '';
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  } else {
    await app.ready();
  }
  const logLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    t,
    app,
    baseUrl,
    logLines,
    mails: () =>
      logLines()
        .filter((l) => typeof l.mail_to === 'string')
        .map((l) => ({ to: l.mail_to as string, subject: l.mail_subject as string, text: l.mail_text as string })),
    async close() {
      await app.close();
      if (!opts.testDb) await t.drop();
    },
  };
}

/** The token in a mailed link (…#token=<token>). */
export function tokenInMail(text: string): string {
  const m = /#token=([A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no token link in: ${text}`);
  return m[1]!;
}

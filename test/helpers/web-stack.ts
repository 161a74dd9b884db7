/**
 * The real web app, a real collector and the real worker (background jobs: roster imports),
 * in this process, over one test database, as `p88 start` runs them: what the browser tests drive. The web app is buildWebApp itself (routes, auth, CSRF, SPA), listening
 * on a free port; the collector authenticates CTP01 clients with the partner's timing sources
 * (both sides share SECRET_KEY, so a secret made on the web side opens on the collector's).
 * Mail is "sent" to the log (no SMTP in tests); mails() reads it back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Accounts } from '../../src/accounts/accounts.service.js';
import { createMemoryBus } from '../../src/bus/memory.js';
import { runCli } from '../../src/cli.js';
import type { Output } from '../../src/commands/context.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { buildWebApp } from '../../src/web/app.js';
import { startWorker } from '../../src/worker/worker.js';
import { startTestCollector, type TestCollector } from './collector.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface WebStack {
  t: TestDatabase;
  app: FastifyInstance;
  baseUrl: string;
  collector: TestCollector;
  accounts: Accounts;
  /** Mails written to the log so far, oldest first. */
  mails(): Array<{ to: string; subject: string; text: string }>;
  /** Log lines at warn or above (a test can assert the run was clean). */
  problems(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** The machine's first non-loopback IPv4 address (how a venue's TVs reach the laptop), or null. */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/**
 * `env` adds to or overrides the web app's environment (e.g. CTLIVE_BASE_URL of a fake provider);
 * `host` is the listening address (default loopback; '0.0.0.0' to be reached by the LAN address).
 */
export async function startWebStack(opts: { env?: Record<string, string>; host?: string } = {}): Promise<WebStack> {
  const t = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-web-'));
  const secretKey = randomBytes(32).toString('hex');
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink) as Logger;
  const bus = createMemoryBus();
  const env = {
    DATA_DIR: dataDir,
    SECRET_KEY: secretKey,
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    // Its worker's /metrics on a port of its own: stacks of parallel test files never collide.
    WORKER_STATUS_HOST: '127.0.0.1',
    WORKER_STATUS_PORT: '0',
    // The base of mailed links; the tests open them on their own port (the token is what counts).
    PUBLIC_URL: 'http://p88.test',
    ...opts.env,
  };
  const config = loadConfig(env);
  const app = await buildWebApp({ db: t.db, logger, config, bus });
  const worker = await startWorker({ db: t.db, log: logger, config });
  const accounts = app.accounts;
  await app.listen({ host: opts.host ?? '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  // The collector publishes stored reads on the web app's bus, as in `p88 start`.
  const collector = await startTestCollector(
    t.db,
    { SECRET_KEY: secretKey, COLLECTOR_AUTH: 'hmac-sha1', COLLECTOR_ALLOW_ANONYMOUS: 'false' },
    undefined,
    bus,
  );

  return {
    t,
    app,
    baseUrl,
    collector,
    accounts,
    mails: () =>
      lines
        .filter((l) => typeof l.mail_to === 'string')
        .map((l) => ({ to: l.mail_to as string, subject: l.mail_subject as string, text: l.mail_text as string })),
    problems: () => lines.filter((l) => typeof l.level === 'number' && l.level >= 40 && typeof l.mail_to !== 'string'),
    async close() {
      await worker.close();
      await collector.close().catch(() => undefined);
      await app.close();
      await t.drop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(collector.dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `p88 partner …` / `p88 user …` (commander and all) against the stack's service; throws with their stderr on failure. */
export async function p88(stack: WebStack, command: 'partner' | 'user', args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io: Output = { out: (s) => void (out += s), err: (s) => void (err += s) };
  const code = await runCli([command, ...args], { io, accounts: stack.accounts });
  if (code !== 0) throw new Error(`p88 ${command} ${args.join(' ')} failed (${code}): ${err}`);
  return out;
}

export interface StackUser {
  email: string;
  name: string;
  role: string;
}

/** A partner and its users, made the way an operator does (`p88 partner create`, `p88 user create`). */
export async function createPartnerWithUsers(
  stack: WebStack,
  partner: { slug: string; name: string },
  users: readonly StackUser[],
  password: string,
): Promise<void> {
  await p88(stack, 'partner', ['create', '--slug', partner.slug, '--name', partner.name]);
  for (const u of users) {
    await p88(stack, 'user', ['create', '--email', u.email, '--name', u.name, '--partner', partner.slug, '--role', u.role, '--password', password]);
  }
}

/**
 * The partner dashboard in a real browser: the built ui/dist served by spaPlugin, in front of a
 * FAKE of the auth and timing endpoints that follows the API contract (httpOnly session cookie,
 * CSRF token in the body and required on state-changing requests, error bodies
 * {error:{code,message,request_id}}). real.test.ts drives the real backend; this file keeps the
 * failures that are hard to cause there on demand (the reads endpoint answering 500, a session
 * ended on the server while the page is open).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/http/error-handler.js';
import { spaPlugin } from '../../src/web/spa.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');

const USER = { id: 7, email: 'olivia@fast-timing.example', name: 'Olivia Owner', role: 'owner' };
const PARTNER = { id: 3, slug: 'fast-timing', name: 'Fast Timing Co' };
const PASSWORD = 'correct horse battery staple';
const WRONG_CREDENTIALS = 'Wrong email or password.';

interface FakeRead {
  id: number;
  session_id: number;
  sequence_number: number;
  location_name: string;
  tag_code: string;
  read_kind: 'tag' | 'gun';
  read_time: string;
}

/** The auth and timing API as the contract describes it, in memory. */
class FakeBackend {
  readonly sessions = new Map<string, { csrf: string }>();
  readonly reads: FakeRead[] = [];
  readonly resetRequests: string[] = [];
  logouts = 0;
  /** When set, recent-reads answers 500 (a database outage as the browser sees it). */
  failReads = false;
  private nextId = 1;
  private readonly start = Date.parse('2026-11-23T08:00:00Z');

  /** Back to the starting state: nobody signed in, a gun start and three reads at the start mat. */
  reset(): void {
    this.sessions.clear();
    this.reads.length = 0;
    this.resetRequests.length = 0;
    this.logouts = 0;
    this.failReads = false;
    this.nextId = 1;
    this.addRead('start', '', 'gun');
    for (const tag of ['0F2A38', '0F2A39', '0F2A40']) this.addRead('start', tag);
  }

  addRead(location: string, tag: string, kind: 'tag' | 'gun' = 'tag'): FakeRead {
    const id = this.nextId++;
    const read = {
      id,
      session_id: 12,
      sequence_number: id,
      location_name: location,
      tag_code: tag,
      read_kind: kind,
      read_time: new Date(this.start + id * 1_310).toISOString(),
    };
    this.reads.push(read);
    return read;
  }

  register(app: FastifyInstance): void {
    app.post<{ Body: { email?: unknown; password?: unknown } }>('/api/auth/login', async (request, reply) => {
      const { email, password } = request.body ?? {};
      if (email !== USER.email || password !== PASSWORD) {
        return reply.status(401).send(errorOf('unauthorized', WRONG_CREDENTIALS, request));
      }
      const token = randomBytes(24).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      this.sessions.set(token, { csrf });
      reply.header('set-cookie', `p88_session=${token}; Path=/; HttpOnly; SameSite=Lax`);
      return { user: USER, partner: PARTNER, csrf_token: csrf };
    });
    app.get('/api/auth/me', async (request, reply) => {
      const session = this.sessionOf(request);
      if (!session) return unauthorized(request, reply);
      return { user: USER, partner: PARTNER, csrf_token: session.csrf };
    });
    app.post('/api/auth/logout', async (request, reply) => {
      const token = cookieOf(request);
      const session = this.sessionOf(request);
      if (!token || !session) return unauthorized(request, reply);
      if (request.headers['x-csrf-token'] !== session.csrf) {
        return reply.status(403).send(errorOf('forbidden', 'Missing or wrong CSRF token.', request));
      }
      this.sessions.delete(token);
      this.logouts++;
      reply.header('set-cookie', 'p88_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
      return reply.status(204).send();
    });
    app.post<{ Body: { email?: unknown } }>('/api/auth/password-reset/request', async (request, reply) => {
      this.resetRequests.push(String(request.body?.email));
      return reply.status(202).send({ ok: true });
    });

    app.get('/api/timing/sessions', async (request, reply) => {
      if (!this.sessionOf(request)) return unauthorized(request, reply);
      const tagReads = this.reads.filter((r) => r.read_kind === 'tag');
      return {
        success: true,
        sessions: [
          {
            id: 12,
            session_name: 'Session_20261123_080000',
            event_name: 'Riverside Half Marathon',
            status: 'active',
            created_at: '2026-11-23T08:00:00.000Z',
            total_reads: tagReads.length,
            last_read: this.reads.at(-1)?.read_time ?? null,
            location_count: new Set(this.reads.map((r) => r.location_name)).size,
            locations: [...new Set(this.reads.map((r) => r.location_name))],
          },
          {
            id: 9,
            session_name: 'Session_20261116_071500',
            event_name: 'Spring 10K',
            status: 'closed',
            created_at: '2026-11-16T07:15:00.000Z',
            total_reads: 1843,
            last_read: '2026-11-16T09:02:11.000Z',
            location_count: 2,
            locations: ['start', 'finish'],
          },
        ],
      };
    });
    app.get<{ Querystring: { limit?: string } }>('/api/timing/recent-reads', async (request, reply) => {
      if (!this.sessionOf(request)) return unauthorized(request, reply);
      if (this.failReads) {
        return reply.status(500).send(errorOf('internal', 'Something went wrong on our side.', request));
      }
      const limit = Number(request.query.limit ?? 50);
      const reads = this.reads.slice(-limit).reverse();
      return { success: true, reads, count: reads.length, timestamp: new Date().toISOString() };
    });
    app.get('/api/timing/stats', async (request, reply) => {
      if (!this.sessionOf(request)) return unauthorized(request, reply);
      const tags = this.reads.filter((r) => r.read_kind === 'tag');
      const locations = [...new Set(tags.map((r) => r.location_name))];
      return {
        success: true,
        overall: {
          total_reads: tags.length,
          unique_tags: new Set(tags.map((r) => r.tag_code)).size,
          total_locations: locations.length,
          last_read: tags.at(-1)?.read_time ?? null,
        },
        by_location: locations.map((name) => {
          const here = tags.filter((r) => r.location_name === name);
          return {
            location_name: name,
            read_count: here.length,
            unique_tags: new Set(here.map((r) => r.tag_code)).size,
            // received now: the mats are live in this race
            last_read: new Date().toISOString(),
          };
        }),
      };
    });
    app.get('/api/timing/database-status', async (request, reply) => {
      if (!this.sessionOf(request)) return unauthorized(request, reply);
      return { success: true, database_enabled: true, connected: true, current_session: 12, error: null };
    });
  }

  private sessionOf(request: FastifyRequest): { csrf: string } | undefined {
    const token = cookieOf(request);
    return token ? this.sessions.get(token) : undefined;
  }
}

function cookieOf(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'p88_session') return value.join('=') || undefined;
  }
  return undefined;
}

function errorOf(code: string, message: string, request: FastifyRequest) {
  return { error: { code, message, request_id: request.id } };
}

function unauthorized(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(401).send(errorOf('unauthorized', 'Sign in to continue.', request));
}

describe.skipIf(!browserTestsEnabled())('partner dashboard in Chromium', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  const fake = new FakeBackend();
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // Builds ui/dist only when it is missing or older than ui/src (about a second).
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    server = Fastify({ genReqId: () => randomUUID() });
    installErrorHandling(server);
    fake.register(server);
    await server.register(spaPlugin, { distDir: join(REPO, 'ui', 'dist') });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    if (!address || typeof address === 'string') throw new Error('no server address');
    baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    fake.reset();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  async function signIn(password = PASSWORD): Promise<void> {
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(`${baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('shows the server message on a wrong password and stays on sign-in', async () => {
    await signIn('not the password');
    const error = page.getByTestId('sign-in-error');
    await error.waitFor({ timeout: 5_000 });
    expect(await error.textContent()).toBe(WRONG_CREDENTIALS);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(fake.sessions.size).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'sign-in-error.png') });
  });

  it('lands on the dashboard with the sessions after the right password, and stays signed in on reload', async () => {
    await signIn();
    await page.waitForURL(`${baseUrl}/`);
    const sessions = page.getByTestId('sessions');
    await sessions.waitFor({ timeout: 5_000 });
    const text = await sessions.textContent();
    expect(text).toContain('Riverside Half Marathon');
    expect(text).toContain('Active');
    expect(text).toContain('Spring 10K');
    expect(text).toContain('1,843');
    expect(await page.locator('.topbar').textContent()).toContain(PARTNER.name);

    // The CSRF token lives only in memory: a reload gets it again from /api/auth/me.
    await page.reload();
    await page.getByTestId('sessions').waitFor({ timeout: 5_000 });
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('shows new reads within seconds, newest first and highlighted', async () => {
    await signIn();
    const table = page.getByTestId('live-reads');
    await table.waitFor({ timeout: 5_000 });
    await page.locator('tr[data-tag="0F2A40"]').waitFor({ timeout: 3_000 });

    fake.addRead('5k', '1A0001');
    fake.addRead('5k', '1A0002');
    fake.addRead('finish', '1A0003');
    const started = Date.now();
    await page.locator('tr[data-tag="1A0003"]').waitFor({ timeout: 3_000 });
    const waited = Date.now() - started;
    expect(waited).toBeLessThan(3_000);

    const firstRows = await table.locator('tbody tr').evaluateAll((rows) =>
      rows.slice(0, 4).map((r) => ({ tag: r.getAttribute('data-tag'), isNew: r.classList.contains('read-new') })),
    );
    expect(firstRows.map((r) => r.tag)).toEqual(['1A0003', '1A0002', '1A0001', '0F2A40']);
    expect(firstRows.map((r) => r.isNew)).toEqual([true, true, true, false]);
    expect(await page.locator('tr[data-tag="1A0003"]').textContent()).toContain('finish');

    await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-tablet.png'), fullPage: true });
  });

  it('keeps the last reads through a server error, says so, and recovers', async () => {
    await signIn();
    await page.locator('tr[data-tag="0F2A40"]').waitFor({ timeout: 5_000 });
    fake.failReads = true;
    await page.getByText('Reconnecting…').waitFor({ timeout: 3_000 });
    expect(await page.locator('.panel-live').textContent()).toContain('Something went wrong on our side.');
    expect(await page.locator('tr[data-tag="0F2A40"]').count()).toBe(1);

    fake.failReads = false;
    fake.addRead('finish', '1A0009');
    await page.locator('tr[data-tag="1A0009"]').waitFor({ timeout: 3_000 });
    expect(await page.getByText('Reconnecting…').count()).toBe(0);
  });

  it('sends the user back to sign-in with a notice when the session ends', async () => {
    await signIn();
    await page.getByTestId('live-reads').waitFor({ timeout: 5_000 });
    fake.sessions.clear(); // expired or revoked on the server
    await page.waitForURL(`${baseUrl}/sign-in`, { timeout: 3_000 });
    await page.getByText('Your session has ended. Please sign in again.').waitFor({ timeout: 1_000 });
  });

  it('signs out with the CSRF token and returns to sign-in', async () => {
    await signIn();
    await page.getByTestId('sessions').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${baseUrl}/sign-in`, { timeout: 5_000 });
    expect(fake.logouts).toBe(1);
    expect(fake.sessions.size).toBe(0);

    // The cookie is gone: the dashboard sends us back to sign-in.
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(`${baseUrl}/sign-in`, { timeout: 5_000 });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('asks for a password reset and always answers with the same neutral confirmation', async () => {
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${baseUrl}/forgot-password`);
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const confirmation = page.getByTestId('reset-confirmation');
    await confirmation.waitFor({ timeout: 5_000 });
    expect(await confirmation.textContent()).toContain('If an account exists for that address');
    expect(fake.resetRequests).toEqual(['nobody@example.com']);
  });
});

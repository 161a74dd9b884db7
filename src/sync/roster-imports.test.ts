/**
 * Background roster imports on a real database, against the loopback ChronoTrack Live fake:
 * POST answers 202 at once, polls see the rows received grow page by page (the fake holds
 * pages back until the test has looked), final counts, failures with clear messages, joining
 * a running import, plan counting, stale and expired jobs, shutdown, and partner isolation.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../test/helpers/auth.js';
import { testConfig } from '../../test/helpers/config.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { withPartner } from '../db/tenant.js';
import { createLogger } from '../log.js';
import { sha1Hex } from '../providers/chronotrack/client.js';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack } from '../providers/chronotrack/fake-server.js';
import { Rosters } from '../rosters/roster.service.js';
import { buildWebApp } from '../web/app.js';
import { RosterImports, type RosterImport } from './roster-imports.js';

const PASSWORD = 'correct horse battery staple';
const CREDS = { client_id: 'p88-client', user_id: 'timer@example.com', password: PASSWORD };

let t: TestDatabase;
let app: FastifyInstance;
let fake: FakeChronoTrack;
let owner: SignedIn;
let viewer: SignedIn;
let rival: SignedIn;
let partnerId: number;
const logLines: string[] = [];
const log = {
  debug: (...a: unknown[]) => void logLines.push(JSON.stringify(a)),
  info: (...a: unknown[]) => void logLines.push(JSON.stringify(a)),
  warn: (...a: unknown[]) => void logLines.push(JSON.stringify(a)),
  error: (...a: unknown[]) => void logLines.push(JSON.stringify(a)),
};

/** Pages the fake holds back until the test releases them. */
const held = new Map<number, () => void>();
let holdPages = new Set<number>();
const waiting = new Map<number, Promise<void>>();

function releaseAll() {
  for (const release of held.values()) release();
  held.clear();
  holdPages = new Set();
}

beforeAll(async () => {
  t = await createTestDatabase();
  fake = await startFakeChronoTrack({
    clientId: CREDS.client_id,
    userId: CREDS.user_id,
    password: PASSWORD,
    events: [
      { event_id: '4242', event_name: 'Boise Half Marathon 2026', entries: fakeEntries(250) },
      { event_id: '77', event_name: 'Tiny 5K', entries: fakeEntries(3, { idBase: 100, bibBase: 900 }) },
      { event_id: '808', event_name: 'Broken 10K', entries: fakeEntries(120) },
    ],
    beforeEntryPage: (page) => {
      if (!holdPages.has(page)) return;
      const p = new Promise<void>((resolve) => held.set(page, resolve));
      waiting.set(page, p);
      return p;
    },
  });
  app = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig({ CTLIVE_BASE_URL: fake.baseUrl }) });
  await app.ready();
  partnerId = (await app.accounts.partners.create({ slug: 'acme', name: 'Acme' })).id;
  const rivalId = (await app.accounts.partners.create({ slug: 'rival', name: 'Rival' })).id;
  owner = await signIn(app, partnerId, 'owner');
  viewer = await signIn(app, partnerId, 'viewer');
  rival = await signIn(app, rivalId, 'owner');
});
afterEach(() => {
  releaseAll();
  fake.options.htmlEventIds = [];
  fake.options.failEntryPage = undefined;
});
afterAll(async () => {
  releaseAll();
  await app?.close();
  await fake?.close();
  await t?.drop();
});

const start = (who: SignedIn, eventId: string, extra: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/rosters/ctlive', headers: who.headers, payload: { ...CREDS, event_id: eventId, ...extra } });
const poll = async (who: SignedIn, id: string) => app.inject({ method: 'GET', url: `/api/rosters/imports/${id}`, headers: who.headers });

/** Polls until `pred` holds (or fails with the last answer after `ms`). */
async function pollUntil(who: SignedIn, id: string, pred: (j: RosterImport) => boolean, ms = 10_000): Promise<RosterImport> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    const res = await poll(who, id);
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json<RosterImport>();
    last = job;
    if (pred(job)) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out polling import ${id}: ${JSON.stringify(last)}`);
}

/** Waits until the fake has received the request for an entry page it holds. */
async function heldAt(page: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (!held.has(page)) {
    if (Date.now() > until) throw new Error(`page ${page} never requested`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const eventsUsed = async () => (await app.usage.report(partnerId)).metrics.find((m) => m.metric === 'events_per_month')!.used;

describe('ChronoTrack Live import in the background', () => {
  it('answers 202 at once, shows the rows received growing page by page, then the counts', async () => {
    holdPages = new Set([1, 2, 3]);
    const usedBefore = await eventsUsed();
    const res = await start(owner, '4242');
    expect(res.statusCode, res.body).toBe(202);
    const { import_id } = res.json<{ import_id: string }>();
    expect(import_id).toMatch(/^[0-9a-f]{32}$/);

    // Nothing received yet: the provider has not answered the first page.
    await heldAt(1);
    const first = (await poll(owner, import_id)).json<RosterImport>();
    expect(first).toMatchObject({ status: 'running', received: 0, total: null, result: null, error: null, external_id: '4242', source: 'ctlive' });

    held.get(1)!();
    await heldAt(2);
    // The viewer may watch too (displays:read).
    const p1 = await pollUntil(viewer, import_id, (j) => j.received === 100);
    expect(p1).toMatchObject({ status: 'running', received: 100, total: 250 });

    held.get(2)!();
    await heldAt(3);
    const p2 = await pollUntil(owner, import_id, (j) => j.received === 200);
    expect(p2).toMatchObject({ status: 'running', received: 200, total: 250 });

    held.get(3)!();
    const done = await pollUntil(owner, import_id, (j) => j.status !== 'running');
    expect(done).toMatchObject({
      status: 'done',
      received: 250,
      total: 250,
      error: null,
      result: { event_name: 'Boise Half Marathon 2026', entries: 250, inserted: 250, updated: 0, unchanged: 0, removed: 0, errors: [], error_count: 0 },
    });
    expect(done.finished_at).not.toBeNull();
    const events = (await app.inject({ method: 'GET', url: '/api/rosters', headers: owner.headers })).json().events as Array<{ id: number; participant_count: number }>;
    expect(events.find((e) => e.id === done.result!.event_id)?.participant_count).toBe(250);
    expect(await eventsUsed()).toBe((usedBefore ?? 0) + 1);

    // The password never reaches the stored job.
    const stored = await t.owner.query('SELECT * FROM roster_imports WHERE id = $1', [import_id]);
    expect(JSON.stringify(stored.rows)).not.toContain(sha1Hex(PASSWORD));
    expect(JSON.stringify(stored.rows)).not.toContain(PASSWORD);
  });

  it('re-imports in place, without charging the plan again', async () => {
    const first = await pollUntil(owner, (await start(owner, '77')).json().import_id, (j) => j.status === 'done');
    const used = await eventsUsed();
    fake.options.events[1]!.entries[0]!.athlete_first_name = 'Renamed';
    const again = await pollUntil(owner, (await start(owner, '77')).json().import_id, (j) => j.status === 'done');
    expect(again.result).toMatchObject({ event_id: first.result!.event_id, entries: 3, inserted: 0, updated: 1, unchanged: 2, removed: 0 });
    expect(await eventsUsed()).toBe(used);
  });

  it('joins the running import when the same event is started twice', async () => {
    holdPages = new Set([1]);
    const a = (await start(owner, '77')).json().import_id as string;
    await heldAt(1);
    const b = await start(owner, '77');
    expect(b.statusCode).toBe(202);
    expect(b.json().import_id).toBe(a);
    releaseAll();
    await pollUntil(owner, a, (j) => j.status === 'done');
  });

  it('ends failed with a clear message on an HTML error page or refused credentials', async () => {
    fake.options.htmlEventIds = ['808'];
    const html = await pollUntil(owner, (await start(owner, '808')).json().import_id, (j) => j.status !== 'running');
    expect(html).toMatchObject({
      status: 'failed',
      result: null,
      error: 'ChronoTrack Live answered with an HTML page instead of data (HTTP 200: ChronoTrack - Error).',
    });
    fake.options.htmlEventIds = [];
    const refused = await pollUntil(owner, (await start(owner, '808', { password: 'wrong' })).json().import_id, (j) => j.status !== 'running');
    expect(refused).toMatchObject({ status: 'failed', error: 'ChronoTrack Live rejected the client id, user id or password.' });
    const unknown = await pollUntil(owner, (await start(owner, '31337')).json().import_id, (j) => j.status !== 'running');
    expect(unknown).toMatchObject({ status: 'failed', error: 'ChronoTrack Live has no such event, or this account cannot see it.' });
    // Nothing of the failed event was stored.
    const stored = await t.owner.query(`SELECT 1 FROM roster_events WHERE external_id = '808'`);
    expect(stored.rows).toEqual([]);
  });

  it('keeps another partner out: their id is not found, the way an unknown one is', async () => {
    const id = (await start(owner, '77')).json().import_id as string;
    await pollUntil(owner, id, (j) => j.status === 'done');
    for (const url of [`/api/rosters/imports/${id}`, `/api/rosters/imports/${'0'.repeat(32)}`, '/api/rosters/imports/not-an-id']) {
      const res = await app.inject({ method: 'GET', url, headers: rival.headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('Tiny 5K');
    }
    expect((await poll(owner, `${'0'.repeat(32)}`)).statusCode).toBe(404);
    // Row-level security: the rival's transaction does not even see the row.
    const seen = await withPartner(t.db, (await app.accounts.partners.create({ slug: 'third', name: 'Third' })).id, (tx) =>
      tx.query('SELECT id FROM roster_imports WHERE id = $1', [id]),
    );
    expect(seen.rows).toEqual([]);
  });

  it('refuses a viewer’s start, a start without a client id and an anonymous poll', async () => {
    expect((await start(viewer, '77')).statusCode).toBe(403);
    // No client id sent and none configured for the platform (CTLIVE_CLIENT_ID).
    const noClient = await app.inject({ method: 'POST', url: '/api/rosters/ctlive', headers: owner.headers, payload: { user_id: 'u', password: 'p', event_id: '77' } });
    expect(noClient.statusCode).toBe(400);
    expect(noClient.json().error.message).toContain('client id');
    expect((await app.inject({ method: 'GET', url: `/api/rosters/imports/${'0'.repeat(32)}` })).statusCode).toBe(401);
  });
});

describe('RosterImports', () => {
  const input = (eventId: string, password = PASSWORD) => ({ clientId: CREDS.client_id, userId: CREDS.user_id, password, eventId });

  it('records the failure of a page part-way through, with the rows received so far', async () => {
    const jobs = new RosterImports(t.db, new Rosters(t.db), { log, ctliveBaseUrl: fake.baseUrl, client: { retryBaseMs: 5, maxAttempts: 2 } });
    fake.options.failEntryPage = 2;
    const { import_id } = await jobs.startChronoTrack(partnerId, null, input('808'));
    await jobs.settle();
    expect(await jobs.get(partnerId, import_id)).toMatchObject({ status: 'failed', received: 100, total: 120, error: 'ChronoTrack Live answered HTTP 500.' });
    expect(logLines.join('\n')).not.toContain(sha1Hex(PASSWORD));
  });

  it('limits the imports one partner runs at once', async () => {
    const jobs = new RosterImports(t.db, new Rosters(t.db), { log, ctliveBaseUrl: fake.baseUrl, maxRunningPerPartner: 1 });
    holdPages = new Set([1]);
    const a = await jobs.startChronoTrack(partnerId, null, input('77'));
    await expect(jobs.startChronoTrack(partnerId, null, input('4242'))).rejects.toMatchObject({ code: 'too_many_requests' });
    releaseAll();
    await jobs.settle();
    expect((await jobs.get(partnerId, a.import_id)).status).toBe('done');
  });

  it('stops running imports on close, marked failed, nothing stored', async () => {
    const jobs = new RosterImports(t.db, new Rosters(t.db), { log, ctliveBaseUrl: fake.baseUrl });
    holdPages = new Set([2]);
    fake.options.events.push({ event_id: '9001', event_name: 'Stopped Marathon', entries: fakeEntries(150) });
    const { import_id } = await jobs.startChronoTrack(partnerId, null, input('9001'));
    await heldAt(2);
    expect(jobs.runningCount).toBe(1);
    await jobs.close();
    expect(jobs.runningCount).toBe(0);
    expect(await jobs.get(partnerId, import_id)).toMatchObject({ status: 'failed', received: 100, error: 'The server shut down during the import. Start it again.' });
    expect((await t.owner.query(`SELECT 1 FROM roster_events WHERE external_id = '9001'`)).rows).toEqual([]);
    await expect(jobs.startChronoTrack(partnerId, null, input('77'))).rejects.toMatchObject({ status: 503 });
  });

  it('reports a job whose process stopped as failed, and forgets finished jobs after a while', async () => {
    const jobs = new RosterImports(t.db, new Rosters(t.db), { log, ctliveBaseUrl: fake.baseUrl, staleMs: 60_000, expireMs: 600_000 });
    const orphan = 'a'.repeat(32);
    const old = 'b'.repeat(32);
    await t.owner.query(
      `INSERT INTO roster_imports (id, partner_id, source, external_id, received, total, updated_at) VALUES ($1, $2, 'ctlive', '555', 100, 300, now() - interval '2 minutes')`,
      [orphan, partnerId],
    );
    await t.owner.query(
      `INSERT INTO roster_imports (id, partner_id, source, external_id, status, finished_at, result) VALUES ($1, $2, 'ctlive', '556', 'done', now() - interval '11 minutes', '{}')`,
      [old, partnerId],
    );
    expect(await jobs.get(partnerId, orphan)).toMatchObject({ status: 'failed', received: 100, total: 300, error: expect.stringContaining('stopped unexpectedly') });
    await expect(jobs.get(partnerId, old)).rejects.toMatchObject({ code: 'not_found' });
    expect((await t.owner.query('SELECT 1 FROM roster_imports WHERE id = $1', [old])).rows).toEqual([]);
  });
});

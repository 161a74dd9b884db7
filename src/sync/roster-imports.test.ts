/**
 * Background roster imports on a real database, against the loopback ChronoTrack Live fake:
 * POST answers 202 at once, polls see the rows received grow page by page (the fake holds
 * pages back until the test has looked), final counts, failures with clear messages, joining
 * a running import, plan counting, stale and expired jobs, partner isolation; and, since an
 * import is a queue job run by a worker (here one in this process, as in `p88 start`): an
 * import survives the web process that started it, a stopping worker hands it back, one that
 * vanished is taken up after its lease, and the credentials travel sealed and are cleared.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../test/helpers/auth.js';
import { testConfig } from '../../test/helpers/config.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import type { Config } from '../config.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import { claimJobs } from '../jobs/jobs.repo.js';
import { JobQueue } from '../jobs/queue.js';
import { JobRegistry } from '../jobs/registry.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger, type Logger } from '../log.js';
import { sha1Hex } from '../providers/chronotrack/client.js';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack } from '../providers/chronotrack/fake-server.js';
import { buildWebApp } from '../web/app.js';
import { ctliveImportJob, rosterImportHandler, RosterImports, type RosterImport } from './roster-imports.js';

const PASSWORD = 'correct horse battery staple';
const CREDS = { client_id: 'p88-client', user_id: 'timer@example.com', password: PASSWORD };

let t: TestDatabase;
let app: FastifyInstance;
let fake: FakeChronoTrack;
let owner: SignedIn;
let viewer: SignedIn;
let rival: SignedIn;
let partnerId: number;
let config: Config;
let box: SecretBox;
let worker: JobWorker | undefined;
/** Everything the worker logs, at every level: no credential may appear in it. */
const logLines: string[] = [];
const workerLog = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString('utf8')), done()) })) as Logger;

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
  config = testConfig({ CTLIVE_BASE_URL: fake.baseUrl });
  box = new SecretBox(await loadSecretKey(config.secretKey, config.dataDir));
  app = await buildWebApp({ db: t.db, logger: createLogger('silent'), config });
  await app.ready();
  worker = await startImportWorker();
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
  await worker?.stop();
  await app?.close();
  await fake?.close();
  await t?.drop();
});

/** The worker that runs the imports: the roster import handler, client retries kept short. */
async function startImportWorker(): Promise<JobWorker> {
  const registry = new JobRegistry().handle(
    ctliveImportJob,
    rosterImportHandler({ db: t.db, box, log: workerLog, ctliveBaseUrl: fake.baseUrl, client: { retryBaseMs: 5, maxAttempts: 2 } }),
  );
  const w = new JobWorker({ db: t.db, registry, log: workerLog, leaseMs: 1000, pollMs: 50, shutdownMs: 2000 });
  await w.start();
  return w;
}

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
    const job = res.json() as RosterImport;
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

const jobOf = async (importId: string) =>
  (await t.owner.query<{ id: number; state: string; attempts: number; secret: string | null }>(
    'SELECT j.id, j.state, j.attempts, j.secret FROM jobs j JOIN roster_imports r ON r.job_id = j.id WHERE r.id = $1',
    [importId],
  )).rows[0]!;
/** The import's job once its worker has written the outcome (just after the import row's). */
const endedJobOf = async (importId: string) => {
  for (let i = 0; i < 500; i++) {
    const job = await jobOf(importId);
    if (job.state !== 'active') return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the job of import ${importId} never ended`);
};

const eventsUsed = async () => (await app.usage.report(partnerId)).metrics.find((m) => m.metric === 'events_per_month')!.used;

describe('ChronoTrack Live import in the background', () => {
  it('answers 202 at once, shows the rows received growing page by page, then the counts', async () => {
    holdPages = new Set([1, 2, 3]);
    const usedBefore = await eventsUsed();
    const res = await start(owner, '4242');
    expect(res.statusCode, res.body).toBe(202);
    const { import_id } = res.json() as { import_id: string };
    expect(import_id).toMatch(/^[0-9a-f]{32}$/);

    // Nothing received yet: the provider has not answered the first page.
    await heldAt(1);
    const first = (await poll(owner, import_id)).json() as RosterImport;
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

    // The password never reaches the stored import or its job, in clear or hashed; the job's
    // sealed credentials are cleared once it has ended.
    const stored = await t.owner.query('SELECT * FROM roster_imports WHERE id = $1', [import_id]);
    expect(JSON.stringify(stored.rows)).not.toContain(sha1Hex(PASSWORD));
    expect(JSON.stringify(stored.rows)).not.toContain(PASSWORD);
    await endedJobOf(import_id);
    const job = await t.owner.query<{ state: string; secret: string | null }>('SELECT j.* FROM jobs j JOIN roster_imports r ON r.job_id = j.id WHERE r.id = $1', [import_id]);
    expect(job.rows).toMatchObject([{ state: 'done', secret: null, attempts: 1, payload: { importId: import_id, eventId: '4242' } }]);
    expect(JSON.stringify(job.rows)).not.toContain(PASSWORD);
    expect(JSON.stringify(job.rows)).not.toContain(sha1Hex(PASSWORD));
  });

  it('keeps the credentials sealed in the job while it waits', async () => {
    holdPages = new Set([1]);
    const id = (await start(owner, '77')).json().import_id as string;
    const job = await t.owner.query<{ secret: string; payload: unknown }>('SELECT j.secret, j.payload FROM jobs j JOIN roster_imports r ON r.job_id = j.id WHERE r.id = $1', [id]);
    const { secret, payload } = job.rows[0]!;
    expect(secret).toMatch(/^v1:/);
    expect(secret + JSON.stringify(payload)).not.toContain(PASSWORD);
    expect(secret).not.toContain(sha1Hex(PASSWORD));
    expect(JSON.parse(box.open(secret))).toEqual({ clientId: CREDS.client_id, userId: CREDS.user_id, password: PASSWORD });
    releaseAll();
    await pollUntil(owner, id, (j) => j.status === 'done');
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
  const settle = async (jobs: RosterImports, id: string) => {
    for (let i = 0; i < 500; i++) {
      const job = await jobs.get(partnerId, id);
      if (job.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`import ${id} never ended`);
  };

  it('records the failure of a page part-way through, with the rows received so far', async () => {
    const jobs = new RosterImports(t.db, { box });
    fake.options.failEntryPage = 2;
    const { import_id } = await jobs.startChronoTrack(partnerId, null, input('808'));
    expect(await settle(jobs, import_id)).toMatchObject({ status: 'failed', received: 100, total: 120, error: 'ChronoTrack Live answered HTTP 500.' });
    // The provider's refusal ends the job at once (its client retried the page already).
    expect(await endedJobOf(import_id)).toMatchObject({ state: 'failed', attempts: 1, secret: null });
    const logged = logLines.join('');
    expect(logged).toContain('ChronoTrack Live answered HTTP 500.');
    expect(logged).not.toContain(sha1Hex(PASSWORD));
    expect(logged).not.toContain(PASSWORD);
  });

  it('limits the imports one partner runs at once', async () => {
    const jobs = new RosterImports(t.db, { box, maxRunningPerPartner: 1 });
    holdPages = new Set([1]);
    const a = await jobs.startChronoTrack(partnerId, null, input('77'));
    await expect(jobs.startChronoTrack(partnerId, null, input('4242'))).rejects.toMatchObject({ code: 'too_many_requests' });
    releaseAll();
    expect((await settle(jobs, a.import_id)).status).toBe('done');
  });

  it('survives the web process that started it: a worker started afterwards runs it, another web node shows it', async () => {
    await worker!.stop();
    worker = undefined;
    fake.options.events.push({ event_id: '9002', event_name: 'Orphaned 10K', entries: fakeEntries(130, { idBase: 5000, bibBase: 5000 }) });
    const web1 = await buildWebApp({ db: t.db, logger: createLogger('silent'), config });
    const who = await signIn(web1, partnerId, 'owner');
    const res = await web1.inject({ method: 'POST', url: '/api/rosters/ctlive', headers: who.headers, payload: { ...CREDS, event_id: '9002' } });
    expect(res.statusCode).toBe(202);
    const { import_id } = res.json() as { import_id: string };
    await web1.close(); // the web process that took the request is gone
    expect(await jobOf(import_id)).toMatchObject({ state: 'queued', attempts: 0 });
    worker = await startImportWorker();
    const done = await pollUntil(owner, import_id, (j) => j.status !== 'running');
    expect(done).toMatchObject({ status: 'done', received: 130, total: 130, result: { event_name: 'Orphaned 10K', entries: 130, inserted: 130 } });
  });

  it('is handed back by a worker that stops mid-import, and finished by the next without a failed attempt', async () => {
    const jobs = new RosterImports(t.db, { box });
    holdPages = new Set([2]);
    fake.options.events.push({ event_id: '9001', event_name: 'Stopped Marathon', entries: fakeEntries(150, { idBase: 7000, bibBase: 7000 }) });
    const { import_id } = await jobs.startChronoTrack(partnerId, null, input('9001'));
    await heldAt(2);
    await worker!.stop();
    // Still running as far as the dashboard can tell, nothing stored, the job waiting for a worker.
    expect(await jobs.get(partnerId, import_id)).toMatchObject({ status: 'running', received: 100, error: null });
    expect(await jobOf(import_id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await t.owner.query(`SELECT 1 FROM roster_events WHERE external_id = '9001'`)).rows).toEqual([]);
    releaseAll();
    worker = await startImportWorker();
    expect(await settle(jobs, import_id)).toMatchObject({ status: 'done', received: 150, total: 150, result: { entries: 150, inserted: 150 } });
    expect(await endedJobOf(import_id)).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('is taken up after the lease of a worker that vanished mid-import, progress starting again', async () => {
    await worker!.stop();
    worker = undefined;
    const jobs = new RosterImports(t.db, { box });
    const { import_id } = await jobs.startChronoTrack(partnerId, null, input('77'));
    const jobId = (await jobOf(import_id)).id;
    // A worker claims it, gets a page in, and dies: no renewals, no outcome.
    const claimed = await asPlatform(t.db, (tx) => claimJobs(tx, [ctliveImportJob.name], [1], 'ghost', 300));
    expect(claimed.map((j) => j.id)).toEqual([jobId]);
    await t.owner.query(`UPDATE roster_imports SET received = 2, total = 3 WHERE id = $1`, [import_id]);
    worker = await startImportWorker();
    expect(await settle(jobs, import_id)).toMatchObject({ status: 'done', received: 3, total: 3, result: { entries: 3 } });
    expect(await endedJobOf(import_id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('reports an import whose job was cancelled, or died for good, or whose process stopped, as failed; forgets finished ones', async () => {
    const jobs = new RosterImports(t.db, { box, staleMs: 60_000, expireMs: 600_000 });
    // Cancelled while waiting for a worker.
    await worker!.stop();
    worker = undefined;
    const cancelled = (await jobs.startChronoTrack(partnerId, null, input('77'))).import_id;
    await new JobQueue(t.db).cancel(partnerId, (await jobOf(cancelled)).id);
    expect(await jobs.get(partnerId, cancelled)).toMatchObject({ status: 'failed', error: 'The import was cancelled.' });
    // Its job failed without the handler writing the outcome (its workers kept dying).
    const died = (await jobs.startChronoTrack(partnerId, null, input('4242'))).import_id;
    await t.owner.query(`UPDATE jobs SET state = 'failed', finished_at = now(), secret = NULL WHERE id = $1`, [(await jobOf(died)).id]);
    expect(await jobs.get(partnerId, died)).toMatchObject({ status: 'failed', error: expect.stringContaining('stopped unexpectedly') });
    worker = await startImportWorker();

    // Rows from before imports were jobs: a stale running one, and one finished long ago.
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

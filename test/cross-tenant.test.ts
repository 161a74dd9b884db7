/**
 * Cross-tenant suite: every HTTP route in the OpenAPI document is called by partner A's owner
 * aimed at partner B's data. Each must refuse (403/404) or answer without any of B's data,
 * and B's data must be unchanged afterwards. Routes are enumerated from /docs/json, so a new
 * route is covered automatically — and this test fails until it knows how to aim it at B.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readsTopic } from '../src/bus/bus.js';
import { createMemoryBus } from '../src/bus/memory.js';
import type { LiveRead } from '../src/bus/live-read.js';
import { testConfig } from './helpers/config.js';
import { createLogger } from '../src/log.js';
import { buildWebApp } from '../src/web/app.js';
import { signIn, type SignedIn } from './helpers/auth.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { withPartner } from '../src/db/tenant.js';
import { JobQueue } from '../src/jobs/queue.js';
import { DEFAULT_SYNC_CADENCE, parseSyncCadence } from '../src/sync/sync-cadence.js';
import { startSyncRun } from '../src/sync/sync-history.repo.js';
import { saveCursor } from '../src/sync/sync-warehouse.repo.js';
import { SyncSchedules } from '../src/sync/sync-schedules.service.js';

/** Routes anyone may call by design, each for a stated reason. */
const PUBLIC: Record<string, string> = {
  'POST /api/auth/login': 'signing in',
  'POST /api/auth/password-reset/request': 'asking for a reset link (answers the same for every email)',
  'POST /api/auth/password-reset/confirm': 'needs the single-use token from the mail',
  'POST /api/auth/invitations/accept': 'needs the single-use token from the invitation',
  'POST /api/webhooks/stripe': 'authenticated by Stripe signature, tested in billing.test.ts',
  'GET /health': 'no tenant data',
  'GET /api/display/{id}': 'the unguessable link id is the key; checked below',
  'GET /api/display/{id}/stream': 'the unguessable link id is the key; checked below',
  'POST /api/display/{id}/screens/{screen}': "a screen's report, keyed by the unguessable link id; only its own partner's console reads it",
  'POST /api/display/{id}/screens/{screen}/close': "a screen's close beacon, keyed by the unguessable link id; it only takes that screen off its own partner's console until it reports again",
  'GET /assets/{key}': 'image bytes for screens: the unguessable 32-hex key is the secret (assets.test.ts)',
};

let t: TestDatabase;
let app: FastifyInstance;
const bus = createMemoryBus();
let a: SignedIn;
let b: SignedIn;
let bPartner: number;
const B: Record<string, string | number> = {};

async function call(who: SignedIn, method: string, url: string, payload?: unknown) {
  return app.inject({ method: method as 'GET', url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig({ CTLIVE_BASE_URL: 'http://127.0.0.1:9/api' }), bus, heartbeatMs: 200 });
  await app.ready();
  bPartner = (await app.accounts.partners.create({ slug: 'beta', name: 'Beta Timing' })).id;
  a = await signIn(app, 1, 'owner');
  b = await signIn(app, bPartner, 'owner');

  // B's data, made through the API as B's owner where a route exists.
  const source = (await call(b, 'POST', '/api/sources', { name: 'B-SOURCE-NAME' })).json();
  B.source = source.id;
  B.sourceUser = source.user_id;
  B.link = (await call(b, 'POST', '/api/display-links', { name: 'B-LINK-NAME' })).json().id;
  B.token = (await call(b, 'POST', '/api/tokens', { name: 'B-TOKEN-NAME', scopes: ['timing:read'] })).json().token.id;
  B.invitation = (await call(b, 'POST', '/api/invitations', { email: 'b-invitee@beta.test', role: 'staff' })).json().invitation.id;
  B.user = b.userId;
  B.roster = (await call(b, 'POST', '/api/rosters', { name: 'B-ROSTER-NAME' })).json().id;
  B.participant = (await call(b, 'POST', `/api/rosters/${B.roster}/participants`, { bib: '4242', first_name: 'B-RUNNER-NAME' })).json().id;
  // A ChronoTrack import of B's (the provider address refuses connections: the job fails, its id stays).
  B.rosterImport = (await call(b, 'POST', '/api/rosters/ctlive', { client_id: 'c', user_id: 'u', password: 'p', event_id: '4242' })).json().import_id;
  B.email = b.email;
  // B's RunSignUp connection (its public key field is a marker; the secret is never answered to anyone).
  B.provider = (await call(b, 'POST', '/api/providers', { provider: 'runsignup', fields: { apiKey: 'B-PROVIDER-KEY', apiSecret: 'B-PROVIDER-SECRET' } })).json().id;
  // B's synced event on a schedule (feeding B's roster).
  B.schedule = (await call(b, 'POST', '/api/sync/schedules', { provider: 'runsignup', event_id: 'B-SYNC-EVENT', roster_event_id: B.roster })).json().id;
  // B's results, imported as B.
  const imported = await app.inject({
    method: 'POST',
    url: '/api/results/import',
    headers: { ...b.headers, 'content-type': 'text/csv' },
    payload: 'event,event_date,race,distance,bib,first_name,last_name,chip_time,split:5K\nB-RESULT-EVENT,2026-05-01,B-RESULT-RACE,10k,4242,B-RESULT-RUNNER,Beta,0:40:00,0:20:00\n',
  });
  if (imported.statusCode !== 200 || imported.json().inserted !== 1) throw new Error(`B's results import failed: ${imported.body}`);
  const bResult = (await t.owner.query<{ id: number; race_id: number; event_id: number; entry_id: number }>('SELECT id, race_id, event_id, entry_id FROM results WHERE partner_id = $1', [bPartner])).rows[0]!;
  Object.assign(B, { result: bResult.id, race: bResult.race_id, event: bResult.event_id, entry: bResult.entry_id });
  const design = { html: '<div data-p88-field="name">B-TEMPLATE-HTML</div>', css: '' };
  B.template = (await call(b, 'POST', '/api/templates', { name: 'B-TEMPLATE-NAME', runner: design, idle: design })).json().template.id;
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEklEQVQImWM402F8psOYAUIBAC02Bh1HhY0qAAAAAElFTkSuQmCC', 'base64');
  B.asset = (await app.inject({ method: 'POST', url: '/api/assets', headers: { ...b.headers, 'content-type': 'image/png', 'x-file-name': 'B-ASSET-NAME.png' }, payload: png })).json().asset?.key;
  for (const [k, v] of Object.entries(B)) if (v === undefined) throw new Error(`fixture ${k} missing`);
  // Timing data has no create route (the collector writes it): as the owner.
  await t.owner.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES (900, $1, 'B-SESSION-NAME')`, [bPartner]);
  await t.owner.query(`INSERT INTO timing_locations (id, partner_id, session_id, location_name) VALUES (900, $1, 900, 'B-LOC')`, [bPartner]);
  await t.owner.query(
    `INSERT INTO timing_streams (id, partner_id, session_id, location_id, source_key, location_name) VALUES (900, $1, 900, 900, 'cid:B', 'B-LOC')`,
    [bPartner],
  );
  await t.owner.query(
    `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
        read_time, time_raw, lap_count, reader_id, gator_number, raw_line)
     VALUES ($1, 900, 900, 900, 'cid:B', 1, 'B-LOC', 'BTAG9', now(), 't', 1, 'R', 1, 'B-RAW-LINE')`,
    [bPartner],
  );
  B.session = 900;
});

afterAll(async () => {
  await app.close();
  await t.drop();
});

/** Strings that would betray B's data in any answer A gets. */
function markers(): string[] {
  return ['B-ROSTER-NAME', 'B-RUNNER-NAME', 'B-SOURCE-NAME', String(B.sourceUser), String(B.link), 'B-TOKEN-NAME', 'b-invitee@beta.test', String(B.email), 'B-SESSION-NAME', 'BTAG9', 'B-LOC', 'B-RAW-LINE', 'beta', 'B-ASSET-NAME', String(B.asset), 'B-TEMPLATE-NAME', 'B-TEMPLATE-HTML', 'B-RESULT-EVENT', 'B-RESULT-RACE', 'B-RESULT-RUNNER', 'B-PROVIDER-KEY', 'B-PROVIDER-SECRET', 'B-SYNC-EVENT'];
}

/** B's resource for each path parameter, by route prefix. */
function aimAtB(path: string): string {
  // The read API: B's rows by their ids, through every view.
  if (path === '/api/db/{view}') return `/api/db/ct_results?or=(id.eq.${B.result},race_id.eq.${B.race},event_id.eq.${B.event})&select=*,ct_races(*),ct_participants(*),ct_splits(*)`;
  const id = path.startsWith('/api/sources/')
    ? B.source
    : path.startsWith('/api/tokens/')
      ? B.token
      : path.startsWith('/api/users/')
        ? B.user
        : path.startsWith('/api/invitations/')
          ? B.invitation
          : path.startsWith('/api/display-links/')
            ? B.link
            : path.startsWith('/api/templates/')
              ? B.template
            : path.startsWith('/api/assets/') || path.startsWith('/assets/')
              ? B.asset
            : path.startsWith('/api/providers/')
              ? B.provider
            : path.startsWith('/api/sync/schedules/')
              ? B.schedule
            : path.startsWith('/api/rosters/imports/')
              ? B.rosterImport
              : path.startsWith('/api/rosters/')
              ? B.roster
              : path.startsWith('/api/participants/')
                ? B.participant
                : undefined;
  if (path.includes('{') && id === undefined) throw new Error(`cross-tenant test does not know how to aim ${path} at partner B: add it`);
  const url = path.replace(/\{[^}]+\}/g, String(id));
  // Timing reads are chosen by session: name B's.
  return url.startsWith('/api/timing/') ? `${url}?session_id=${B.session}` : url;
}

/** A valid body, so a refusal proves isolation rather than input validation. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/users/{id}': { role: 'viewer' },
  'POST /api/sources': { name: 'A-source' },
  'POST /api/display-links': { name: 'A-link' },
  'POST /api/tokens': { name: 'A-token', scopes: ['timing:read'] },
  'POST /api/invitations': { email: 'a-invitee@alpha.test', role: 'viewer' },
  'POST /api/auth/password': { current_password: 'wrong', new_password: 'another long passphrase' },
  'POST /api/platform/partners': { slug: 'from-a', name: 'From A' },
  'POST /api/rosters': { name: 'A roster' },
  'POST /api/rosters/{id}/participants': { bib: '77' },
  'PATCH /api/participants/{id}': { first_name: 'Renamed by A' },
  'POST /api/rosters/{id}/csv': { csv: 'bib,first\n88,Planted\n', mapping: { bib: 'bib', first_name: 'first' } },
  'POST /api/rosters/csv-preview': { csv: 'bib\n1\n' },
  'POST /api/rosters/{id}/csv-check': { csv: 'bib,first\n88,Planted\n', mapping: { bib: 'bib', first_name: 'first' } },
  'PUT /api/display-links/{id}/screens/{screen}/name': { name: 'Named by A' },
  'POST /api/templates': { name: 'A template', runner: { html: '', css: '' }, idle: { html: '', css: '' } },
  'PUT /api/templates/{id}': { name: 'Renamed by A', runner: { html: '', css: '' }, idle: { html: '', css: '' } },
  'POST /api/templates/{id}/duplicate': { name: 'Copied by A' },
  'PATCH /api/display-links/{id}': { name: 'Renamed by A' },
  'POST /api/display-links/{id}/show': { bib: '4242' },
  'POST /api/providers': { provider: 'ultrasignup', fields: {} },
  'POST /api/providers/{id}/sync': { event_id: '4242' },
  'POST /api/providers/{id}/push': { event_id: '98765', race_id: '111', warehouse_event_id: 1, result_set_id: '555' },
  'PATCH /api/sync/schedules/{id}': { enabled: false },
};

describe('cross-tenant isolation over HTTP', () => {
  it('enumerates every route from the OpenAPI document and none of them gives A any of B’s data', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const tried: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
        const route = `${method} ${path}`;
        if (PUBLIC[route]) continue;
        if (route === 'POST /api/auth/logout') continue; // would end A's own session mid-test; see below
        const res = await call(a, method, aimAtB(path), BODIES[route] ?? (method === 'GET' || method === 'DELETE' ? undefined : {}));
        tried.push(route);
        if (path === '/api/db/{view}') {
          // Read API: a read answers A's rows only (none here); a write is refused.
          expect(method === 'GET' ? [200] : [405], `${route} answered ${res.statusCode}: ${res.body}`).toContain(res.statusCode);
          if (method === 'GET') expect(res.json()).toEqual([]);
        } else if (path.includes('{')) {
          expect([403, 404], `${route} answered ${res.statusCode}: ${res.body}`).toContain(res.statusCode);
        } else if (route.startsWith('GET /api/timing/') && res.statusCode !== 200) {
          expect([403, 404], `${route} answered ${res.statusCode}`).toContain(res.statusCode);
        }
        for (const m of markers()) expect(res.body, `${route} leaked "${m}"`).not.toContain(m);
      }
    }
    // Every authenticated route was exercised (a new one cannot slip past the loop).
    expect(tried.length).toBeGreaterThanOrEqual(Object.values(doc.paths).flatMap((o) => Object.keys(o)).length - Object.keys(PUBLIC).length - 1);
  });

  it('left B’s data exactly as it was', async () => {
    const sources = (await call(b, 'GET', '/api/sources')).json().sources as Array<{ id: number; revoked_at: string | null }>;
    expect(sources.find((s) => s.id === B.source)?.revoked_at).toBeNull();
    const links = (await call(b, 'GET', '/api/display-links')).json().links as Array<{ id: string; revoked_at: string | null }>;
    expect(links.find((l) => l.id === B.link)?.revoked_at).toBeNull();
    const tokens = (await call(b, 'GET', '/api/tokens')).json().tokens as Array<{ id: number; revoked_at: string | null }>;
    expect(tokens.find((x) => x.id === B.token)?.revoked_at).toBeNull();
    const users = (await call(b, 'GET', '/api/users')).json().users as Array<{ id: number; role: string }>;
    expect(users.find((u) => u.id === B.user)?.role).toBe('owner');
    const invitations = (await call(b, 'GET', '/api/invitations')).json().invitations as Array<{ id: number }>;
    expect(invitations.map((i) => i.id)).toContain(B.invitation);
    const template = (await call(b, 'GET', `/api/templates/${B.template}`)).json().template;
    expect(template).toMatchObject({ name: 'B-TEMPLATE-NAME', current_version: 1 });
    const assets = (await call(b, 'GET', '/api/assets')).json().assets as Array<{ key: string }>;
    expect(assets.map((x) => x.key)).toEqual([B.asset]);
    expect((await call(b, 'GET', `/api/rosters/imports/${B.rosterImport}`)).statusCode).toBe(200);
    const participants = (await call(b, 'GET', `/api/rosters/${B.roster}/participants`)).json().participants as Array<{ bib: string; first_name: string }>;
    expect(participants).toEqual([expect.objectContaining({ bib: '4242', first_name: 'B-RUNNER-NAME' })]);
  });

  it('never shows B’s results through the read API: filters, embeddings, counts, every view', async () => {
    const ids: Record<string, string> = {
      ct_events: `event_id=eq.${B.event}`,
      ct_races: `or=(race_id.eq.${B.race},event_id.eq.${B.event})`,
      ct_participants: `entry_id=eq.${B.entry}`,
      ct_results: `id=in.(${B.result})`,
      ct_splits: `result_id=eq.${B.result}`,
    };
    for (const [view, filter] of Object.entries(ids)) {
      for (const url of [`/api/db/${view}?${filter}`, `/api/db/${view}`, `/api/db/${view}?select=*&limit=1000`]) {
        const res = await app.inject({ method: 'GET', url, headers: { ...a.headers, prefer: 'count=exact' } });
        expect(res.statusCode, url).toBe(200);
        expect(res.json(), url).toEqual([]);
        expect(res.headers['content-range'], url).toBe('*/0');
      }
    }
    const embedded = await app.inject({ method: 'GET', url: '/api/db/ct_events?select=*,ct_races(*,ct_results(*,ct_splits(*)))', headers: a.headers });
    expect(embedded.json()).toEqual([]);
    for (const m of markers()) expect(embedded.body).not.toContain(m);
    // B sees its own, so the filters above were aimed right.
    const own = await app.inject({ method: 'GET', url: `/api/db/ct_results?id=eq.${B.result}&select=results_first_name,ct_splits(split_label)`, headers: b.headers });
    expect(own.json()).toEqual([{ results_first_name: 'B-RESULT-RUNNER', ct_splits: [{ split_label: '5K' }] }]);
    // And the tables themselves, in A's transaction.
    await withPartner(t.db, 1, async (tx) => {
      for (const table of ['results_events', 'races', 'entries', 'results', 'splits']) {
        expect((await tx.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0], table).toEqual({ n: 0 });
      }
    });
  });

  it('keeps B’s background jobs, sync schedules and history out of A’s transactions', async () => {
    // B's roster import queued a job for B; B's event is on a sync schedule with a run.
    const schedules = new SyncSchedules(t.db, parseSyncCadence(DEFAULT_SYNC_CADENCE));
    const schedule = await schedules.upsert(bPartner, { provider: 'runsignup', externalEventId: 'B-RACE-1', startsAt: null });
    const syncJob = await schedules.syncNow(bPartner, schedule.id);
    await withPartner(t.db, bPartner, (tx) =>
      startSyncRun(tx, bPartner, { scheduleId: schedule.id, jobId: syncJob.id, provider: 'runsignup', externalEventId: 'B-RACE-1', direction: 'pull', trigger: 'manual' }),
    );
    // B's incremental-pull cursor on its RunSignUp connection (migration 0074).
    const bConn = (await t.owner.query<{ id: number }>(`SELECT id FROM provider_connections WHERE partner_id = $1 AND provider = 'runsignup'`, [bPartner])).rows[0]!.id;
    await withPartner(t.db, bPartner, (tx) => saveCursor(tx, bPartner, bConn, 'B-RACE-1', '1700000000', true));
    const seenBy = (partner: number) =>
      withPartner(t.db, partner, async (tx) => ({
        jobs: (await tx.query('SELECT id FROM jobs')).rows.length,
        schedules: (await tx.query('SELECT id FROM sync_schedules')).rows.length,
        history: (await tx.query('SELECT id FROM sync_history')).rows.length,
        imports: (await tx.query('SELECT id FROM roster_imports')).rows.length,
        // runsignup: A made an UltraSignup connection of its own above, B a RunSignUp one.
        connections: (await tx.query(`SELECT id FROM provider_connections WHERE provider = 'runsignup'`)).rows.length,
        recurring: (await tx.query('SELECT name FROM job_recurring')).rows.length,
        buckets: (await tx.query('SELECT key FROM job_rate_limits')).rows.length,
        cursors: (await tx.query('SELECT since FROM sync_cursors')).rows.length,
      }));
    expect(await seenBy(1)).toEqual({ jobs: 0, schedules: 0, history: 0, imports: 0, connections: 0, recurring: 0, buckets: 0, cursors: 0 });
    // Schedules: B-SYNC-EVENT (made over HTTP in beforeAll) and B-RACE-1.
    expect(await seenBy(bPartner)).toMatchObject({ jobs: 2, schedules: 2, history: 1, imports: 1, connections: 1, cursors: 1 });
    // A cannot write a cursor on B's connection: the foreign key is (partner_id, connection_id).
    await expect(withPartner(t.db, 1, (tx) => saveCursor(tx, 1, bConn, 'B-RACE-1', '1', true))).rejects.toThrow();
    const queue = new JobQueue(t.db);
    expect(await queue.get(1, syncJob.id)).toBeUndefined();
    expect(await queue.cancel(1, syncJob.id)).toBeUndefined();
    await expect(schedules.syncNow(1, schedule.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await queue.get(bPartner, syncJob.id)).toMatchObject({ state: 'queued', partner_id: bPartner });
  });

  it('needs a sign-in for every non-public route', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
        const route = `${method} ${path}`;
        if (PUBLIC[route]) continue;
        const res = await app.inject({ method: method as 'GET', url: aimAtB(path), ...(method === 'GET' || method === 'DELETE' ? {} : { payload: (BODIES[route] ?? {}) }) });
        expect(res.statusCode, `${route} without credentials`).toBe(401);
      }
    }
  });

  it('never streams B’s reads to A’s display screens', async () => {
    // A's link made by the route loop above (the free plan allows one display).
    const aLink = ((await call(a, 'GET', '/api/display-links')).json().links as Array<{ id: string }>)[0]!.id;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/display/${aLink}/stream`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const read: LiveRead = { id: 9_999, sessionId: 900, location: 'B-LOC', tag: 'BTAG9', kind: 'tag', readTimeMs: 1, receivedAt: 1 };
    await new Promise((r) => setTimeout(r, 100));
    await bus.publish(readsTopic(bPartner), [read]);
    let text = '';
    const until = Date.now() + 600;
    while (Date.now() < until) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), until - Date.now()))]);
      if (chunk && 'value' in chunk && chunk.value) text += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    expect(text).not.toContain('BTAG9');
    expect(text).toContain('retry:');
  });
});

/** /api/providers over HTTP: definitions, connect (secret never answered), test, sync now (a queued job), remove; roles and partners kept apart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { signIn, type SignedIn } from '../../test/helpers/auth.js';
import { newPartner } from '../../test/helpers/factories.js';
import { startFakeRunSignUp, type FakeRunSignUp } from '../providers/runsignup/fake-server.js';

let h: TestApp;
let rsu: FakeRunSignUp;
let admin: SignedIn;
let viewer: SignedIn;
let other: SignedIn;

beforeAll(async () => {
  rsu = await startFakeRunSignUp({ apiKey: 'k', apiSecret: 'route-secret', races: [] });
  h = await startTestApp({ env: { RUNSIGNUP_BASE_URL: rsu.baseUrl } });
  const p = await newPartner(h.app, { slug: 'prov-a' });
  const q = await newPartner(h.app, { slug: 'prov-b' });
  admin = await signIn(h.app, p.id, 'admin');
  viewer = await signIn(h.app, p.id, 'viewer');
  other = await signIn(h.app, q.id, 'admin');
});
afterAll(async () => {
  await h?.close();
  await rsu?.close();
});

describe('/api/providers', () => {
  it('connects, tests, syncs now and removes; never answers the secret; other partners and viewers cannot act', async () => {
    const list = await h.app.inject({ method: 'GET', url: '/api/providers', headers: viewer.headers });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ providers: Array<{ name: string }> }>().providers.map((p) => p.name)).toContain('runsignup');

    const body = { provider: 'runsignup', fields: { apiKey: 'k', apiSecret: 'route-secret' } };
    expect((await h.app.inject({ method: 'POST', url: '/api/providers', headers: viewer.headers, payload: body })).statusCode).toBe(403);
    const created = await h.app.inject({ method: 'POST', url: '/api/providers', headers: admin.headers, payload: body });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain('route-secret');
    const id = created.json<{ id: number }>().id;
    expect(created.json()).toMatchObject({ provider: 'runsignup', public_fields: { apiKey: 'k' } });
    const missing = await h.app.inject({ method: 'POST', url: '/api/providers', headers: other.headers, payload: { provider: 'runsignup', fields: { apiKey: 'k' } } });
    expect(missing.statusCode).toBe(400);

    const listed = await h.app.inject({ method: 'GET', url: '/api/providers', headers: admin.headers });
    expect(listed.body).not.toContain('route-secret');
    expect(listed.json<{ connections: unknown[] }>().connections).toHaveLength(1);

    const tested = await h.app.inject({ method: 'POST', url: `/api/providers/${id}/test`, headers: admin.headers });
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toMatchObject({ ok: true });

    const sync = await h.app.inject({ method: 'POST', url: `/api/providers/${id}/sync`, headers: admin.headers, payload: { event_id: '98765' } });
    expect(sync.statusCode).toBe(202);
    const { job_id } = sync.json<{ job_id: number; created: boolean }>();
    expect(sync.json()).toMatchObject({ created: true, provider: 'runsignup' });
    const job = (await h.t.owner.query('SELECT queue, state, payload, secret FROM jobs WHERE id = $1', [job_id])).rows[0];
    expect(job).toMatchObject({ queue: 'sync.runsignup', state: 'queued', payload: { connectionId: id, externalEventId: '98765', trigger: 'manual', scheduleId: null }, secret: null });
    const joined = await h.app.inject({ method: 'POST', url: `/api/providers/${id}/sync`, headers: admin.headers, payload: { event_id: '98765' } });
    expect(joined.json()).toMatchObject({ job_id, created: false });

    // Another partner: not found, for every action.
    for (const [method, url] of [['POST', `/api/providers/${id}/test`], ['POST', `/api/providers/${id}/sync`], ['DELETE', `/api/providers/${id}`]] as const) {
      const res = await h.app.inject({ method, url, headers: other.headers, ...(url.endsWith('/sync') ? { payload: { event_id: '1' } } : {}) });
      expect(res.statusCode).toBe(404);
    }
    expect((await h.app.inject({ method: 'DELETE', url: `/api/providers/${id}`, headers: admin.headers })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/providers/${id}`, headers: admin.headers })).statusCode).toBe(404);
  });
});

describe('/api/sync and a connection’s events', () => {
  it('lists the provider’s events, schedules one into a roster, pauses, syncs now, removes; history lists runs; other partners get 404', async () => {
    rsu.races.push({ race_id: 5150, name: 'Route Half', next_date: '07/26/2030', timezone: 'America/Boise', address: { city: 'Boise', state: 'ID', country_code: 'US' }, events: [] });
    const c = (await h.app.inject({ method: 'POST', url: '/api/providers', headers: admin.headers, payload: { provider: 'runsignup', fields: { apiKey: 'k', apiSecret: 'route-secret' } } })).json<{ id: number }>();
    const events = await h.app.inject({ method: 'GET', url: `/api/providers/${c.id}/events`, headers: viewer.headers });
    expect(events.statusCode).toBe(200);
    expect(events.json()).toEqual({ events: [expect.objectContaining({ external_id: '5150', name: 'Route Half', start_date: '2030-07-26', city: 'Boise' })] });
    expect((await h.app.inject({ method: 'GET', url: `/api/providers/${c.id}/events`, headers: other.headers })).statusCode).toBe(404);

    const roster = (await h.app.inject({ method: 'POST', url: '/api/rosters', headers: admin.headers, payload: { name: 'Fed' } })).json<{ id: number }>();
    const otherRoster = (await h.app.inject({ method: 'POST', url: '/api/rosters', headers: other.headers, payload: { name: 'Not yours' } })).json<{ id: number }>();
    const body = { provider: 'runsignup', event_id: '5150', starts_at: '2030-07-26T13:30:00Z', roster_event_id: roster.id };
    expect((await h.app.inject({ method: 'POST', url: '/api/sync/schedules', headers: viewer.headers, payload: body })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/sync/schedules', headers: admin.headers, payload: { ...body, roster_event_id: otherRoster.id } })).statusCode).toBe(404);
    const made = await h.app.inject({ method: 'POST', url: '/api/sync/schedules', headers: admin.headers, payload: body });
    expect(made.statusCode).toBe(201);
    const s = made.json<{ id: number }>();
    expect(made.json()).toMatchObject({ provider: 'runsignup', external_event_id: '5150', roster_event_id: roster.id, warehouse_event_id: null, enabled: true });
    const listed = await h.app.inject({ method: 'GET', url: '/api/sync/schedules', headers: viewer.headers });
    expect(listed.json<{ schedules: Array<{ id: number }> }>().schedules.map((x) => x.id)).toEqual([s.id]);
    expect((await h.app.inject({ method: 'GET', url: '/api/sync/schedules', headers: other.headers })).json()).toEqual({ schedules: [] });

    const paused = await h.app.inject({ method: 'PATCH', url: `/api/sync/schedules/${s.id}`, headers: admin.headers, payload: { enabled: false } });
    expect(paused.json()).toMatchObject({ enabled: false });
    const now = await h.app.inject({ method: 'POST', url: `/api/sync/schedules/${s.id}/sync`, headers: admin.headers });
    expect(now.statusCode).toBe(202);
    const job = (await h.t.owner.query<{ payload: unknown }>('SELECT payload FROM jobs WHERE id = $1', [now.json<{ job_id: number }>().job_id])).rows[0]!;
    expect(job.payload).toMatchObject({ scheduleId: s.id, rosterEventId: roster.id, externalEventId: '5150' });
    for (const [method, url] of [['PATCH', `/api/sync/schedules/${s.id}`], ['POST', `/api/sync/schedules/${s.id}/sync`], ['DELETE', `/api/sync/schedules/${s.id}`]] as const) {
      expect((await h.app.inject({ method, url, headers: other.headers, ...(method === 'PATCH' ? { payload: { enabled: true } } : {}) })).statusCode).toBe(404);
    }

    // A run in history (as the sync job writes it), with its progress while running.
    const partnerId = (await h.t.owner.query<{ partner_id: number }>('SELECT partner_id FROM sync_schedules WHERE id = $1', [s.id])).rows[0]!.partner_id;
    await h.t.owner.query(`UPDATE jobs SET progress_done = 3, progress_total = 12 WHERE id = $1`, [now.json<{ job_id: number }>().job_id]);
    await h.t.owner.query(
      `INSERT INTO sync_history (partner_id, schedule_id, job_id, provider, external_event_id, direction, trigger) VALUES ($1, $2, $3, 'runsignup', '5150', 'pull', 'manual')`,
      [partnerId, s.id, now.json<{ job_id: number }>().job_id],
    );
    const history = await h.app.inject({ method: 'GET', url: `/api/sync/history?schedule_id=${s.id}`, headers: viewer.headers });
    expect(history.statusCode).toBe(200);
    expect(history.json<{ runs: unknown[] }>().runs).toEqual([expect.objectContaining({ status: 'running', progress_done: 3, progress_total: 12, external_event_id: '5150', notices: [] })]);
    expect((await h.app.inject({ method: 'GET', url: '/api/sync/history', headers: other.headers })).json()).toEqual({ runs: [] });

    expect((await h.app.inject({ method: 'DELETE', url: `/api/sync/schedules/${s.id}`, headers: admin.headers })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/sync/schedules', headers: admin.headers })).json()).toEqual({ schedules: [] });
  });
});

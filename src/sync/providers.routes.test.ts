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

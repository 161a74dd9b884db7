/**
 * The read API's token gate (accounts/auth.ts requireAuthOrGate): a token this process has
 * authenticated once is checked inside each read's own statement instead of by a lookup
 * before it. Every call must still be judged by the token's and its creator's state at that
 * call: revoked, expired, creator disabled or removed → 401 at once; a gate never lets a read
 * see another partner's rows; a false gate stops the statement before it reads.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tokenGateCondition } from '../accounts/api-tokens.repo.js';
import { GateRefused, gated } from '../db/gate.js';
import { withPartnerReadOnly } from '../db/tenant.js';
import { newPartner, type TestPartner } from '../../test/helpers/factories.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { SignedIn } from '../../test/helpers/auth.js';
import { RestApi } from './rest.service.js';

let test: TestApp;
let a: TestPartner;
let b: TestPartner;

async function importCsv(who: SignedIn, csv: string) {
  const res = await test.app.inject({ method: 'POST', url: '/api/results/import', headers: { ...who.headers, 'content-type': 'text/csv' }, payload: csv });
  expect(res.statusCode).toBe(200);
}

async function token(who: SignedIn, scopes: string[]): Promise<{ id: number; secret: string }> {
  const res = await test.app.inject({ method: 'POST', url: '/api/tokens', headers: who.headers, payload: { name: 'gate test', scopes } });
  expect(res.statusCode).toBe(201);
  return { id: res.json().token.id as number, secret: res.json().secret as string };
}

const read = (secret: string, path = 'ct_results?select=results_last_name&order=results_last_name') =>
  test.app.inject({ method: 'GET', url: `/api/db/${path}`, headers: { authorization: `Bearer ${secret}` } });

const CSV = (who: string) =>
  'event,event_date,race,distance,bib,first_name,last_name,gender,age,chip_time\n' +
  `${who} Event,2026-05-01,10K,10k,1,Ada,${who}-One,F,36,0:39:00\n` +
  `${who} Event,2026-05-01,10K,10k,2,Bob,${who}-Two,M,40,0:41:00\n`;

beforeAll(async () => {
  test = await startTestApp();
  a = await newPartner(test.app, { slug: 'gate-alpha' });
  b = await newPartner(test.app, { slug: 'gate-beta' });
  await importCsv(a.owner, CSV('Alpha'));
  await importCsv(b.owner, CSV('Beta'));
});
afterAll(() => test.close());
beforeEach(() => vi.restoreAllMocks());

describe('a known token is checked inside the read', () => {
  it('answers its second call without the lookup, with the same body, and counts both calls', async () => {
    const { secret } = await token(a.owner, ['results:read']);
    const lookup = vi.spyOn(test.app.accounts.tokens, 'authenticate');
    const before = test.app.apiCalls.pendingOf(a.id);
    const first = await read(secret);
    const second = await read(secret);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(JSON.parse(second.body)).toEqual([{ results_last_name: 'Alpha-One' }, { results_last_name: 'Alpha-Two' }]);
    expect(second.body).toBe(first.body);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(test.app.apiCalls.pendingOf(a.id) - before).toBe(2);
  });

  it('refuses a token revoked after its first call at once (401), and stays refused', async () => {
    const { id, secret } = await token(a.owner, ['results:read']);
    expect((await read(secret)).statusCode).toBe(200);
    expect((await test.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: a.owner.headers })).statusCode).toBeLessThan(300);
    const refused = await read(secret);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).not.toContain('Alpha');
    expect((await read(secret)).statusCode).toBe(401);
  });

  it('refuses a token that expired since its first call', async () => {
    const { id, secret } = await token(a.owner, ['results:read']);
    expect((await read(secret)).statusCode).toBe(200);
    await test.t.owner.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    expect((await read(secret)).statusCode).toBe(401);
  });

  it('refuses while the creator is disabled and answers again once re-enabled', async () => {
    const staff = await a.signIn('admin');
    const { secret } = await token(staff, ['results:read']);
    expect((await read(secret)).statusCode).toBe(200);
    await test.t.owner.query('UPDATE users SET disabled_at = now() WHERE id = $1', [staff.userId]);
    expect((await read(secret)).statusCode).toBe(401);
    await test.t.owner.query('UPDATE users SET disabled_at = NULL WHERE id = $1', [staff.userId]);
    expect((await read(secret)).statusCode).toBe(200);
  });

  it('refuses a token whose creator was removed (or moved to another partner)', async () => {
    const staff = await a.signIn('admin');
    const { secret } = await token(staff, ['results:read']);
    const mover = await a.signIn('admin');
    const moved = await token(mover, ['results:read']);
    expect((await read(secret)).statusCode).toBe(200);
    expect((await read(moved.secret)).statusCode).toBe(200);
    // Their sessions first (a session's key names the user's partner).
    await test.t.owner.query('DELETE FROM user_sessions WHERE user_id = ANY($1::int[])', [`{${staff.userId},${mover.userId}}`]);
    await test.t.owner.query('DELETE FROM users WHERE id = $1', [staff.userId]);
    await test.t.owner.query('UPDATE users SET partner_id = $2 WHERE id = $1', [mover.userId, b.id]);
    expect((await read(secret)).statusCode).toBe(401);
    const refused = await read(moved.secret);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).not.toContain('Beta');
  });

  it('never takes a token without results:read through the gate (403 every time)', async () => {
    const { secret } = await token(a.owner, ['timing:read']);
    expect((await read(secret)).statusCode).toBe(403);
    expect((await read(secret)).statusCode).toBe(403);
  });
});

describe('the gate in SQL', () => {
  it("narrows to the creator's current role: a demoted creator's token loses an action at once", async () => {
    // Every role may read results; results:manage is staff and up, so a demotion to viewer
    // must close a gate for it.
    const staff = await a.signIn('admin');
    const { secret } = await token(staff, ['results:read', 'results:manage']);
    expect((await read(secret)).statusCode).toBe(200);
    const known = test.app.accounts.tokens.gateFor(secret, 'results:manage');
    expect(known).not.toBeNull();
    const api = new RestApi(test.t.db);
    await expect(api.read(a.id, { view: 'ct_results', query: 'select=results_bib' }, known!.gate)).resolves.toMatchObject({ status: 200 });
    await test.t.owner.query(`UPDATE users SET role = 'viewer' WHERE id = $1`, [staff.userId]);
    await expect(api.read(a.id, { view: 'ct_results', query: 'select=results_bib' }, known!.gate)).rejects.toBeInstanceOf(GateRefused);
    // results:read is still within a viewer's rights.
    expect((await read(secret)).statusCode).toBe(200);
  });

  it("never lets a read see another partner's rows, whatever the partner it runs as", async () => {
    const { secret } = await token(b.owner, ['results:read']);
    expect((await read(secret)).statusCode).toBe(200);
    const gate = test.app.accounts.tokens.gateFor(secret, 'results:read')!.gate;
    const api = new RestApi(test.t.db);
    // B's token against A's partner: B's token is not visible in A's transaction, and the
    // gate names B's partner besides: nothing is answered, for every count mode.
    for (const prefer of [undefined, 'count=exact', 'count=planned', 'count=estimated']) {
      await expect(api.read(a.id, { view: 'ct_results', query: 'select=results_last_name', prefer }, gate)).rejects.toBeInstanceOf(GateRefused);
    }
    const own = await api.read(b.id, { view: 'ct_results', query: 'select=results_last_name&order=results_last_name' }, gate);
    expect(JSON.parse(own.body)).toEqual([{ results_last_name: 'Beta-One' }, { results_last_name: 'Beta-Two' }]);
  });

  it('stops a refused statement before it reads a row (a one-time filter over the whole read)', async () => {
    // The real gate, for a token that does not exist.
    const gate = { condition: tokenGateCondition, params: ['0'.repeat(64), 1, a.id, 'results:read', 'owner'] };
    const q = gated(`SELECT count(*) AS n FROM results WHERE pg_sleep(0.2) IS NOT NULL`, [], gate);
    const plan = await withPartnerReadOnly(test.t.db, a.id, 5000, async (tx) =>
      (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${q.text}`, q.params)).rows.map((r) => r['QUERY PLAN']),
    );
    expect(plan[0]).toMatch(/^Result/);
    expect(plan.join('\n')).toMatch(/One-Time Filter/);
    expect(plan.join('\n')).toMatch(/never executed/);
  });
});

/**
 * The API-call count in memory (api-call-meter.ts) and the throttled token-use write
 * (api-tokens.service.ts): the plan's cap still holds (exactly in one process, within the
 * documented slack across processes), counts survive a graceful shutdown, and revocation or
 * a disabled creator still stops a token on its very next call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../test/helpers/auth.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { TestDatabase } from '../../test/helpers/db.js';
import { AppError } from '../errors.js';
import { ApiCallMeter, apiCallSlack } from './api-call-meter.js';
import { ApiTokens, TokenUseRecorder } from './api-tokens.service.js';
import { PLAN_LIMITS, periodStart } from './plans.js';
import { Usage } from './usage.service.js';

let test: TestApp;
let t: TestDatabase;
let usage: Usage;
const FREE = PLAN_LIMITS.free.api_calls_per_day!;
let nextPartner = 10;

beforeAll(async () => {
  test = await startTestApp();
  t = test.t;
  usage = new Usage(t.db);
});
afterAll(() => test.close());

async function newPartner(plan: 'free' | 'basic' | 'enterprise' = 'free'): Promise<number> {
  const id = nextPartner++;
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES ($1, $2, $2)`, [id, `meter-${id}`]);
  await t.owner.query(`INSERT INTO partner_plans (partner_id, plan) VALUES ($1, $2) ON CONFLICT (partner_id) DO UPDATE SET plan = $2, trial_plan = NULL`, [id, plan]);
  return id;
}

async function stored(partnerId: number): Promise<number> {
  const r = await t.owner.query<{ used: number }>(
    `SELECT used FROM usage_counters WHERE partner_id = $1 AND metric = 'api_calls_per_day' AND period_start = $2`,
    [partnerId, periodStart('api_calls_per_day')],
  );
  return Number(r.rows[0]?.used ?? 0);
}

/** Calls count() n times one after another; how many were admitted (402s counted apart). */
async function calls(meter: ApiCallMeter, partnerId: number, n: number): Promise<{ admitted: number; refused: number }> {
  let admitted = 0;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    try {
      await meter.count(partnerId);
      admitted++;
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 402) throw err;
      expect(err.message).toContain('API calls per day');
      refused++;
    }
  }
  return { admitted, refused };
}

describe('API-call count in memory', () => {
  it('counts in memory (no write per call) and writes on flush', async () => {
    const p = await newPartner();
    const meter = new ApiCallMeter(t.db, { flushMs: 0 });
    expect(await calls(meter, p, 7)).toEqual({ admitted: 7, refused: 0 });
    expect(await stored(p)).toBe(0);
    expect(meter.pendingOf(p)).toBe(7);
    await meter.flush();
    expect(await stored(p)).toBe(7);
    expect(meter.pendingOf(p)).toBe(0);
    await meter.close();
  });

  it('stops a partner exactly at its cap in one process, counting nothing refused', async () => {
    const p = await newPartner();
    await usage.consume(p, 'api_calls_per_day', FREE - 25);
    const meter = new ApiCallMeter(t.db, { flushMs: 0 });
    expect(await calls(meter, p, 40)).toEqual({ admitted: 25, refused: 15 });
    await meter.close();
    expect(await stored(p)).toBe(FREE);
  });

  it('stops concurrent calls at the cap too', async () => {
    const p = await newPartner();
    await usage.consume(p, 'api_calls_per_day', FREE - 30);
    const meter = new ApiCallMeter(t.db, { flushMs: 0 });
    const outcomes = await Promise.allSettled(Array.from({ length: 60 }, () => meter.count(p)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(30);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as AppError).status).toBe(402);
    await meter.close();
    expect(await stored(p)).toBe(FREE);
  });

  it('across two processes, passes the cap by at most the slack of each, and counts every admitted call', async () => {
    const p = await newPartner();
    const slack = apiCallSlack(FREE);
    expect(slack).toBe(10);
    await usage.consume(p, 'api_calls_per_day', FREE - 100);
    const a = new ApiCallMeter(t.db, { flushMs: 0 });
    const b = new ApiCallMeter(t.db, { flushMs: 0 });
    // Both start with the same view of the count, then B uses up the rest behind A's back.
    await a.count(p);
    const first = await calls(b, p, 200);
    // A still believes there is room: it admits what it may hold in memory, then asks the database.
    const second = await calls(a, p, 200);
    await Promise.all([a.close(), b.close()]);
    const admitted = 1 + first.admitted + second.admitted;
    expect(admitted).toBeGreaterThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(100 + 2 * slack);
    expect(second.admitted).toBeLessThanOrEqual(slack);
    expect(await stored(p)).toBe(FREE - 100 + admitted);
    // Once the count is known to be at the cap, both refuse.
    const c = new ApiCallMeter(t.db, { flushMs: 0 });
    expect(await calls(c, p, 3)).toEqual({ admitted: 0, refused: 3 });
    await c.close();
  });

  it('takes a plan change at the next flush', async () => {
    const p = await newPartner();
    await usage.consume(p, 'api_calls_per_day', FREE);
    const meter = new ApiCallMeter(t.db, { flushMs: 0 });
    expect(await calls(meter, p, 2)).toEqual({ admitted: 0, refused: 2 });
    await usage.setPlan(p, 'basic');
    await meter.flush();
    expect(await calls(meter, p, 5)).toEqual({ admitted: 5, refused: 0 });
    await meter.close();
    expect(await stored(p)).toBe(FREE + 5);
  });

  it('never refuses on an unlimited plan and still counts', async () => {
    const p = await newPartner('enterprise');
    const meter = new ApiCallMeter(t.db, { flushMs: 0 });
    expect(await calls(meter, p, 300)).toEqual({ admitted: 300, refused: 0 });
    await meter.close();
    expect(await stored(p)).toBe(300);
  });

  it('writes pending counts on its timer', async () => {
    const p = await newPartner();
    const meter = new ApiCallMeter(t.db, { flushMs: 50 });
    await calls(meter, p, 4);
    const until = Date.now() + 10_000;
    while ((await stored(p)) < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(await stored(p)).toBe(4);
    await meter.close();
    expect(await stored(p)).toBe(4);
  });

  it('a token call through the app is counted, and the count survives a graceful shutdown (app.close)', async () => {
    const own = await startTestApp({ testDb: t });
    const p = await newPartner();
    const owner = await signIn(own.app, p, 'owner');
    const created = await own.app.inject({ method: 'POST', url: '/api/tokens', headers: owner.headers, payload: { name: 'feed', scopes: ['timing:read'] } });
    const bearer = { authorization: `Bearer ${created.json().secret as string}` };
    for (let i = 0; i < 12; i++) expect((await own.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer })).statusCode).toBe(200);
    // Session calls are not counted.
    expect((await own.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: owner.headers })).statusCode).toBe(200);
    expect(own.app.apiCalls.pendingOf(p)).toBeGreaterThan(0);
    await own.app.close(); // not own.close(): that would drop the shared test database
    expect(await stored(p)).toBe(12);
  });
});

describe('token use, throttled; the lookup is not', () => {
  async function tokenFor(partnerId: number) {
    const s = await signIn(test.app, partnerId, 'owner');
    const created = await test.app.inject({ method: 'POST', url: '/api/tokens', headers: s.headers, payload: { name: 'feed', scopes: ['timing:read'] } });
    expect(created.statusCode, created.body).toBe(201);
    return { secret: created.json().secret as string, id: created.json().token.id as number, userId: s.userId, headers: s.headers };
  }
  const lastUsed = async (id: number) =>
    (await t.owner.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [id])).rows[0]!.last_used_at;

  it('writes last_used_at on the first call, then at most once a minute', async () => {
    const p = await newPartner('basic');
    const tok = await tokenFor(p);
    let now = Date.now();
    const tokens = new ApiTokens(t.db, new TokenUseRecorder(t.db, 60_000, () => now));
    expect(await tokens.authenticate(tok.secret)).toMatchObject({ partnerId: p, tokenId: tok.id });
    expect(await lastUsed(tok.id)).toBeInstanceOf(Date);
    await t.owner.query(`UPDATE api_tokens SET last_used_at = '2000-01-01T00:00:00Z' WHERE id = $1`, [tok.id]);
    now += 59_000;
    expect(await tokens.authenticate(tok.secret)).not.toBeNull();
    expect((await lastUsed(tok.id))!.toISOString()).toBe('2000-01-01T00:00:00.000Z');
    now += 1_000;
    expect(await tokens.authenticate(tok.secret)).not.toBeNull();
    expect((await lastUsed(tok.id))!.getTime()).toBeGreaterThan(Date.parse('2020-01-01'));
  });

  it('a revoked token is refused on its next call, within the minute of its last recorded use', async () => {
    const p = await newPartner('basic');
    const tok = await tokenFor(p);
    const bearer = { authorization: `Bearer ${tok.secret}` };
    expect((await test.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer })).statusCode).toBe(200);
    const revoked = await test.app.inject({ method: 'DELETE', url: `/api/tokens/${tok.id}`, headers: tok.headers });
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    const after = await test.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer });
    expect(after.statusCode).toBe(401);
  });

  it('a token whose creator is disabled is refused on its next call', async () => {
    const p = await newPartner('basic');
    const tok = await tokenFor(p);
    const bearer = { authorization: `Bearer ${tok.secret}` };
    expect((await test.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer })).statusCode).toBe(200);
    await t.owner.query('UPDATE users SET disabled_at = now() WHERE id = $1', [tok.userId]);
    expect((await test.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer })).statusCode).toBe(401);
  });
});

import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { TestDatabase } from '../../test/helpers/db.js';
import { PLAN_LIMITS } from './plans.js';
import { Usage } from './usage.service.js';
import { signIn } from '../../test/helpers/auth.js';

const SECRET = 'whsec_test_0123456789abcdef';
let test: TestApp;
let t: TestDatabase;
let app: FastifyInstance;
let usage: Usage;

beforeAll(async () => {
  test = await startTestApp({ env: { STRIPE_WEBHOOK_SECRET: SECRET } });
  ({ t, app } = test);
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival'), (3, 'trial', 'Trial Co')`);
  await t.owner.query(`INSERT INTO partner_plans (partner_id, stripe_customer_id) VALUES (2, 'cus_rival') ON CONFLICT (partner_id) DO UPDATE SET stripe_customer_id = 'cus_rival'`);
  usage = new Usage(t.db);
});
afterAll(() => test.close());

/** Signs like Stripe does: HMAC-SHA256 over "<t>.<body>". */
function sign(body: string, at = Math.floor(Date.now() / 1000), secret = SECRET): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

function post(body: string, signature: string | undefined) {
  return app.inject({
    method: 'POST',
    url: '/api/webhooks/stripe',
    payload: body,
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
  });
}

const invoicePaid = (id: string, amount = 4900) =>
  JSON.stringify({ id, type: 'invoice.paid', created: 1_790_000_000, data: { object: { customer: 'cus_rival', amount_paid: amount, currency: 'usd', created: 1_790_000_000 } } });

async function payments(partner: number) {
  return (await t.owner.query<{ stripe_event_id: string; amount_cents: number; status: string }>(
    'SELECT stripe_event_id, amount_cents, status FROM payments WHERE partner_id = $1 ORDER BY id', [partner])).rows;
}

describe('Stripe webhooks', () => {
  it('records a payment from a correctly signed invoice.paid, once, however often it is delivered', async () => {
    const body = invoicePaid('evt_1');
    expect((await post(body, sign(body))).json()).toEqual({ received: true, outcome: 'recorded' });
    expect((await post(body, sign(body))).json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await payments(2)).toEqual([{ stripe_event_id: 'evt_1', amount_cents: 4900, status: 'paid' }]);
  });

  it('refuses a wrong signature, a tampered body, an old timestamp and a missing header, storing nothing', async () => {
    const body = invoicePaid('evt_bad', 1);
    const cases = [
      post(body, sign(body, undefined, 'whsec_someone_else_000')),
      post(body.replace('"amount_paid":1', '"amount_paid":999999'), sign(body)),
      post(body, sign(body, Math.floor(Date.now() / 1000) - 3600)),
      post(body, undefined),
      post('not json', sign('not json')),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
    expect((await payments(2)).map((p) => p.stripe_event_id)).not.toContain('evt_bad');
  });

  it('changes the plan on a subscription update and back to free when it is deleted', async () => {
    const sub = (type: string, status: string) =>
      JSON.stringify({ id: `evt_${type}`, type, created: 1, data: { object: { customer: 'cus_rival', status, metadata: { plan: 'professional' } } } });
    const plan = async () => (await t.owner.query<{ plan: string }>('SELECT plan FROM partner_plans WHERE partner_id = 2')).rows[0]!.plan;
    const updated = sub('customer.subscription.updated', 'active');
    expect((await post(updated, sign(updated))).json().outcome).toBe('plan-changed');
    expect(await plan()).toBe('professional');
    const deleted = sub('customer.subscription.deleted', 'canceled');
    await post(deleted, sign(deleted));
    expect(await plan()).toBe('free');
  });
});

describe('plans and usage', () => {
  it('answers 402 naming the limit once a periodic limit is used up, and counts nothing past it', async () => {
    const limit = PLAN_LIMITS.free.api_calls_per_day!;
    await usage.consume(1, 'api_calls_per_day', limit - 1);
    expect(await usage.consume(1, 'api_calls_per_day')).toBe(limit);
    const err = await usage.consume(1, 'api_calls_per_day').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(402);
    // Named for people, not by its key.
    expect((err as AppError).message).toContain(`Plan limit reached: API calls per day (${limit})`);
    expect((err as AppError).message).not.toContain('api_calls_per_day');
    const events = await usage.consume(1, 'events_per_month', PLAN_LIMITS.free.events_per_month! + 1).catch((e: unknown) => e);
    expect((events as AppError).message).toContain('events per month');
    expect((events as AppError).message).not.toContain('events_per_month');
    const report = await usage.report(1);
    expect(report.metrics.find((m) => m.metric === 'api_calls_per_day')).toEqual({ metric: 'api_calls_per_day', used: limit, limit, period: 'day' });
  });

  it('gives a trial the trial plan’s limits until it ends, then the plan’s', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    await withPartner(t.db, 3, (tx) => Usage.startTrial(tx, 3, 'professional', start));
    const during = await usage.report(3, new Date('2026-01-10T00:00:00Z'));
    expect(during).toMatchObject({ plan: 'free', effective_plan: 'professional', trial_plan: 'professional' });
    const after = await usage.report(3, new Date('2026-01-16T00:00:00Z'));
    expect(after.effective_plan).toBe('free');
    await expect(usage.checkCount(3, 'templates', PLAN_LIMITS.free.templates!)).rejects.toThrow(/templates/);
  });

  it('never lets a running trial lower a higher plan subscribed during it', async () => {
    await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (5, 'upgraded', 'Upgraded Co')`);
    const start = new Date();
    await withPartner(t.db, 5, (tx) => Usage.startTrial(tx, 5, 'professional', start));
    await usage.setPlan(5, 'enterprise');
    const report = await usage.report(5, new Date(start.getTime() + 86_400_000));
    expect(report).toMatchObject({ plan: 'enterprise', effective_plan: 'enterprise', trial_plan: 'professional' });
    expect(report.metrics.find((m) => m.metric === 'api_calls_per_day')?.limit).toBeNull();
    await usage.setPlan(5, 'basic');
    expect((await usage.report(5, new Date(start.getTime() + 86_400_000))).effective_plan).toBe('professional');
  });

  it('counts API-token calls against the daily limit and answers 402 past it, but not the dashboard’s session calls', async () => {
    await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (4, 'busy', 'Busy Co')`);
    await t.owner.query(`INSERT INTO partner_plans (partner_id) VALUES (4)`);
    const owner = await signIn(app, 4, 'owner');
    const created = await app.inject({ method: 'POST', url: '/api/tokens', headers: owner.headers, payload: { name: 'results feed', scopes: ['timing:read'] } });
    const bearer = { authorization: `Bearer ${created.json().secret as string}` };
    const limit = PLAN_LIMITS.free.api_calls_per_day!;
    await usage.consume(4, 'api_calls_per_day', limit - 1);
    expect((await app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: '/api/timing/sessions', headers: bearer });
    expect(refused.statusCode).toBe(402);
    expect(refused.json().error).toMatchObject({ code: 'payment_required', message: expect.stringContaining('Plan limit reached: API calls per day') });
    // The owner's browser session is not counted, even past the limit.
    expect((await app.inject({ method: 'GET', url: '/api/timing/sessions', headers: owner.headers })).statusCode).toBe(200);
  });

  it('keeps each partner’s counters to itself', async () => {
    await usage.consume(2, 'events_per_month', 1);
    const rows = await withPartner(t.db, 1, (tx) => tx.query('SELECT * FROM usage_counters WHERE partner_id = 2'));
    expect(rows.rowCount).toBe(0);
  });
});

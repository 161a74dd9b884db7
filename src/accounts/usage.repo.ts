/** SQL for plans, usage counters and payments. */
import type { Queryable } from '../db/database.js';
import type { Plan } from './plans.js';

export interface PlanRow {
  plan: Plan;
  trialPlan: Plan | null;
  trialEndsAt: Date | null;
}

export async function findPlan(db: Queryable, partnerId: number): Promise<PlanRow | null> {
  const r = await db.query<PlanRow>(
    `SELECT plan, trial_plan AS "trialPlan", trial_ends_at AS "trialEndsAt" FROM partner_plans WHERE partner_id = $1`,
    [partnerId],
  );
  return r.rows[0] ?? null;
}

export async function upsertPlan(db: Queryable, partnerId: number, p: Partial<PlanRow> & { stripeCustomerId?: string }): Promise<void> {
  await db.query(
    `INSERT INTO partner_plans (partner_id, plan, trial_plan, trial_ends_at, stripe_customer_id)
     VALUES ($1, coalesce($2, 'free'), $3, $4, $5)
     ON CONFLICT (partner_id) DO UPDATE SET
       plan = coalesce($2, partner_plans.plan),
       trial_plan = CASE WHEN $6 THEN $3 ELSE partner_plans.trial_plan END,
       trial_ends_at = CASE WHEN $6 THEN $4 ELSE partner_plans.trial_ends_at END,
       stripe_customer_id = coalesce($5, partner_plans.stripe_customer_id),
       updated_at = now()`,
    [partnerId, p.plan ?? null, p.trialPlan ?? null, p.trialEndsAt ?? null, p.stripeCustomerId ?? null, 'trialPlan' in p],
  );
}

/**
 * Adds `amount` to a counter unless that would pass `limit` (null = no limit); returns the
 * new total, or null when the limit refused it. One statement, so concurrent requests
 * cannot both slip under the limit.
 */
export async function addUsage(
  db: Queryable,
  c: { partnerId: number; metric: string; periodStart: string; amount: number; limit: number | null },
): Promise<number | null> {
  if (c.limit !== null && c.amount > c.limit) return null;
  const r = await db.query<{ used: number }>(
    `INSERT INTO usage_counters (partner_id, metric, period_start, used) VALUES ($1, $2, $3, $4)
     ON CONFLICT (partner_id, metric, period_start) DO UPDATE SET used = usage_counters.used + EXCLUDED.used
      WHERE $5::bigint IS NULL OR usage_counters.used + EXCLUDED.used <= $5::bigint
     RETURNING used`,
    [c.partnerId, c.metric, c.periodStart, c.amount, c.limit],
  );
  return r.rows[0]?.used ?? null;
}

export async function usedIn(db: Queryable, partnerId: number, metric: string, periodStart: string): Promise<number> {
  const r = await db.query<{ used: number }>(
    `SELECT used FROM usage_counters WHERE partner_id = $1 AND metric = $2 AND period_start = $3`,
    [partnerId, metric, periodStart],
  );
  return r.rows[0]?.used ?? 0;
}

export async function partnerByStripeCustomer(db: Queryable, customerId: string): Promise<number | null> {
  const r = await db.query<{ partner_id: number }>(`SELECT partner_id FROM partner_plans WHERE stripe_customer_id = $1`, [customerId]);
  return r.rows[0]?.partner_id ?? null;
}

export interface PaymentInput {
  partnerId: number;
  stripeEventId: string;
  kind: string;
  amountCents: number;
  currency: string;
  status: string;
  occurredAt: Date;
}

/** Records a payment once per Stripe event; false when the event was seen before. */
export async function insertPayment(db: Queryable, p: PaymentInput): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO payments (partner_id, stripe_event_id, kind, amount_cents, currency, status, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stripe_event_id, partner_id) DO NOTHING`,
    [p.partnerId, p.stripeEventId, p.kind, p.amountCents, p.currency, p.status, p.occurredAt],
  );
  return r.rowCount === 1;
}

export async function listPayments(db: Queryable): Promise<Array<Omit<PaymentInput, 'partnerId'> & { id: number }>> {
  const r = await db.query<Omit<PaymentInput, 'partnerId'> & { id: number }>(
    `SELECT id, stripe_event_id AS "stripeEventId", kind, amount_cents AS "amountCents", currency, status, occurred_at AS "occurredAt"
       FROM payments ORDER BY occurred_at DESC LIMIT 200`,
  );
  return r.rows;
}

/**
 * Stripe webhooks: signature verification (Stripe's scheme: `Stripe-Signature: t=<unix>,
 * v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret>`) and the handling of
 * the events that matter to us: payments and subscription changes. No Stripe SDK needed,
 * and no network: Stripe calls us.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { PLANS, type Plan } from './plans.js';
import { insertPayment, partnerByStripeCustomer, upsertPlan } from './usage.repo.js';

/** Signatures older than this are refused (replays). Stripe's own default. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export class StripeSignatureError extends Error {}

/** Verifies a webhook's signature header against the raw body; returns the parsed event. */
export function verifyStripeEvent(rawBody: string, header: string | undefined, secret: string, now = Date.now()): StripeEvent {
  if (!header) throw new StripeSignatureError('missing Stripe-Signature header');
  const parts = header.split(',').map((p) => p.split('=') as [string, string]);
  const timestamp = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!Number.isFinite(timestamp) || signatures.length === 0) throw new StripeSignatureError('malformed Stripe-Signature header');
  if (Math.abs(now / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) throw new StripeSignatureError('signature timestamp outside the tolerance');
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex'));
  const match = signatures.some((s) => {
    const got = Buffer.from(s);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!match) throw new StripeSignatureError('signature does not match');
  const parsed = stripeEvent.safeParse(JSON.parse(rawBody));
  if (!parsed.success) throw new StripeSignatureError('not a Stripe event');
  return parsed.data;
}

const stripeEvent = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEvent = z.infer<typeof stripeEvent>;

const invoice = z.object({
  customer: z.string(),
  amount_paid: z.number().int().optional(),
  amount_due: z.number().int().optional(),
  currency: z.string(),
  created: z.number(),
  metadata: z.record(z.string(), z.string()).optional(),
});

const subscription = z.object({
  customer: z.string(),
  status: z.string(),
  metadata: z.record(z.string(), z.string()).optional(),
});

export type WebhookOutcome = 'recorded' | 'duplicate' | 'plan-changed' | 'ignored' | 'unknown-customer';

/**
 * Applies a verified event. The partner comes from the customer id we stored, or from
 * `metadata.partner_id` set when the customer was created (first event links them).
 */
export async function handleStripeEvent(db: Database, event: StripeEvent): Promise<WebhookOutcome> {
  return asPlatform(db, async (tx) => {
    const obj = event.data.object;
    const partnerFor = async (customer: string, metadata?: Record<string, string>) => {
      const known = await partnerByStripeCustomer(tx, customer);
      if (known !== null) return known;
      const fromMeta = Number(metadata?.partner_id);
      if (!Number.isInteger(fromMeta) || fromMeta <= 0) return null;
      await upsertPlan(tx, fromMeta, { stripeCustomerId: customer });
      return fromMeta;
    };

    if (event.type === 'invoice.paid' || event.type === 'invoice.payment_failed') {
      const inv = invoice.parse(obj);
      const partnerId = await partnerFor(inv.customer, inv.metadata);
      if (partnerId === null) return 'unknown-customer';
      const paid = event.type === 'invoice.paid';
      const fresh = await insertPayment(tx, {
        partnerId,
        stripeEventId: event.id,
        kind: 'invoice',
        amountCents: (paid ? inv.amount_paid : inv.amount_due) ?? 0,
        currency: inv.currency,
        status: paid ? 'paid' : 'failed',
        occurredAt: new Date(inv.created * 1000),
      });
      return fresh ? 'recorded' : 'duplicate';
    }

    if (event.type.startsWith('customer.subscription.')) {
      const sub = subscription.parse(obj);
      const partnerId = await partnerFor(sub.customer, sub.metadata);
      if (partnerId === null) return 'unknown-customer';
      const active = event.type !== 'customer.subscription.deleted' && ['active', 'trialing', 'past_due'].includes(sub.status);
      const wanted = sub.metadata?.plan;
      const plan: Plan = active && wanted && (PLANS as readonly string[]).includes(wanted) ? (wanted as Plan) : 'free';
      await upsertPlan(tx, partnerId, { plan });
      return 'plan-changed';
    }
    return 'ignored';
  });
}

/**
 * POST /api/webhooks/stripe — Stripe calls it; the signature over the exact raw body is
 * the authentication, so this route parses JSON itself after verifying.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/error-handler.js';
import { withPartner } from '../db/tenant.js';
import { authPartnerId, requireAuth } from './auth.js';
import { METRICS, PLANS } from './plans.js';
import { StripeSignatureError, handleStripeEvent, verifyStripeEvent } from './stripe.js';
import { listPayments } from './usage.repo.js';
import { Usage } from './usage.service.js';

export interface BillingRoutesOptions {
  db: Database;
  /** Stripe endpoint secret (whsec_…); unset = webhooks answer 503. */
  webhookSecret: string | undefined;
}

const planSchema = z.enum(PLANS);
const usageSchema = z.object({
  plan: planSchema,
  effective_plan: planSchema.describe('The plan whose limits apply now (the trial plan during a trial)'),
  trial_plan: planSchema.nullable(),
  trial_ends_at: z.date().nullable(),
  metrics: z.array(
    z.object({
      metric: z.enum(METRICS),
      used: z.number().nullable().describe('Used in the current period; null for counted things'),
      limit: z.number().nullable().describe('null = unlimited'),
      period: z.enum(['day', 'month']).nullable(),
    }),
  ),
});
const paymentsSchema = z.object({
  payments: z.array(
    z.object({ id: z.number(), stripeEventId: z.string(), kind: z.string(), amountCents: z.number(), currency: z.string(), status: z.string(), occurredAt: z.date() }),
  ),
});

export async function billingRoutes(app: FastifyInstance, opts: BillingRoutesOptions): Promise<void> {
  const usage = new Usage(opts.db);

  app.get(
    '/api/plan',
    {
      onRequest: requireAuth('users:read'),
      schema: { tags: ['billing'], summary: "The partner's plan, trial and usage against its limits", response: { 200: usageSchema, ...errorResponses } },
    },
    async (request) => usage.report(authPartnerId(request)),
  );

  app.get(
    '/api/payments',
    {
      onRequest: requireAuth('billing:manage'),
      schema: { tags: ['billing'], summary: 'Payment history (from Stripe)', response: { 200: paymentsSchema, ...errorResponses } },
    },
    async (request) => ({ payments: await withPartner(opts.db, authPartnerId(request), listPayments) }),
  );

  // Encapsulated to this plugin: the raw text is needed to check the signature.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/api/webhooks/stripe',
    {
      schema: {
        tags: ['billing'],
        summary: 'Stripe webhook (signature-verified): payments and subscription changes',
        response: { 200: z.object({ received: z.literal(true), outcome: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      if (!opts.webhookSecret) throw new AppError('database_unavailable', 'Stripe webhooks are not configured.');
      let event;
      try {
        event = verifyStripeEvent(typeof request.body === 'string' ? request.body : '', request.headers['stripe-signature'] as string | undefined, opts.webhookSecret);
      } catch (err) {
        if (err instanceof StripeSignatureError || err instanceof SyntaxError) {
          request.log.warn({ reason: err.message }, 'stripe webhook refused');
          throw new AppError('bad_request', 'Invalid Stripe signature.');
        }
        throw err;
      }
      const outcome = await handleStripeEvent(opts.db, event);
      request.log.info({ event: event.id, type: event.type, outcome }, 'stripe webhook');
      return { received: true as const, outcome };
    },
  );
}

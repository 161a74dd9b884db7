/**
 * POST /api/webhooks/stripe — Stripe calls it; the signature over the exact raw body is
 * the authentication, so this route parses JSON itself after verifying.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../web/error-handler.js';
import { StripeSignatureError, handleStripeEvent, verifyStripeEvent } from './stripe.js';

export interface BillingRoutesOptions {
  db: Database;
  /** Stripe endpoint secret (whsec_…); unset = webhooks answer 503. */
  webhookSecret: string | undefined;
}

export async function billingRoutes(app: FastifyInstance, opts: BillingRoutesOptions): Promise<void> {
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
        event = verifyStripeEvent(String(request.body ?? ''), request.headers['stripe-signature'] as string | undefined, opts.webhookSecret);
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

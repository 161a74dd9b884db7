/** POST /api/fetch-styles: colours and fonts of a race website, fetched SSRF-safely (see safe-fetch.ts). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { RateLimiter } from '../accounts/rate-limit.js';
import { authPartnerId, requireAuth } from '../accounts/auth.js';
import { errorResponses, errorResponseSchema } from '../http/error-handler.js';
import { fetchStyles, normalizeUserUrl } from './fetch-styles.js';
import { SafeFetchError, type SafeFetchPolicy } from '../http/safe-fetch.js';

const tags = ['display'];

export interface FetchStylesRouteOptions {
  /** Tests only (a fake site on a loopback address); production passes nothing and gets the strict defaults. */
  policy?: SafeFetchPolicy;
}

/**
 * Each call makes the server fetch someone else's site: a partner gets a handful a minute
 * (a person importing styles clicks a few times), not a crawler.
 */
export const FETCH_STYLES_PER_MINUTE = 10;

export const fetchStylesRoutes: FastifyPluginAsyncZod<FetchStylesRouteOptions> = async (app, { policy }) => {
  const perPartner = new RateLimiter(FETCH_STYLES_PER_MINUTE, 60_000);
  app.post(
    '/api/fetch-styles',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: `Colours and fonts of a race website (for a display template); only public web addresses are fetched; ${FETCH_STYLES_PER_MINUTE} a minute per partner (429)`,
        body: z.object({ url: z.string().trim().min(1).max(2048).describe('http(s) address; https:// is assumed when no scheme is given') }),
        response: {
          200: z.object({
            url: z.string().describe('The page read, after redirects'),
            colors: z.array(z.string()).describe('#rrggbb, most used first (at most 12)'),
            fonts: z.array(z.string()).describe('Font families, most used first, generic ones last (at most 8)'),
          }),
          429: errorResponseSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const verdict = perPartner.hit(String(authPartnerId(request)));
      if (!verdict.ok) {
        throw new AppError('too_many_requests', 'Too many style imports in a minute; try again shortly.', {
          retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000),
        });
      }
      try {
        return await fetchStyles(normalizeUserUrl(request.body.url), policy);
      } catch (err) {
        // SafeFetchError messages are written for users and never carry fetched content.
        if (err instanceof SafeFetchError) throw new AppError('bad_request', err.message);
        request.log.warn({ err }, 'fetch-styles failed');
        throw new AppError('bad_request', 'The styles of that site could not be read.');
      }
    },
  );
};

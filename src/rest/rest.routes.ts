/**
 * The read API at /api/db/<view>, compatible with PostgREST (GET and HEAD; see the README for
 * where it differs). Authenticated like every route (cookie or a token with results:read);
 * errors in PostgREST's shape. GET /api/db/ describes the views (OpenAPI).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth, requireAuthOrGate, runGated, SECURED } from '../accounts/auth.js';
import { RestError } from './rest.errors.js';
import { restOpenApi } from './rest.openapi.js';
import type { RestApi } from './rest.service.js';

const tags = ['db'];
const DESCRIPTION =
  'PostgREST grammar: filters `col=[not.]op.value` (eq, neq, gt, gte, lt, lte, like, ilike, match, imatch, in, is, isdistinct), ' +
  '`or=(…)`/`and=(…)`, `select=` with `alias:col`, `::cast` and embedded views, `order=`, `limit`, `offset`, `Range`, ' +
  '`Prefer: count=exact|planned|estimated`, `Accept: text/csv | application/vnd.pgrst.object+json`. Errors: {code, message, details, hint}.';

export const restRoutes: FastifyPluginAsyncZod<{ api: RestApi }> = async (app, { api }) => {
  app.get(
    '/api/db/',
    {
      onRequest: requireAuth('results:read'),
      schema: { tags, security: SECURED, summary: 'OpenAPI description of the views the read API exposes' },
    },
    async (request, reply) => reply.type('application/openapi+json; charset=utf-8').send(JSON.stringify(restOpenApi(request.headers.host ?? 'localhost'))),
  );

  // Writes are refused once the caller is known, before the body is parsed: the API is read only.
  app.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/db/:view',
    schema: { tags, security: SECURED, summary: 'Refused: the read API is read only (405)', params: z.object({ view: z.string().max(100) }) },
    onRequest: [requireAuth('results:read'), async (_request, reply) => {
      await reply
        .status(405)
        .header('allow', 'GET, HEAD')
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(new RestError(405, 'PGRST117', 'Unsupported HTTP method: this API is read only', null, 'Use GET or HEAD').body()));
    }],
    handler: async () => undefined,
  });

  app.get(
    '/api/db/:view',
    {
      // A token seen before is checked inside the read's own statement (its gate), not by a
      // lookup before it: one round trip per read.
      onRequest: requireAuthOrGate('results:read'),
      schema: {
        tags,
        security: SECURED,
        summary: "Read a view of the caller's results (ct_events, ct_races, ct_participants, ct_results, ct_splits)",
        description: DESCRIPTION,
        params: z.object({ view: z.string().max(100) }),
      },
    },
    async (request, reply) => {
      const url = request.raw.url ?? '';
      const qAt = url.indexOf('?');
      try {
        const req = {
          view: request.params.view,
          query: qAt < 0 ? '' : url.slice(qAt + 1),
          accept: request.headers.accept,
          prefer: [request.headers.prefer ?? []].flat().join(','),
          range: typeof request.headers.range === 'string' ? request.headers.range : undefined,
        };
        const answer = await runGated(request, 'results:read', (partnerId, gate) => api.read(partnerId, req, gate));
        for (const [k, v] of Object.entries(answer.headers)) void reply.header(k, v);
        return reply.status(answer.status).type(answer.contentType).send(answer.body);
      } catch (err) {
        if (err instanceof RestError) return reply.status(err.status).type('application/json; charset=utf-8').send(JSON.stringify(err.body()));
        throw err;
      }
    },
  );
};

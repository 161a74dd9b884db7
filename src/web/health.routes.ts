/** GET /health: liveness plus a real database round trip, for load balancers and monitors. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { pingDatabase } from '../db/ping.js';
import { withTimeout } from '../http/timeout.js';

/** A database slower than this counts as down: a health check must answer quickly. */
export const HEALTH_DB_TIMEOUT_MS = 2000;

const upSchema = z.object({
  status: z.literal('ok'),
  database: z.literal('up'),
  timestamp: z.date(),
});
const downSchema = z.object({
  status: z.literal('degraded'),
  database: z.literal('down'),
  timestamp: z.date(),
});

export const healthRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Service health with a live database check',
        response: { 200: upSchema, 503: downSchema },
      },
    },
    async (request, reply) => {
      try {
        await withTimeout(pingDatabase(db), HEALTH_DB_TIMEOUT_MS, 'database ping');
        return { status: 'ok' as const, database: 'up' as const, timestamp: new Date() };
      } catch (err) {
        request.log.warn({ err }, 'health check: database down');
        return reply.status(503).send({ status: 'degraded', database: 'down', timestamp: new Date() });
      }
    },
  );
};

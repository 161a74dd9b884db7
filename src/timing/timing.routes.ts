/** HTTP for the timing read API (seed paths under /api/timing): validate → service → send. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../http/error-handler.js';
import { SECURED, authPartnerId, requireAuth } from '../accounts/auth.js';
import type { TimingService } from './timing.service.js';
import {
  databaseStatusSchema,
  recentReadsQuerySchema,
  recentReadsSchema,
  sessionsQuerySchema,
  sessionsSchema,
  statsQuerySchema,
  statsSchema,
} from './timing.schemas.js';

const tags = ['timing'];

export const timingRoutes: FastifyPluginAsyncZod<{ service: TimingService }> = async (app, { service }) => {
  app.get(
    '/database-status',
    {
      onRequest: requireAuth('timing:read'),
      schema: {
        tags,
        security: SECURED,
        summary: 'Whether the timing database is reachable, and the active session',
        description: 'Always 200: a database that is down is reported as connected: false.',
        response: { 200: databaseStatusSchema, 500: errorResponses[500] },
      },
    },
    (request) => service.databaseStatus(authPartnerId(request), request.log),
  );

  app.get(
    '/stats',
    {
      onRequest: requireAuth('timing:read'),
      schema: {
        tags,
        security: SECURED,
        summary: 'Tag-read totals, overall and per location',
        querystring: statsQuerySchema,
        response: { 200: statsSchema, ...errorResponses },
      },
    },
    (request) => service.stats(authPartnerId(request), request.query),
  );

  app.get(
    '/recent-reads',
    {
      onRequest: requireAuth('timing:read'),
      schema: {
        tags,
        security: SECURED,
        summary: 'The newest reads, newest first',
        querystring: recentReadsQuerySchema,
        response: { 200: recentReadsSchema, ...errorResponses },
      },
    },
    (request) => service.recentReads(authPartnerId(request), request.query),
  );

  app.get(
    '/sessions',
    {
      onRequest: requireAuth('timing:read'),
      schema: {
        tags,
        security: SECURED,
        summary: 'Sessions with read counts and locations, newest first',
        querystring: sessionsQuerySchema,
        response: { 200: sessionsSchema, 400: errorResponses[400], 500: errorResponses[500] },
      },
    },
    (request) => service.sessions(authPartnerId(request), request.query),
  );
};

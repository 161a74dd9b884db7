/** HTTP for the timing read API (seed paths under /api/timing): validate → service → send. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../web/error-handler.js';
import { requestPartnerId } from '../web/partner.js';
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
      schema: {
        tags,
        summary: 'Whether the timing database is reachable, and the active session',
        description: 'Always 200: a database that is down is reported as connected: false.',
        response: { 200: databaseStatusSchema, 500: errorResponses[500] },
      },
    },
    (request) => service.databaseStatus(requestPartnerId(request), request.log),
  );

  app.get(
    '/stats',
    {
      schema: {
        tags,
        summary: 'Tag-read totals, overall and per location',
        querystring: statsQuerySchema,
        response: { 200: statsSchema, ...errorResponses },
      },
    },
    (request) => service.stats(requestPartnerId(request), request.query),
  );

  app.get(
    '/recent-reads',
    {
      schema: {
        tags,
        summary: 'The newest reads, newest first',
        querystring: recentReadsQuerySchema,
        response: { 200: recentReadsSchema, ...errorResponses },
      },
    },
    (request) => service.recentReads(requestPartnerId(request), request.query),
  );

  app.get(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Sessions with read counts and locations, newest first',
        querystring: sessionsQuerySchema,
        response: { 200: sessionsSchema, 400: errorResponses[400], 500: errorResponses[500] },
      },
    },
    (request) => service.sessions(requestPartnerId(request), request.query),
  );
};

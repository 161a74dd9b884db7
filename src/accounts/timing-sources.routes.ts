/** HTTP for a partner's CTP01 credentials: list (with live status), create, rotate, revoke. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { authPartnerId, requireAuth } from './auth.js';
import { errorResponses } from '../http/error-handler.js';
import type { TimingSources } from './timing-sources.service.js';
import { collectorAddresses } from './collector-addresses.js';

const tags = ['sources'];
const idParams = z.object({ id: z.coerce.number().int().positive() });

const sourceSchema = z.object({
  id: z.number(),
  name: z.string(),
  user_id: z.string(),
  created_at: z.date(),
  revoked_at: z.date().nullable(),
  last_connected_at: z.date().nullable(),
  open_connections: z.number().describe('CTP01 connections authorized with this source right now'),
  last_seen_ip: z.string().nullable(),
  secret_readable: z
    .boolean()
    .describe("false: this server's SECRET_KEY cannot open the stored secret (processes sharing the database have different keys)"),
});

const secretSchema = z.object({
  id: z.number(),
  user_id: z.string(),
  secret: z.string().describe('Shown this once; enter it in the timing software'),
});

export const timingSourceRoutes: FastifyPluginAsyncZod<{
  sources: TimingSources;
  /** The collector's listening address and port, and PUBLIC_URL (what the Sources screen tells timing laptops). */
  collector?: { host: string; port: number; publicUrl?: string };
}> = async (app, { sources, collector }) => {
  app.get(
    '/api/sources/collector',
    {
      onRequest: requireAuth('timing:read'),
      schema: {
        tags,
        summary: 'Where timing software reaches the collector: addresses (PUBLIC_URL host, then the LAN addresses) and port',
        response: { 200: z.object({ addresses: z.array(z.string()), port: z.number() }), ...errorResponses },
      },
    },
    async () => ({
      addresses: collector ? collectorAddresses(collector.host, collector.publicUrl) : [],
      port: collector?.port ?? 61611,
    }),
  );

  app.get(
    '/api/sources',
    {
      onRequest: requireAuth('timing:read'),
      schema: { tags, summary: "The partner's timing sources and whether they are connected", response: { 200: z.object({ sources: z.array(sourceSchema) }), ...errorResponses } },
    },
    async (request) => ({ sources: await sources.list(authPartnerId(request)) }),
  );

  app.post(
    '/api/sources',
    {
      onRequest: requireAuth('sources:manage'),
      schema: {
        tags,
        summary: 'Create collector credentials (the secret is shown once)',
        body: z.object({ name: z.string().trim().min(1).max(100) }),
        response: { 201: secretSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await sources.create(authPartnerId(request), request.body.name);
      return reply.status(201).send({ id: created.id, user_id: created.userId, secret: created.secret });
    },
  );

  app.post(
    '/api/sources/:id/rotate',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'Replace the secret (clients need the new one to reconnect)', params: idParams, response: { 200: z.object({ secret: z.string() }), ...errorResponses } },
    },
    async (request) => {
      const secret = await sources.rotate(authPartnerId(request), request.params.id);
      if (secret === null) throw new AppError('not_found', 'Timing source not found.');
      return { secret };
    },
  );

  app.delete(
    '/api/sources/:id',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'Revoke collector credentials', params: idParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      if (!(await sources.revoke(authPartnerId(request), request.params.id))) throw new AppError('not_found', 'Timing source not found.');
      return reply.status(204).send(null);
    },
  );
};

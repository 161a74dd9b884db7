/** HTTP for provider connections: definitions, connect, test, remove, and "sync now" of one provider event. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPartnerId, requireAuth } from '../accounts/auth.js';
import { errorResponses } from '../http/error-handler.js';
import type { ProviderConnections } from './provider-connections.service.js';
import { connectionSchema, createConnectionBody, definitionSchema, idParams, pushBody, syncNowBody, syncNowSchema, testOutcomeSchema } from './providers.schemas.js';

const tags = ['providers'];
const pick = ({ id, provider, public_fields, last_tested_at, last_test_error, created_at, updated_at }: z.infer<typeof connectionSchema>) => ({ id, provider, public_fields, last_tested_at, last_test_error, created_at, updated_at });

export const providerRoutes: FastifyPluginAsyncZod<{ connections: ProviderConnections }> = async (app, { connections }) => {
  app.get(
    '/api/providers',
    {
      onRequest: requireAuth('timing:read'),
      schema: { tags, summary: 'The providers we sync with (their credential fields) and the partner’s connections', response: { 200: z.object({ providers: z.array(definitionSchema), connections: z.array(connectionSchema) }), ...errorResponses } },
    },
    async (request) => ({ providers: connections.definitions(), connections: (await connections.list(authPartnerId(request))).map(pick) }),
  );

  app.post(
    '/api/providers',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'Connect a provider (credentials are sealed and never answered again)', body: createConnectionBody, response: { 201: connectionSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(pick(await connections.create(authPartnerId(request), request.body.provider, request.body.fields))),
  );

  app.post(
    '/api/providers/:id/test',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'One cheap call with the stored credentials: says what failed', params: idParams, response: { 200: testOutcomeSchema, ...errorResponses } },
    },
    async (request) => {
      const out = await connections.test(authPartnerId(request), request.params.id);
      return { ...out, connection: pick(out.connection) };
    },
  );

  app.delete(
    '/api/providers/:id',
    { onRequest: requireAuth('sources:manage'), schema: { tags, summary: 'Remove a provider connection', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await connections.remove(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/providers/:id/sync',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'Sync now: pull one provider event into the results warehouse (a queue job)', params: idParams, body: syncNowBody, response: { 202: syncNowSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const b = request.body;
      const job = await connections.syncNow(authPartnerId(request), request.params.id, b.event_id, {
        ...(b.full ? { full: true } : {}),
        ...(b.roster_event_id !== undefined ? { rosterEventId: b.roster_event_id } : {}),
        ...(b.warehouse_event_id !== undefined ? { warehouseEventId: b.warehouse_event_id } : {}),
      });
      return reply.status(202).send({ job_id: job.id, created: job.created, provider: job.provider });
    },
  );

  app.post(
    '/api/providers/:id/push',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'Push a warehouse event’s results to the provider’s race (RunSignUp full-results, CTLive), as a queue job', params: idParams, body: pushBody, response: { 202: syncNowSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const b = request.body;
      const job = await connections.pushNow(authPartnerId(request), request.params.id, { externalEventId: b.event_id, raceExternalId: b.race_id, warehouseEventId: b.warehouse_event_id, resultSetId: b.result_set_id });
      return reply.status(202).send({ job_id: job.id, created: job.created, provider: job.provider });
    },
  );
};

/** HTTP for managing a partner's display links (signed in). The screens' side is display.routes.ts. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPartnerId, requireAuth } from '../web/auth.js';
import { errorResponses } from '../web/error-handler.js';
import type { DisplayLinks } from './display-links.service.js';
import { displaySettingsSchema } from './settings.js';

const tags = ['display'];
const linkSchema = z.object({
  id: z.string(),
  name: z.string(),
  session_id: z.number().nullable(),
  locations: z.array(z.string()),
  settings: displaySettingsSchema.partial(),
  expires_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
  created_at: z.date(),
});

const createBody = z.object({
  name: z.string().trim().max(100).default(''),
  session_id: z.number().int().positive().nullable().default(null).describe('null = follow the active session'),
  locations: z.array(z.string().min(1).max(16)).max(50).default([]).describe('empty = every location'),
  settings: displaySettingsSchema.partial().default({}),
  expires_at: z.coerce.date().nullable().default(null),
});

export const displayLinkRoutes: FastifyPluginAsyncZod<{ links: DisplayLinks }> = async (app, { links }) => {
  app.get(
    '/api/display-links',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: "The partner's display links", response: { 200: z.object({ links: z.array(linkSchema) }), ...errorResponses } },
    },
    async (request) => ({ links: await links.list(authPartnerId(request)) }),
  );

  app.post(
    '/api/display-links',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: 'Create a display link (an unguessable 8-character id; counts against the plan)',
        body: createBody,
        response: { 201: z.object({ id: z.string(), url: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { id } = await links.create(authPartnerId(request), {
        name: b.name,
        sessionId: b.session_id,
        locations: b.locations,
        settings: b.settings,
        expiresAt: b.expires_at,
      });
      return reply.status(201).send({ id, url: `/d/${id}` });
    },
  );

  app.delete(
    '/api/display-links/:id',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Revoke a display link (its screens stop at once)', params: z.object({ id: z.string() }), response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await links.revoke(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

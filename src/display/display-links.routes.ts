/** HTTP for managing a partner's display links (signed in). The screens' side is display.routes.ts. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPartnerId, requireAuth } from '../accounts/auth.js';
import { errorResponses } from '../http/error-handler.js';
import type { DisplayLinks, NewLink } from './display-links.service.js';
import { runnerSchema } from './runner.js';
import { displaySettingsSchema } from './settings.js';
import { SCREEN_ID, SCREEN_NAME_MAX } from './screens.js';
import { DISPLAY_LINK_LIMITS } from '../shared/display-settings.js';

const tags = ['display'];
const linkSchema = z.object({
  id: z.string(),
  name: z.string(),
  session_id: z.number().nullable(),
  locations: z.array(z.string()),
  settings: displaySettingsSchema.partial(),
  template_id: z.number().nullable(),
  template_version: z.number().nullable(),
  roster_event_id: z.number().nullable(),
  expires_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
  created_at: z.date(),
});

const bindingFields = {
  name: z.string().trim().max(DISPLAY_LINK_LIMITS.name),
  session_id: z.number().int().positive().nullable().describe('null = follow the active session'),
  locations: z
    .array(z.string().min(1).max(DISPLAY_LINK_LIMITS.locationLength))
    .max(DISPLAY_LINK_LIMITS.locations)
    .describe('empty = every location'),
  settings: displaySettingsSchema.partial(),
  template_id: z.number().int().positive().nullable(),
  template_version: z.number().int().positive().nullable().describe("null = the template's current version"),
  roster_event_id: z.number().int().positive().nullable().describe('Roster the reads are matched against'),
  expires_at: z.coerce.date().nullable(),
};
const createBody = z.object({
  name: bindingFields.name.default(''),
  session_id: bindingFields.session_id.default(null),
  locations: bindingFields.locations.default([]),
  settings: bindingFields.settings.default({}),
  template_id: bindingFields.template_id.default(null),
  template_version: bindingFields.template_version.default(null),
  roster_event_id: bindingFields.roster_event_id.default(null),
  expires_at: bindingFields.expires_at.default(null),
});
const patchBody = z.object(bindingFields).partial();
const linkParams = z.object({ id: z.string() });

const runnerSummary = z.object({ bib: z.string(), name: z.string() });
const screenSchema = z.object({
  screen_id: z.string(),
  name: z.string().nullable().describe('What an operator named the screen; null = unnamed'),
  on_screen: runnerSummary.nullable(),
  queue: z.array(runnerSummary),
  queue_length: z.number(),
  dropped: z.number(),
  shown: z.number(),
  last_seen: z.date(),
});

/** The API's snake_case binding fields as the service's. */
function bindingOf(b: z.infer<typeof patchBody>): Partial<NewLink> {
  const out: Partial<NewLink> = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.session_id !== undefined) out.sessionId = b.session_id;
  if (b.locations !== undefined) out.locations = b.locations;
  if (b.settings !== undefined) out.settings = b.settings;
  if (b.template_id !== undefined) out.templateId = b.template_id;
  if (b.template_version !== undefined) out.templateVersion = b.template_version;
  if (b.roster_event_id !== undefined) out.rosterEventId = b.roster_event_id;
  if (b.expires_at !== undefined) out.expiresAt = b.expires_at;
  return out;
}

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
      const { id } = await links.create(authPartnerId(request), bindingOf(request.body) as NewLink);
      return reply.status(201).send({ id, url: `/d/${id}` });
    },
  );

  app.delete(
    '/api/display-links/:id',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Revoke a display link (its screens stop at once)', params: linkParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await links.revoke(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/api/display-links/:id',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: 'Change what a link shows (template version, session, locations, roster, settings); open screens reload',
        params: linkParams,
        body: patchBody,
        response: { 200: z.object({ link: linkSchema }), ...errorResponses },
      },
    },
    async (request) => ({ link: await links.update(authPartnerId(request), request.params.id, bindingOf(request.body)) }),
  );

  app.get(
    '/api/display-links/:id/screens',
    {
      onRequest: requireAuth('displays:read'),
      schema: {
        tags,
        summary: "Operator console: the link's open screens, what each shows and its queue",
        params: linkParams,
        response: { 200: z.object({ screens: z.array(screenSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ screens: await links.screensOf(authPartnerId(request), request.params.id) }),
  );

  app.put(
    '/api/display-links/:id/screens/:screen/name',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: "Operator console: name an open screen (\"Finish TV left\"; '' = unnamed); it keeps the name while it reconnects",
        params: z.object({ id: z.string(), screen: z.string().regex(SCREEN_ID) }),
        body: z.object({ name: z.string().max(SCREEN_NAME_MAX) }),
        response: { 200: z.object({ screen: screenSchema }), ...errorResponses },
      },
    },
    async (request) => ({ screen: await links.nameScreen(authPartnerId(request), request.params.id, request.params.screen, request.body.name) }),
  );

  app.post(
    '/api/display-links/:id/clear',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: "Operator console: empty every screen's queue and show the idle design", params: linkParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await links.clear(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/display-links/:id/show',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: "Operator console: show a participant by bib on the link's screens",
        params: linkParams,
        body: z.object({ bib: z.string().trim().min(1).max(32) }),
        response: { 200: z.object({ runner: runnerSchema }), ...errorResponses },
      },
    },
    async (request) => ({ runner: await links.showBib(authPartnerId(request), request.params.id, request.body.bib) }),
  );

  app.post(
    '/api/display-links/:id/test-read',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: "Operator console: show a test runner on the link's screens", params: linkParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await links.testRead(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

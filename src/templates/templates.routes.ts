/**
 * HTTP for display templates (signed in; shared by every user of the partner). Every save
 * is a new version; restore copies an old version into a new one. Thin: validate →
 * authorize → service.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, authPartnerId, requireAuth } from '../accounts/auth.js';
import { errorResponses } from '../http/error-handler.js';
import { TEMPLATE_FORMATS } from '../shared/template-fields.js';
import type { Templates } from './templates.service.js';

const tags = ['templates'];
/** Room for the builder's project data next to both designs. */
export const TEMPLATE_BODY_LIMIT = 4 * 1024 * 1024;

const idParams = z.object({ id: z.coerce.number().int().positive() });
const versionParams = idParams.extend({ version: z.coerce.number().int().positive() });

const design = z.object({ html: z.string(), css: z.string() });
const templateSchema = z.object({
  id: z.number(),
  name: z.string(),
  format: z.enum(TEMPLATE_FORMATS).describe('landscape: drawn at 1920×1080; portrait: 1080×1920'),
  current_version: z.number(),
  created_at: z.date(),
  updated_at: z.date(),
});
const versionSchema = z.object({
  version: z.number(),
  runner: design,
  idle: design,
  project: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.date(),
});
const withVersion = z.object({ template: templateSchema, version: versionSchema });
const name = z.string().trim().min(1).max(100);
const content = {
  runner: design,
  idle: design,
  project: z.record(z.string(), z.unknown()).nullable().optional().describe("The builder's project data, kept for editing"),
};

export const templateRoutes: FastifyPluginAsyncZod<{ templates: Templates }> = async (app, { templates }) => {
  app.get(
    '/api/templates',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: "The partner's display templates", response: { 200: z.object({ templates: z.array(templateSchema) }), ...errorResponses } },
    },
    async (request) => ({ templates: await templates.list(authPartnerId(request)) }),
  );

  app.post(
    '/api/templates',
    {
      onRequest: requireAuth('displays:manage'),
      bodyLimit: TEMPLATE_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Create a template (version 1; counts against the plan)',
        body: z.object({ name, ...content, format: z.enum(TEMPLATE_FORMATS).default('landscape').describe('The screen shape, fixed for the life of the template') }),
        response: { 201: withVersion, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await templates.create(authPartnerId(request), authOf(request).userId, b.name, b);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/templates/:id',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: 'A template and its current version', params: idParams, response: { 200: withVersion, ...errorResponses } },
    },
    async (request) => templates.get(authPartnerId(request), request.params.id),
  );

  app.put(
    '/api/templates/:id',
    {
      onRequest: requireAuth('displays:manage'),
      bodyLimit: TEMPLATE_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Save the template: a new version, sanitized, becomes current',
        params: idParams,
        body: z.object({ name: name.optional(), ...content }),
        response: { 200: withVersion, ...errorResponses },
      },
    },
    async (request) => templates.save(authPartnerId(request), authOf(request).userId, request.params.id, request.body),
  );

  app.get(
    '/api/templates/:id/versions',
    {
      onRequest: requireAuth('displays:read'),
      schema: {
        tags,
        summary: "A template's versions, newest first",
        params: idParams,
        response: {
          200: z.object({ versions: z.array(z.object({ version: z.number(), created_at: z.date(), created_by: z.string().nullable() })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({ versions: await templates.versions(authPartnerId(request), request.params.id) }),
  );

  app.get(
    '/api/templates/:id/versions/:version',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: 'One version of a template', params: versionParams, response: { 200: z.object({ version: versionSchema }), ...errorResponses } },
    },
    async (request) => ({ version: await templates.version(authPartnerId(request), request.params.id, request.params.version) }),
  );

  app.post(
    '/api/templates/:id/versions/:version/restore',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Restore a version (saved as a new current version)', params: versionParams, response: { 200: withVersion, ...errorResponses } },
    },
    async (request) => templates.restore(authPartnerId(request), authOf(request).userId, request.params.id, request.params.version),
  );

  app.post(
    '/api/templates/:id/duplicate',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: 'Copy a template (its current version) into a new one',
        params: idParams,
        body: z.object({ name: name.optional() }).default({}),
        response: { 201: withVersion, ...errorResponses },
      },
    },
    async (request, reply) => {
      const copy = await templates.duplicate(authPartnerId(request), authOf(request).userId, request.params.id, request.body.name);
      return reply.status(201).send(copy);
    },
  );

  app.delete(
    '/api/templates/:id',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Delete a template and its versions (refused while a live link shows it)', params: idParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await templates.delete(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

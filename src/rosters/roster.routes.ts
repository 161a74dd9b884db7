/**
 * HTTP for rosters (signed in): events, participants, CSV upload (preview → mapped import)
 * and ChronoTrack Live import (started in the background, then polled for progress).
 * Thin: validate → authorize → service.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Usage } from '../accounts/usage.service.js';
import { AppError } from '../errors.js';
import { authOf, authPartnerId, requireAuth } from '../accounts/auth.js';
import { errorResponses } from '../http/error-handler.js';
import { MAX_CSV_BYTES, csvMappingSchema, previewCsv } from './csv.js';
import type { RosterImports } from '../sync/roster-imports.js';
import { GENDERS, participantInputSchema, participantPatchSchema, ROSTER_SOURCES } from './roster.schemas.js';
import type { Rosters } from './roster.service.js';

const tags = ['rosters'];
const id = z.object({ id: z.coerce.number().int().positive() });

const eventSchema = z.object({
  id: z.number(),
  name: z.string(),
  source: z.enum(ROSTER_SOURCES),
  external_id: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});
const participantSchema = z.object({
  id: z.number(),
  event_id: z.number(),
  external_id: z.string().nullable(),
  bib: z.string(),
  tags: z.array(z.string()),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  age: z.number().nullable(),
  gender: z.enum(GENDERS),
  city: z.string().nullable(),
  state: z.string().nullable(),
  country: z.string().nullable(),
  division: z.string().nullable(),
  race: z.string().nullable(),
  wave: z.string().nullable(),
  team: z.string().nullable(),
  custom_message: z.string().nullable(),
});
const importResultSchema = z.object({
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  removed: z.number(),
  errors: z.array(z.object({ row: z.number(), reason: z.string() })).describe('Rows not imported, by line or position'),
});

const rowErrorsSchema = z.array(z.object({ row: z.number(), reason: z.string() }));
const importJobSchema = z.object({
  import_id: z.string(),
  source: z.literal('ctlive'),
  external_id: z.string().describe('The provider’s event id'),
  status: z.enum(['running', 'done', 'failed']),
  received: z.number().describe('Rows received from the provider so far'),
  total: z.number().nullable().describe('Rows the provider says the event has (its row-count header); null until it says'),
  result: z
    .object({
      event_id: z.number(),
      event_name: z.string(),
      entries: z.number(),
      inserted: z.number(),
      updated: z.number(),
      unchanged: z.number(),
      removed: z.number(),
      errors: rowErrorsSchema.describe('Rows not imported (the first 1000)'),
      error_count: z.number(),
    })
    .nullable()
    .describe('When done'),
  error: z.string().nullable().describe('When failed: what went wrong'),
  created_at: z.date(),
  finished_at: z.date().nullable(),
});

/** Room for the largest CSV the importer accepts, JSON-escaped. */
const CSV_BODY_LIMIT = MAX_CSV_BYTES * 2;

export const rosterRoutes: FastifyPluginAsyncZod<{
  rosters: Rosters;
  /** Background imports: started here, run by a worker (p88 start's, or p88 worker). */
  imports: RosterImports;
  usage: Usage;
  /** The platform's ChronoTrack API client id (CTLIVE_CLIENT_ID), for imports that do not name one. */
  ctliveClientId?: string | undefined;
}> = async (app, { rosters, imports, usage, ctliveClientId }) => {
  app.get(
    '/api/rosters',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: "The partner's roster events", response: { 200: z.object({ events: z.array(eventSchema.extend({ participant_count: z.number() })) }), ...errorResponses } },
    },
    async (request) => ({ events: await rosters.listEvents(authPartnerId(request)) }),
  );

  app.post(
    '/api/rosters',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Create a roster event (counts against the plan’s events per month)', body: z.object({ name: z.string().trim().min(1).max(200) }), response: { 201: eventSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const partnerId = authPartnerId(request);
      await usage.consume(partnerId, 'events_per_month');
      return reply.status(201).send(await rosters.createEvent(partnerId, { name: request.body.name, source: 'manual' }));
    },
  );

  app.get(
    '/api/rosters/:id',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: 'One roster event with its participant count', params: id, response: { 200: eventSchema.extend({ participant_count: z.number() }), ...errorResponses } },
    },
    async (request) => rosters.getEventSummary(authPartnerId(request), request.params.id),
  );

  app.delete(
    '/api/rosters/:id',
    { onRequest: requireAuth('displays:manage'), schema: { tags, summary: 'Delete a roster event and its participants', params: id, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await rosters.deleteEvent(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/rosters/:id/participants',
    {
      onRequest: requireAuth('displays:read'),
      schema: {
        tags,
        summary: 'Participants of a roster event, in bib order; q searches bib and name',
        params: id,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
          q: z.string().max(200).optional().describe('Bib or name contains this (case-insensitive); an exact bib comes first'),
        }),
        response: { 200: z.object({ participants: z.array(participantSchema), total: z.number().describe('Participants matching, all pages') }), ...errorResponses },
      },
    },
    async (request) => rosters.pageParticipants(authPartnerId(request), request.params.id, request.query),
  );

  app.post(
    '/api/rosters/:id/participants',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Add a participant by hand', params: id, body: participantInputSchema.omit({ raw: true }), response: { 201: participantSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await rosters.addParticipant(authPartnerId(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/participants/:id',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Edit a participant (fields left out are kept; null clears)', params: id, body: participantPatchSchema, response: { 200: participantSchema, ...errorResponses } },
    },
    async (request) => rosters.updateParticipant(authPartnerId(request), request.params.id, request.body),
  );

  app.delete(
    '/api/participants/:id',
    { onRequest: requireAuth('displays:manage'), schema: { tags, summary: 'Remove a participant', params: id, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await rosters.deleteParticipant(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/rosters/csv-preview',
    {
      onRequest: requireAuth('displays:manage'),
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags,
        summary: 'First step of a CSV upload: headers, the first rows and a suggested column mapping',
        body: z.object({ csv: z.string().min(1) }),
        response: {
          200: z.object({ headers: z.array(z.string()), rows: z.array(z.array(z.string())), totalRows: z.number(), delimiter: z.string(), suggestedMapping: csvMappingSchema.partial() }),
          ...errorResponses,
        },
      },
    },
    async (request) => previewCsv(request.body.csv, { maxRows: 20 }),
  );

  app.post(
    '/api/rosters/:id/csv',
    {
      onRequest: requireAuth('displays:manage'),
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Second step: import the CSV with the confirmed mapping (re-import updates in place)',
        params: id,
        body: z.object({ csv: z.string().min(1), mapping: csvMappingSchema }),
        response: { 200: importResultSchema.extend({ rows: z.number() }), ...errorResponses },
      },
    },
    async (request) => rosters.importCsv(authPartnerId(request), request.params.id, request.body.csv, request.body.mapping),
  );

  app.post(
    '/api/rosters/:id/csv-check',
    {
      onRequest: requireAuth('displays:manage'),
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Before importing: what the CSV with this mapping would add and update, and every row it would refuse (nothing is stored)',
        params: id,
        body: z.object({ csv: z.string().min(1), mapping: csvMappingSchema }),
        response: { 200: importResultSchema.extend({ rows: z.number() }), ...errorResponses },
      },
    },
    async (request) => rosters.checkCsv(authPartnerId(request), request.params.id, request.body.csv, request.body.mapping),
  );

  app.post(
    '/api/rosters/ctlive',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: 'Start importing (or re-importing) a ChronoTrack Live event’s entries as a roster',
        description:
          'Answers 202 at once; poll GET /api/rosters/imports/{import_id} for progress and the result. ' +
          'Starting an event that is already importing answers the running import’s id. A new event counts against the plan’s events per month.',
        body: z.object({
          client_id: z.string().trim().max(200).optional().describe('ChronoTrack API client id; empty = the platform’s (CTLIVE_CLIENT_ID)'),
          user_id: z.string().min(1).max(200),
          password: z.string().min(1).max(200).describe('Sent to ChronoTrack as its SHA-1; never stored or logged'),
          event_id: z.string().regex(/^\d{1,12}$/),
        }),
        response: { 202: z.object({ import_id: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const clientId = b.client_id || ctliveClientId;
      if (!clientId) throw new AppError('bad_request', 'Enter the ChronoTrack API client id (this platform has none configured).');
      const started = await imports.startChronoTrack(authPartnerId(request), authOf(request).userId, {
        clientId,
        userId: b.user_id,
        password: b.password,
        eventId: b.event_id,
      });
      return reply.status(202).send(started);
    },
  );

  app.get(
    '/api/rosters/imports/:import_id',
    {
      onRequest: requireAuth('displays:read'),
      schema: {
        tags,
        summary: 'Progress and result of a background roster import (kept about 10 minutes after it ends)',
        params: z.object({ import_id: z.string().min(1).max(64) }),
        response: { 200: importJobSchema, ...errorResponses },
      },
    },
    async (request) => imports.get(authPartnerId(request), request.params.import_id),
  );
};

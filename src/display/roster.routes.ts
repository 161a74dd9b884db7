/**
 * HTTP for rosters (signed in): events, participants, CSV upload (preview → mapped import)
 * and ChronoTrack Live import. Thin: validate → authorize → service.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Usage } from '../accounts/usage.service.js';
import type { Database } from '../db/database.js';
import { importFromChronoTrackLive } from '../providers/chronotrack/import.js';
import { authPartnerId, requireAuth } from '../web/auth.js';
import { errorResponses } from '../web/error-handler.js';
import { MAX_CSV_BYTES, csvMappingSchema, previewCsv } from './csv.js';
import { GENDERS, participantInputSchema, participantPatchSchema, ROSTER_SOURCES } from './roster.schemas.js';
import * as rosters from './roster.service.js';

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

/** Room for the largest CSV the importer accepts, JSON-escaped. */
const CSV_BODY_LIMIT = MAX_CSV_BYTES * 2;

export const rosterRoutes: FastifyPluginAsyncZod<{ db: Database; usage: Usage; ctliveBaseUrl: string | undefined }> = async (
  app,
  { db, usage, ctliveBaseUrl },
) => {
  app.get(
    '/api/rosters',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: "The partner's roster events", response: { 200: z.object({ events: z.array(eventSchema.extend({ participant_count: z.number() })) }), ...errorResponses } },
    },
    async (request) => ({ events: await rosters.listEvents(db, authPartnerId(request)) }),
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
      return reply.status(201).send(await rosters.createEvent(db, partnerId, { name: request.body.name, source: 'manual' }));
    },
  );

  app.delete(
    '/api/rosters/:id',
    { onRequest: requireAuth('displays:manage'), schema: { tags, summary: 'Delete a roster event and its participants', params: id, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await rosters.deleteEvent(db, authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/rosters/:id/participants',
    {
      onRequest: requireAuth('displays:read'),
      schema: {
        tags,
        summary: 'Participants of a roster event',
        params: id,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) }),
        response: { 200: z.object({ participants: z.array(participantSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ participants: await rosters.listParticipants(db, authPartnerId(request), request.params.id, request.query) }),
  );

  app.post(
    '/api/rosters/:id/participants',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Add a participant by hand', params: id, body: participantInputSchema.omit({ raw: true }), response: { 201: participantSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await rosters.addParticipant(db, authPartnerId(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/participants/:id',
    {
      onRequest: requireAuth('displays:manage'),
      schema: { tags, summary: 'Edit a participant (fields left out are kept; null clears)', params: id, body: participantPatchSchema, response: { 200: participantSchema, ...errorResponses } },
    },
    async (request) => rosters.updateParticipant(db, authPartnerId(request), request.params.id, request.body),
  );

  app.delete(
    '/api/participants/:id',
    { onRequest: requireAuth('displays:manage'), schema: { tags, summary: 'Remove a participant', params: id, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await rosters.deleteParticipant(db, authPartnerId(request), request.params.id);
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
    async (request) => rosters.importCsv(db, authPartnerId(request), request.params.id, request.body.csv, request.body.mapping),
  );

  app.post(
    '/api/rosters/ctlive',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: 'Import (or re-import) a ChronoTrack Live event’s entries as a roster',
        body: z.object({
          client_id: z.string().min(1).max(200),
          user_id: z.string().min(1).max(200),
          password: z.string().min(1).max(200).describe('Sent to ChronoTrack as its SHA-1; never stored or logged'),
          event_id: z.string().regex(/^\d{1,12}$/),
        }),
        response: { 200: importResultSchema.extend({ event: eventSchema, entries: z.number() }), ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      return importFromChronoTrackLive(db, authPartnerId(request), {
        ...(ctliveBaseUrl ? { baseUrl: ctliveBaseUrl } : {}),
        clientId: b.client_id,
        userId: b.user_id,
        password: b.password,
        eventId: b.event_id,
        log: request.log,
      });
    },
  );
};

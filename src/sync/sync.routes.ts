/**
 * HTTP for provider sync beyond connections (providers.routes.ts): a connection's events (to
 * choose one to sync), the partner's synced events and their schedules (add with the
 * warehouse event and roster it fills, pause, remove, sync now), and the history of runs with
 * the progress of running ones.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPartnerId, requireAuth } from '../accounts/auth.js';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { errorResponses } from '../http/error-handler.js';
import type { ProviderConnections } from './provider-connections.service.js';
import { idParams } from './providers.schemas.js';
import { listSyncRuns } from './sync-history.repo.js';
import { SYNC_PROVIDERS } from './sync-jobs.js';
import type { SyncSchedules } from './sync-schedules.service.js';

const tags = ['providers'];

const providerEventSchema = z.object({
  external_id: z.string(),
  name: z.string(),
  start_date: z.string().nullable(),
  city: z.string().nullable(),
  region: z.string().nullable(),
  status: z.string().nullable(),
});

const scheduleSchema = z.object({
  id: z.number(),
  provider: z.string(),
  external_event_id: z.string(),
  direction: z.enum(['pull', 'push']),
  starts_at: z.date().nullable(),
  enabled: z.boolean(),
  next_run_at: z.date().nullable().describe('When the scheduler next syncs it; null once it has run its course'),
  last_enqueued_at: z.date().nullable(),
  last_job_id: z.number().nullable(),
  warehouse_event_id: z.number().nullable(),
  roster_event_id: z.number().nullable(),
});
const pickSchedule = (s: z.infer<typeof scheduleSchema>) => ({
  id: s.id, provider: s.provider, external_event_id: s.external_event_id, direction: s.direction, starts_at: s.starts_at, enabled: s.enabled,
  next_run_at: s.next_run_at, last_enqueued_at: s.last_enqueued_at, last_job_id: s.last_job_id === null ? null : Number(s.last_job_id),
  warehouse_event_id: s.warehouse_event_id, roster_event_id: s.roster_event_id,
});

const noticeSchema = z.object({ message: z.string(), record: z.string().optional(), field: z.string().optional() });
const runSchema = z.object({
  id: z.number(),
  schedule_id: z.number().nullable(),
  job_id: z.number().nullable(),
  provider: z.string(),
  external_event_id: z.string(),
  direction: z.enum(['pull', 'push']),
  trigger: z.enum(['schedule', 'manual']),
  mode: z.enum(['full', 'incremental']).nullable(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  count_new: z.number(),
  count_updated: z.number(),
  count_unchanged: z.number(),
  count_failed: z.number(),
  count_removed: z.number(),
  count_kept: z.number().describe('Records where a hand edit was kept against the provider (notices say which)'),
  errors: z.array(z.object({ message: z.string(), record: z.string().optional() })),
  error_count: z.number(),
  notices: z.array(noticeSchema),
  started_at: z.date(),
  finished_at: z.date().nullable(),
  duration_ms: z.number().nullable(),
  progress_done: z.number().nullable().describe('Pages done of a running sync'),
  progress_total: z.number().nullable(),
});

const scheduleBody = z.object({
  provider: z.enum(SYNC_PROVIDERS),
  event_id: z.string().trim().min(1).max(100),
  starts_at: z.coerce.date().nullable().default(null).describe('The race start: the cadence tightens towards it'),
  warehouse_event_id: z.number().int().positive().nullable().optional(),
  roster_event_id: z.number().int().positive().nullable().optional(),
});

export const syncRoutes: FastifyPluginAsyncZod<{ db: Database; connections: ProviderConnections; schedules: SyncSchedules }> = async (app, { db, connections, schedules }) => {
  app.get(
    '/api/providers/:id/events',
    {
      onRequest: requireAuth('timing:read'),
      schema: { tags, summary: 'The provider’s events on this connection (to choose one to sync)', params: idParams, response: { 200: z.object({ events: z.array(providerEventSchema) }), ...errorResponses } },
    },
    async (request) => ({
      events: (await connections.listEvents(authPartnerId(request), request.params.id)).map((e) => ({ external_id: e.externalId, name: e.name, start_date: e.startDate, city: e.city, region: e.region, status: e.status })),
    }),
  );

  app.get(
    '/api/sync/schedules',
    { onRequest: requireAuth('timing:read'), schema: { tags, summary: 'Synced provider events and their schedules', response: { 200: z.object({ schedules: z.array(scheduleSchema) }), ...errorResponses } } },
    async (request) => ({ schedules: (await schedules.list(authPartnerId(request))).map(pickSchedule) }),
  );

  app.post(
    '/api/sync/schedules',
    {
      onRequest: requireAuth('sources:manage'),
      schema: { tags, summary: 'Sync a provider event on a schedule (first sync at once), into a warehouse event and a roster if chosen', body: scheduleBody, response: { 201: scheduleSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const b = request.body;
      const s = await schedules.upsert(authPartnerId(request), {
        provider: b.provider, externalEventId: b.event_id, startsAt: b.starts_at,
        ...(b.warehouse_event_id !== undefined ? { warehouseEventId: b.warehouse_event_id } : {}),
        ...(b.roster_event_id !== undefined ? { rosterEventId: b.roster_event_id } : {}),
      });
      return reply.status(201).send(pickSchedule(s));
    },
  );

  app.patch(
    '/api/sync/schedules/:id',
    { onRequest: requireAuth('sources:manage'), schema: { tags, summary: 'Pause or resume a schedule', params: idParams, body: z.object({ enabled: z.boolean() }), response: { 200: scheduleSchema, ...errorResponses } } },
    async (request) => pickSchedule(await schedules.setEnabled(authPartnerId(request), request.params.id, request.body.enabled)),
  );

  app.delete(
    '/api/sync/schedules/:id',
    { onRequest: requireAuth('sources:manage'), schema: { tags, summary: 'Stop syncing a provider event (its synced rows and history stay)', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await schedules.remove(authPartnerId(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/sync/schedules/:id/sync',
    { onRequest: requireAuth('sources:manage'), schema: { tags, summary: 'Sync a scheduled event now', params: idParams, response: { 202: z.object({ job_id: z.number(), created: z.boolean() }), ...errorResponses } } },
    async (request, reply) => {
      const job = await schedules.syncNow(authPartnerId(request), request.params.id);
      return reply.status(202).send({ job_id: job.id, created: job.created });
    },
  );

  app.get(
    '/api/sync/history',
    {
      onRequest: requireAuth('timing:read'),
      schema: {
        tags,
        summary: 'Sync runs, newest first: counts, errors, notices, and the progress of running ones',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), schedule_id: z.coerce.number().int().positive().optional() }),
        response: { 200: z.object({ runs: z.array(runSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const partnerId = authPartnerId(request);
      const q = request.query;
      const runs = await withPartner(db, partnerId, (tx) => listSyncRuns(tx, partnerId, { limit: q.limit, ...(q.schedule_id !== undefined ? { scheduleId: q.schedule_id } : {}) }));
      return { runs: runs.map((r) => ({ ...r, id: Number(r.id), job_id: r.job_id === null ? null : Number(r.job_id), progress_done: r.progress_done === null ? null : Number(r.progress_done), progress_total: r.progress_total === null ? null : Number(r.progress_total) })) };
    },
  );
};

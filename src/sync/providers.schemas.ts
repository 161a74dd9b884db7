/** Zod schemas of /api/providers: definitions, connections (never a secret), tests, "sync now". */
import { z } from 'zod';
import { PROVIDERS } from '../providers/records.js';

export const idParams = z.object({ id: z.coerce.number().int().positive() });

export const definitionSchema = z.object({
  name: z.enum(PROVIDERS),
  label: z.string(),
  fields: z.array(z.object({ name: z.string(), label: z.string(), secret: z.boolean(), required: z.boolean(), list: z.boolean().optional() })),
  participants: z.boolean(),
  results: z.boolean(),
  pushResults: z.boolean(),
  incremental: z.boolean(),
  guessed: z.enum(['none', 'some', 'all']),
});

export const connectionSchema = z.object({
  id: z.number(),
  provider: z.string(),
  public_fields: z.record(z.string(), z.string()).describe('The non-secret fields as entered; secret ones are never answered'),
  last_tested_at: z.date().nullable(),
  last_test_error: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});

export const createConnectionBody = z.object({
  provider: z.enum(PROVIDERS),
  fields: z.record(z.string(), z.union([z.string().max(500), z.array(z.string().max(500)).max(50)])).default({}),
});

export const testOutcomeSchema = z.object({
  ok: z.boolean(),
  kind: z.string().nullable().describe('auth (refused credentials), not_found, rate_limited, unavailable (provider down), bad_response, invalid_request, secret_key (this SECRET_KEY cannot open the stored credentials)'),
  message: z.string().nullable(),
  connection: connectionSchema,
});

export const syncNowBody = z.object({
  event_id: z.string().trim().min(1).max(100).describe("The provider's event id"),
  warehouse_event_id: z.number().int().positive().optional().describe('The warehouse event to fill (else the provider event’s own)'),
  roster_event_id: z.number().int().positive().optional().describe('A roster event the participants also feed (a display can use it)'),
  full: z.boolean().optional().describe('A full pull even when an incremental one is possible (removals are only seen by a full pull)'),
});
export const syncNowSchema = z.object({ job_id: z.number(), created: z.boolean().describe('false: a sync of this event was queued or running already'), provider: z.string() });

export const pushBody = z.object({
  event_id: z.string().trim().min(1).max(100).describe("The provider's event id (RunSignUp race id, CTLive event id)"),
  race_id: z.string().trim().min(1).max(100).describe("The provider's race (RunSignUp event id, CTLive race id) the results go to"),
  warehouse_event_id: z.number().int().positive().describe('The warehouse event whose results are sent'),
  result_set_id: z.string().trim().min(1).max(100).optional().describe('RunSignUp: the result set to fill'),
});

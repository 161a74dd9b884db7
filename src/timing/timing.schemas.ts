/**
 * Request and response schemas of the timing read API. They validate queries, serialize
 * responses (Dates become ISO 8601 UTC strings) and generate the OpenAPI document, so the
 * three cannot drift apart. Response shapes follow the seed platform's timing API.
 */
import { z } from 'zod';

const MAX_INT4 = 2_147_483_647;

const sessionIdParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_INT4)
  .describe('A session of the caller; default: the active session');

export const statsQuerySchema = z.object({ session_id: sessionIdParam.optional() });

export const recentReadsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('How many reads, 1..1000'),
  session_id: sessionIdParam.optional(),
  location: z
    .string()
    .min(1)
    .max(16)
    .regex(/^[^\x00-\x1f\x7f]+$/, 'Must not contain control characters')
    .optional()
    .describe('Only reads at this location name'),
});

export const sessionsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('How many sessions, newest first'),
});

const generatedAt = z.date().describe('When the server built this response');

export const databaseStatusSchema = z.object({
  success: z.literal(true),
  database_enabled: z.boolean().describe('Reads are stored in the database (always true here)'),
  connected: z.boolean(),
  current_session: z.number().int().nullable().describe("Id of the caller's active session"),
  database_version: z.string().optional().describe('The server\'s major version, e.g. "PostgreSQL 16"; only when connected'),
  error: z.string().nullable(),
  generated_at: generatedAt,
});

export const statsSchema = z.object({
  success: z.literal(true),
  overall: z.object({
    total_reads: z.number().int(),
    unique_tags: z.number().int(),
    total_locations: z.number().int(),
    first_read: z.date().nullable().describe('Earliest received_at; null with no reads'),
    last_read: z.date().nullable(),
  }),
  by_location: z
    .array(
      z.object({
        location_name: z.string(),
        read_count: z.number().int(),
        unique_tags: z.number().int(),
        last_read: z.date(),
      }),
    )
    .describe('Sorted by read_count, highest first'),
  generated_at: generatedAt,
});

export const readSchema = z.object({
  id: z.number().int(),
  session_id: z.number().int(),
  location_id: z.number().int(),
  sequence_number: z.number().int(),
  location_name: z.string(),
  tag_code: z.string(),
  read_kind: z.enum(['tag', 'gun']).describe("'gun' = the start gun fired at this location"),
  read_time: z.date().describe('The time the timing system reported for the read'),
  time_raw: z.string().describe('The time field exactly as the timing system sent it'),
  lap_count: z.number().int(),
  reader_id: z.string(),
  gator_number: z.number().int(),
  raw_line: z.string(),
  read_timestamp: z.date().describe('When the collector received the read (received_at)'),
  session_name: z.string(),
  seconds_ago: z.number().describe('Seconds since read_timestamp'),
});

export const recentReadsSchema = z.object({
  success: z.literal(true),
  reads: z.array(readSchema).describe('Newest first'),
  count: z.number().int(),
  timestamp: z.date().describe("Same as generated_at (the seed's key)"),
  generated_at: generatedAt,
});

export const sessionSchema = z.object({
  id: z.number().int(),
  session_name: z.string(),
  event_name: z.string().nullable(),
  status: z.enum(['active', 'closed']),
  created_at: z.date(),
  start_time: z.date(),
  end_time: z.date().nullable(),
  total_reads: z.number().int().describe('Tag reads (gun events not counted)'),
  last_read: z.date().nullable(),
  location_count: z.number().int(),
  locations: z.array(z.string()).describe('Location names in the order they were first seen'),
});

export const sessionsSchema = z.object({
  success: z.literal(true),
  sessions: z.array(sessionSchema).describe('Newest first, every status'),
  generated_at: generatedAt,
});

export type StatsQuery = z.output<typeof statsQuerySchema>;
export type RecentReadsQuery = z.output<typeof recentReadsQuerySchema>;
export type SessionsQuery = z.output<typeof sessionsQuerySchema>;
export type DatabaseStatus = z.output<typeof databaseStatusSchema>;
export type Stats = z.output<typeof statsSchema>;
export type Read = z.output<typeof readSchema>;
export type RecentReads = z.output<typeof recentReadsSchema>;
export type Session = z.output<typeof sessionSchema>;
export type Sessions = z.output<typeof sessionsSchema>;

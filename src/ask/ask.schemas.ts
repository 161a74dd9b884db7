import { z } from 'zod';

export const askBodySchema = z.object({ question: z.string().min(1).max(500) });

export const askAnswerSchema = z.object({
  status: z.enum(['answered', 'clarify', 'not_found', 'not_understood', 'refused']),
  intent: z.enum(['count', 'list', 'find', 'analyze', 'compare', 'timing', 'unknown']),
  confidence: z.number(),
  plan: z.looseObject({ definitions: z.string(), intent: z.string() }).nullable(),
  sql: z.string().nullable(),
  params: z.array(z.unknown()),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  value: z.number().nullable(),
  answer: z.string(),
  row_count: z.number().int(),
  truncated: z.boolean(),
  candidates: z.array(z.string()),
  trace: z.array(z.string()),
});

export const askExamplesSchema = z.record(z.string(), z.array(z.string()));

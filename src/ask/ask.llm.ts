/**
 * The optional language-model fallback (LLM_BASE_URL + LLM_MODEL, any OpenAI-compatible
 * endpoint): a question the rules do not understand is sent to the model with the plan's
 * schema and the partner's own event names, and the model may only answer with a plan as JSON.
 * The reply is validated here (strict schema: unknown keys, wrong types, out-of-range values
 * are refused); the service then resolves its names against the partner's own events, people
 * and sessions (an unknown one → not understood) and compiles it with the same compiler as a
 * rule-made plan. The model never writes SQL, and nothing it says reaches the SQL text: names
 * become ids, numbers become parameters. Timeouts and HTTP errors are "not understood".
 */
import OpenAI from 'openai';
import { z } from 'zod';
import { DISTANCES } from './definitions.js';

export interface LlmOptions {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
}

/** Highest confidence an answer planned by the model gets. */
export const LLM_CONFIDENCE = 0.7;
/** Event names the prompt lists at most (the latest first). */
export const LLM_MAX_EVENTS = 200;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const name = z.string().regex(/^[\p{L}][\p{L}' .-]{0,59}$/u, 'a person name');
const eventName = z.string().min(1).max(200);
const DISTANCE_NAMES = DISTANCES.map((d) => d.name) as [string, ...string[]];

/** What the model fills: the engine's plan with names where the plan has ids (src/ask/ask.sql.ts Plan). */
export const llmPlanSchema = z.strictObject({
  intent: z.enum(['count', 'list', 'find', 'analyze', 'compare', 'timing', 'unknown']),
  subject: z.enum(['finishers', 'participants', 'dnf', 'events', 'races']).default('participants'),
  events: z.array(eventName).max(5).default([]),
  sides: z.tuple([eventName, eventName]).nullable().default(null),
  distance: z.enum(DISTANCE_NAMES).nullable().default(null),
  gender: z.enum(['M', 'F', 'X']).nullable().default(null),
  age: z.strictObject({ min: z.number().int().min(0).max(130), max: z.number().int().min(0).max(130) }).nullable().default(null),
  time: z
    .strictObject({ underMs: z.number().int().positive().max(14 * 86_400_000).nullable().default(null), overMs: z.number().int().positive().max(14 * 86_400_000).nullable().default(null) })
    .nullable()
    .default(null),
  dates: z.strictObject({ from: isoDate, to: isoDate }).nullable().default(null),
  bq: z.boolean().default(false),
  pr: z.boolean().default(false),
  active: z.boolean().default(false),
  person: z.strictObject({ first: name, last: name }).nullable().default(null),
  people: z.tuple([z.strictObject({ first: name, last: name }), z.strictObject({ first: name, last: name })]).nullable().default(null),
  breakdown: z.enum(['age_group']).nullable().default(null),
  session: z.strictObject({ id: z.number().int().positive().max(2_147_483_647), what: z.enum(['by_mat', 'last_reads', 'unknown_tags']) }).nullable().default(null),
  order: z.enum(['fastest', 'slowest']).nullable().default(null),
  limit: z.number().int().min(1).max(1000).nullable().default(null),
});
export type LlmPlan = z.infer<typeof llmPlanSchema>;

export function systemPrompt(eventNames: string[], today: string): string {
  return [
    'You turn a race timer\'s question about their own results into a query plan. Answer with ONE JSON object and nothing else: no prose, no code fences, never SQL.',
    'The plan (every key optional except intent; null when the question does not say it):',
    '{"intent": "count"|"list"|"find"|"analyze"|"compare"|"timing"|"unknown",',
    ' "subject": "finishers"|"participants"|"dnf"|"events"|"races",',
    ' "events": [event names, copied exactly from the list below],',
    ' "sides": [event name, event name] (compare only),',
    ` "distance": ${DISTANCE_NAMES.map((d) => JSON.stringify(d)).join('|')}|null,`,
    ' "gender": "M"|"F"|"X"|null, "age": {"min": int, "max": int}|null (open-ended max = 130),',
    ' "time": {"underMs": int|null, "overMs": int|null}|null (finish time in milliseconds),',
    ' "dates": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD" (exclusive)}|null,',
    ' "bq": boolean (Boston qualifiers), "pr": boolean (personal record), "active": boolean (active events),',
    ' "people": [{"first": string, "last": string}, {"first": string, "last": string}]|null (compare two people, instead of sides),',
    ' "breakdown": "age_group"|null (analyze by age group),',
    ' "person": {"first": string, "last": string}|null, "session": {"id": int, "what": "by_mat"|"last_reads"|"unknown_tags"}|null,',
    ' "order": "fastest"|"slowest"|null, "limit": int|null}',
    `Today is ${today}. If the question is not about these events, their runners, results or timing sessions, or asks about anyone else's data, answer {"intent": "unknown"}.`,
    'The events (name, start date):',
    ...eventNames.map((n) => `- ${n}`),
  ].join('\n');
}

export type LlmResult = { ok: true; plan: LlmPlan } | { ok: false; note: string };

/** The model's reply as a validated plan, or why not. */
export function parseReply(content: string | null | undefined): LlmResult {
  if (!content) return { ok: false, note: 'the model gave no answer' };
  const text = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, note: 'the model did not answer with JSON' };
  }
  const r = llmPlanSchema.safeParse(json);
  if (!r.success) return { ok: false, note: `the model's plan is not valid (${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`).join('; ')})` };
  return { ok: true, plan: r.data };
}

export class LlmPlanner {
  private readonly client: OpenAI;
  constructor(private readonly opts: LlmOptions) {
    this.client = new OpenAI({ baseURL: opts.baseUrl, apiKey: opts.apiKey ?? 'none', timeout: opts.timeoutMs, maxRetries: 0 });
  }

  get model(): string {
    return this.opts.model;
  }

  /** Asks the model for a plan; never throws (timeouts, HTTP errors and bad replies are notes). */
  async plan(question: string, events: Array<{ name: string; start_date: string | null }>, today: string): Promise<LlmResult> {
    const listed = events.slice(0, LLM_MAX_EVENTS).map((e) => `${e.name}${e.start_date ? ` (${e.start_date})` : ''}`);
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      const res = await this.client.chat.completions.create(
        {
          model: this.opts.model,
          temperature: 0,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: systemPrompt(listed, today) },
            { role: 'user', content: question },
          ],
        },
        { signal, timeout: this.opts.timeoutMs, maxRetries: 0 },
      );
      return parseReply(res.choices[0]?.message?.content);
    } catch (err) {
      if (signal.aborted || err instanceof OpenAI.APIConnectionTimeoutError || err instanceof OpenAI.APIUserAbortError) return { ok: false, note: `the model did not answer within ${this.opts.timeoutMs} ms` };
      if (err instanceof OpenAI.APIError && err.status !== undefined) return { ok: false, note: `the model's endpoint answered HTTP ${err.status}` };
      return { ok: false, note: 'the model could not be reached' };
    }
  }
}

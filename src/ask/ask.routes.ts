/**
 * HTTP for questions in plain English: POST /api/v1/nl-query (answer; ?format=csv or
 * Accept: text/csv for the rows), POST /api/v1/nl-explain (plan, trace and SQL, not run),
 * GET /api/v1/nl-examples (questions built from the partner's own events). Authenticated like
 * the read API: a session, or a token with results:read.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPartnerId, requireAuth, SECURED } from '../accounts/auth.js';
import { errorResponses } from '../http/error-handler.js';
import { toCsv } from '../rest/rest.service.js';
import { askAnswerSchema, askBodySchema, askExamplesSchema } from './ask.schemas.js';
import { CHAT_MODEL, clientTaskAnswer, clientTaskKey, completion, completionStream, lastUserText, toMarkdown } from './ask.chat.js';
import type { Ask } from './ask.service.js';
import { MAX_ROWS } from './definitions.js';

const tags = ['ask'];

/** The chat's answer to the last user message: a client task's JSON, or the engine's answer as markdown. */
/** A message's longest text: chat front ends quote whole conversations (tables included) in their task prompts. */
const MAX_MESSAGE_CHARS = 100_000;

async function chatReply(ask: Ask, partnerId: number, text: string): Promise<string> {
  const taskKey = clientTaskKey(text);
  if (taskKey !== null) {
    // Follow-up suggestions: one example question per intent, made from the partner's own events.
    const followUps = taskKey === 'follow_ups' ? Object.values(await ask.examples(partnerId)).flatMap((list) => list.slice(0, 1)) : [];
    return clientTaskAnswer(taskKey, text, followUps);
  }
  const question = text.trim().slice(0, 500);
  if (question === '') return 'Ask me a question about your events, results or timing sessions.';
  return toMarkdown(await ask.query(partnerId, question));
}

export const askRoutes: FastifyPluginAsyncZod<{ ask: Ask }> = async (app, { ask }) => {
  app.post(
    '/api/v1/nl-query',
    {
      onRequest: requireAuth('results:read'),
      schema: {
        tags,
        security: SECURED,
        summary: 'Answer a question in plain English over your results and timing data',
        description: 'Answers {status, intent, confidence, plan, sql, params, columns, rows, value, answer, row_count, truncated}. status is answered, clarify (candidates lists the choices), not_found, not_understood or refused. ?format=csv or Accept: text/csv answers the rows as CSV.',
        querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
        body: askBodySchema,
        response: { 200: askAnswerSchema.or(z.string()), ...errorResponses },
      },
    },
    async (request, reply) => {
      const csv = request.query.format === 'csv' || (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
      const answer = await ask.query(authPartnerId(request), request.body.question, csv ? MAX_ROWS : undefined);
      if (csv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('x-answer', encodeURIComponent(answer.answer).slice(0, 2000))
          .header('x-answer-status', answer.status)
          .send(toCsv(answer.rows, answer.columns));
      }
      return answer;
    },
  );

  app.post(
    '/api/v1/nl-explain',
    {
      onRequest: requireAuth('results:read'),
      schema: { tags, security: SECURED, summary: 'The plan, the rule trace and the SQL a question compiles to, without running it', body: askBodySchema, response: { 200: askAnswerSchema, ...errorResponses } },
    },
    async (request) => ask.explain(authPartnerId(request), request.body.question),
  );

  app.get(
    '/api/v1/nl-examples',
    {
      onRequest: requireAuth('results:read'),
      schema: { tags, security: SECURED, summary: "Example questions built from your own events, by intent", response: { 200: askExamplesSchema, ...errorResponses } },
    },
    async (request) => ask.examples(authPartnerId(request)),
  );

  // OpenAI-compatible: the partner's API token is the bearer key.
  app.get(
    '/v1/models',
    { onRequest: requireAuth('results:read'), schema: { tags, security: SECURED, summary: 'OpenAI-compatible model list (one model: p88-results)' } },
    async () => ({ object: 'list', data: [{ id: CHAT_MODEL, object: 'model', created: 1_764_720_000, owned_by: 'project88hub' }] }),
  );

  app.post(
    '/v1/chat/completions',
    {
      onRequest: requireAuth('results:read'),
      schema: {
        tags,
        security: SECURED,
        summary: 'OpenAI-compatible chat: the last user message is the question; the answer is markdown (stream: true for server-sent chunks)',
        body: z.looseObject({
          model: z.string().max(100).optional(),
          stream: z.boolean().optional(),
          stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
          messages: z
            .array(z.looseObject({ role: z.string().max(20), content: z.union([z.string().max(MAX_MESSAGE_CHARS), z.array(z.looseObject({ type: z.string(), text: z.string().max(MAX_MESSAGE_CHARS).optional() })).max(50)]).nullable().optional() }))
            .min(1)
            .max(200),
        }),
      },
    },
    async (request, reply) => {
      const text = lastUserText(request.body.messages);
      const content = await chatReply(ask, authPartnerId(request), text);
      const now = new Date();
      if (request.body.stream === true) {
        const usageOf = request.body.stream_options?.include_usage === true ? text : null;
        return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(completionStream(content, now, usageOf));
      }
      return completion(text, content, now);
    },
  );
};

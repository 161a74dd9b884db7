/**
 * The one place HTTP errors take shape: every error body is
 * `{ error: { code, message, request_id, details? } }`. Catalogue errors (AppError) keep their
 * code and message; validation errors say which fields are wrong; anything unexpected becomes
 * a generic 500 whose cause is only logged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, errorCatalogue, type ErrorCode } from '../errors.js';

export const fieldIssueSchema = z.object({
  field: z.string().describe('Where the bad value is, e.g. "querystring.limit"'),
  message: z.string(),
});

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      request_id: z.string().describe('Also sent as the x-request-id header and on every log line'),
      details: z.array(fieldIssueSchema).optional().describe('Which request fields are wrong (400 only)'),
    }),
  })
  .meta({ id: 'ErrorResponse' });

export type ErrorResponse = z.infer<typeof errorResponseSchema>;
type FieldIssue = z.infer<typeof fieldIssueSchema>;

/** The error statuses every API route documents (all share errorResponseSchema). */
export const errorResponses = {
  400: errorResponseSchema,
  404: errorResponseSchema,
  500: errorResponseSchema,
} as const;

export function errorBody(code: ErrorCode, requestId: string, message?: string, details?: FieldIssue[]): ErrorResponse {
  return {
    error: {
      code,
      message: message ?? errorCatalogue[code].message,
      request_id: requestId,
      ...(details ? { details } : {}),
    },
  };
}

/** Installs the error and not-found handlers on the root instance (they apply app-wide). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = classify(error, request.id);
    // A refusal under load (503 server_busy) is expected behaviour, not a failure to investigate.
    if (status >= 500 && !(error instanceof AppError && error.code === 'server_busy')) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, status }, 'request rejected');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('not_found', request.id)));
}

interface ClientErrorLike {
  statusCode?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

function classify(error: unknown, requestId: string): { status: number; body: ErrorResponse } {
  if (error instanceof AppError) {
    // A 400 raised before validation (the NUL guard) may say which field, as validation does.
    const details = error.code === 'bad_request' && Array.isArray(error.details) ? (error.details as FieldIssue[]) : undefined;
    return { status: error.status, body: errorBody(error.code, requestId, error.message, details) };
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as ClientErrorLike;
  if (Array.isArray(e.validation)) {
    const context = typeof e.validationContext === 'string' ? e.validationContext : 'request';
    return { status: 400, body: errorBody('bad_request', requestId, undefined, fieldIssues(context, e.validation)) };
  }
  // Errors Fastify and its plugins raise for bad requests (body too large, bad JSON, wrong
  // content type) carry a 4xx statusCode; their own messages are replaced by catalogue ones.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code: ErrorCode = e.statusCode === 413 ? 'payload_too_large' : e.statusCode === 404 ? 'not_found' : 'bad_request';
    return { status: errorCatalogue[code].status, body: errorBody(code, requestId) };
  }
  return { status: 500, body: errorBody('internal', requestId) };
}

/** Field paths and messages only: never the rejected values, which may be long or hostile. */
function fieldIssues(context: string, validation: unknown[]): FieldIssue[] {
  return validation.slice(0, 20).map((v) => {
    const issue = (typeof v === 'object' && v !== null ? v : {}) as { instancePath?: unknown; message?: unknown };
    const path = typeof issue.instancePath === 'string' ? issue.instancePath.split('/').filter(Boolean) : [];
    return {
      field: [context, ...path].join('.'),
      message: typeof issue.message === 'string' ? issue.message : 'Invalid value',
    };
  });
}

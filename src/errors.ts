/**
 * The error catalogue: every error a client can see has a stable code, an HTTP status and a
 * safe message. Anything else becomes a generic 500 carrying only the request id.
 */
export const errorCatalogue = {
  bad_request: { status: 400, message: 'The request is not valid.' },
  not_found: { status: 404, message: 'Not found.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  database_unavailable: { status: 503, message: 'The database is not reachable right now.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? errorCatalogue[code].message);
    this.status = errorCatalogue[code].status;
  }
}

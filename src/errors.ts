/**
 * The error catalogue: every error a client can see has a stable code, an HTTP status and a
 * safe message. Anything else becomes a generic 500 carrying only the request id.
 */
export const errorCatalogue = {
  bad_request: { status: 400, message: 'The request is not valid.' },
  unauthorized: { status: 401, message: 'Sign in first.' },
  payment_required: { status: 402, message: 'Your plan does not cover this; upgrade to continue.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'That conflicts with something that already exists.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  too_many_requests: { status: 429, message: 'Too many requests; try again later.' },
  account_locked: { status: 429, message: 'Too many failed sign-ins; try again later.' },
  upstream_error: { status: 502, message: 'A provider we depend on did not answer properly; try again later.' },
  server_busy: { status: 503, message: 'The server is busy; try again in a moment.' },
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

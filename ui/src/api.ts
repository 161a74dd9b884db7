/**
 * The browser's side of the HTTP API. The session itself is an httpOnly cookie the browser sends;
 * the CSRF token lives only in memory (set from the login and /api/auth/me answers) and goes
 * with every state-changing request.
 */

export interface User {
  id: number | string;
  email: string;
  name: string | null;
  role: string;
}

export interface Partner {
  id: number | string;
  slug: string;
  name: string;
}

export interface AuthSession {
  user: User;
  partner: Partner | null;
  csrf_token: string;
  /** From /api/auth/me: the role and every action it allows (the login answer has neither). */
  role?: string | null;
  scopes?: string[];
}

/** A user of the partner, as GET /api/users lists them. */
export interface PartnerUser {
  id: number;
  email: string;
  name: string;
  role: string;
  partner_id: number | null;
  disabled: boolean;
  last_login_at: string | null;
  created_at: string;
}

export interface Invitation {
  id: number;
  email: string;
  role: string;
  invited_by: number | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
}

/** CTP01 credentials of the partner, with their live connection status. */
export interface TimingSource {
  id: number;
  name: string;
  user_id: string;
  created_at: string;
  revoked_at: string | null;
  last_connected_at: string | null;
  open_connections: number;
  last_seen_ip: string | null;
}

export interface UsageMetric {
  metric: string;
  /** null for things counted on demand rather than per period. */
  used: number | null;
  /** null = unlimited. */
  limit: number | null;
  period: 'day' | 'month' | null;
}

export interface PlanReport {
  plan: string;
  effective_plan: string;
  trial_plan: string | null;
  trial_ends_at: string | null;
  metrics: UsageMetric[];
}

export interface Payment {
  id: number;
  stripeEventId: string;
  kind: string;
  amountCents: number;
  currency: string;
  status: string;
  occurredAt: string;
}

export interface TimingSession {
  id: number;
  session_name: string;
  event_name: string | null;
  status: 'active' | 'closed';
  created_at: string;
  total_reads: number;
  last_read: string | null;
  location_count: number;
  locations: string[];
}

export interface Read {
  id?: number;
  tag_code: string;
  location_name: string;
  read_time: string;
  read_kind: 'tag' | 'gun';
  sequence_number?: number;
  session_id?: number;
}

export interface LocationStats {
  location_name: string;
  read_count: number;
  unique_tags: number;
  last_read: string;
}

export interface Stats {
  overall: { total_reads: number; unique_tags: number; total_locations: number; last_read: string | null };
  by_location: LocationStats[];
}

export interface DatabaseStatus {
  connected: boolean;
  current_session: number | null;
  error: string | null;
}

/** A non-2xx answer, carrying the server's own message and request id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

/** Remembers (or forgets) the CSRF token of the signed-in session. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection; retrying will help.');
  }
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) throw toApiError(response.status, data);
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: unknown; message?: unknown; request_id?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') {
    return new ApiError(
      status,
      typeof error.code === 'string' ? error.code : 'error',
      error.message,
      typeof error.request_id === 'string' ? error.request_id : undefined,
    );
  }
  return new ApiError(status, 'error', `The server answered ${status}. Please try again.`);
}

export const api = {
  me: (signal?: AbortSignal) => request<AuthSession>('GET', '/api/auth/me', undefined, signal),
  login: (email: string, password: string) => request<AuthSession>('POST', '/api/auth/login', { email, password }),
  logout: () => request<unknown>('POST', '/api/auth/logout'),
  requestPasswordReset: (email: string) => request<unknown>('POST', '/api/auth/password-reset/request', { email }),
  sessions: (signal?: AbortSignal) =>
    request<{ sessions: TimingSession[] }>('GET', '/api/timing/sessions', undefined, signal),
  recentReads: (limit: number, signal?: AbortSignal) =>
    request<{ reads: Read[] }>('GET', `/api/timing/recent-reads?limit=${limit}`, undefined, signal),
  stats: (signal?: AbortSignal) => request<Stats>('GET', '/api/timing/stats', undefined, signal),
  databaseStatus: (signal?: AbortSignal) =>
    request<DatabaseStatus>('GET', '/api/timing/database-status', undefined, signal),

  confirmPasswordReset: (token: string, password: string) =>
    request<unknown>('POST', '/api/auth/password-reset/confirm', { token, password }),
  acceptInvitation: (token: string, password: string, name?: string) =>
    request<{ user: PartnerUser }>('POST', '/api/auth/invitations/accept', name ? { token, password, name } : { token, password }),

  sources: (signal?: AbortSignal) => request<{ sources: TimingSource[] }>('GET', '/api/sources', undefined, signal),
  createSource: (name: string) => request<{ id: number; user_id: string; secret: string }>('POST', '/api/sources', { name }),
  rotateSource: (id: number) => request<{ secret: string }>('POST', `/api/sources/${id}/rotate`),
  revokeSource: (id: number) => request<unknown>('DELETE', `/api/sources/${id}`),

  users: (signal?: AbortSignal) => request<{ users: PartnerUser[] }>('GET', '/api/users', undefined, signal),
  updateUser: (id: number, change: { role?: string; disabled?: boolean }) =>
    request<{ user: PartnerUser }>('PATCH', `/api/users/${id}`, change),
  invitations: (signal?: AbortSignal) =>
    request<{ invitations: Invitation[] }>('GET', '/api/invitations', undefined, signal),
  invite: (email: string, role: string) =>
    request<{ invitation: Invitation; accept_url: string }>('POST', '/api/invitations', { email, role }),
  revokeInvitation: (id: number) => request<unknown>('DELETE', `/api/invitations/${id}`),

  plan: (signal?: AbortSignal) => request<PlanReport>('GET', '/api/plan', undefined, signal),
  payments: (signal?: AbortSignal) => request<{ payments: Payment[] }>('GET', '/api/payments', undefined, signal),

  partners: (signal?: AbortSignal) => request<{ partners: Partner[] }>('GET', '/api/platform/partners', undefined, signal),
  createPartner: (slug: string, name: string) =>
    request<{ partner: Partner }>('POST', '/api/platform/partners', { slug, name }),
};

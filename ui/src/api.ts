/**
 * The browser's side of the HTTP API. The session itself is an httpOnly cookie the browser sends;
 * the CSRF token lives only in memory (set from the login and /api/auth/me answers) and goes
 * with every state-changing request.
 */
import type { DisplaySettings } from '../../src/shared/display-settings';

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

/** One side of a display template (the runner design or the idle design). */
export interface TemplateDesign {
  html: string;
  css: string;
}

/** A display template, as the templates API lists it. */
export interface DisplayTemplate {
  id: number;
  name: string;
  current_version: number;
  created_at: string;
  updated_at: string;
}

/** One saved version of a template: both designs and the builder's project data. */
export interface TemplateVersion {
  version: number;
  runner: TemplateDesign;
  idle: TemplateDesign;
  project: Record<string, unknown> | null;
  created_at: string;
}

export interface TemplateVersionSummary {
  version: number;
  created_at: string;
  created_by: string | null;
}

export interface TemplateWithVersion {
  template: DisplayTemplate;
  version: TemplateVersion;
}

export interface TemplateContent {
  name?: string;
  runner: TemplateDesign;
  idle: TemplateDesign;
  project?: Record<string, unknown> | null;
}

/** An image of the partner's library (url: /assets/<key>, public). */
export interface Asset {
  key: string;
  url: string;
  name: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  created_at: string;
}

export interface FetchedStyles {
  url: string;
  colors: string[];
  fonts: string[];
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

/** Uploads a file as the raw request body (the assets API takes the image bytes themselves). */
async function uploadRaw<T>(path: string, file: Blob, fileName: string): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': file.type || 'application/octet-stream',
    // Header values are Latin-1: a name with other characters is sent percent-encoded.
    'x-file-name': /^[\x20-\x7e]*$/.test(fileName) ? fileName : encodeURIComponent(fileName),
  };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
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

  templates: (signal?: AbortSignal) =>
    request<{ templates: DisplayTemplate[] }>('GET', '/api/templates', undefined, signal),
  template: (id: number, signal?: AbortSignal) =>
    request<TemplateWithVersion>('GET', `/api/templates/${id}`, undefined, signal),
  createTemplate: (content: TemplateContent & { name: string }) =>
    request<TemplateWithVersion>('POST', '/api/templates', content),
  saveTemplate: (id: number, content: TemplateContent) => request<TemplateWithVersion>('PUT', `/api/templates/${id}`, content),
  templateVersions: (id: number, signal?: AbortSignal) =>
    request<{ versions: TemplateVersionSummary[] }>('GET', `/api/templates/${id}/versions`, undefined, signal),
  restoreTemplateVersion: (id: number, version: number) =>
    request<TemplateWithVersion>('POST', `/api/templates/${id}/versions/${version}/restore`),
  duplicateTemplate: (id: number, name?: string) =>
    request<TemplateWithVersion>('POST', `/api/templates/${id}/duplicate`, name ? { name } : {}),
  deleteTemplate: (id: number) => request<unknown>('DELETE', `/api/templates/${id}`),

  assets: (signal?: AbortSignal) => request<{ assets: Asset[] }>('GET', '/api/assets', undefined, signal),
  uploadAsset: (file: File) => uploadRaw<{ asset: Asset }>('/api/assets', file, file.name),
  deleteAsset: (key: string) => request<unknown>('DELETE', `/api/assets/${encodeURIComponent(key)}`),
  fetchStyles: (url: string) => request<FetchedStyles>('POST', '/api/fetch-styles', { url }),
};

// ---- Rosters (participants per event: CSV, ChronoTrack Live, by hand) ----

export interface RosterEvent {
  id: number;
  name: string;
  source: 'csv' | 'ctlive' | 'manual';
  external_id: string | null;
  created_at: string;
  updated_at: string;
  participant_count: number;
}

export interface Participant {
  id: number;
  event_id: number;
  external_id: string | null;
  bib: string;
  tags: string[];
  first_name: string | null;
  last_name: string | null;
  age: number | null;
  gender: 'M' | 'F' | 'X' | 'U';
  city: string | null;
  state: string | null;
  country: string | null;
  division: string | null;
  race: string | null;
  wave: string | null;
  team: string | null;
  custom_message: string | null;
}

/** Fields a hand edit may send; null clears one, absent keeps it. */
export type ParticipantPatch = Partial<Omit<Participant, 'id' | 'event_id'>>;

/** Which CSV header feeds each participant field (tags: one or more columns). */
export interface CsvMapping {
  bib: string;
  tags?: string[];
  name?: string;
  external_id?: string;
  age?: string;
  gender?: string;
  first_name?: string;
  last_name?: string;
  city?: string;
  state?: string;
  country?: string;
  division?: string;
  race?: string;
  wave?: string;
  team?: string;
  custom_message?: string;
}

export interface CsvPreview {
  headers: string[];
  rows: string[][];
  totalRows: number;
  delimiter: string;
  suggestedMapping: Partial<CsvMapping>;
}

export interface RowError {
  row: number;
  reason: string;
}

export interface CsvImportResult {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
  errors: RowError[];
}

export interface RosterImportJob {
  import_id: string;
  source: 'ctlive';
  external_id: string;
  status: 'running' | 'done' | 'failed';
  received: number;
  total: number | null;
  result: {
    event_id: number;
    event_name: string;
    entries: number;
    inserted: number;
    updated: number;
    unchanged: number;
    removed: number;
    errors: RowError[];
    error_count: number;
  } | null;
  error: string | null;
}

export const rosterApi = {
  events: (signal?: AbortSignal) => request<{ events: RosterEvent[] }>('GET', '/api/rosters', undefined, signal),
  event: (id: number, signal?: AbortSignal) => request<RosterEvent>('GET', `/api/rosters/${id}`, undefined, signal),
  createEvent: (name: string) => request<RosterEvent>('POST', '/api/rosters', { name }),
  deleteEvent: (id: number) => request<unknown>('DELETE', `/api/rosters/${id}`),
  participants: (id: number, query: { q?: string; limit?: number; offset?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.q) params.set('q', query.q);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    return request<{ participants: Participant[]; total: number }>('GET', `/api/rosters/${id}/participants?${params}`, undefined, signal);
  },
  updateParticipant: (id: number, patch: ParticipantPatch) => request<Participant>('PATCH', `/api/participants/${id}`, patch),
  csvPreview: (csv: string) => request<CsvPreview>('POST', '/api/rosters/csv-preview', { csv }),
  importCsv: (eventId: number, csv: string, mapping: CsvMapping) =>
    request<CsvImportResult>('POST', `/api/rosters/${eventId}/csv`, { csv, mapping }),
  startCtlive: (body: { client_id?: string; user_id: string; password: string; event_id: string }) =>
    request<{ import_id: string }>('POST', '/api/rosters/ctlive', body),
  importJob: (importId: string, signal?: AbortSignal) =>
    request<RosterImportJob>('GET', `/api/rosters/imports/${encodeURIComponent(importId)}`, undefined, signal),
};

// ---- Display links (unique display URLs, what they bind, the operator console) ----

/** What a display link's screens do (shared with the server); it fills in defaults for what is left out. */
export type { DisplaySettings };

export interface DisplayLink {
  id: string;
  name: string;
  /** null = follows the partner's active session. */
  session_id: number | null;
  /** Empty = every location. */
  locations: string[];
  settings: Partial<DisplaySettings>;
  template_id: number | null;
  /** null = the template's current version. */
  template_version: number | null;
  roster_event_id: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** What a link binds, as POST (all) and PATCH (any subset) take it. */
export interface DisplayLinkInput {
  name: string;
  session_id: number | null;
  locations: string[];
  settings: DisplaySettings;
  template_id: number | null;
  template_version: number | null;
  roster_event_id: number | null;
  expires_at: string | null;
}

export interface ScreenRunner {
  bib: string;
  name: string;
}

/** One open screen of a link, as it last reported itself. */
export interface DisplayScreen {
  screen_id: string;
  on_screen: ScreenRunner | null;
  queue: ScreenRunner[];
  queue_length: number;
  dropped: number;
  shown: number;
  last_seen: string;
}

export const displayApi = {
  links: (signal?: AbortSignal) => request<{ links: DisplayLink[] }>('GET', '/api/display-links', undefined, signal),
  createLink: (input: DisplayLinkInput) => request<{ id: string; url: string }>('POST', '/api/display-links', input),
  updateLink: (id: string, patch: Partial<DisplayLinkInput>) =>
    request<{ link: DisplayLink }>('PATCH', `/api/display-links/${encodeURIComponent(id)}`, patch),
  revokeLink: (id: string) => request<unknown>('DELETE', `/api/display-links/${encodeURIComponent(id)}`),
  screens: (id: string, signal?: AbortSignal) =>
    request<{ screens: DisplayScreen[] }>('GET', `/api/display-links/${encodeURIComponent(id)}/screens`, undefined, signal),
  clear: (id: string) => request<unknown>('POST', `/api/display-links/${encodeURIComponent(id)}/clear`),
  showBib: (id: string, bib: string) =>
    request<{ runner: ScreenRunner }>('POST', `/api/display-links/${encodeURIComponent(id)}/show`, { bib }),
  testRead: (id: string) => request<unknown>('POST', `/api/display-links/${encodeURIComponent(id)}/test-read`),
  /** The newest reads of one session (null: the active session), newest first. */
  sessionReads: (sessionId: number | null, limit: number, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (sessionId !== null) params.set('session_id', String(sessionId));
    return request<{ reads: Read[] }>('GET', `/api/timing/recent-reads?${params}`, undefined, signal);
  },
};

/**
 * The browser's side of the HTTP API. The session itself is an httpOnly cookie the browser sends;
 * the CSRF token lives only in memory (set from the login and /api/auth/me answers) and goes
 * with every state-changing request.
 */
import type { DisplaySettings } from '../../src/shared/display-settings';
import type { components } from './api-types';
import type { Answer, Body, Query } from './api-routes';

// ---- The server's shapes, from the generated OpenAPI types (npm run generate:api-types) ----

type Schemas = components['schemas'];

export type User = Schemas['User'];
export type Partner = Schemas['Partner'];
export type Invitation = Schemas['Invitation'];

type SignInAnswer = Answer<'/api/auth/login', 'post', 200>;
type WhoAmI = Answer<'/api/auth/me', 'get', 200>;

/** The signed-in browser session: the login answer, completed by /api/auth/me with the role and every action it allows. */
export type AuthSession = Pick<SignInAnswer, 'user' | 'partner' | 'csrf_token'> & Partial<Pick<WhoAmI, 'role' | 'scopes'>>;

/** CTP01 credentials of the partner, with their live connection status. */
export type TimingSource = Answer<'/api/sources', 'get', 200>['sources'][number];
export type NewTimingSource = Answer<'/api/sources', 'post', 201>;
export type ProviderDefinition = Answer<'/api/providers', 'get', 200>['providers'][number];
export type ProviderConnection = Answer<'/api/providers', 'get', 200>['connections'][number];
export type ProviderEventItem = Answer<'/api/providers/{id}/events', 'get', 200>['events'][number];
export type SyncSchedule = Answer<'/api/sync/schedules', 'get', 200>['schedules'][number];
export type SyncRun = Answer<'/api/sync/history', 'get', 200>['runs'][number];

export type PlanReport = Answer<'/api/plan', 'get', 200>;
export type UsageMetric = PlanReport['metrics'][number];
export type Payment = Answer<'/api/payments', 'get', 200>['payments'][number];

export type TimingSession = Answer<'/api/timing/sessions', 'get', 200>['sessions'][number];
export type Read = Answer<'/api/timing/recent-reads', 'get', 200>['reads'][number];
export type Stats = Answer<'/api/timing/stats', 'get', 200>;
export type LocationStats = Stats['by_location'][number];
export type DatabaseStatus = Answer<'/api/timing/database-status', 'get', 200>;

/** A template and the version asked for (or its current one). */
export type TemplateWithVersion = Answer<'/api/templates/{id}', 'get', 200>;
/** A display template, as the templates API lists it. */
export type DisplayTemplate = Answer<'/api/templates', 'get', 200>['templates'][number];
/** One saved version of a template: both designs and the builder's project data. */
export type TemplateVersion = TemplateWithVersion['version'];
/** One side of a display template (the runner design or the idle design). */
export type TemplateDesign = TemplateVersion['runner'];
export type TemplateVersionSummary = Answer<'/api/templates/{id}/versions', 'get', 200>['versions'][number];
/** What saving a template sends: both designs, the project data, optionally a new name. */
export type TemplateContent = Body<'/api/templates/{id}', 'put'>;
export type NewTemplate = Body<'/api/templates', 'post'>;

/** An image of the partner's library (url: /assets/<key>, public). */
export type Asset = Answer<'/api/assets', 'get', 200>['assets'][number];
export type FetchedStyles = Answer<'/api/fetch-styles', 'post', 200>;

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

/** /api/auth/me as the browser sees it: a cookie session always has a user and a CSRF token (an API token has neither). */
function browserSession(me: WhoAmI): AuthSession {
  if (!me.user || me.csrf_token === null) throw new ApiError(401, 'unauthorized', 'Please sign in.');
  return { user: me.user, partner: me.partner, csrf_token: me.csrf_token, role: me.role, scopes: me.scopes };
}

export const api = {
  me: (signal?: AbortSignal) => request<WhoAmI>('GET', '/api/auth/me', undefined, signal).then(browserSession),
  login: (email: string, password: string) => request<SignInAnswer>('POST', '/api/auth/login', { email, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  requestPasswordReset: (email: string) =>
    request<Answer<'/api/auth/password-reset/request', 'post', 202>>('POST', '/api/auth/password-reset/request', { email }),
  sessions: (signal?: AbortSignal) =>
    request<Answer<'/api/timing/sessions', 'get', 200>>('GET', '/api/timing/sessions', undefined, signal),
  recentReads: (limit: number, signal?: AbortSignal) =>
    request<Answer<'/api/timing/recent-reads', 'get', 200>>('GET', `/api/timing/recent-reads?limit=${limit}`, undefined, signal),
  stats: (signal?: AbortSignal) => request<Stats>('GET', '/api/timing/stats', undefined, signal),
  databaseStatus: (signal?: AbortSignal) =>
    request<DatabaseStatus>('GET', '/api/timing/database-status', undefined, signal),

  confirmPasswordReset: (token: string, password: string) =>
    request<void>('POST', '/api/auth/password-reset/confirm', { token, password }),
  acceptInvitation: (token: string, password: string, name?: string) =>
    request<Answer<'/api/auth/invitations/accept', 'post', 201>>(
      'POST',
      '/api/auth/invitations/accept',
      name ? { token, password, name } : { token, password },
    ),

  sources: (signal?: AbortSignal) => request<Answer<'/api/sources', 'get', 200>>('GET', '/api/sources', undefined, signal),
  collector: (signal?: AbortSignal) => request<Answer<'/api/sources/collector', 'get', 200>>('GET', '/api/sources/collector', undefined, signal),
  createSource: (name: string) => request<NewTimingSource>('POST', '/api/sources', { name }),
  rotateSource: (id: number) => request<Answer<'/api/sources/{id}/rotate', 'post', 200>>('POST', `/api/sources/${id}/rotate`),
  revokeSource: (id: number) => request<void>('DELETE', `/api/sources/${id}`),
  providers: (signal?: AbortSignal) => request<Answer<'/api/providers', 'get', 200>>('GET', '/api/providers', undefined, signal),
  connectProvider: (provider: ProviderDefinition['name'], fields: Record<string, string>) =>
    request<Answer<'/api/providers', 'post', 201>>('POST', '/api/providers', { provider, fields }),
  testProvider: (id: number) => request<Answer<'/api/providers/{id}/test', 'post', 200>>('POST', `/api/providers/${id}/test`),
  removeProvider: (id: number) => request<void>('DELETE', `/api/providers/${id}`),
  syncProvider: (id: number, eventId: string, opts: { warehouseEventId?: number; rosterEventId?: number; full?: boolean } = {}) =>
    request<Answer<'/api/providers/{id}/sync', 'post', 202>>('POST', `/api/providers/${id}/sync`, {
      event_id: eventId,
      ...(opts.warehouseEventId ? { warehouse_event_id: opts.warehouseEventId } : {}),
      ...(opts.rosterEventId ? { roster_event_id: opts.rosterEventId } : {}),
      ...(opts.full ? { full: true } : {}),
    }),
  providerEvents: (id: number, signal?: AbortSignal) => request<Answer<'/api/providers/{id}/events', 'get', 200>>('GET', `/api/providers/${id}/events`, undefined, signal),
  syncSchedules: (signal?: AbortSignal) => request<Answer<'/api/sync/schedules', 'get', 200>>('GET', '/api/sync/schedules', undefined, signal),
  addSyncSchedule: (body: Body<'/api/sync/schedules', 'post'>) => request<Answer<'/api/sync/schedules', 'post', 201>>('POST', '/api/sync/schedules', body),
  setSyncScheduleEnabled: (id: number, enabled: boolean) => request<Answer<'/api/sync/schedules/{id}', 'patch', 200>>('PATCH', `/api/sync/schedules/${id}`, { enabled }),
  removeSyncSchedule: (id: number) => request<void>('DELETE', `/api/sync/schedules/${id}`),
  syncScheduleNow: (id: number) => request<Answer<'/api/sync/schedules/{id}/sync', 'post', 202>>('POST', `/api/sync/schedules/${id}/sync`),
  syncHistory: (signal?: AbortSignal) => request<Answer<'/api/sync/history', 'get', 200>>('GET', '/api/sync/history?limit=30', undefined, signal),

  users: (signal?: AbortSignal) => request<Answer<'/api/users', 'get', 200>>('GET', '/api/users', undefined, signal),
  updateUser: (id: number, change: Body<'/api/users/{id}', 'patch'>) =>
    request<Answer<'/api/users/{id}', 'patch', 200>>('PATCH', `/api/users/${id}`, change),
  invitations: (signal?: AbortSignal) =>
    request<Answer<'/api/invitations', 'get', 200>>('GET', '/api/invitations', undefined, signal),
  invite: (email: string, role: Invitation['role']) =>
    request<Answer<'/api/invitations', 'post', 201>>('POST', '/api/invitations', { email, role }),
  revokeInvitation: (id: number) => request<void>('DELETE', `/api/invitations/${id}`),

  plan: (signal?: AbortSignal) => request<PlanReport>('GET', '/api/plan', undefined, signal),
  payments: (signal?: AbortSignal) => request<Answer<'/api/payments', 'get', 200>>('GET', '/api/payments', undefined, signal),

  partners: (signal?: AbortSignal) =>
    request<Answer<'/api/platform/partners', 'get', 200>>('GET', '/api/platform/partners', undefined, signal),
  createPartner: (slug: string, name: string) =>
    request<Answer<'/api/platform/partners', 'post', 201>>('POST', '/api/platform/partners', { slug, name }),

  templates: (signal?: AbortSignal) =>
    request<Answer<'/api/templates', 'get', 200>>('GET', '/api/templates', undefined, signal),
  template: (id: number, signal?: AbortSignal) =>
    request<TemplateWithVersion>('GET', `/api/templates/${id}`, undefined, signal),
  createTemplate: (content: NewTemplate) => request<Answer<'/api/templates', 'post', 201>>('POST', '/api/templates', content),
  saveTemplate: (id: number, content: TemplateContent) =>
    request<Answer<'/api/templates/{id}', 'put', 200>>('PUT', `/api/templates/${id}`, content),
  templateVersions: (id: number, signal?: AbortSignal) =>
    request<Answer<'/api/templates/{id}/versions', 'get', 200>>('GET', `/api/templates/${id}/versions`, undefined, signal),
  restoreTemplateVersion: (id: number, version: number) =>
    request<Answer<'/api/templates/{id}/versions/{version}/restore', 'post', 200>>(
      'POST',
      `/api/templates/${id}/versions/${version}/restore`,
    ),
  duplicateTemplate: (id: number, name?: string) =>
    request<Answer<'/api/templates/{id}/duplicate', 'post', 201>>('POST', `/api/templates/${id}/duplicate`, name ? { name } : {}),
  deleteTemplate: (id: number) => request<void>('DELETE', `/api/templates/${id}`),

  assets: (signal?: AbortSignal) => request<Answer<'/api/assets', 'get', 200>>('GET', '/api/assets', undefined, signal),
  uploadAsset: (file: File) => uploadRaw<Answer<'/api/assets', 'post', 201>>('/api/assets', file, file.name),
  deleteAsset: (key: string) => request<void>('DELETE', `/api/assets/${encodeURIComponent(key)}`),
  fetchStyles: (url: string) => request<FetchedStyles>('POST', '/api/fetch-styles', { url }),
};

// ---- Rosters (participants per event: CSV, ChronoTrack Live, by hand) ----

/** A roster event with its participant count. */
export type RosterEvent = Answer<'/api/rosters/{id}', 'get', 200>;
export type Participant = Answer<'/api/participants/{id}', 'patch', 200>;
/** Fields a hand edit may send; null clears one, absent keeps it. */
export type ParticipantPatch = Body<'/api/participants/{id}', 'patch'>;
/** Which CSV header feeds each participant field (tags: one or more columns). */
export type CsvMapping = Body<'/api/rosters/{id}/csv', 'post'>['mapping'];
export type CsvPreview = Answer<'/api/rosters/csv-preview', 'post', 200>;
export type CsvImportResult = Answer<'/api/rosters/{id}/csv', 'post', 200>;
/** A row an import skipped, by its number in the source. */
export type RowError = CsvImportResult['errors'][number];
export type RosterImportJob = Answer<'/api/rosters/imports/{import_id}', 'get', 200>;

export const rosterApi = {
  events: (signal?: AbortSignal) => request<Answer<'/api/rosters', 'get', 200>>('GET', '/api/rosters', undefined, signal),
  event: (id: number, signal?: AbortSignal) => request<RosterEvent>('GET', `/api/rosters/${id}`, undefined, signal),
  createEvent: (name: string) => request<Answer<'/api/rosters', 'post', 201>>('POST', '/api/rosters', { name }),
  deleteEvent: (id: number) => request<void>('DELETE', `/api/rosters/${id}`),
  participants: (id: number, query: Query<'/api/rosters/{id}/participants', 'get'>, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.q) params.set('q', query.q);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    return request<Answer<'/api/rosters/{id}/participants', 'get', 200>>(
      'GET',
      `/api/rosters/${id}/participants?${params}`,
      undefined,
      signal,
    );
  },
  updateParticipant: (id: number, patch: ParticipantPatch) => request<Participant>('PATCH', `/api/participants/${id}`, patch),
  csvPreview: (csv: string) => request<CsvPreview>('POST', '/api/rosters/csv-preview', { csv }),
  importCsv: (eventId: number, csv: string, mapping: CsvMapping) =>
    request<CsvImportResult>('POST', `/api/rosters/${eventId}/csv`, { csv, mapping }),
  /** What importCsv would do, storing nothing. */
  checkCsv: (eventId: number, csv: string, mapping: CsvMapping, signal?: AbortSignal) =>
    request<CsvImportResult>('POST', `/api/rosters/${eventId}/csv-check`, { csv, mapping }, signal),
  startCtlive: (body: Body<'/api/rosters/ctlive', 'post'>) =>
    request<Answer<'/api/rosters/ctlive', 'post', 202>>('POST', '/api/rosters/ctlive', body),
  importJob: (importId: string, signal?: AbortSignal) =>
    request<RosterImportJob>('GET', `/api/rosters/imports/${encodeURIComponent(importId)}`, undefined, signal),
};

// ---- Display links (unique display URLs, what they bind, the operator console) ----

/** What a display link's screens do (shared with the server); it fills in defaults for what is left out. */
export type { DisplaySettings };

/** A display link: what its screens show (session, locations, template, roster) and how. */
export type DisplayLink = Answer<'/api/display-links', 'get', 200>['links'][number];
/** What a link binds, as POST takes it (PATCH takes any subset). */
export type DisplayLinkInput = Body<'/api/display-links', 'post'>;
/** One open screen of a link, as it last reported itself. */
export type DisplayScreen = Answer<'/api/display-links/{id}/screens', 'get', 200>['screens'][number];
/** A runner as a screen reports it (on screen or queued). */
export type ScreenRunner = Answer<'/api/display-links/{id}/show', 'post', 200>['runner'];

export const displayApi = {
  links: (signal?: AbortSignal) => request<Answer<'/api/display-links', 'get', 200>>('GET', '/api/display-links', undefined, signal),
  createLink: (input: DisplayLinkInput) => request<Answer<'/api/display-links', 'post', 201>>('POST', '/api/display-links', input),
  updateLink: (id: string, patch: Body<'/api/display-links/{id}', 'patch'>) =>
    request<Answer<'/api/display-links/{id}', 'patch', 200>>('PATCH', `/api/display-links/${encodeURIComponent(id)}`, patch),
  revokeLink: (id: string) => request<void>('DELETE', `/api/display-links/${encodeURIComponent(id)}`),
  screens: (id: string, signal?: AbortSignal) =>
    request<Answer<'/api/display-links/{id}/screens', 'get', 200>>(
      'GET',
      `/api/display-links/${encodeURIComponent(id)}/screens`,
      undefined,
      signal,
    ),
  clear: (id: string) => request<void>('POST', `/api/display-links/${encodeURIComponent(id)}/clear`),
  nameScreen: (id: string, screen: string, name: string) =>
    request<Answer<'/api/display-links/{id}/screens/{screen}/name', 'put', 200>>(
      'PUT',
      `/api/display-links/${encodeURIComponent(id)}/screens/${encodeURIComponent(screen)}/name`,
      { name },
    ),
  showBib: (id: string, bib: string) =>
    request<Answer<'/api/display-links/{id}/show', 'post', 200>>('POST', `/api/display-links/${encodeURIComponent(id)}/show`, { bib }),
  testRead: (id: string) => request<void>('POST', `/api/display-links/${encodeURIComponent(id)}/test-read`),
  /** The newest reads of one session (null: the active session), newest first. */
  sessionReads: (sessionId: number | null, limit: number, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (sessionId !== null) params.set('session_id', String(sessionId));
    return request<Answer<'/api/timing/recent-reads', 'get', 200>>('GET', `/api/timing/recent-reads?${params}`, undefined, signal);
  },
};

// ---- Results warehouse (the read API /api/db, PostgREST grammar; the CSV import) ----

export type ResultsImportSummary = Answer<'/api/results/import', 'post', 200>;

/** One page of a view: its rows and, when asked, how many match in all (Content-Range). */
export interface DbPage<T> {
  rows: T[];
  total: number | null;
}

async function dbRequest(view: string, params: URLSearchParams, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`/api/db/${view}?${params}`, { headers, credentials: 'same-origin', signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection; retrying will help.');
  }
  if (!response.ok) {
    const data = safeJson(await response.text()) as { code?: string; message?: string; error?: unknown } | undefined;
    // PostgREST-style bodies from the read API; our usual ones for sign-in and permissions.
    if (data && typeof data.message === 'string' && typeof data.code === 'string') throw new ApiError(response.status, data.code, data.message);
    throw toApiError(response.status, data);
  }
  return response;
}

export const resultsApi = {
  page: async <T>(view: string, params: URLSearchParams, opts: { count?: boolean; signal?: AbortSignal } = {}): Promise<DbPage<T>> => {
    const response = await dbRequest(view, params, { accept: 'application/json', ...(opts.count ? { prefer: 'count=exact' } : {}) }, opts.signal);
    const total = response.headers.get('content-range')?.split('/')[1];
    return { rows: (await response.json()) as T[], total: total && total !== '*' ? Number(total) : null };
  },
  csv: async (view: string, params: URLSearchParams): Promise<string> => (await dbRequest(view, params, { accept: 'text/csv' })).text(),
  importCsv: async (csv: string): Promise<ResultsImportSummary> => {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'text/csv' };
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
    let response: Response;
    try {
      response = await fetch('/api/results/import', { method: 'POST', headers, credentials: 'same-origin', body: csv });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection; retrying will help.');
    }
    const data: unknown = safeJson(await response.text());
    if (!response.ok) throw toApiError(response.status, data);
    return data as ResultsImportSummary;
  },
};

// ---- Asking in plain English (/api/v1/nl-*) ----

/** What a question answers: the sentence, the rows, the plan, the SQL and the rule trace. */
export type AskAnswer = Exclude<Answer<'/api/v1/nl-query', 'post', 200>, string>;
export type AskExamples = Answer<'/api/v1/nl-examples', 'get', 200>;

export const askApi = {
  query: (question: string, signal?: AbortSignal) => request<AskAnswer>('POST', '/api/v1/nl-query', { question }, signal),
  explain: (question: string) => request<AskAnswer>('POST', '/api/v1/nl-explain', { question }),
  examples: (signal?: AbortSignal) => request<AskExamples>('GET', '/api/v1/nl-examples', undefined, signal),
  /** The question's rows as CSV text (a POST like every other: session cookie and CSRF token). */
  csv: async (question: string): Promise<string> => {
    const headers: Record<string, string> = { accept: 'text/csv', 'content-type': 'application/json' };
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
    let response: Response;
    try {
      response = await fetch('/api/v1/nl-query?format=csv', { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify({ question }) });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection; retrying will help.');
    }
    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, safeJson(text));
    return text;
  },
};

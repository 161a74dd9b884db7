/**
 * ChronoTrack Live (CTLive) API client: simple auth on every request, paged entry lists,
 * bounded retries on 5xx/429, a timeout per request, and errors that say what went wrong
 * without ever carrying the password or its hash (they travel in the query string, so no
 * URL with a query is logged or put in an error).
 *
 * Shapes are from shared/spec/providers.md: the auth parameters, paging headers and envelope
 * keys are [seen] in independent public clients; the fake server (fake-server.ts) reproduces them.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../log.js';
import { ProviderError, type ProviderErrorKind } from '../http.js';
import { eventEnvelopeSchema, listEnvelopeSchema, type CtEntry, type CtEvent } from './mapping.js';

export const DEFAULT_BASE_URL = 'https://api.chronotrack.com/api';
/** CTLive serves at most 100 entries a page. */
export const ENTRY_PAGE_SIZE = 100;
/** A runaway page count stops here (200,000 entries) instead of looping forever. */
const MAX_PAGES = 2000;

export type ChronoTrackErrorKind =
  | 'auth'
  | 'not_found'
  | 'html'
  | 'http'
  | 'timeout'
  | 'network'
  | 'invalid_request'
  | 'invalid_response'
  | 'aborted';

/** A ProviderError (kind: what a sync does about it) with CTLive's own finer reason. */
export class ChronoTrackError extends ProviderError {
  constructor(
    readonly reason: ChronoTrackErrorKind,
    message: string,
    status?: number,
  ) {
    super(providerKind(reason, status), message, { provider: 'ctlive', status });
    this.name = 'ChronoTrackError';
  }
}

function providerKind(reason: ChronoTrackErrorKind, status: number | undefined): ProviderErrorKind {
  switch (reason) {
    case 'auth':
    case 'not_found':
    case 'invalid_request':
    case 'aborted':
      return reason;
    case 'timeout':
    case 'network':
      return 'unavailable';
    case 'invalid_response':
      return 'bad_response';
    case 'html':
    case 'http':
      return status === 429 ? 'rate_limited' : status !== undefined && status >= 500 ? 'unavailable' : 'bad_response';
  }
}

export interface ChronoTrackCredentials {
  clientId: string;
  /** The ChronoTrack login. */
  userId: string;
  /** Plain password; only its SHA-1 is sent, and neither is logged. */
  password: string;
}

export interface ChronoTrackClientOptions extends ChronoTrackCredentials {
  baseUrl?: string | undefined;
  /** Per request, including reading the body (default 20 s). */
  timeoutMs?: number | undefined;
  /** Tries per request, first included (default 4). */
  maxAttempts?: number | undefined;
  /** First backoff delay; doubles per retry, with jitter (default 500 ms). */
  retryBaseMs?: number | undefined;
  /** Longest wait between tries, Retry-After included (default 10 s). */
  maxRetryDelayMs?: number | undefined;
  log?: Pick<Logger, 'debug' | 'warn'> | undefined;
  /** Stops the requests (and the waits between retries) when aborted: a server shutting down. */
  signal?: AbortSignal | undefined;
  /** Awaited before every try (the job queue's ctx.throttle: one rate limit across workers). */
  beforeRequest?: (() => Promise<void>) | undefined;
}

export interface Progress {
  loaded: number;
  /** Entries the provider says the event has (X-Ctlive-Row-Count); null when it does not say. */
  total: number | null;
}

/** CTLive's user_pass: lowercase hex SHA-1 of the password. */
export function sha1Hex(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex');
}

/** Waits ms, or less when the signal aborts (the caller checks it after). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const abortedError = () => new ChronoTrackError('aborted', 'The ChronoTrack Live import was stopped before it finished.');

function intHeader(headers: Headers, name: string): number | null {
  const v = headers.get(name);
  if (v === null || !/^\s*\d+\s*$/.test(v)) return null;
  return Number(v);
}

/** "ChronoTrack Live answered with an HTML page (HTTP 500: Service Unavailable)". */
function htmlError(status: number, body: string): ChronoTrackError {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1] ?? '';
  const text = title.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim().slice(0, 120);
  return new ChronoTrackError('html', `ChronoTrack Live answered with an HTML page instead of data (HTTP ${status}${text ? `: ${text}` : ''}).`, status);
}

interface Page {
  body: unknown;
  headers: Headers;
}

export interface CtPage {
  rows: Record<string, unknown>[];
  page: number;
  /** X-Ctlive-Page-Count / X-Ctlive-Row-Count of the first page; null when not sent. */
  pageCount: number | null;
  rowCount: number | null;
}

export class ChronoTrackClient {
  private readonly base: string;
  private readonly auth: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly log: Pick<Logger, 'debug' | 'warn'> | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly beforeRequest: (() => Promise<void>) | undefined;

  constructor(opts: ChronoTrackClientOptions) {
    this.base = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.auth = { client_id: opts.clientId, user_id: opts.userId, user_pass: sha1Hex(opts.password) };
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 10_000;
    this.log = opts.log;
    this.signal = opts.signal;
    this.beforeRequest = opts.beforeRequest;
  }

  /** The event's own record (name, dates). */
  async getEvent(eventId: string): Promise<CtEvent> {
    const { body } = await this.get(`/event/${checkId(eventId)}`, {});
    const parsed = eventEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw new ChronoTrackError('invalid_response', 'ChronoTrack Live sent an event in an unexpected shape.');
    return parsed.data.event;
  }

  /** Every entry of the event, all pages; onProgress after each page. */
  async listEventEntries(eventId: string, onProgress?: (p: Progress) => void): Promise<CtEntry[]> {
    const entries: CtEntry[] = [];
    for await (const p of this.pages(`/event/${checkId(eventId)}/entry`, 'event_entry', { include_test_entries: 'true', elide_json: 'false' })) {
      entries.push(...p.rows);
      onProgress?.({ loaded: entries.length, total: p.rowCount });
    }
    return entries;
  }

  /**
   * The pages of a CTLive list: 1-based `page` and `size`, until the X-Ctlive-Page-Count of the
   * first answer (when sent) or a short page. `key` is the envelope (`event_entry`, `race_results` …).
   */
  async *pages(path: string, key: string, params: Record<string, string>, size = ENTRY_PAGE_SIZE): AsyncIterable<CtPage> {
    let rowCount: number | null = null;
    let pageCount: number | null = null;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await this.get(path, { ...params, page: String(page), size: String(size) });
      const parsed = listEnvelopeSchema(key).safeParse(res.body);
      if (!parsed.success) throw new ChronoTrackError('invalid_response', `ChronoTrack Live sent ${key.replace(/_/g, ' ')} in an unexpected shape.`);
      const rows = parsed.data[key]!;
      if (page === 1) {
        rowCount = intHeader(res.headers, 'x-ctlive-row-count');
        pageCount = intHeader(res.headers, 'x-ctlive-page-count');
      }
      yield { rows, page, pageCount, rowCount };
      const served = intHeader(res.headers, 'x-ctlive-page-size') ?? size;
      const done = pageCount !== null ? page >= pageCount : rows.length < served;
      if (done || rows.length === 0) return;
    }
    throw new ChronoTrackError('invalid_response', `ChronoTrack Live kept sending pages past ${MAX_PAGES}.`);
  }

  /** One list that is not paged (races, waves): `{ <key>: [...] }`. */
  async list(path: string, key: string, params: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const { body } = await this.get(path, params);
    const parsed = listEnvelopeSchema(key).safeParse(body);
    if (!parsed.success) throw new ChronoTrackError('invalid_response', `ChronoTrack Live sent ${key.replace(/_/g, ' ')} in an unexpected shape.`);
    return parsed.data[key]!;
  }

  /** A JSON POST with auth (results back to CTLive); not retried, so nothing is posted twice. */
  async post(path: string, json: unknown): Promise<unknown> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries({ format: 'json', ...this.auth })) url.searchParams.set(k, v);
    await this.beforeRequest?.();
    if (this.signal?.aborted) throw abortedError();
    return (await this.once(url, { method: 'POST', body: JSON.stringify(json) })).body;
  }

  /** One GET with auth, retried on transient failures. */
  private async get(path: string, params: Record<string, string>): Promise<Page> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries({ format: 'json', ...params, ...this.auth })) url.searchParams.set(k, v);
    // What may be logged or shown: the path and the non-secret parameters.
    const where = `${path}${params.page ? ` page ${params.page}` : ''}`;
    let lastError: ChronoTrackError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.signal?.aborted) throw abortedError();
      let retryAfterMs: number | undefined;
      await this.beforeRequest?.();
      if (this.signal?.aborted) throw abortedError();
      try {
        return await this.once(url);
      } catch (err) {
        if (!(err instanceof ChronoTrackError)) throw err;
        const transient = err.reason === 'timeout' || err.reason === 'network' || (err.status !== undefined && (err.status >= 500 || err.status === 429));
        if (!transient) throw err;
        lastError = err;
        retryAfterMs = (err as ChronoTrackError & { retryAfterMs?: number }).retryAfterMs;
      }
      if (attempt === this.maxAttempts) break;
      const backoff = this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      const delay = Math.min(this.maxRetryDelayMs, Math.max(backoff, retryAfterMs ?? 0));
      this.log?.warn({ provider: 'ctlive', where, attempt, delayMs: Math.round(delay), reason: lastError.message }, 'ChronoTrack Live request failed; retrying');
      await sleep(delay, this.signal);
    }
    throw lastError ?? new ChronoTrackError('network', 'ChronoTrack Live could not be reached.');
  }

  private async once(url: URL, post?: { method: 'POST'; body: string }): Promise<Page> {
    let res: Response;
    let text: string;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    try {
      res = await fetch(url, {
        method: post?.method ?? 'GET',
        headers: { accept: 'application/json', ...(post ? { 'content-type': 'application/json' } : {}) },
        body: post?.body,
        signal,
        redirect: 'error',
      });
      text = await res.text();
    } catch (err) {
      if (this.signal?.aborted) throw abortedError();
      if (timeout.aborted) throw new ChronoTrackError('timeout', `ChronoTrack Live did not answer within ${this.timeoutMs} ms.`);
      // The cause's message can hold the URL (and so the hash): say only what kind of failure.
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      throw new ChronoTrackError('network', `ChronoTrack Live could not be reached${typeof code === 'string' ? ` (${code})` : ''}.`);
    }
    this.log?.debug({ provider: 'ctlive', path: url.pathname, page: url.searchParams.get('page'), status: res.status }, 'ChronoTrack Live response');
    const isHtml = /html/i.test(res.headers.get('content-type') ?? '') || /^\s*</.test(text);
    if (res.status === 401 || res.status === 403) {
      throw new ChronoTrackError('auth', 'ChronoTrack Live rejected the client id, user id or password.', res.status);
    }
    if (res.status === 404) throw new ChronoTrackError('not_found', 'ChronoTrack Live has no such event, or this account cannot see it.', 404);
    if (!res.ok) {
      const err = isHtml ? htmlError(res.status, text) : new ChronoTrackError('http', `ChronoTrack Live answered HTTP ${res.status}.`, res.status);
      const retryAfter = intHeader(res.headers, 'retry-after');
      if (retryAfter !== null) Object.assign(err, { retryAfterMs: retryAfter * 1000 });
      throw err;
    }
    if (isHtml) throw htmlError(res.status, text);
    try {
      return { body: JSON.parse(text) as unknown, headers: res.headers };
    } catch {
      throw new ChronoTrackError('invalid_response', 'ChronoTrack Live sent a response that is not JSON.', res.status);
    }
  }
}

/** Event ids go into the path: digits and letters only. */
function checkId(eventId: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(eventId)) throw new ChronoTrackError('invalid_request', 'A ChronoTrack event id is letters and digits only.');
  return eventId;
}

/**
 * The one HTTP client every provider adapter uses: a deadline per request (body included),
 * bounded retries with exponential backoff and jitter on 5xx, timeouts and network failures,
 * 429 handled by waiting what Retry-After says (capped; beyond the cap the call fails as
 * rate_limited so the job queue retries it later), and errors that say what went wrong in
 * words fit for a user without ever carrying a secret: URLs with queries are never logged or
 * put into messages (several providers take credentials as query parameters).
 *
 * Base URLs come from configuration (trusted), never from users, so this is plain fetch and
 * not src/http/safe-fetch; redirects are refused all the same (a redirect would carry the
 * credentials elsewhere).
 */

export type ProviderErrorKind =
  /** Credentials refused (401/403, or the provider's own "bad key" answer). */
  | 'auth'
  /** The event/race does not exist or this account cannot see it. */
  | 'not_found'
  /** 429 still after the retries, or a Retry-After longer than we wait. */
  | 'rate_limited'
  /** Down, 5xx, timeouts, network failures (after the retries). */
  | 'unavailable'
  /** Answered, but not in a shape we understand. */
  | 'bad_response'
  /** We were asked for something we will not send (a bad id). */
  | 'invalid_request'
  /** The caller's signal stopped it. */
  | 'aborted';

export class ProviderError extends Error {
  readonly provider: string;
  readonly status: number | undefined;
  /** For rate_limited: how long the provider asked us to wait. */
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    opts: { provider: string; status?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.provider = opts.provider;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
  /** Whether trying again later can help. */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable';
  }
}

export interface HttpLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ProviderHttpOptions {
  /** Short id for logs ("runsignup"). */
  provider: string;
  /** Name in messages ("RunSignUp"). */
  label: string;
  baseUrl: string;
  /** Per request, body included (default 20 s). */
  timeoutMs?: number | undefined;
  /** Tries per request, the first included (default 4). */
  maxAttempts?: number | undefined;
  /** First backoff; doubles per retry, with jitter (default 500 ms). */
  retryBaseMs?: number | undefined;
  /** Longest wait between tries, Retry-After included (default 30 s). */
  maxRetryDelayMs?: number | undefined;
  signal?: AbortSignal | undefined;
  log?: HttpLog | undefined;
  /** Headers on every request (auth). */
  headers?: Record<string, string> | undefined;
  /** Query parameters on every request (auth); never logged. */
  query?: Record<string, string> | undefined;
  /**
   * Awaited before every try: the job queue's ctx.throttle, so all workers together stay under
   * the provider's rate limit (src/jobs). Retries draw too.
   */
  beforeRequest?: (() => Promise<void>) | undefined;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | undefined;
  query?: Record<string, string | number | undefined | null> | undefined;
  headers?: Record<string, string> | undefined;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string> | undefined;
  /** A path relative to another base (Race Roster's OAuth and results hosts): a full URL. */
  absolute?: boolean | undefined;
  /** Whether a 404 means not_found (default) or is returned to the caller. */
  allow404?: boolean | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: unknown;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** Retry-After: delta seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export class ProviderHttp {
  readonly label: string;
  readonly provider: string;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryDelayMs: number;
  /** Calls made (each try counts): benchmarks and tests count them. */
  calls = 0;

  constructor(private readonly opts: ProviderHttpOptions) {
    this.label = opts.label;
    this.provider = opts.provider;
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 30_000;
  }

  error(kind: ProviderErrorKind, message: string, status?: number, extra: { retryAfterMs?: number; cause?: unknown } = {}): ProviderError {
    return new ProviderError(kind, message, { provider: this.provider, status, ...extra });
  }

  /** GET returning the parsed JSON body. */
  async getJson(path: string, query?: RequestOptions['query'], extra: Omit<RequestOptions, 'query'> = {}): Promise<HttpResponse> {
    return this.request(path, { ...extra, query });
  }

  async request(path: string, req: RequestOptions = {}): Promise<HttpResponse> {
    const url = new URL(req.absolute ? path : this.base + path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    for (const [k, v] of Object.entries(this.opts.query ?? {})) url.searchParams.set(k, v);
    const where = `${req.method ?? 'GET'} ${url.pathname}`;
    let last: ProviderError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.opts.signal?.aborted) throw this.aborted();
      let wait = 0;
      await this.opts.beforeRequest?.();
      if (this.opts.signal?.aborted) throw this.aborted();
      try {
        return await this.once(url, req);
      } catch (err) {
        if (!(err instanceof ProviderError) || !err.transient) throw err;
        last = err;
        if (err.kind === 'rate_limited' && err.retryAfterMs !== undefined) {
          // Asked to wait longer than we hold a worker: give up now, the job retries later.
          if (err.retryAfterMs > this.maxRetryDelayMs) throw err;
          wait = err.retryAfterMs;
        }
      }
      if (attempt === this.maxAttempts) break;
      const backoff = this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      const delay = Math.min(this.maxRetryDelayMs, Math.max(backoff, wait));
      this.opts.log?.warn({ provider: this.provider, where, attempt, delayMs: Math.round(delay), reason: last.message }, `${this.label} request failed; retrying`);
      await sleep(delay, this.opts.signal);
    }
    throw last ?? this.error('unavailable', `${this.label} could not be reached.`);
  }

  private aborted(): ProviderError {
    return this.error('aborted', `The ${this.label} request was stopped before it finished.`);
  }

  private async once(url: URL, req: RequestOptions): Promise<HttpResponse> {
    this.calls++;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.opts.signal ? AbortSignal.any([timeout, this.opts.signal]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers, ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: req.method ?? 'GET', headers, body, signal, redirect: 'error' });
      text = await res.text();
    } catch (err) {
      if (this.opts.signal?.aborted) throw this.aborted();
      if (timeout.aborted) throw this.error('unavailable', `${this.label} did not answer within ${this.timeoutMs} ms.`);
      // The cause can hold the URL (and so a key): say only what kind of failure.
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      throw this.error('unavailable', `${this.label} could not be reached${typeof code === 'string' ? ` (${code})` : ''}.`);
    }
    this.opts.log?.debug({ provider: this.provider, path: url.pathname, status: res.status }, `${this.label} response`);
    const s = res.status;
    if (s === 429) {
      const after = retryAfterMs(res.headers.get('retry-after'));
      throw this.error('rate_limited', `${this.label} is limiting our requests (HTTP 429).`, s, after === null ? {} : { retryAfterMs: after });
    }
    if (s === 401 || s === 403) throw this.error('auth', `${this.label} refused the credentials (HTTP ${s}).`, s);
    if (s === 404 && !req.allow404) throw this.error('not_found', `${this.label} has no such event or race, or this account cannot see it.`, s);
    if (s >= 500) throw this.error('unavailable', `${this.label} answered HTTP ${s}.`, s);
    if (s >= 400 && s !== 404) throw this.error('bad_response', `${this.label} answered HTTP ${s}.`, s);
    let parsed: unknown;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = undefined;
      }
    }
    return { status: s, headers: res.headers, text, body: parsed };
  }

  /** The parsed body, or a bad_response naming what was expected. */
  expectJson(res: HttpResponse, what: string): unknown {
    if (res.body === undefined) {
      const html = /^\s*</.test(res.text);
      throw this.error('bad_response', `${this.label} sent ${what} that is not JSON${html ? ' (an HTML page)' : ''}.`, res.status);
    }
    return res.body;
  }
}

/**
 * The loopback server under every provider's fake (tests and benchmarks only): routes a
 * request to the fake's handler, records it, and injects what real providers do to clients:
 * 429s with Retry-After, 5xx outages, slow answers, a failure on one chosen request.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body as JSON or form fields, when it is one. */
  json: unknown;
  form: URLSearchParams | null;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** JSON unless `text` is given. */
  body?: unknown;
  text?: string;
}

export interface FakeFaults {
  /** Answer this many of the next requests with 429 and Retry-After: `retryAfter`. */
  rateLimitNext: number;
  retryAfter: string;
  /** Answer this many of the next requests with `failStatus` (an outage). */
  failNext: number;
  failStatus: number;
  /** Wait before answering (timeouts). */
  delayMs: number;
  /** Fail every request whose path+query matches (a page that keeps failing mid-sync). */
  failMatching: RegExp | null;
}

export interface FakeServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  origin: string;
  requests: FakeRequest[];
  faults: FakeFaults;
  close(): Promise<void>;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const faults: FakeFaults = { rateLimitNext: 0, retryAfter: '0', failNext: 0, failStatus: 503, delayMs: 0, failMatching: null };
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const body = Buffer.concat(chunks).toString('utf8');
        const type = req.headers['content-type'] ?? '';
        let json: unknown;
        if (type.includes('json') && body) {
          try {
            json = JSON.parse(body) as unknown;
          } catch {
            json = undefined;
          }
        }
        const form = type.includes('x-www-form-urlencoded') ? new URLSearchParams(body) : null;
        const fr: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, json, form };
        requests.push(fr);
        if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
        let out: FakeResponse;
        if (faults.rateLimitNext > 0) {
          faults.rateLimitNext--;
          out = { status: 429, headers: { 'retry-after': faults.retryAfter }, body: { error: 'Too Many Requests' } };
        } else if (faults.failNext > 0) {
          faults.failNext--;
          out = { status: faults.failStatus, body: { error: 'Service Unavailable' } };
        } else if (faults.failMatching?.test(`${url.pathname}${url.search}`)) {
          out = { status: 500, text: '<html><head><title>500 Internal Server Error</title></head></html>', headers: { 'content-type': 'text/html' } };
        } else {
          try {
            out = await handler(fr);
          } catch (err) {
            out = { status: 500, body: { error: String(err) } };
          }
        }
        if (res.destroyed) return;
        const text = out.text ?? JSON.stringify(out.body ?? null);
        res.writeHead(out.status ?? 200, { 'content-type': out.text === undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8', ...out.headers });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Slices `rows` as 1-based page `page` of `size`. */
export function pageOf<T>(rows: T[], page: number, size: number): T[] {
  return rows.slice((page - 1) * size, page * size);
}

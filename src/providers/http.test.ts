/** The shared provider HTTP client against a loopback server: timeouts, Retry-After, bounded retries, errors without secrets. */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from './fake-http.js';
import { ProviderError, ProviderHttp, retryAfterMs } from './http.js';

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('ProviderHttp', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeNull();
  });

  it('times out a silent provider, retries a bounded number of times, and never puts the query (keys) in messages or logs', async () => {
    fake = await startFakeServer(() => ({ body: { ok: true } }));
    fake.faults.delayMs = 300;
    const warned: string[] = [];
    const http = new ProviderHttp({
      provider: 'x', label: 'X', baseUrl: fake.origin, timeoutMs: 50, maxAttempts: 3, retryBaseMs: 1, query: { api_key: 'SEKRIT' },
      log: { debug: () => {}, warn: (o, m) => warned.push(JSON.stringify(o) + m) },
    });
    const err = await http.request('/a', { query: { page: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'unavailable', message: 'X did not answer within 50 ms.', transient: true });
    // Bounded: three tries, no more (undici may queue a retry on the socket the timeout just
    // abandoned, so the server can see fewer than three; the count of tries is ours).
    expect(http.calls).toBe(3);
    expect(fake.requests[0]!.query.get('api_key')).toBe('SEKRIT');
    expect(`${JSON.stringify(err)} ${(err as Error).message} ${warned.join()}`).not.toContain('SEKRIT');
  });

  it('a slow first answer is retried and the retry succeeds', async () => {
    let n = 0;
    fake = await startFakeServer(async () => {
      n++;
      if (n === 1) await new Promise((r) => setTimeout(r, 300));
      return { body: { n } };
    });
    const http = new ProviderHttp({ provider: 'x', label: 'X', baseUrl: fake.origin, timeoutMs: 50, maxAttempts: 4, retryBaseMs: 1 });
    expect((await http.request('/a')).body).toEqual({ n: 2 });
  });

  it('waits what Retry-After says, then succeeds; a 4xx is not retried', async () => {
    fake = await startFakeServer((r) => (r.path === '/bad' ? { status: 422, body: {} } : { body: { ok: 1 } }));
    const http = new ProviderHttp({ provider: 'x', label: 'X', baseUrl: fake.origin, retryBaseMs: 1 });
    fake.faults.rateLimitNext = 1;
    fake.faults.retryAfter = '0.3';
    const t0 = Date.now();
    expect((await http.request('/ok')).body).toEqual({ ok: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    await expect(http.request('/bad')).rejects.toMatchObject({ kind: 'bad_response', status: 422 });
    expect(fake.requests.filter((r) => r.path === '/bad')).toHaveLength(1);
  });

  it('draws from the shared rate limit (beforeRequest) before every try, retries included', async () => {
    fake = await startFakeServer(() => ({ body: {} }));
    fake.faults.failNext = 2;
    let drawn = 0;
    const http = new ProviderHttp({ provider: 'x', label: 'X', baseUrl: fake.origin, retryBaseMs: 1, beforeRequest: async () => void drawn++ });
    await http.request('/a');
    expect(drawn).toBe(3);
  });

  it('stops at once when its signal aborts, waits included', async () => {
    fake = await startFakeServer(() => ({ body: {} }));
    fake.faults.failNext = 100;
    const ac = new AbortController();
    const http = new ProviderHttp({ provider: 'x', label: 'X', baseUrl: fake.origin, retryBaseMs: 5000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await expect(http.request('/a')).rejects.toMatchObject({ kind: 'aborted' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('says "not JSON" for an HTML page, and refuses redirects (credentials would follow them)', async () => {
    fake = await startFakeServer((r) => (r.path === '/r' ? { status: 302, headers: { location: 'http://127.0.0.1:1/steal' }, body: {} } : { text: '<html>maintenance</html>' }));
    const http = new ProviderHttp({ provider: 'x', label: 'X', baseUrl: fake.origin, maxAttempts: 1 });
    const res = await http.request('/page');
    expect(() => http.expectJson(res, 'events')).toThrow('X sent events that is not JSON (an HTML page).');
    await expect(http.request('/r')).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { createLogger } from '../log.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { buildWebApp } from './app.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

async function app(env: Record<string, string> = {}) {
  const a = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig(env) });
  await a.ready();
  return a;
}

describe('web security baseline', () => {
  it('sends security headers, with a CSP that allows only our own scripts and no framing', async () => {
    const a = await app();
    const res = await a.inject({ method: 'GET', url: '/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    // Fonts only from this origin or inline (issue 12): a template cannot make browsers fetch elsewhere.
    expect(csp).toContain("font-src 'self' data:");
    expect(csp).not.toMatch(/font-src[^;]*https:/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    await a.close();
  });

  it('never upgrades plain http requests (a venue reaches the laptop by its address), only https ones', async () => {
    const a = await app();
    const plain = await a.inject({ method: 'GET', url: '/health', headers: { host: '192.168.1.20:5000' } });
    expect(String(plain.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    expect(plain.headers['cross-origin-opener-policy']).toBeUndefined();
    await a.close();

    const proxied = await app({ TRUST_PROXY: 'true' });
    const viaTls = await proxied.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'https' } });
    expect(String(viaTls.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    expect(viaTls.headers['cross-origin-opener-policy']).toBe('same-origin');
    const viaHttp = await proxied.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'http' } });
    expect(String(viaHttp.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    await proxied.close();

    const httpsPublic = await app({ PUBLIC_URL: 'https://results.example.com' });
    const res = await httpsPublic.inject({ method: 'GET', url: '/health' });
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    await httpsPublic.close();
  });

  it('lets no other origin in by default', async () => {
    const a = await app();
    const res = await a.inject({ method: 'GET', url: '/api/timing/sessions', headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/api/timing/sessions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    await a.close();
  });

  it('allows exactly the configured origins', async () => {
    const a = await app({ CORS_ORIGINS: 'https://results.example.com' });
    const ok = await a.inject({ method: 'GET', url: '/health', headers: { origin: 'https://results.example.com' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://results.example.com');
    const other = await a.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await a.close();
  });

  it('still serves the API docs under the CSP', async () => {
    const a = await app();
    const res = await a.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    await a.close();
  });

  it('rejects a body over 1 MiB with 413 and the uniform error body', async () => {
    const a = await app();
    const res = await a.inject({ method: 'POST', url: '/health', payload: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    await a.close();
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../http/error-handler.js';
import { spaPlugin } from './spa.js';

const INDEX = '<!doctype html><html><body><div id="root"></div><script src="/static/app-3f9a1c.js"></script></body></html>';
const SCRIPT = 'console.log("dashboard");';

let root: string;

/** An app shaped like the web process: error handling, docs, an API route, then the SPA. */
async function buildApp(distDir: string): Promise<{ app: FastifyInstance; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = Fastify({ loggerInstance: pino({ level: 'info' }, sink) as FastifyBaseLogger });
  installErrorHandling(app);
  await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '0' } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/timing/ping', async () => ({ pong: true }));
  await app.register(spaPlugin, { distDir });
  await app.ready();
  return { app, logs };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'p88-spa-'));
  await mkdir(join(root, 'dist', 'static'), { recursive: true });
  await writeFile(join(root, 'dist', 'index.html'), INDEX);
  await writeFile(join(root, 'dist', 'static', 'app-3f9a1c.js'), SCRIPT);
  await writeFile(join(root, 'dist', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(root, 'secret.txt'), 'do not serve');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('spaPlugin with a built UI', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await buildApp(join(root, 'dist')));
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves index.html at / and revalidates it on every load', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(INDEX);
  });

  it.each(['/sign-in', '/forgot-password', '/dashboard/', '/sign-in?next=%2F', '/a/deep/route'])(
    'answers the app route %s with index.html',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    },
  );

  it('answers HEAD like GET', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/sign-in' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const res = await app.inject({ method: 'GET', url: '/static/app-3f9a1c.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toBe(SCRIPT);
  });

  it('serves other files with a short cache', async () => {
    const res = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers a missing file with a 404, not with the app', async () => {
    const res = await app.inject({ method: 'GET', url: '/static/app-old.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it.each(['/api', '/api/', '/api/nope', '/api/timing/unknown?x=1', '/docs/nope'])(
    'leaves %s to the API: JSON 404',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
    },
  );

  it('keeps the API and the docs working', async () => {
    const api = await app.inject({ method: 'GET', url: '/api/timing/ping' });
    expect(api.json()).toEqual({ pong: true });
    const docs = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(docs.json()).toHaveProperty('openapi');
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).not.toBe(INDEX);
  });

  it('does not fall back for other methods', async () => {
    const res = await app.inject({ method: 'POST', url: '/sign-in', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it.each(['/../secret.txt', '/..%2fsecret.txt', '/static/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/.%2e/secret.txt'])(
    'never serves a file outside the build: %s',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body).not.toContain('do not serve');
    },
  );
});

describe('spaPlugin without a build', () => {
  let app: FastifyInstance;
  let logs: string[];
  beforeAll(async () => {
    ({ app, logs } = await buildApp(join(root, 'no-such-dist')));
  });
  afterAll(async () => {
    await app.close();
  });

  it('starts, warns once, and says the UI is not built', async () => {
    expect(logs.join('')).toMatch(/web UI not built/);
    const res = await app.inject({ method: 'GET', url: '/sign-in' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('The web UI is not built');
    expect(res.body).toContain('npm run build:ui');
  });

  it('still answers the API and its 404s as JSON', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/timing/ping' })).json()).toEqual({ pong: true });
    const res = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

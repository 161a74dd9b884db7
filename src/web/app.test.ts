import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../test/helpers/db.js';
import { openDatabase } from '../db/index.js';
import { AppError } from '../errors.js';
import { BODY_LIMIT_BYTES } from './app.js';
import { HEALTH_DB_TIMEOUT_MS } from './health.routes.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = 'relation "secret_table" does not exist at SELECT password FROM users';

let testDb: TestDatabase;
let t: TestApp;
let app: FastifyInstance;

beforeAll(async () => {
  testDb = await createTestDatabase();
  t = await startTestApp({
    testDb,
    // Routes that exist only to exercise the error paths.
    extraRoutes: (a) => {
      a.get('/test/boom', async () => {
        throw new Error(SECRET);
      });
      a.get('/test/app-error', async () => {
        throw new AppError('database_unavailable');
      });
      a.post('/test/echo', async (request) => ({ size: JSON.stringify(request.body).length }));
    },
  });
  app = t.app;
});

afterAll(async () => {
  await app?.close();
  await testDb?.drop();
});

describe('request ids', () => {
  it('gives every response a fresh uuid in x-request-id', async () => {
    const a = await app.inject({ method: 'GET', url: '/health' });
    const b = await app.inject({ method: 'GET', url: '/health' });
    expect(a.headers['x-request-id']).toMatch(UUID);
    expect(b.headers['x-request-id']).toMatch(UUID);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('puts the request id on every log line of the request', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom' });
    const id = res.headers['x-request-id'];
    const mine = t.logLines().filter((l) => l.request_id === id);
    expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'request failed', 'request completed']);
  });
});

describe('errors', () => {
  it('answers an unknown API route with the uniform 404 body (other paths belong to the SPA)', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      error: { code: 'not_found', message: 'Not found.', request_id: res.headers['x-request-id'] },
    });
  });

  it('answers an undecodable URL with the uniform 400 body', async () => {
    const res = await app.inject({ method: 'GET', url: '/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.json()).toEqual({
      error: { code: 'bad_request', message: 'The request is not valid.', request_id: res.headers['x-request-id'] },
    });
  });

  it('turns an unexpected error into a generic 500 and logs the real one', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    const id = res.headers['x-request-id'];
    expect(res.json()).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side.', request_id: id },
    });
    expect(res.body).not.toMatch(/secret_table|password|stack|at /);
    const logged = t.logLines().find((l) => l.request_id === id && l.msg === 'request failed');
    expect(logged?.level).toBe(50);
    expect(JSON.stringify(logged)).toContain('secret_table');
  });

  it('sends an AppError with its catalogue status, code and message', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/app-error' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: {
        code: 'database_unavailable',
        message: 'The database is not reachable right now.',
        request_id: res.headers['x-request-id'],
      },
    });
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(BODY_LIMIT_BYTES) });
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: {
        code: 'payload_too_large',
        message: 'The request body is too large.',
        request_id: res.headers['x-request-id'],
      },
    });
  });

  it('accepts a body under the limit', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { blob: 'x'.repeat(1000) } });
    expect(res.statusCode).toBe(200);
  });

  it('answers malformed JSON with a 400 that does not echo the parser', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"blob": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'bad_request', message: 'The request is not valid.', request_id: res.headers['x-request-id'] },
    });
  });
});

describe('GET /health', () => {
  it('is ok when the database answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ status: 'ok', database: 'up', timestamp: expect.any(String) });
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it('is degraded (503) when the database is closed', async () => {
    // A separate handle, closed: the shared test database stays usable.
    const down = await openDatabase({ url: serverUrl });
    await down.close();
    const { app: downApp } = await startTestApp({ testDb, database: down });
    try {
      const res = await downApp.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'degraded', database: 'down', timestamp: expect.any(String) });
    } finally {
      await downApp.close();
    }
  });

  it('is degraded when the database hangs, within the health timeout', async () => {
    // A stand-in for a server that accepts the query and never answers.
    const hung = { ...testDb.db, query: () => new Promise<never>(() => {}) };
    const { app: hungApp } = await startTestApp({ testDb, database: hung });
    try {
      const started = Date.now();
      const res = await hungApp.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(HEALTH_DB_TIMEOUT_MS + 1000);
    } finally {
      await hungApp.close();
    }
  });
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3 document at /docs/json listing every route with its responses', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toEqual({ title: 'Project88Hub API', version: expect.any(String) });
    const timingPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/timing/')).sort();
    expect(timingPaths).toEqual([
      '/api/timing/database-status',
      '/api/timing/recent-reads',
      '/api/timing/sessions',
      '/api/timing/stats',
    ]);
    for (const p of [...timingPaths, '/health']) {
      const get = doc.paths[p].get;
      expect(get.responses['200'].content['application/json'].schema.type, p).toBe('object');
    }
    // Internal test routes are documented too, but the docs UI's own routes are hidden.
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/docs'))).toBe(false);

    const recent = doc.paths['/api/timing/recent-reads'].get;
    const limit = recent.parameters.find((x: { name: string }) => x.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } });
    const read = recent.responses['200'].content['application/json'].schema.properties.reads.items;
    expect(read.properties.read_timestamp).toMatchObject({ type: 'string', format: 'date-time' });
    expect(recent.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorResponse',
    });

    // Every $ref points at a schema the document defines.
    const refs = [...res.body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(doc.components.schemas[name as string], name).toBeDefined();
  });

  it('serves the docs UI at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

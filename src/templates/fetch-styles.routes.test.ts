/**
 * POST /api/fetch-styles over the real app and database. Two apps: one with the production
 * default policy (loopback refused), one given a test policy through its deps that lets it
 * reach a fake site on 127.0.0.2.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../test/helpers/auth.js';
import { testConfig } from '../../test/helpers/config.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { createLogger } from '../log.js';
import { buildWebApp } from '../web/app.js';
import { FETCH_STYLES_PER_MINUTE } from './fetch-styles.routes.js';

let t: TestDatabase;
let strict: FastifyInstance;
let widened: FastifyInstance;
let owner: SignedIn;
let ownerOfWidened: SignedIn;
let viewer: SignedIn;
let site: http.Server;
let port = 0;
let internalHits = 0;
let internal: http.Server;
let internalPort = 0;

beforeAll(async () => {
  site = http.createServer((req, res) => {
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<style>h1{color:#C8102E;font-family:"Race Sans",serif}</style>');
    if (req.url === '/secret') return res.writeHead(500, { 'content-type': 'text/html' }).end('DB_PASSWORD=hunter2');
    if (req.url === '/to-internal') return res.writeHead(302, { location: `http://127.0.0.1:${internalPort}/` }).end();
    if (req.url === '/silent') return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.2', () => r()));
  port = (site.address() as AddressInfo).port;
  internal = http.createServer((_req, res) => {
    internalHits++;
    res.writeHead(200, { 'content-type': 'text/html' }).end('<style>a{color:#abcdef}</style>');
  });
  await new Promise<void>((r) => internal.listen(0, '127.0.0.1', () => r()));
  internalPort = (internal.address() as AddressInfo).port;

  t = await createTestDatabase();
  strict = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig() });
  widened = await buildWebApp({
    db: t.db,
    logger: createLogger('silent'),
    config: testConfig(),
    fetchStylesPolicy: { isAllowedAddress: (a) => a === '127.0.0.2', allowedPorts: [port, internalPort], timeoutMs: 500 },
  });
  await strict.ready();
  await widened.ready();
  const partner = await strict.accounts.partners.create({ slug: 'acme', name: 'Acme' });
  owner = await signIn(strict, partner.id, 'owner');
  viewer = await signIn(strict, partner.id, 'viewer');
  ownerOfWidened = await signIn(widened, partner.id, 'owner');
});

afterAll(async () => {
  await strict?.close();
  await widened?.close();
  site.closeAllConnections();
  internal.closeAllConnections();
  await new Promise((r) => site.close(r));
  await new Promise((r) => internal.close(r));
  await t?.drop();
});

const post = (app: FastifyInstance, who: SignedIn | null, url: unknown) =>
  app.inject({ method: 'POST', url: '/api/fetch-styles', ...(who ? { headers: who.headers } : {}), payload: { url } });

describe('POST /api/fetch-styles', () => {
  it('needs a sign-in and the displays:manage permission', async () => {
    expect((await post(strict, null, 'https://example.com/')).statusCode).toBe(401);
    expect((await strict.inject({ method: 'POST', url: '/api/fetch-styles', payload: {} })).statusCode).toBe(401); // sign-in checked before the body
    expect((await post(strict, viewer, 'https://example.com/')).statusCode).toBe(403);
  });

  it('answers 400 "not allowed" for loopback and private addresses with the default policy', async () => {
    for (const url of ['http://127.0.0.1/', 'localhost', `http://127.0.0.2:${port}/`, 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://0x7f.0.0.1/']) {
      const res = await post(strict, owner, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'bad_request' });
      expect(res.json().error.message, url).toMatch(/^That address is not allowed/);
    }
    expect((await post(strict, owner, 'ftp://example.com/')).json().error.message).toBe('Enter a full web address starting with http:// or https://.');
    expect((await post(strict, owner, `https://example.com/${'a'.repeat(2048)}`)).statusCode).toBe(400);
    expect((await post(strict, owner, 42)).statusCode).toBe(400);
  });

  it('returns colours and fonts of a site the policy allows', async () => {
    const res = await post(widened, ownerOfWidened, `http://127.0.0.2:${port}/`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ url: `http://127.0.0.2:${port}/`, colors: ['#c8102e'], fonts: ['Race Sans', 'serif'] });
  });

  it('turns failures into 400s that never echo the fetched content', async () => {
    const redirect = await post(widened, ownerOfWidened, `http://127.0.0.2:${port}/to-internal`);
    expect(redirect.statusCode).toBe(400);
    expect(redirect.json().error.message).toBe('That address is not allowed.');
    expect(internalHits).toBe(0);

    const secret = await post(widened, ownerOfWidened, `http://127.0.0.2:${port}/secret`);
    expect(secret.statusCode).toBe(400);
    expect(secret.json().error.message).toBe('The site answered with HTTP 500.');
    expect(secret.body).not.toContain('hunter2');

    const slow = await post(widened, ownerOfWidened, `http://127.0.0.2:${port}/silent`);
    expect(slow.statusCode).toBe(400);
    expect(slow.json().error.message).toBe('The site took too long to answer.');
  });

  it(`allows ${FETCH_STYLES_PER_MINUTE} imports a minute per partner, then answers 429 with Retry-After`, async () => {
    const busy = await signIn(strict, (await strict.accounts.partners.create({ slug: 'busy', name: 'Busy' })).id, 'owner');
    const calm = await signIn(strict, (await strict.accounts.partners.create({ slug: 'calm', name: 'Calm' })).id, 'owner');
    for (let i = 0; i < FETCH_STYLES_PER_MINUTE; i++) expect((await post(strict, busy, 'http://127.0.0.1/')).statusCode).toBe(400);
    const limited = await post(strict, busy, 'http://127.0.0.1/');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another partner is not held up by this one.
    expect((await post(strict, calm, 'http://127.0.0.1/')).statusCode).toBe(400);
  });
});

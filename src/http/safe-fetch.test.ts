/**
 * SSRF protection of safeFetch against real loopback sockets. 127.0.0.2 stands in for "a public
 * site" (the test policy allows it and nothing else); 127.0.0.1 plays the internal service that
 * must never be reached, and its hit counter proves it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, safeFetch, SafeFetchError, type SafeFetchOptions } from './safe-fetch.js';

interface FakeServer {
  port: number;
  hits: number;
  hosts: string[];
  closed: number;
  url(path?: string): string;
  close(): Promise<void>;
}

async function startServer(host: string, handler: http.RequestListener, port = 0): Promise<FakeServer> {
  const s: FakeServer = {
    port: 0,
    hits: 0,
    hosts: [],
    closed: 0,
    url: (path = '/') => `http://${host}:${s.port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    s.hits++;
    s.hosts.push(req.headers.host ?? '');
    res.on('close', () => s.closed++);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  s.port = (server.address() as AddressInfo).port;
  return s;
}

/** Rejection of a safeFetch call, as the SafeFetchError it must be. */
async function refusal(p: Promise<unknown>): Promise<SafeFetchError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(SafeFetchError);
  return err as SafeFetchError;
}

const PAGE = '<!doctype html><title>Race</title><h1>Hello</h1>';
let site: FakeServer; // 127.0.0.2: the "public" site
let internal: FakeServer; // 127.0.0.1, same port where possible: must never be hit

beforeAll(async () => {
  site = await startServer('127.0.0.2', (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const p = u.pathname;
    if (p === '/page') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    if (p === '/style.css') return res.writeHead(200, { 'content-type': 'text/css' }).end('a{color:red}');
    if (p === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"INTERNAL-DATA"}');
    if (p === '/no-type') return res.writeHead(200).end(PAGE);
    if (p === '/missing') return res.writeHead(404, { 'content-type': 'text/html' }).end('<p>SECRET-404-BODY</p>');
    if (p === '/to-internal') return res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/admin` }).end();
    if (p === '/to-localhost') return res.writeHead(301, { location: `http://localhost:${internal.port}/admin` }).end();
    if (p === '/to-metadata') return res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (p.startsWith('/hop/')) {
      const n = Number(p.slice(5));
      return res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/page' }).end();
    }
    if (p === '/endless') {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      return pump();
    }
    if (p === '/declared-big') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(2 * 1024 * 1024) });
      return res.write('<p>');
    }
    if (p === '/gzip-bomb') {
      return res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(8 * 1024 * 1024, ' ')));
    }
    if (p === '/gzip-ok') return res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(PAGE));
    if (p === '/silent') return; // never answers
    if (p === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.write('<p>first'); // then stalls
    }
    res.writeHead(404).end();
  });
  const answer = (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('INTERNAL-ADMIN');
  try {
    internal = await startServer('127.0.0.1', answer, site.port);
  } catch {
    internal = await startServer('127.0.0.1', answer);
  }
});

afterAll(async () => {
  await site.close();
  await internal.close();
});

/** The test policy: 127.0.0.2 is "public", nothing else; both fake servers' ports allowed. */
const testPolicy = (): SafeFetchOptions => ({
  isAllowedAddress: (a) => a === '127.0.0.2',
  allowedPorts: [site.port, internal.port],
});

describe('isPublicAddress (the default policy)', () => {
  it.each([
    '127.0.0.1', '127.0.0.2', '127.255.255.254', '0.0.0.0', '0.1.2.3', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '100.64.0.1', '100.127.255.255', '192.0.0.8', '192.0.2.1', '198.18.0.1', '198.51.100.7', '203.0.113.9',
    '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'fec0::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
    '::ffff:169.254.169.254', '::ffff:0:7f00:1', '::7f00:1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '2001:db8::1',
    '2001::1', '100::1', 'not-an-ip', '',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e'])(
    'allows %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('safeFetch with the default address policy', () => {
  it.each([
    'http://127.0.0.1:PORT/',
    'http://localhost:PORT/',
    'http://LOCALHOST.:PORT/',
    'http://admin.localhost:PORT/',
    'http://[::1]:PORT/',
    'http://0.0.0.0:PORT/',
    'http://0:PORT/',
    'http://169.254.169.254:PORT/latest/meta-data/',
    'http://10.0.0.1:PORT/',
    'http://2130706433:PORT/',
    'http://0x7f.0.0.1:PORT/',
    'http://0x7f000001:PORT/',
    'http://0177.0.0.1:PORT/',
    'http://127.1:PORT/',
    'http://[::ffff:127.0.0.1]:PORT/',
    'http://[::ffff:7f00:1]:PORT/',
    'https://127.0.0.1:PORT/',
  ])('refuses %s before connecting', async (template) => {
    const before = internal.hits;
    // The port is allowed, so only the address policy can be what refuses.
    const err = await refusal(safeFetch(template.replace('PORT', String(internal.port)), { allowedPorts: [internal.port] }));
    expect(err.kind).toBe('blocked');
    expect(err.message).toBe('That address is not allowed.');
    expect(internal.hits).toBe(before);
  });

  it('refuses loopback on the standard ports too', async () => {
    for (const url of ['http://127.0.0.1/', 'http://localhost/', 'https://[::1]/', 'http://169.254.169.254/']) {
      expect((await refusal(safeFetch(url))).kind, url).toBe('blocked');
    }
  });

  it('refuses a name when any one of its addresses is internal', async () => {
    let resolved = 0;
    const resolve = async () => {
      resolved++;
      return [
        { address: '93.184.216.34', family: 4 as const },
        { address: '10.1.2.3', family: 4 as const },
      ];
    };
    const err = await refusal(safeFetch('http://mixed.example/', { resolve }));
    expect(err.kind).toBe('blocked');
    expect(resolved).toBe(1);
    const v6 = await refusal(safeFetch('http://v6.example/', { resolve: async () => [{ address: 'fd00::1', family: 6 as const }] }));
    expect(v6.kind).toBe('blocked');
  });

  it('refuses other schemes, credentials and other ports without any network use', async () => {
    const resolve = async (): Promise<never> => {
      throw new Error('must not resolve');
    };
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://example.com/', 'not a url', 'http://']) {
      expect((await refusal(safeFetch(url, { resolve }))).kind, url).toBe('invalid_url');
    }
    for (const url of ['http://user:pass@example.com/', 'http://user@example.com/', 'http://example.com:8080/', 'https://example.com:22/']) {
      expect((await refusal(safeFetch(url, { resolve }))).kind, url).toBe('blocked');
    }
  });
});

describe('safeFetch against a site the policy allows', () => {
  it('fetches a page, keeping the host name in the Host header', async () => {
    const res = await safeFetch(site.url('/page'), testPolicy());
    expect(res).toEqual({ url: site.url('/page'), status: 200, contentType: 'text/html', body: PAGE });
    const gz = await safeFetch(site.url('/gzip-ok'), testPolicy());
    expect(gz.body).toBe(PAGE);
  });

  it('connects to the address it checked, not a second DNS answer (rebinding)', async () => {
    expect(internal.port).toBe(site.port); // same port on both addresses: only the address differs
    let calls = 0;
    const resolve = async () => {
      calls++;
      // First answer passes the check; any later lookup would point inside.
      return [{ address: calls === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 as const }];
    };
    const internalBefore = internal.hits;
    const res = await safeFetch(`http://rebind.test:${site.port}/page`, { ...testPolicy(), resolve });
    expect(res.body).toBe(PAGE);
    expect(calls).toBe(1);
    expect(site.hosts.at(-1)).toBe(`rebind.test:${site.port}`);
    expect(internal.hits).toBe(internalBefore);
  });

  it('refuses a redirect into the private network and never reaches it', async () => {
    for (const path of ['/to-internal', '/to-localhost', '/to-metadata']) {
      const err = await refusal(safeFetch(site.url(path), { ...testPolicy(), allowedPorts: [site.port, internal.port, 80] }));
      expect(err.kind, path).toBe('blocked');
    }
    expect(internal.hits).toBe(0);
  });

  it('follows at most 3 redirects, each checked again', async () => {
    const res = await safeFetch(site.url('/hop/2'), testPolicy()); // 3 redirects
    expect(res.url).toBe(site.url('/page'));
    expect((await refusal(safeFetch(site.url('/hop/3'), testPolicy()))).kind).toBe('too_many_redirects');
  });

  it('cuts a body over 1 MiB, also when compressed or announced', async () => {
    const closedBefore = site.closed;
    const started = Date.now();
    const endless = await refusal(safeFetch(site.url('/endless'), testPolicy()));
    expect(endless.kind).toBe('too_large');
    expect(endless.message).toBe('The page is too large.');
    expect(Date.now() - started).toBeLessThan(3000);
    await expect.poll(() => site.closed).toBeGreaterThan(closedBefore); // the server saw the connection dropped
    expect((await refusal(safeFetch(site.url('/declared-big'), testPolicy()))).kind).toBe('too_large');
    expect((await refusal(safeFetch(site.url('/gzip-bomb'), testPolicy()))).kind).toBe('too_large');
    // A smaller cap applies the same way.
    expect((await refusal(safeFetch(site.url('/page'), { ...testPolicy(), maxBytes: 10 }))).kind).toBe('too_large');
  });

  it('gives up on a slow site at the deadline', async () => {
    for (const path of ['/silent', '/trickle']) {
      const started = Date.now();
      const err = await refusal(safeFetch(site.url(path), { ...testPolicy(), timeoutMs: 400 }));
      const took = Date.now() - started;
      expect(err.kind, path).toBe('timeout');
      expect(err.message).toBe('The site took too long to answer.');
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(1500);
    }
  });

  it('refuses content that is not HTML or CSS, and error pages, without echoing them', async () => {
    for (const path of ['/json', '/no-type']) {
      const err = await refusal(safeFetch(site.url(path), testPolicy()));
      expect(err.kind, path).toBe('content_type');
      expect(err.message).not.toContain('INTERNAL-DATA');
    }
    expect((await refusal(safeFetch(site.url('/style.css'), { ...testPolicy(), contentTypes: ['text/html'] }))).kind).toBe('content_type');
    const missing = await refusal(safeFetch(site.url('/missing'), testPolicy()));
    expect(missing.kind).toBe('http_status');
    expect(missing.message).toBe('The site answered with HTTP 404.');
    expect(missing.message).not.toContain('SECRET');
  });
});

/** A throwaway self-signed certificate for one name, made by openssl for this run only. */
function selfSigned(dir: string, name: string): { key: Buffer; cert: Buffer } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

describe('safeFetch over https', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  let other: { key: Buffer; cert: Buffer };
  let server: https.Server;
  let port: number;
  const servernames: (string | false | null)[] = [];
  const hosts: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'p88-tls-'));
    tls = selfSigned(dir, 'styles.test');
    other = selfSigned(dir, 'other.test');
    server = https.createServer(tls, (req, res) => {
      hosts.push(req.headers.host ?? '');
      if (req.url === '/to-internal') return res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/admin` }).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    });
    server.on('secureConnection', (socket: TLSSocket) => servernames.push(socket.servername));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  // styles.test resolves to the "public" 127.0.0.2; the certificate is trusted only through `ca`.
  const httpsPolicy = (ca: Buffer = tls.cert): SafeFetchOptions => ({
    ...testPolicy(),
    allowedPorts: [port, internal.port],
    resolve: async () => [{ address: '127.0.0.2', family: 4 }],
    ca,
  });

  it('fetches a page from the checked address, with the host name in SNI, Host and the certificate check', async () => {
    const res = await safeFetch(`https://styles.test:${port}/page`, httpsPolicy());
    expect(res).toEqual({ url: `https://styles.test:${port}/page`, status: 200, contentType: 'text/html', body: PAGE });
    expect(servernames.at(-1)).toBe('styles.test');
    expect(hosts.at(-1)).toBe(`styles.test:${port}`);
  });

  it('refuses a certificate that is not trusted or not for that name, and says so', async () => {
    const untrusted = await refusal(safeFetch(`https://styles.test:${port}/page`, httpsPolicy(other.cert)));
    expect(untrusted.kind).toBe('network');
    expect(untrusted.message).toBe("The site's security certificate is not valid for that address.");
    // The address itself is allowed, but the certificate names styles.test, not the address.
    const wrongName = await refusal(safeFetch(`https://127.0.0.2:${port}/page`, httpsPolicy()));
    expect(wrongName.message).toBe("The site's security certificate is not valid for that address.");
  });

  it('refuses a redirect from https into the private network', async () => {
    const before = internal.hits;
    const err = await refusal(safeFetch(`https://styles.test:${port}/to-internal`, httpsPolicy()));
    expect(err.kind).toBe('blocked');
    expect(internal.hits).toBe(before);
  });
});

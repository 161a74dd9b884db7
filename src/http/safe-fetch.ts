/**
 * An HTTP(S) GET for addresses that users type in, safe against server-side request forgery:
 * - http and https only, no credentials in the URL, ports 80 and 443 unless told otherwise;
 * - the host name is resolved here and EVERY address it resolves to must be public unicast
 *   (no loopback, private, link-local, CGNAT, multicast, reserved, unspecified, IPv4-mapped or
 *   NAT64 forms of those, and for IPv6 only global unicast 2000::/3);
 * - the connection goes to the address that was checked (a pinned `lookup`), so a second DNS
 *   answer cannot swap in an internal address (DNS rebinding); Host and TLS SNI stay the name;
 * - redirects are followed by hand (at most 3), each hop checked again from scratch;
 * - one deadline for the whole exchange (5 s), a body cap (1 MiB, counted after decompression,
 *   the connection is cut when it is exceeded) and an allow-list of content types.
 *
 * Errors are SafeFetchError with a kind and a message fit to show a user; they never carry any
 * of the fetched content.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';

export const SAFE_FETCH_DEFAULTS = {
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
  maxRedirects: 3,
  allowedPorts: [80, 443] as readonly number[],
  contentTypes: ['text/html', 'text/css'] as readonly string[],
};

export type SafeFetchErrorKind =
  | 'invalid_url'
  | 'blocked'
  | 'timeout'
  | 'too_large'
  | 'content_type'
  | 'http_status'
  | 'too_many_redirects'
  | 'network';

export class SafeFetchError extends Error {
  constructor(
    readonly kind: SafeFetchErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SafeFetchError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Which addresses and ports may be reached. Production uses the defaults; tests widen them. */
export interface SafeFetchPolicy {
  /** Default isPublicAddress: refuses every loopback, private and special-purpose address. */
  isAllowedAddress?: (address: string) => boolean;
  /** Default [80, 443]. */
  allowedPorts?: readonly number[];
  /** Whole exchange, redirects and body included. Default 5000. */
  timeoutMs?: number;
  /** Body cap in bytes (after decompression). Default 1 MiB. */
  maxBytes?: number;
  /** Default 3. */
  maxRedirects?: number;
  /** Name resolution; default dns.promises.lookup(name, { all: true }). Its answers are checked all the same. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /**
   * Certificate authorities trusted for https, in place of Node's bundled list. Only tests set
   * it (a throwaway CA); certificates are always verified against the host name.
   */
  ca?: string | Buffer;
}

export interface SafeFetchOptions extends SafeFetchPolicy {
  /** Accepted media types (no parameters). Default text/html and text/css. */
  contentTypes?: readonly string[];
  /** An outer deadline or cancel (combined with timeoutMs). */
  signal?: AbortSignal;
}

export interface SafeFetchResponse {
  /** The URL finally fetched (after redirects). */
  url: string;
  status: number;
  /** Media type, lower case, without parameters. */
  contentType: string;
  body: string;
}

const MESSAGES = {
  invalid_url: 'Enter a full web address starting with http:// or https://.',
  blocked: 'That address is not allowed.',
  timeout: 'The site took too long to answer.',
  too_large: 'The page is too large.',
  content_type: 'That address did not return a web page or a stylesheet.',
  too_many_redirects: 'The site redirected too many times.',
  network: 'The site could not be reached.',
} as const;

const fail = (kind: keyof typeof MESSAGES, message?: string) => new SafeFetchError(kind, message ?? MESSAGES[kind]);

// 2000::/3: the only IPv6 block handed out for global unicast.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * True only for a public unicast address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the
 * IPv4 address it carries; IPv4-compatible, NAT64, 6to4, Teredo and unassigned IPv6 are refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    else if (!v6.match(GLOBAL_UNICAST_V6)) return false;
  }
  return ip.range() === 'unicast';
}

async function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** Parses and checks a URL's shape (scheme, credentials, port). Throws SafeFetchError. */
export function checkUrl(raw: string | URL, allowedPorts: readonly number[] = SAFE_FETCH_DEFAULTS.allowedPorts): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('invalid_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('invalid_url');
  if (url.username !== '' || url.password !== '') throw fail('blocked', 'That address is not allowed (it carries a user name or password).');
  if (url.hostname === '') throw fail('invalid_url');
  if (!allowedPorts.includes(portOf(url))) throw fail('blocked', 'That address is not allowed (only the standard web ports 80 and 443).');
  return url;
}

function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** "[::1]" → "::1"; names and IPv4 as they are. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Every address the host stands for, all checked; the one to connect to. */
async function checkedAddress(url: URL, policy: Required<Pick<SafeFetchPolicy, 'isAllowedAddress' | 'resolve'>>, signal: AbortSignal): Promise<ResolvedAddress> {
  const host = bareHost(url);
  // Names that mean this machine by definition (RFC 6761), whatever the resolver says.
  if (/(^|\.)localhost\.?$/i.test(host)) throw fail('blocked');
  const literal = net.isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await abortable(policy.resolve(host), signal);
    } catch (err) {
      if (err instanceof SafeFetchError) throw err;
      throw fail('network', 'The site could not be found (its name does not resolve).');
    }
  }
  if (addresses.length === 0) throw fail('network', 'The site could not be found (its name does not resolve).');
  for (const a of addresses) {
    if (!net.isIP(a.address) || !policy.isAllowedAddress(a.address)) throw fail('blocked');
  }
  return addresses.find((a) => a.family === 4) ?? addresses[0]!;
}

/** Rejects with the abort's SafeFetchError as soon as the signal fires. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function abortError(signal: AbortSignal): SafeFetchError {
  const reason: unknown = signal.reason;
  if (reason instanceof SafeFetchError) return reason;
  return fail('timeout');
}

/** A `lookup` that always answers the pre-checked address, whatever name is asked. */
function pinnedLookup(pinned: ResolvedAddress): net.LookupFunction {
  return ((_hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as net.LookupFunction;
}

interface Hop {
  status: number;
  location: string | undefined;
  contentType: string;
  body: string | null;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Node's codes for a certificate that fails verification (untrusted, expired, wrong name). */
const TLS_ERRORS = /^(ERR_TLS_CERT_ALTNAME_INVALID|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

/** One request to the pinned address; reads the body only for an accepted 2xx answer. */
function requestOnce(url: URL, pinned: ResolvedAddress, o: { maxBytes: number; contentTypes: readonly string[]; ca: string | Buffer | undefined }, signal: AbortSignal): Promise<Hop> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    let response: http.IncomingMessage | undefined;
    let body: Readable | undefined;
    const finish = (err: Error | null, hop?: Hop) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // Whatever is left unread is dropped with the connection (a redirect's body, an over-long page).
      body?.destroy();
      response?.destroy();
      req.destroy();
      if (err) reject(err);
      else resolve(hop!);
    };
    const onAbort = () => finish(abortError(signal));

    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request({
      protocol: url.protocol,
      hostname: bareHost(url),
      port: portOf(url),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: {
        'user-agent': 'Project88Hub-StyleImport/1.0 (+colours and fonts for race displays)',
        accept: 'text/html,text/css;q=0.9',
        'accept-encoding': 'gzip, deflate, br',
      },
      // A fresh connection per request (no pooled socket picked by host name), to the checked address.
      agent: false,
      lookup: pinnedLookup(pinned),
      // https: SNI and certificate checks use the host name above, not the pinned address.
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
    });
    signal.addEventListener('abort', onAbort, { once: true });

    req.on('error', (err: NodeJS.ErrnoException) => finish(TLS_ERRORS.test(err.code ?? '') ? fail('network', 'The site\'s security certificate is not valid for that address.') : fail('network')));
    req.on('response', (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const contentType = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (REDIRECTS.has(status)) {
        return finish(null, { status, location: res.headers.location, contentType, body: null });
      }
      if (status < 200 || status > 299) {
        return finish(new SafeFetchError('http_status', `The site answered with HTTP ${status}.`, status));
      }
      if (!o.contentTypes.includes(contentType)) return finish(fail('content_type'));
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) return finish(fail('too_large'));

      const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(zlib.createGunzip());
      else if (encoding === 'deflate') body = res.pipe(zlib.createInflate());
      else if (encoding === 'br') body = res.pipe(zlib.createBrotliDecompress());
      else if (encoding === 'identity' || encoding === '') body = res;
      else return finish(fail('content_type', 'The site sent its page in an encoding we cannot read.'));

      const chunks: Buffer[] = [];
      let received = 0;
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > o.maxBytes) return finish(fail('too_large'));
        chunks.push(chunk);
      });
      body.on('error', () => finish(fail('network', 'The site stopped answering halfway.')));
      res.on('error', () => finish(fail('network', 'The site stopped answering halfway.')));
      res.on('aborted', () => finish(fail('network', 'The site stopped answering halfway.')));
      body.on('end', () => finish(null, { status, location: undefined, contentType, body: decode(Buffer.concat(chunks), res.headers['content-type']) }));
    });
    req.end();
  });
}

function decode(buf: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(buf);
  } catch {
    return new TextDecoder('utf-8').decode(buf);
  }
}

/**
 * GETs a user-supplied URL under the SSRF rules above and returns its text. Throws
 * SafeFetchError (kind + user-facing message) on any refusal or failure.
 */
export async function safeFetch(rawUrl: string | URL, options: SafeFetchOptions = {}): Promise<SafeFetchResponse> {
  const allowedPorts = options.allowedPorts ?? SAFE_FETCH_DEFAULTS.allowedPorts;
  const policy = {
    isAllowedAddress: options.isAllowedAddress ?? isPublicAddress,
    resolve: options.resolve ?? defaultResolve,
  };
  const maxRedirects = options.maxRedirects ?? SAFE_FETCH_DEFAULTS.maxRedirects;
  const limits = {
    maxBytes: options.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes,
    contentTypes: options.contentTypes ?? SAFE_FETCH_DEFAULTS.contentTypes,
    ca: options.ca,
  };
  const deadline = AbortSignal.timeout(options.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;

  let url = checkUrl(rawUrl, allowedPorts);
  for (let hop = 0; ; hop++) {
    const pinned = await checkedAddress(url, policy, signal);
    const res = await requestOnce(url, pinned, limits, signal);
    if (res.body !== null) return { url: url.toString(), status: res.status, contentType: res.contentType, body: res.body };
    if (hop >= maxRedirects) throw fail('too_many_redirects');
    if (!res.location) throw fail('network', 'The site sent a redirect without a destination.');
    let next: URL;
    try {
      next = new URL(res.location, url);
    } catch {
      throw fail('network', 'The site redirected to an address that is not valid.');
    }
    // The redirect target is checked exactly like an address the user typed.
    url = checkUrl(next, allowedPorts);
  }
}

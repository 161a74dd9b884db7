/** CTP01 authentication strings: what the client sends in `authorize~<user>~<string>`. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthMethod } from './messages.js';

/** Computes the credential a client sends for a method, seed and password (hex digests). */
export function authString(method: Exclude<AuthMethod, 'none'>, seed: string, password: string): string {
  switch (method) {
    case 'plaintext':
      return password;
    case 'hmac-sha1':
      return createHmac('sha1', password).update(seed).digest('hex');
    case 'hmac-md5':
      return createHmac('md5', password).update(seed).digest('hex');
    case 'seed-sha1':
      return createHash('sha1').update(seed + password).digest('hex');
    case 'seed-md5':
      return createHash('md5').update(seed + password).digest('hex');
  }
}

/** Checks a client's credential in constant time; hex digests compare case-insensitively. */
export function verifyAuth(
  method: Exclude<AuthMethod, 'none'>,
  seed: string,
  password: string,
  credential: string,
): boolean {
  const expected = authString(method, seed, password);
  const got = method === 'plaintext' ? credential : credential.toLowerCase();
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Bearer secrets (session cookies, API tokens, reset and invitation links): 256 random bits,
 * stored only as their SHA-256. A fast hash is right here: unlike passwords, these values
 * cannot be guessed, so there is nothing for a slow hash to protect against.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_PREFIX = 'p88_';

/** A new secret: prefix + 43 base64url characters. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** The stored form of a secret: SHA-256, lower-case hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The CSRF token of a browser session, derived from the session cookie so nothing more is
 * stored; a page reads it from the login or /me answer and sends it as x-csrf-token.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return createHash('sha256').update('p88-csrf\0' + sessionSecret, 'utf8').digest('base64url');
}

/** Constant-time string comparison (for secrets a client sends). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Shape check before any lookup: a token is prefix + 43 base64url characters. */
export function looksLikeSecret(value: string, prefix = ''): boolean {
  return value.length === prefix.length + 43 && value.startsWith(prefix) && /^[A-Za-z0-9_-]+$/.test(value.slice(prefix.length));
}

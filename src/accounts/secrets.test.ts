import { describe, expect, it } from 'vitest';
import { csrfTokenFor, hashSecret, looksLikeSecret, newSecret, sameSecret } from './secrets.js';

describe('secrets', () => {
  it('makes 256-bit base64url secrets with an optional prefix', () => {
    expect(newSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret('p88_')).toMatch(/^p88_[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(newSecret());
  });

  it('stores SHA-256 hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('derives a CSRF token that is neither the secret nor its stored hash', () => {
    const s = newSecret();
    const csrf = csrfTokenFor(s);
    expect(csrf).toBe(csrfTokenFor(s));
    expect(csrf).not.toBe(s);
    expect(csrf).not.toBe(hashSecret(s));
    expect(csrfTokenFor(newSecret())).not.toBe(csrf);
  });

  it('compares and shape-checks', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(looksLikeSecret(newSecret('p88_'), 'p88_')).toBe(true);
    expect(looksLikeSecret(newSecret(), 'p88_')).toBe(false);
    expect(looksLikeSecret('p88_' + 'a'.repeat(42) + '!', 'p88_')).toBe(false);
  });
});

import { createHash, createHmac } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { authString, verifyAuth } from './auth.js';
import type { AuthMethod } from './messages.js';

type Method = Exclude<AuthMethod, 'none'>;
const METHODS: Method[] = ['plaintext', 'hmac-sha1', 'hmac-md5', 'seed-sha1', 'seed-md5'];

/** The digest as the spec defines it, computed here without the code under test. */
function expected(method: Method, seed: string, password: string): string {
  switch (method) {
    case 'plaintext':
      return password;
    case 'hmac-sha1':
      return createHmac('sha1', Buffer.from(password, 'utf8')).update(Buffer.from(seed, 'utf8')).digest('hex');
    case 'hmac-md5':
      return createHmac('md5', Buffer.from(password, 'utf8')).update(Buffer.from(seed, 'utf8')).digest('hex');
    case 'seed-sha1':
      return createHash('sha1').update(Buffer.from(`${seed}${password}`, 'utf8')).digest('hex');
    case 'seed-md5':
      return createHash('md5').update(Buffer.from(`${seed}${password}`, 'utf8')).digest('hex');
  }
}

const CASES: Array<[string, string]> = [
  ['9f86d081884c7d65', 's3cret'],
  ['', 'pw'],
  ['a1b2c3', ''],
  ['seed with spaces', 'pässwörd€'],
];

describe('authString', () => {
  it('matches published HMAC test vectors (RFC 2202): key = password, message = seed', () => {
    const seed = 'what do ya want for nothing?';
    expect(authString('hmac-sha1', seed, 'Jefe')).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
    expect(authString('hmac-md5', seed, 'Jefe')).toBe('750c783e6ab0b503eaa86e310a5db738');
  });

  it('hashes seed then password for seed-* (FIPS 180 / RFC 1321 "abc" vectors)', () => {
    expect(authString('seed-sha1', 'ab', 'c')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(authString('seed-md5', 'a', 'bc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    // Password first would hash "cab": a different digest.
    expect(authString('seed-sha1', 'c', 'ab')).not.toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  for (const method of METHODS) {
    it(`computes ${method} like an independent implementation`, () => {
      for (const [seed, password] of CASES) {
        const got = authString(method, seed, password);
        expect(got).toBe(expected(method, seed, password));
        if (method !== 'plaintext') expect(got).toMatch(method.endsWith('sha1') ? /^[0-9a-f]{40}$/ : /^[0-9a-f]{32}$/);
      }
    });
  }

  it('sends the password itself for plaintext', () => {
    expect(authString('plaintext', 'ignored-seed', 'Hunter2')).toBe('Hunter2');
  });
});

describe('verifyAuth', () => {
  for (const method of METHODS) {
    it(`accepts the right ${method} credential and rejects wrong ones`, () => {
      for (const [seed, password] of CASES) {
        const good = expected(method, seed, password);
        expect(verifyAuth(method, seed, password, good)).toBe(true);
        expect(verifyAuth(method, seed, password, `${good}0`)).toBe(false);
        if (good !== '') expect(verifyAuth(method, seed, password, good.slice(0, -1))).toBe(false);
        expect(verifyAuth(method, seed, `${password}x`, good)).toBe(false);
        if (method !== 'plaintext') {
          // The same password against another connection's seed must not pass (no replay).
          expect(verifyAuth(method, `${seed}x`, password, good)).toBe(false);
          const flipped = (good[0] === '0' ? '1' : '0') + good.slice(1);
          expect(verifyAuth(method, seed, password, flipped)).toBe(false);
        }
      }
    });
  }

  it('accepts upper-case hex digests', () => {
    for (const method of METHODS.filter((m) => m !== 'plaintext')) {
      const good = expected(method, 'SeedXYZ', 'pw');
      expect(good).toMatch(/[a-f]/);
      expect(verifyAuth(method, 'SeedXYZ', 'pw', good.toUpperCase())).toBe(true);
    }
  });

  it('compares plaintext passwords exactly, case included', () => {
    expect(verifyAuth('plaintext', 'seed', 'Secret', 'Secret')).toBe(true);
    expect(verifyAuth('plaintext', 'seed', 'Secret', 'secret')).toBe(false);
    expect(verifyAuth('plaintext', 'seed', 'abcdef', 'ABCDEF')).toBe(false);
    expect(verifyAuth('plaintext', 'seed', 'Secret', '')).toBe(false);
  });

  it('rejects a digest made with the other method or algorithm', () => {
    expect(verifyAuth('hmac-sha1', 's', 'pw', expected('seed-sha1', 's', 'pw'))).toBe(false);
    expect(verifyAuth('hmac-md5', 's', 'pw', expected('hmac-sha1', 's', 'pw'))).toBe(false);
    expect(verifyAuth('seed-md5', 's', 'pw', expected('hmac-md5', 's', 'pw'))).toBe(false);
    expect(verifyAuth('hmac-sha1', 's', 'pw', 'pw')).toBe(false);
  });

  it('does not throw on credentials of odd lengths or characters', () => {
    for (const credential of ['', 'é', '\0'.repeat(40), 'İ'.repeat(40), 'x'.repeat(10_000)]) {
      expect(verifyAuth('hmac-sha1', 's', 'pw', credential)).toBe(false);
      expect(verifyAuth('plaintext', 's', 'pw', credential)).toBe(false);
    }
  });
});

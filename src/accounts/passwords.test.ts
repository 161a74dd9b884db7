import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { generatePassword, HASH_LANES, hashLaneStats, hashPassword, MAX_CONCURRENT_HASHES, needsRehash, verifyNothing, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with argon2id at the chosen parameters, salted', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
  });

  it('verifies the right password only', async () => {
    const h = await hashPassword('correct horse battery');
    expect(await verifyPassword(h, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(h, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(h, '')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(await verifyNothing('anything')).toBe(false);
  });

  it('asks for a rehash when the parameters are not today’s', async () => {
    expect(needsRehash(await hashPassword('x'.repeat(12)))).toBe(false);
    expect(needsRehash(await hash('x'.repeat(12), { memoryCost: 8192, timeCost: 1 }))).toBe(true);
    expect(needsRehash('$2b$10$bcrypt-style-hash')).toBe(true);
  });

  it('runs many hashes at once correctly, a few at a time', async () => {
    expect(MAX_CONCURRENT_HASHES).toBeGreaterThanOrEqual(1);
    const passwords = Array.from({ length: 6 }, (_, i) => `password number ${i}`);
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    const checks = await Promise.all(hashes.map((h, i) => verifyPassword(h, passwords[i]!)));
    expect(checks).toEqual(Array(6).fill(true));
    const crossed = await Promise.all(hashes.map((h, i) => verifyPassword(h, passwords[(i + 1) % 6]!)));
    expect(crossed).toEqual(Array(6).fill(false));
  });

  it('answers 503 server_busy at once past a lane\'s queue, and keeps sign-in checks flowing under other hashing', async () => {
    const stored = await hashPassword('correct horse battery');
    const { slots, queue } = HASH_LANES.other;
    const flood = Array.from({ length: slots + queue }, (_, i) => hashPassword(`flood password ${i}`));
    expect(hashLaneStats().other).toEqual({ running: slots, waiting: queue });
    const started = performance.now();
    const refused = await hashPassword('one too many').then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('server_busy');
    expect((refused as AppError).status).toBe(503);
    expect(performance.now() - started).toBeLessThan(50);
    // A sign-in check does not wait behind the flood: it finishes while most of it still waits.
    expect(await verifyPassword(stored, 'correct horse battery', 'sign-in')).toBe(true);
    expect(hashLaneStats().other.waiting).toBeGreaterThan(queue / 2);
    await Promise.all(flood);
    expect(hashLaneStats()).toEqual({ 'sign-in': { running: 0, waiting: 0 }, other: { running: 0, waiting: 0 } });
  });

  it('generates long random passwords', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

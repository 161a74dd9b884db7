/**
 * Password hashing with argon2id (OWASP's minimum: 19 MiB, 2 passes, 1 lane), stored as the
 * self-describing PHC string, so raising the parameters later rehashes each password at its
 * next successful sign-in instead of invalidating them.
 */
import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify } from '@node-rs/argon2';
import { AppError } from '../errors.js';

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum the compiler cannot inline across modules)

export const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 10;
/** argon2 takes any length; a cap keeps one request from buying seconds of CPU. */
export const PASSWORD_MAX = 256;

/**
 * argon2 runs on libuv's small thread pool, which the collector's spool (fs) shares in a
 * one-process `p88 start`; a flood of hashing must not queue ahead of it, nor ahead of
 * sign-ins. Hashing goes through lanes: each lane runs at most `slots` hashes at once (each
 * holds 19 MiB) and lets at most `queue` more wait; past that the call fails at once with 503
 * server_busy instead of waiting behind work it cannot overtake. Sign-in has a lane of its
 * own, so changing passwords, resets, invitations and account creation (lane `other`) can
 * never starve it, and a sign-in flood (already bounded per address) cannot starve them.
 */
export type HashLane = 'sign-in' | 'other';

export const HASH_LANES: Record<HashLane, { slots: number; queue: number }> = {
  'sign-in': { slots: 1, queue: 32 },
  other: { slots: 1, queue: 16 },
};
/** Hashes running at most at once, all lanes together. */
export const MAX_CONCURRENT_HASHES = Object.values(HASH_LANES).reduce((n, l) => n + l.slots, 0);

class Lane {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limits: { slots: number; queue: number }) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.slots) {
      if (this.waiting.length >= this.limits.queue) throw new AppError('server_busy', 'Too many password checks at once; try again in a moment.', { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

const lanes: Record<HashLane, Lane> = { 'sign-in': new Lane(HASH_LANES['sign-in']), other: new Lane(HASH_LANES.other) };

/** Hashes running and waiting per lane (tests, bench). */
export function hashLaneStats(): Record<HashLane, { running: number; waiting: number }> {
  return { 'sign-in': lanes['sign-in'].stats, other: lanes.other.stats };
}

/** Throws 503 server_busy when the lane's queue is full. */
export async function hashPassword(password: string, lane: HashLane = 'other'): Promise<string> {
  return lanes[lane].run(() => hash(password, HASH_OPTIONS));
}

/**
 * False for a wrong password and for a stored value that is not an argon2 hash; throws 503
 * server_busy when the lane's queue is full.
 */
export async function verifyPassword(stored: string, password: string, lane: HashLane = 'other'): Promise<boolean> {
  return lanes[lane].run(async () => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  });
}

/** Whether a stored hash was made with other parameters than today's. */
export function needsRehash(stored: string): boolean {
  try {
    const o = parseOptions(stored);
    return (
      (o.algorithm as number) !== ARGON2ID ||
      o.memoryCost !== HASH_OPTIONS.memoryCost ||
      o.timeCost !== HASH_OPTIONS.timeCost ||
      o.parallelism !== HASH_OPTIONS.parallelism
    );
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as checking a real password, for sign-ins whose account does not
 * exist or has no password: the answer time must not tell which emails have accounts.
 */
export async function verifyNothing(password: string, lane: HashLane = 'sign-in'): Promise<false> {
  dummy ??= hash(randomBytes(16).toString('hex'), HASH_OPTIONS);
  await verifyPassword(await dummy, password, lane);
  return false;
}

/** A random password for accounts created by command (shown once): 20 characters, ~120 bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

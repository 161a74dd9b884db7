import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

const backoff = { baseMs: 1000, maxMs: 60_000 };

describe('retryDelayMs', () => {
  it('doubles the ceiling per retry and jitters within its upper half', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, backoff, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, backoff, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(3, backoff, () => 0.5)).toBe(3000);
  });

  it('stops growing at maxMs, even after very many retries', () => {
    expect(retryDelayMs(7, backoff, () => 1)).toBe(60_000);
    expect(retryDelayMs(7, backoff, () => 0)).toBe(30_000);
    expect(retryDelayMs(5000, backoff, () => 1)).toBe(60_000);
  });

  it('spreads jobs that failed together (the default randomness)', () => {
    const delays = Array.from({ length: 200 }, () => retryDelayMs(3, backoff));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it('refuses a retry number that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => retryDelayMs(n, backoff)).toThrow(/positive integer/);
  });
});

/**
 * Exponential backoff with "equal jitter": retry n waits between half and all of
 * min(maxMs, baseMs · 2^(n−1)). The random half spreads retries of jobs that failed together
 * (a provider outage) so they do not all come back in the same instant; the fixed half keeps
 * the delay growing.
 */
export function retryDelayMs(retry: number, backoff: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) throw new Error(`retry must be a positive integer: ${retry}`);
  // 2^(n−1) overflows nothing below 2^1023; the cap applies long before.
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(retry - 1, 60));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

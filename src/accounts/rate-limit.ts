/**
 * A small in-memory fixed-window counter per key (sign-in per IP, per email). Per process:
 * with several web nodes each allows the limit, which still bounds guessing; the lockout
 * kept in the database is the limit that holds across nodes.
 */

export interface Verdict {
  ok: boolean;
  /** When the key may try again (ms from now); 0 when ok. */
  retryAfterMs: number;
  /** Events counted for the key in this window, this one included (0 for check). */
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    /** Memory bound: past this many keys, expired windows are dropped (then the oldest). */
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one event for the key; not ok once the key is over the limit in this window. */
  hit(key: string): Verdict {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (!w && this.windows.size >= this.maxKeys) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    const ok = w.count <= this.limit;
    return { ok, retryAfterMs: ok ? 0 : w.start + this.windowMs - now, count: w.count };
  }

  /** Whether the key is over the limit now, without counting. */
  check(key: string): Verdict {
    const now = this.now();
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs || w.count < this.limit) return { ok: true, retryAfterMs: 0, count: 0 };
    return { ok: false, retryAfterMs: w.start + this.windowMs - now, count: 0 };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    // Still full: drop the oldest (Map iterates in insertion order).
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}

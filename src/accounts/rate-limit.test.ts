import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('allows the limit per window and key, then refuses until the window ends', () => {
    let now = 1_000;
    const rl = new RateLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => rl.hit('a').ok)).toEqual([true, true, true]);
    expect(rl.hit('a')).toEqual({ ok: false, retryAfterMs: 60_000, count: 4 });
    expect(rl.hit('b').ok).toBe(true);
    now += 59_999;
    expect(rl.hit('a')).toEqual({ ok: false, retryAfterMs: 1, count: 5 });
    now += 1;
    expect(rl.hit('a')).toEqual({ ok: true, retryAfterMs: 0, count: 1 });
  });

  it('check() reports a full key without counting', () => {
    let now = 0;
    const rl = new RateLimiter(2, 1000, () => now);
    rl.hit('k');
    expect(rl.check('k').ok).toBe(true);
    rl.hit('k');
    expect(rl.check('k')).toEqual({ ok: false, retryAfterMs: 1000, count: 0 });
    expect(rl.check('k').ok).toBe(false);
    now = 1000;
    expect(rl.check('k').ok).toBe(true);
    rl.hit('k');
    rl.reset('k');
    expect(rl.check('k').ok).toBe(true);
  });

  it('stays within its key bound', () => {
    let now = 0;
    const rl = new RateLimiter(1, 1000, () => now, 10);
    for (let i = 0; i < 100; i++) rl.hit(`k${i}`);
    expect((rl as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(10);
    now = 5000;
    expect(rl.hit('k99').ok).toBe(true);
  });
});

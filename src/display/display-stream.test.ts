import { describe, expect, it } from 'vitest';
import { RecentIds } from './display-stream.js';

describe('RecentIds', () => {
  it('refuses an id it holds and forgets the oldest beyond its capacity', () => {
    const ids = new RecentIds(3);
    expect([1, 2, 3].map((id) => ids.add(id))).toEqual([true, true, true]);
    expect(ids.add(2)).toBe(false);
    expect(ids.add(4)).toBe(true); // holds 2, 3, 4: 1 forgotten
    expect(ids.add(1)).toBe(true); // holds 3, 4, 1
    expect([3, 4, 1].map((id) => ids.add(id))).toEqual([false, false, false]);
    expect(ids.add(2)).toBe(true); // 3 forgotten
    expect(ids.add(3)).toBe(true);
  });
});

/** The display page's own logic (ui/src/display), without a browser: queue and field values. */
import { describe, expect, it } from 'vitest';
import { fieldValues, formatElapsed, type Runner } from '../ui/src/display/fields.js';
import { ScreenQueue } from '../ui/src/display/queue.js';
import { CROSSING_ORDER_WINDOW_MS, FinisherBoard } from '../ui/src/display/board.js';

describe('a screen’s runner queue', () => {
  const opts = { minDisplayMs: 5_000, maxQueue: 2, dropPolicy: 'oldest' as const };

  it('shows a runner at once on an idle screen, keeps it the minimum time, then the next in order, then idle', () => {
    const q = new ScreenQueue<string>(opts);
    q.push('A', 0);
    expect(q.onScreen).toBe('A');
    q.push('B', 1_000);
    expect([q.onScreen, ...q.queue]).toEqual(['A', 'B']);
    expect(q.tick(4_999)).toBe(false);
    expect(q.onScreen).toBe('A');
    expect(q.nextChangeAt()).toBe(5_000);
    expect(q.tick(5_000)).toBe(true);
    expect(q.onScreen).toBe('B');
    expect(q.nextChangeAt()).toBe(10_000); // B's own minimum, from when it showed
    expect(q.tick(10_000)).toBe(true);
    expect(q.onScreen).toBeNull();
    expect(q.nextChangeAt()).toBeNull();
    expect(q.shown).toBe(2);
  });

  it('drops the oldest waiting runner when full (policy oldest)', () => {
    const q = new ScreenQueue<string>(opts);
    for (const [i, r] of ['A', 'B', 'C', 'D'].entries()) q.push(r, i);
    expect([q.onScreen, ...q.queue]).toEqual(['A', 'C', 'D']);
    expect(q.dropped).toBe(1);
  });

  it('refuses newcomers when full (policy newest)', () => {
    const q = new ScreenQueue<string>({ ...opts, dropPolicy: 'newest' });
    for (const [i, r] of ['A', 'B', 'C', 'D'].entries()) q.push(r, i);
    expect([q.onScreen, ...q.queue]).toEqual(['A', 'B', 'C']);
    expect(q.dropped).toBe(1);
  });

  it('lets the operator show a runner at once and clear everything', () => {
    const q = new ScreenQueue<string>(opts);
    q.push('A', 0);
    q.push('B', 1);
    q.showNow('X', 2);
    expect([q.onScreen, ...q.queue]).toEqual(['X', 'B']);
    q.clear();
    expect([q.onScreen, ...q.queue]).toEqual([null]);
  });

  it('applies a smaller queue limit at once when the link changes', () => {
    const q = new ScreenQueue<string>({ ...opts, maxQueue: 5 });
    for (const [i, r] of ['A', 'B', 'C', 'D'].entries()) q.push(r, i);
    q.setOptions({ ...opts, maxQueue: 1 });
    expect(q.queue).toEqual(['D']);
    expect(q.dropped).toBe(2);
  });
});

describe('field values', () => {
  const runner: Runner = {
    bib: '7', first_name: 'Ada', last_name: 'Lovelace', name: 'Ada Lovelace', city: 'London', state: '', country: 'GBR', city_state: 'London',
    age: '36', gender: 'F', division: 'F35-39', race: '10K', wave: '', team: '', message: '', server_message: 'Bravo!',
    location: 'finish', readTimeMs: Date.UTC(2026, 0, 1, 10, 0, 0), elapsedMs: 3_723_000, unknown: false,
  };

  it('formats elapsed time and falls back to the rotating message; nothing unknown shows as a placeholder', () => {
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(59_000)).toBe('0:59');
    expect(formatElapsed(null)).toBe('');
    const v = fieldValues(runner, 'Keep going!');
    expect(v).toMatchObject({ name: 'Ada Lovelace', message: 'Keep going!', elapsed: '1:02:03', wave: '', idle_message: '', server_message: 'Bravo!' });
    expect(Object.values(v).some((x) => /\{\{|undefined|null/.test(x))).toBe(false);
    expect(fieldValues({ ...runner, message: 'Go Ada!' }, 'Keep going!').message).toBe('Go Ada!');
  });

  it('names an unknown runner by bib', () => {
    const v = fieldValues({ ...runner, name: '', first_name: '', last_name: '', unknown: true, bib: '999' }, '');
    expect(v.name).toBe('Bib 999');
  });
});

describe('a board’s finishers', () => {
  const base: Runner = {
    bib: '', first_name: '', last_name: '', name: '', city: '', state: '', country: '', city_state: '', age: '', gender: 'F',
    division: '', race: '10K', wave: '', team: '', message: '', server_message: '', location: 'finish', readTimeMs: 0, elapsedMs: null, unknown: false,
  };
  const at = (bib: string, readTimeMs: number, elapsedMs: number | null = readTimeMs, gender = 'F'): Runner => ({ ...base, bib, readTimeMs, elapsedMs, gender });

  it('puts reads arriving together in crossing order (regression: two writers commit out of order), a late-coming read on top', () => {
    const board = new FinisherBoard();
    board.add(at('1', 1_000), 10_000);
    board.add(at('2', 2_000), 10_100);
    board.add(at('4', 4_000), 10_200);
    board.add(at('3', 3_000), 10_300); // crossed before 4, arrived 100 ms after it
    expect(board.rows('recent', 10).map((r) => r.bib)).toEqual(['4', '3', '2', '1']);
    expect(board.rows('recent', 2).map((r) => r.bib)).toEqual(['4', '3']);
    // Long after: a read a timing box buffered while cut off is news, not history.
    board.add(at('0', 500), 10_300 + CROSSING_ORDER_WINDOW_MS + 1);
    expect(board.rows('recent', 2).map((r) => r.bib)).toEqual(['0', '4']);
  });

  it('moves a runner read again later up, once, and keeps each runner’s best time on the leaderboard', () => {
    const board = new FinisherBoard();
    for (const [i, r] of [at('1', 1_000, 900), at('2', 2_000, 1_500), at('1', 5_000, 4_000), at('3', 3_000, 1_200, 'M')].entries()) board.add(r, i * 10_000);
    expect(board.rows('recent', 10).map((r) => r.bib)).toEqual(['3', '1', '2']); // arrived far apart: in arrival order
    expect(board.rows('leaderboard', 10).map((r) => [r.bib, r.elapsedMs])).toEqual([['1', 900], ['3', 1_200], ['2', 1_500]]);
    expect(board.rows('leaderboard', 10, { gender: 'F' }).map((r) => r.bib)).toEqual(['1', '2']);
  });
});

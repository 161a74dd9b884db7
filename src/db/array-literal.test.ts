import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { numberArray, textArray } from './array-literal.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('array literals', () => {
  it('round-trip awkward strings and numbers through PostgreSQL unchanged', async () => {
    const texts = ['plain', 'with "quotes"', 'back\\slash', 'comma,brace{}', ' spaced ', '', 'NULL', 'ünïcødé ✓', 'CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1'];
    const nums = [0, -1, 42, 1.5, 1700000000000.25, 999999];
    const r = await t.db.query<{ t: string[]; n: number[] }>(`SELECT $1::text[] AS t, $2::float8[] AS n`, [textArray(texts), numberArray(nums)]);
    expect(r.rows[0]!.t).toEqual(texts);
    expect(r.rows[0]!.n).toEqual(nums);
  });

  it('round-trips strings that need no escaping (the joined fast path) unchanged', async () => {
    const texts = ['plain', '', 'NULL', 'comma,brace{}', ' spaced ', 'ünïcødé ✓', 'CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1'];
    const r = await t.db.query<{ t: string[] }>(`SELECT $1::text[] AS t`, [textArray(texts)]);
    expect(r.rows[0]!.t).toEqual(texts);
    expect((await t.db.query<{ t: string[] }>(`SELECT $1::text[] AS t`, [textArray([''])])).rows[0]!.t).toEqual(['']);
  });

  it('builds empty arrays and refuses non-finite numbers', () => {
    expect(textArray([])).toBe('{}');
    expect(numberArray([])).toBe('{}');
    expect(() => numberArray([NaN])).toThrow(TypeError);
  });
});

import { describe, it, expect } from 'vitest';
import { detectFormat, formatTime, parseTime, TimeKind } from './time.js';

const H = 3_600_000;
const M = 60_000;
const S = 1000;

describe('parseTime: normal', () => {
  it.each([
    ['14:02:15.31', 14 * H + 2 * M + 15 * S + 310],
    ['14:02:15.3', 14 * H + 2 * M + 15 * S + 300],
    ['14:02:15.312', 14 * H + 2 * M + 15 * S + 312],
    ['14:02:15.312345', 14 * H + 2 * M + 15 * S + 312],
    ['14:02:15.3126', 14 * H + 2 * M + 15 * S + 313],
    ['14:02:15', 14 * H + 2 * M + 15 * S],
    ['14:02:15.00', 14 * H + 2 * M + 15 * S],
    ['4:02:15.05', 4 * H + 2 * M + 15 * S + 50],
    ['00:00:00.00', 0],
    ['23:59:59.99', 24 * H - 10],
    ['24:00:00.00', 24 * H],
    ['102:12:32.37', 102 * H + 12 * M + 32 * S + 370],
    ['999:59:59.99', 1000 * H - 10],
  ])('%s is %d ms after midnight', (text, ms) => {
    expect(parseTime(text, 'normal')).toEqual({ kind: TimeKind.TimeOfDay, ms });
    expect(parseTime(text)).toEqual({ kind: TimeKind.TimeOfDay, ms });
  });

  it.each(['1000:00:00', '14:60:00', '14:02:60', '14:2:15', '14:02:15.', '14:02:15.1234567', '-1:00:00', '14:02:15,31', ' 14:02:15', '14:02'])(
    '%j is not a normal time',
    (text) => {
      expect(parseTime(text, 'normal')).toBeNull();
    },
  );
});

describe('parseTime: iso', () => {
  it('reads local wall-clock time as if it were UTC', () => {
    expect(parseTime('2008-10-16T14:02:15.31', 'iso')).toEqual({
      kind: TimeKind.LocalDateTime,
      ms: Date.UTC(2008, 9, 16, 14, 2, 15, 310),
    });
    expect(parseTime('2008-10-16T14:02:15', 'iso')).toEqual({ kind: TimeKind.LocalDateTime, ms: Date.UTC(2008, 9, 16, 14, 2, 15) });
    expect(parseTime('2008-10-16T14:02:15.3')?.ms).toBe(Date.UTC(2008, 9, 16, 14, 2, 15, 300));
    expect(parseTime('2008-10-16T14:02:15.317')?.ms).toBe(Date.UTC(2008, 9, 16, 14, 2, 15, 317));
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseTime('2008-02-29T10:00:00.00', 'iso')?.ms).toBe(Date.UTC(2008, 1, 29, 10));
    expect(parseTime('2000-02-29T10:00:00.00', 'iso')?.ms).toBe(Date.UTC(2000, 1, 29, 10));
    expect(parseTime('2009-02-29T10:00:00.00', 'iso')).toBeNull();
    expect(parseTime('1900-02-29T10:00:00.00', 'iso')).toBeNull();
  });

  it.each([
    '2008-02-31T10:00:00.00',
    '2008-02-30T10:00:00.00',
    '2008-04-31T10:00:00.00',
    '2008-13-01T10:00:00.00',
    '2008-00-10T10:00:00.00',
    '2008-10-00T10:00:00.00',
    '2008-10-32T10:00:00.00',
    '2008-10-16T24:00:00.00',
    '2008-10-16T14:60:00.00',
    '2008-10-16T14:02:15.31Z',
    '2008-10-16T14:02:15+02:00',
    '2008-10-16 14:02:15',
    '08-10-16T14:02:15',
    '2008-10-16',
  ])('%j is not an iso time', (text) => {
    expect(parseTime(text, 'iso')).toBeNull();
    expect(parseTime(text)).toBeNull();
  });

  it('agrees with the regex it replaced on every one-character change of valid times', () => {
    // The parser reads fields by position; the reference is the former regex and arithmetic.
    const reference = (text: string): number | null => {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):([0-5]\d):([0-5]\d)(?:\.(\d{1,6}))?$/.exec(text);
      if (!m) return null;
      const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
      const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
      if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23) return null;
      const frac = m[7] ? Math.round(Number(m[7]) * 10 ** (3 - m[7].length)) : 0;
      return Date.UTC(y + 400, mo - 1, d, h, Number(m[5]), Number(m[6])) - 146_097 * 86_400_000 + frac;
    };
    const seeds = ['2008-10-16T14:02:15.31', '2000-02-29T23:59:59', '0024-02-29T10:00:00.123456', '1999-12-31T00:00:00.9'];
    const replacements = ['0', '1', '2', '5', '6', '9', ':', '-', 'T', '.', ' ', 'x', '/', '٣', ''];
    let checked = 0;
    for (const seed of seeds) {
      for (let i = 0; i <= seed.length; i++) {
        for (const c of replacements) {
          for (const text of [seed.slice(0, i) + c + seed.slice(i + 1), seed.slice(0, i) + c + seed.slice(i)]) {
            expect(parseTime(text, 'iso')?.ms ?? null, text).toBe(reference(text));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('reads years 0-99 as written, not as 1900-1999', () => {
    const expected = new Date(0);
    expected.setUTCFullYear(24, 1, 29);
    expected.setUTCHours(10, 0, 0, 0);
    expect(parseTime('0024-02-29T10:00:00', 'iso')).toEqual({ kind: TimeKind.LocalDateTime, ms: expected.getTime() });
  });

  it('rounds a sub-millisecond fraction into the next day instead of rejecting it', () => {
    expect(parseTime('2008-10-16T23:59:59.9996', 'iso')?.ms).toBe(Date.UTC(2008, 9, 17));
    expect(parseTime('2008-12-31T23:59:59.99', 'iso')?.ms).toBe(Date.UTC(2009, 0, 1) - 10);
  });
});

describe('parseTime: unix and msecs', () => {
  it('reads unix seconds with any fraction', () => {
    expect(parseTime('1224165735.31', 'unix')).toEqual({ kind: TimeKind.Epoch, ms: 1_224_165_735_310 });
    expect(parseTime('1224165735.3', 'unix')?.ms).toBe(1_224_165_735_300);
    expect(parseTime('1224165735.312', 'unix')?.ms).toBe(1_224_165_735_312);
    expect(parseTime('1224165735', 'unix')).toEqual({ kind: TimeKind.Epoch, ms: 1_224_165_735_000 });
    expect(parseTime('0.5', 'unix')).toEqual({ kind: TimeKind.Epoch, ms: 500 });
  });

  it.each(['-1224165735', '1224165735.', '.31', '12:00:00', '1e9', '1234567890123'])('%j is not a unix time', (text) => {
    expect(parseTime(text, 'unix')).toBeNull();
  });

  it('reads msecs as time of day', () => {
    expect(parseTime('43455310', 'msecs')).toEqual({ kind: TimeKind.TimeOfDay, ms: 43_455_310 });
    expect(parseTime('0', 'msecs')).toEqual({ kind: TimeKind.TimeOfDay, ms: 0 });
    expect(parseTime('3599999999', 'msecs')).toEqual({ kind: TimeKind.TimeOfDay, ms: 1000 * H - 1 });
  });

  it.each(['3600000000', '43455310.5', '-5', '', '12345678901'])('%j is not msecs', (text) => {
    expect(parseTime(text, 'msecs')).toBeNull();
  });
});

describe('parseTime: negotiated format versus detection by shape', () => {
  it('detects the format from the shape when none was negotiated', () => {
    expect(detectFormat('14:02:15.31')).toBe('normal');
    expect(detectFormat('2008-10-16T14:02:15.31')).toBe('iso');
    expect(detectFormat('1224165735.31')).toBe('unix');
    expect(detectFormat('1224165735')).toBe('unix');
    expect(detectFormat('43455310')).toBe('msecs');
    expect(detectFormat('999999999')).toBe('msecs');
    expect(detectFormat('noon')).toBeNull();
    expect(detectFormat('')).toBeNull();
  });

  it('reads digits by the negotiated format, which can differ from the guess', () => {
    expect(parseTime('43455310')).toEqual({ kind: TimeKind.TimeOfDay, ms: 43_455_310 });
    expect(parseTime('43455310', 'unix')).toEqual({ kind: TimeKind.Epoch, ms: 43_455_310_000 });
    expect(parseTime('1224165735')).toEqual({ kind: TimeKind.Epoch, ms: 1_224_165_735_000 });
    expect(parseTime('1224165735', 'msecs')).toEqual({ kind: TimeKind.TimeOfDay, ms: 1_224_165_735 });
  });

  it('accepts only the negotiated format once one is known', () => {
    expect(parseTime('14:02:15.31', 'iso')).toBeNull();
    expect(parseTime('14:02:15.31', 'unix')).toBeNull();
    expect(parseTime('2008-10-16T14:02:15.31', 'normal')).toBeNull();
    expect(parseTime('1224165735.31', 'msecs')).toBeNull();
    expect(parseTime('43455310', 'normal')).toBeNull();
  });
});

describe('formatTime', () => {
  it('writes each format with hundredths, as ChronoTrack does', () => {
    expect(formatTime({ kind: TimeKind.TimeOfDay, ms: 14 * H + 2 * M + 15 * S + 310 }, 'normal')).toBe('14:02:15.31');
    expect(formatTime({ kind: TimeKind.TimeOfDay, ms: 102 * H + 12 * M + 32 * S + 370 }, 'normal')).toBe('102:12:32.37');
    expect(formatTime({ kind: TimeKind.TimeOfDay, ms: 4 * H + 5 }, 'normal')).toBe('04:00:00.00');
    expect(formatTime({ kind: TimeKind.TimeOfDay, ms: 43_455_310 }, 'msecs')).toBe('43455310');
    expect(formatTime({ kind: TimeKind.Epoch, ms: 1_224_165_735_310 }, 'unix')).toBe('1224165735.31');
    expect(formatTime({ kind: TimeKind.Epoch, ms: 1_224_165_735_005 }, 'unix')).toBe('1224165735.00');
    expect(formatTime({ kind: TimeKind.LocalDateTime, ms: Date.UTC(2008, 9, 16, 14, 2, 15, 310) }, 'iso')).toBe(
      '2008-10-16T14:02:15.31',
    );
  });

  it('truncates milliseconds to hundredths rather than rounding into the next second', () => {
    expect(formatTime({ kind: TimeKind.TimeOfDay, ms: 59_999 }, 'normal')).toBe('00:00:59.99');
  });

  it('writes wall clocks before 1970 correctly', () => {
    expect(formatTime({ kind: TimeKind.LocalDateTime, ms: Date.UTC(1969, 11, 31, 23, 0, 0, 500) }, 'iso')).toBe(
      '1969-12-31T23:00:00.50',
    );
  });
});

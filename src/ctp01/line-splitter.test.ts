import { describe, it, expect } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter.js';
import { prng, randInt, randomBytes } from './test-support.js';

type Event = { line: string } | { overlong: number };

/** A splitter whose output is recorded in order. */
function recorder(maxLineBytes?: number) {
  const events: Event[] = [];
  const splitter = new LineSplitter(
    {
      line: (text) => events.push({ line: text }),
      overlong: (bytes) => events.push({ overlong: bytes }),
    },
    maxLineBytes,
  );
  return { events, splitter };
}

/** Feeds chunks and returns what came out. */
function feed(chunks: Buffer[], maxLineBytes?: number): Event[] {
  const { events, splitter } = recorder(maxLineBytes);
  for (const c of chunks) splitter.push(c);
  return events;
}

/** Overlong byte counts depend on where a chunk happened to end; their position does not. */
function shape(events: Event[]): string[] {
  return events.map((e) => ('line' in e ? e.line : 'OVERLONG'));
}

function bytewise(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) out.push(buf.subarray(i, i + 1));
  return out;
}

const FRAMES = [
  'SimpleClient~0.4.2~CTP01\r\n',
  'authorize~timer1~0f2a38c1d4\r\n',
  'CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1\r\n',
  '\r\n',
  'CT01_33~2~start~9479~14:02:15.42~0~0F2A38~2\n',
  '\n',
  'ack~ping\r\n',
  'CT01_33~3~finish~UNKNOWN~2008-10-16T14:02:16.00~1~0F2A39~3\n',
  '\r\n\r\n\n',
  'CT01_33~4~Zielé€𝄞~12~14:02:17.01~2~0F2A39~4\r\n',
  'ack~start~finish\r\n',
  'CT01_13,5,finish,77,1224165735.31,0,0F2A39,0\n',
  'ping\r\n',
];
const WIRE = Buffer.from(FRAMES.join(''), 'utf8');
const EXPECTED = FRAMES.map((f) => f.replace(/\r?\n/g, '\u0000'))
  .flatMap((f) => f.split('\u0000'))
  .filter((l) => l !== '');

describe('LineSplitter: framing', () => {
  it('emits the expected lines when everything arrives in one chunk', () => {
    expect(EXPECTED).toHaveLength(10);
    expect(EXPECTED[2]).toBe('CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1');
    expect(EXPECTED[6]).toBe('CT01_33~4~Zielé€𝄞~12~14:02:17.01~2~0F2A39~4');
    expect(feed([WIRE])).toEqual(EXPECTED.map((line) => ({ line })));
  });

  it('gives the same lines when split into two chunks at every offset', () => {
    for (let i = 0; i <= WIRE.length; i++) {
      const events = feed([WIRE.subarray(0, i), WIRE.subarray(i)]);
      expect(shape(events), `split at ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives the same lines when split into three chunks at every pair of offsets', () => {
    for (let i = 0; i <= WIRE.length; i++) {
      for (let j = i; j <= WIRE.length; j++) {
        const events = feed([WIRE.subarray(0, i), WIRE.subarray(i, j), WIRE.subarray(j)]);
        if (shape(events).join('\n') !== EXPECTED.join('\n')) {
          expect(shape(events), `split at ${i},${j}`).toEqual(EXPECTED);
        }
      }
    }
  });

  it('gives the same lines when fed one byte at a time', () => {
    expect(shape(feed(bytewise(WIRE)))).toEqual(EXPECTED);
  });

  it('handles many frames merged in one chunk', () => {
    const many = Buffer.concat(Array.from({ length: 50 }, () => WIRE));
    const events = feed([many]);
    expect(events).toHaveLength(50 * EXPECTED.length);
    expect(shape(events)).toEqual(Array.from({ length: 50 }, () => EXPECTED).flat());
  });

  it('holds nothing once every line is complete, and the tail of an unfinished one', () => {
    const { splitter, events } = recorder();
    splitter.push(Buffer.from('ack~ping\r\nCT01_33~1~st'));
    expect(events).toEqual([{ line: 'ack~ping' }]);
    expect(splitter.buffered).toBe('CT01_33~1~st'.length);
    splitter.push(Buffer.from('art~1~14:00:00.00~0~0F2A38~1\r'));
    expect(events).toHaveLength(1);
    splitter.push(Buffer.from('\n'));
    expect(events).toEqual([{ line: 'ack~ping' }, { line: 'CT01_33~1~start~1~14:00:00.00~0~0F2A38~1' }]);
    expect(splitter.buffered).toBe(0);
  });

  it('drops empty lines of every kind', () => {
    expect(feed([Buffer.from('\n\r\n\n\r\n\r\n')])).toEqual([]);
    expect(feed(bytewise(Buffer.from('\r\n\n\r\nping\n\r\n')))).toEqual([{ line: 'ping' }]);
  });

  it('strips only the terminator, not other whitespace', () => {
    expect(feed([Buffer.from(' ack~ping \r\n\tx\t\n')])).toEqual([{ line: ' ack~ping ' }, { line: '\tx\t' }]);
  });

  it('decodes a multi-byte UTF-8 character split across chunks', () => {
    const text = 'CT01_33~9~Café€𝄞~1~14:00:00.00~0~0F2A38~1';
    const buf = Buffer.from(`${text}\r\n`, 'utf8');
    const euro = buf.indexOf(Buffer.from('€'));
    const clef = buf.indexOf(Buffer.from('𝄞'));
    for (const cut of [euro + 1, euro + 2, clef + 1, clef + 2, clef + 3]) {
      expect(feed([buf.subarray(0, cut), buf.subarray(cut)]), `cut at ${cut}`).toEqual([{ line: text }]);
    }
  });

  it('does not keep a reference to the caller\'s chunk (buffers may be reused)', () => {
    const { splitter, events } = recorder();
    const reused = Buffer.from('ack~pi');
    splitter.push(reused);
    reused.fill(0x41); // the caller reads the next packet into the same memory
    splitter.push(Buffer.from('ng\r\n'));
    expect(events).toEqual([{ line: 'ack~ping' }]);
  });
});

describe('LineSplitter: overlong lines', () => {
  const good = 'CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1';

  it('accepts a line of exactly the limit with CRLF or LF, rejects one byte more', () => {
    const max = DEFAULT_MAX_LINE_BYTES;
    expect(max).toBe(1024);
    const at = 'a'.repeat(max);
    const over = 'b'.repeat(max + 1);
    const input = `${at}\r\n${at}\n${over}\r\n${over}\n${good}\r\n`;
    const expected = [at, at, 'OVERLONG', 'OVERLONG', good];
    expect(shape(feed([Buffer.from(input)]))).toEqual(expected);
    expect(shape(feed(bytewise(Buffer.from(input))))).toEqual(expected);
  });

  it('reports an overlong line once, at any split, and the next good line still comes out', () => {
    // A small limit keeps the every-offset loop short while exercising the same code.
    const max = 16;
    const input = Buffer.from(
      [
        `${'a'.repeat(16)}\r\n`, // exactly at the limit
        `${'b'.repeat(17)}\n`, // one over, bare LF
        `${'c'.repeat(16)}\n`,
        `${'d'.repeat(17)}\r\n`, // one over, CRLF
        `${'e'.repeat(60)}\r\n`, // far over
        'ok\r\n',
        `${'f'.repeat(15)}\r\r\n`, // 16 bytes of content: a stray CR is content
        'end\n',
      ].join(''),
    );
    const expected = ['a'.repeat(16), 'OVERLONG', 'c'.repeat(16), 'OVERLONG', 'OVERLONG', 'ok', `${'f'.repeat(15)}\r`, 'end'];
    expect(shape(feed([input], max))).toEqual(expected);
    expect(shape(feed(bytewise(input), max))).toEqual(expected);
    for (let i = 0; i <= input.length; i++) {
      expect(shape(feed([input.subarray(0, i), input.subarray(i)], max)), `split at ${i}`).toEqual(expected);
    }
  });

  it('reports the overlong bytes it saw when the whole line is in one chunk', () => {
    const events = feed([Buffer.from(`${'x'.repeat(2000)}\r\n${good}\r\n`)]);
    expect(events).toEqual([{ overlong: 2001 }, { line: good }]);
  });

  it('reports an unterminated overlong line as soon as it passes the limit, once', () => {
    const { splitter, events } = recorder();
    for (let i = 0; i < 30; i++) splitter.push(Buffer.alloc(100, 0x78)); // 3000 bytes, no terminator
    expect(events).toHaveLength(1);
    const first = events[0];
    expect(first && 'overlong' in first && first.overlong).toBeGreaterThan(DEFAULT_MAX_LINE_BYTES + 1);
    expect(splitter.buffered).toBe(0);
    // The terminator arrives later, in the middle of a chunk that also carries a good line.
    splitter.push(Buffer.from(`xxxx\r\n${good}\r\n`));
    expect(shape(events)).toEqual(['OVERLONG', good]);
  });

  it('reports an overlong line whose terminator arrives in the chunk that overflows it', () => {
    const { splitter, events } = recorder();
    splitter.push(Buffer.alloc(1000, 0x78));
    expect(events).toEqual([]);
    splitter.push(Buffer.from(`${'x'.repeat(100)}\n${good}\n`));
    expect(events).toEqual([{ overlong: 1100 }, { line: good }]);
  });

  it('keeps memory bounded while 10 MB of newline-free garbage arrives', () => {
    const rand = prng(0xc0ffee);
    const max = DEFAULT_MAX_LINE_BYTES;
    const { splitter, events } = recorder();
    let pushed = 0;
    let peak = 0;
    while (pushed < 10 * 1024 * 1024) {
      const chunk = randomBytes(rand, randInt(rand, 1, 16 * 1024));
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) chunk[i] = 0x20;
      splitter.push(chunk);
      pushed += chunk.length;
      peak = Math.max(peak, splitter.buffered);
    }
    expect(peak).toBeLessThanOrEqual(max + 1);
    expect(shape(events)).toEqual(['OVERLONG']);
    splitter.push(Buffer.from(`\r\n${good}\r\n`));
    expect(shape(events)).toEqual(['OVERLONG', good]);
    expect(splitter.buffered).toBe(0);
  });

  it('never holds more than the limit + 1 when fed one byte at a time', () => {
    const { splitter, events } = recorder(32);
    let peak = 0;
    for (const b of bytewise(Buffer.alloc(5000, 0x41))) {
      splitter.push(b);
      peak = Math.max(peak, splitter.buffered);
    }
    expect(peak).toBe(33);
    expect(events).toHaveLength(1);
  });
});

describe('LineSplitter: binary garbage', () => {
  it('never throws on random bytes (NUL, CR, LF, invalid UTF-8) and emits sane lines', () => {
    const rand = prng(1234567);
    const { splitter, events } = recorder();
    let fed = 0;
    while (fed < 2 * 1024 * 1024) {
      const chunk = randomBytes(rand, randInt(rand, 1, 4096));
      expect(() => splitter.push(chunk)).not.toThrow();
      fed += chunk.length;
      expect(splitter.buffered).toBeLessThanOrEqual(DEFAULT_MAX_LINE_BYTES + 1);
    }
    // About one LF per 256 bytes: thousands of lines must have come out.
    expect(events.length).toBeGreaterThan(5000);
    for (const e of events) {
      if (!('line' in e)) continue;
      expect(e.line).not.toBe('');
      expect(e.line.includes('\n')).toBe(false);
      // Every byte decodes to at most one UTF-16 unit (invalid ones to U+FFFD).
      expect(e.line.length).toBeLessThanOrEqual(DEFAULT_MAX_LINE_BYTES);
    }
  });

  it('splits random garbage the same however it is chunked', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const max = 64;
      // Mostly letters with frequent CR/LF, so short, long and CRLF lines all occur.
      const bytes = Buffer.from(
        Array.from({ length: 4000 }, () => {
          const r = rand();
          if (r < 0.02) return 0x0a;
          if (r < 0.03) return 0x0d;
          if (r < 0.04) return 0;
          return randInt(rand, 0x20, 0xff);
        }),
      );
      const whole = shape(feed([bytes], max));
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; ) {
        const n = randInt(rand, 1, 200);
        chunks.push(bytes.subarray(i, i + n));
        i += n;
      }
      expect(shape(feed(chunks, max)), `seed ${seed}`).toEqual(whole);
      expect(shape(feed(bytewise(bytes), max)), `seed ${seed} bytewise`).toEqual(whole);
    }
  });
});

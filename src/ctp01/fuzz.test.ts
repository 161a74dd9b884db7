/**
 * Fuzz tests: seeded, so a failure names the seed and iteration that reproduce it.
 * Set CTP01_FUZZ_SEED to explore other seeds; CTP01_FUZZ_RUNS to run longer.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, it, expect } from 'vitest';
import { LineSplitter } from './line-splitter.js';
import type { ClientMessage, ServerMessage } from './messages.js';
import { parseClientLine, parseServerLine } from './parser.js';
import { serverGreeting, tagLine } from './serializer.js';
import { formatTime, parseTime, TimeKind, type TimeFormat } from './time.js';
import { pick, prng, randInt, randomBytes } from './test-support.js';

const SEED = Number(process.env.CTP01_FUZZ_SEED ?? 20081016);
const RUNS = Number(process.env.CTP01_FUZZ_RUNS ?? 6000);

const FORMATS: Array<TimeFormat | undefined> = [undefined, 'normal', 'iso', 'unix', 'msecs'];
const CLIENT_TYPES = new Set(['greeting', 'tag', 'guntime', 'newlocation', 'authorize', 'ack', 'err', 'ping', 'unknown', 'invalid']);
const SERVER_TYPES = new Set(['greeting', 'option', 'command', 'ack', 'err', 'invalid']);
/** Characters that make mutations interesting: separators, time punctuation, controls, non-ASCII. */
const ALPHABET = [...'0123456789abcdefxyzABCDEFTZ~~~,,::..-_=| ;\t\0\r\n', 'é', '€', '\u{1d11e}', '\ud800', '\u00a0'];

function randomTime(rand: () => number): string {
  switch (pick(rand, ['normal', 'iso', 'unix', 'msecs', 'long'] as const)) {
    case 'normal':
      return formatTime({ kind: TimeKind.TimeOfDay, ms: randInt(rand, 0, 24 * 3_600_000) }, 'normal');
    case 'long':
      return formatTime({ kind: TimeKind.TimeOfDay, ms: randInt(rand, 0, 999 * 3_600_000) }, 'normal');
    case 'iso':
      return formatTime({ kind: TimeKind.LocalDateTime, ms: randInt(rand, 0, 4_102_444_800_000) }, 'iso');
    case 'unix':
      return formatTime({ kind: TimeKind.Epoch, ms: randInt(rand, 0, 4_102_444_800_000) }, 'unix');
    case 'msecs':
      return formatTime({ kind: TimeKind.TimeOfDay, ms: randInt(rand, 0, 86_400_000) }, 'msecs');
  }
}

function randomValidLine(rand: () => number): string {
  const r = rand();
  if (r < 0.75) {
    const format = rand() < 0.8 ? 'CT01_33' : 'CT01_13';
    const tag = pick(rand, ['guntime', 'newlocation', 'UNKNOWN', String(randInt(rand, 1, 99999)), 'A1B2C3D4']);
    return tagLine({
      format,
      sequence: randInt(rand, tag === 'newlocation' ? 0 : 1, 999_999),
      location: pick(rand, ['start', 'finish', 'km 10', 'Zielé', 'x'.repeat(16), 'mat-2']),
      tag,
      timeText: randomTime(rand),
      lap: randInt(rand, 0, 999),
      readerId: randInt(rand, 0, 0xffffff).toString(16).toUpperCase().padStart(6, '0'),
      gator: randInt(rand, 0, 99),
    }).slice(0, -2);
  }
  return pick(rand, [
    'SimpleClient~0.4.2~CTP01',
    'authorize~timer1~0f2a38c1d4e5',
    'ack~ping',
    'ack~getlocations~start~finish',
    'err~start~no such location',
    'ping',
    'getconnectionid',
  ]);
}

function mutate(rand: () => number, line: string): string {
  let s = line;
  // Mostly one edit, so many mutants stay close to valid and reach the deeper field checks.
  const n = rand() < 0.6 ? 1 : randInt(rand, 2, 4);
  for (let i = 0; i < n; i++) {
    const at = randInt(rand, 0, s.length);
    switch (randInt(rand, 0, 6)) {
      case 0: // flip one character
        s = s.slice(0, at) + pick(rand, ALPHABET) + s.slice(at + 1);
        break;
      case 1: // insert
        s = s.slice(0, at) + pick(rand, ALPHABET) + s.slice(at);
        break;
      case 2: // delete
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 3: // delete a run
        s = s.slice(0, at) + s.slice(at + randInt(rand, 1, 12));
        break;
      case 4: // duplicate a run
        s = s.slice(0, at) + s.slice(at, at + randInt(rand, 1, 12)) + s.slice(at);
        break;
      case 5: // swap in a digit: keeps many mutants valid, exercising the range checks
        s = s.slice(0, at) + String(randInt(rand, 0, 9)) + s.slice(at + 1);
        break;
      default: // truncate
        s = s.slice(0, at);
    }
  }
  return s;
}

function randomString(rand: () => number): string {
  const len = randInt(rand, 0, 80);
  let s = '';
  for (let i = 0; i < len; i++) {
    s += rand() < 0.7 ? pick(rand, ALPHABET) : String.fromCharCode(randInt(rand, 0, 0xffff));
  }
  return s;
}

const PRINTABLE = /^[\x21-\x7e]{1,32}$/;

/** What a parsed client message breaks of the rules every message must satisfy. */
function clientProblems(msg: ClientMessage, fmt: TimeFormat | undefined): string[] {
  const bad: string[] = [];
  if (!CLIENT_TYPES.has(msg.type)) bad.push('type');
  switch (msg.type) {
    case 'tag':
    case 'guntime':
    case 'newlocation': {
      const minSeq = msg.type === 'newlocation' ? 0 : 1;
      if (!Number.isInteger(msg.sequence) || msg.sequence < minSeq || msg.sequence > 999_999) bad.push('sequence');
      if (!Number.isInteger(msg.lap) || msg.lap < 0 || msg.lap > 999) bad.push('lap');
      if (!Number.isInteger(msg.gator) || msg.gator < 0 || msg.gator > 99) bad.push('gator');
      if (msg.location.length < 1 || msg.location.length > 16 || /[~,;|\t\0\r\n]/.test(msg.location)) bad.push('location');
      if (!PRINTABLE.test(msg.tag)) bad.push('tag');
      if (!PRINTABLE.test(msg.readerId)) bad.push('readerId');
      if (!/^CT\d\d_\d\d$/.test(msg.format)) bad.push('format');
      if (![TimeKind.TimeOfDay, TimeKind.LocalDateTime, TimeKind.Epoch].includes(msg.time.kind)) bad.push('time.kind');
      if (!Number.isFinite(msg.time.ms)) bad.push('time.ms');
      if ((msg.tag === 'guntime') !== (msg.type === 'guntime')) bad.push('guntime type');
      if ((msg.tag === 'newlocation') !== (msg.type === 'newlocation')) bad.push('newlocation type');
      if (!isDeepStrictEqual(parseTime(msg.timeText, fmt), msg.time)) bad.push('timeText does not give time');
      // What we parsed we can write, and what we write parses back to the same message.
      if (!isDeepStrictEqual(parseClientLine(tagLine(msg).slice(0, -2), fmt), msg)) bad.push('tagLine round trip');
      break;
    }
    case 'greeting':
      if (!msg.program || !msg.version) bad.push('greeting fields');
      break;
    case 'authorize':
      if (!msg.userId) bad.push('userId');
      break;
    case 'ack':
    case 'err':
      if (!msg.command) bad.push('command');
      break;
    case 'unknown':
      if (!/^[a-z][a-z0-9-]{0,31}$/.test(msg.command)) bad.push('command');
      break;
    case 'invalid':
      if (!msg.reason) bad.push('reason');
      break;
    case 'ping':
      break;
  }
  return bad;
}

/** Parses a line and fails the test, naming how to reproduce it, if any rule is broken. */
function checkClientLine(line: string, fmt: TimeFormat | undefined, where: string): ClientMessage {
  let msg: ClientMessage;
  try {
    msg = parseClientLine(line, fmt);
  } catch (e) {
    throw new Error(`${where}: parseClientLine threw on ${JSON.stringify(line)}: ${String(e)}`, { cause: e });
  }
  const bad = clientProblems(msg, fmt);
  if (bad.length > 0) expect(bad, `${where} fmt ${fmt ?? 'auto'} line ${JSON.stringify(line)} → ${JSON.stringify(msg)}`).toEqual([]);
  return msg;
}

/** Parses a server line and fails the test, naming how to reproduce it, if the result is malformed. */
function checkServerLine(line: string, where: string): void {
  let msg: ServerMessage;
  try {
    msg = parseServerLine(line);
  } catch (e) {
    throw new Error(`${where}: parseServerLine threw on ${JSON.stringify(line)}: ${String(e)}`, { cause: e });
  }
  const ok = SERVER_TYPES.has(msg.type) && (msg.type !== 'greeting' || (Number.isInteger(msg.optionCount) && msg.optionCount >= 0));
  if (!ok) expect.fail(`${where}: ${JSON.stringify(line)} → ${JSON.stringify(msg)}`);
}

describe('fuzz: parseClientLine', () => {
  it('never throws and only returns well-formed messages, for mutated valid lines', () => {
    const rand = prng(SEED);
    const counts = new Map<string, number>();
    for (let i = 0; i < RUNS; i++) {
      const line = mutate(rand, randomValidLine(rand));
      for (const fmt of FORMATS) {
        const { type } = checkClientLine(line, fmt, `seed ${SEED} run ${i}`);
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
    }
    // The mutator must keep many lines valid, or the invariants above were never tested.
    const parses = RUNS * FORMATS.length;
    expect(counts.get('tag') ?? 0).toBeGreaterThan(parses / 20);
    expect(counts.get('invalid') ?? 0).toBeGreaterThan(parses / 2);
    expect(counts.get('guntime') ?? 0).toBeGreaterThan(0);
    expect(counts.get('newlocation') ?? 0).toBeGreaterThan(0);
  });

  it('keeps valid lines valid: unmutated generated lines always parse as what they are', () => {
    const rand = prng(SEED + 1);
    for (let i = 0; i < RUNS; i++) {
      const line = randomValidLine(rand);
      const msg = checkClientLine(line, undefined, `seed ${SEED + 1} run ${i}`);
      if (msg.type === 'invalid') expect.fail(`seed ${SEED + 1} run ${i}: ${JSON.stringify(line)} → ${msg.reason}`);
    }
  });

  it('never throws on fully random strings (lone surrogates and controls included)', () => {
    const rand = prng(SEED + 2);
    for (let i = 0; i < RUNS; i++) {
      const line = randomString(rand);
      for (const fmt of FORMATS) checkClientLine(line, fmt, `seed ${SEED + 2} run ${i}`);
      // Random text can also be a tag line prefix with random fields behind it.
      checkClientLine(`CT01_33~${line}`, undefined, `seed ${SEED + 2} run ${i} tagged`);
    }
  });
});

describe('fuzz: parseServerLine', () => {
  it('never throws and returns a known type', () => {
    const rand = prng(SEED + 3);
    const greeting = serverGreeting('Project88Hub', '0.1.0', { 'stream-mode': 'push', 'time-format': 'iso' }).split('\r\n');
    for (let i = 0; i < RUNS; i++) {
      const base = rand() < 0.5 ? pick(rand, [...greeting.filter(Boolean), 'start~finish~5', 'ack~authorize']) : randomString(rand);
      const line = rand() < 0.5 ? mutate(rand, base) : base;
      checkServerLine(line, `seed ${SEED + 3} run ${i}`);
    }
  });
});

describe('fuzz: bytes through LineSplitter into the parser', () => {
  it('never throws, whatever bytes arrive', () => {
    const rand = prng(SEED + 4);
    let lines = 0;
    const splitter = new LineSplitter({
      line(text) {
        lines++;
        checkClientLine(text, undefined, `seed ${SEED + 4}`);
      },
      overlong() {},
    });
    for (let i = 0; i < 400; i++) {
      // Valid traffic with random bytes spliced in, as a noisy link might deliver.
      const good = Buffer.from(`${Array.from({ length: 20 }, () => randomValidLine(rand)).join('\r\n')}\r\n`);
      const noise = randomBytes(rand, randInt(rand, 0, 300));
      const at = randInt(rand, 0, good.length);
      const bytes = Buffer.concat([good.subarray(0, at), noise, good.subarray(at)]);
      for (let off = 0; off < bytes.length; ) {
        const n = randInt(rand, 1, 512);
        splitter.push(bytes.subarray(off, off + n));
        off += n;
      }
    }
    expect(lines).toBeGreaterThan(400 * 15);
  });
});

import { describe, it, expect } from 'vitest';
import { LineSplitter } from './line-splitter.js';
import type { GreetingOptions, ServerMessage, TagObservation } from './messages.js';
import { parseClientLine, parseServerLine } from './parser.js';
import { ack, clientGreeting, command, err, serverGreeting, tagLine } from './serializer.js';
import { formatTime, TimeKind, type ParsedTime, type TimeFormat } from './time.js';
import { pick, prng, randInt } from './test-support.js';

const H = 3_600_000;

/** Times with whole hundredths, so formatting (which truncates to hundredths) loses nothing. */
const TIMES: Record<TimeFormat, ParsedTime[]> = {
  normal: [0, 10, 14 * H + 2 * 60_000 + 15_310, 24 * H - 10, 102 * H + 12 * 60_000 + 32_370, 999 * H + 59 * 60_000 + 59_990].map(
    (ms) => ({ kind: TimeKind.TimeOfDay, ms }),
  ),
  msecs: [0, 1, 43_455_310, 86_399_999, 999_999_999].map((ms) => ({ kind: TimeKind.TimeOfDay, ms })),
  iso: [
    Date.UTC(2008, 9, 16, 14, 2, 15, 310),
    Date.UTC(2024, 1, 29, 23, 59, 59, 990),
    Date.UTC(1970, 0, 1),
    Date.UTC(1969, 11, 31, 23, 59, 59, 990),
    Date.UTC(2099, 11, 31, 0, 0, 0, 50),
  ].map((ms) => ({ kind: TimeKind.LocalDateTime, ms })),
  unix: [1_224_165_735_310, 0, 10, 1_700_000_000_000, 4_102_444_799_990].map((ms) => ({ kind: TimeKind.Epoch, ms })),
};

function observation(time: ParsedTime, format: TimeFormat, over: Partial<TagObservation> = {}): TagObservation {
  return {
    format: 'CT01_33',
    sequence: 1,
    location: 'start',
    tag: '9478',
    time,
    timeText: formatTime(time, format),
    lap: 0,
    readerId: '0F2A38',
    gator: 1,
    ...over,
  };
}

describe('tagLine + formatTime round trip', () => {
  it('writes the spec example byte for byte', () => {
    const time = { kind: TimeKind.TimeOfDay, ms: 14 * H + 2 * 60_000 + 15_310 };
    expect(tagLine(observation(time, 'normal'))).toBe('CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1\r\n');
    expect(tagLine(observation(time, 'normal', { format: 'CT01_13' }))).toBe('CT01_13,1,start,9478,14:02:15.31,0,0F2A38,1\r\n');
  });

  for (const [format, times] of Object.entries(TIMES) as Array<[TimeFormat, ParsedTime[]]>) {
    it(`parses back to the same fields in ${format} time, negotiated and detected`, () => {
      for (const time of times) {
        for (const layout of ['CT01_33', 'CT01_13'] as const) {
          const obs = observation(time, format, { format: layout, sequence: 4242, lap: 17, gator: 99, location: 'Finish Line' });
          const line = tagLine(obs);
          expect(line.endsWith('\r\n')).toBe(true);
          const wire = line.slice(0, -2);
          expect(parseClientLine(wire, format), wire).toEqual({ type: 'tag', ...obs });
          // Detection reads every value here the same way (msecs stay below 10 digits).
          expect(parseClientLine(wire), wire).toEqual({ type: 'tag', ...obs });
        }
      }
    });
  }

  it('round-trips random observations in every format and layout', () => {
    const seed = 61611;
    const rand = prng(seed);
    for (let i = 0; i < 3000; i++) {
      const format = pick(rand, ['normal', 'iso', 'unix', 'msecs'] as const);
      const hundredths = randInt(rand, 0, format === 'normal' || format === 'msecs' ? 99 * H / 10 : 4_000_000_000_00);
      const kind = format === 'iso' ? TimeKind.LocalDateTime : format === 'unix' ? TimeKind.Epoch : TimeKind.TimeOfDay;
      const tag = pick(rand, ['guntime', 'newlocation', 'UNKNOWN', String(randInt(rand, 1, 99_999))]);
      const obs = observation({ kind, ms: hundredths * 10 }, format, {
        format: pick(rand, ['CT01_33', 'CT01_13'] as const),
        sequence: randInt(rand, 1, 999_999),
        location: pick(rand, ['start', 'finish', 'km 21.1', 'Zielé', 'abcdefghijklmnop']),
        tag,
        lap: randInt(rand, 0, 999),
        readerId: randInt(rand, 0, 0xffffff).toString(16).padStart(6, '0'),
        gator: randInt(rand, 0, 99),
      });
      const type = tag === 'guntime' ? 'guntime' : tag === 'newlocation' ? 'newlocation' : 'tag';
      const wire = tagLine(obs).slice(0, -2);
      const parsed = parseClientLine(wire, format);
      if (parsed.type !== type) expect.fail(`seed ${seed} run ${i}: ${wire} → ${JSON.stringify(parsed)}`);
      expect(parsed).toEqual({ type, ...obs });
    }
  });
});

describe('serverGreeting through LineSplitter + parseServerLine', () => {
  /** Splits the greeting (fed one byte at a time, the hardest case) and parses each line. */
  function receive(wire: string): ServerMessage[] {
    const out: ServerMessage[] = [];
    const splitter = new LineSplitter({ line: (l) => out.push(parseServerLine(l)), overlong: () => expect.fail('overlong') });
    const bytes = Buffer.from(wire);
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    expect(splitter.buffered).toBe(0);
    return out;
  }

  it('gives the greeting with the option count, then exactly those options', () => {
    const options: GreetingOptions = {
      'stream-mode': 'push',
      location: 'multi',
      guntimes: true,
      newlocations: true,
      'time-format': 'iso',
      'pushmode-ack': true,
      'connection-id': true,
      authentication: 'hmac-sha1',
      'authentication-seed': '9f86d081884c7d65',
      'tagevent-format': 'CT01_33',
    };
    const wire = serverGreeting('Project88Hub', '0.1.0', options);
    expect(wire.startsWith('Project88Hub~0.1.0~10\r\nstream-mode=push\r\nlocation=multi\r\nguntimes=true\r\n')).toBe(true);
    expect(receive(wire)).toEqual([
      { type: 'greeting', program: 'Project88Hub', version: '0.1.0', optionCount: 10 },
      ...Object.entries(options).map(([name, value]) => ({ type: 'option', name, value: String(value) })),
    ]);
  });

  it('leaves out options that are undefined and counts only what it sends', () => {
    const wire = serverGreeting('Project88Hub', '0.1.0', { 'stream-mode': 'pull', guntimes: false, authentication: undefined });
    expect(receive(wire)).toEqual([
      { type: 'greeting', program: 'Project88Hub', version: '0.1.0', optionCount: 2 },
      { type: 'option', name: 'stream-mode', value: 'pull' },
      { type: 'option', name: 'guntimes', value: 'false' },
    ]);
  });

  it('sends a greeting with no options', () => {
    expect(serverGreeting('P', '1', {})).toBe('P~1~0\r\n');
    expect(receive(serverGreeting('P', '1', {}))).toEqual([{ type: 'greeting', program: 'P', version: '1', optionCount: 0 }]);
  });
});

describe('other lines', () => {
  it('writes a client greeting the server parser reads', () => {
    expect(clientGreeting('SimpleClient', '0.4.2')).toBe('SimpleClient~0.4.2~CTP01\r\n');
    expect(parseClientLine(clientGreeting('SimpleClient', '0.4.2').trimEnd())).toEqual({
      type: 'greeting',
      program: 'SimpleClient',
      version: '0.4.2',
    });
  });

  it('writes commands the client parser reads', () => {
    expect(command('getconnectionid')).toBe('getconnectionid\r\n');
    expect(command('start', 'finish', 42)).toBe('start~finish~42\r\n');
    expect(parseServerLine(command('start', 'finish', 5).trimEnd())).toEqual({ type: 'command', command: 'start', args: ['finish', '5'] });
    expect(parseServerLine(command('getdata', 100, 'finish', 7).trimEnd())).toEqual({
      type: 'command',
      command: 'getdata',
      args: ['100', 'finish', '7'],
    });
  });

  it('writes ack lines both sides read', () => {
    expect(ack('ping')).toBe('ack~ping\r\n');
    expect(ack('start', 'finish')).toBe('ack~start~finish\r\n');
    expect(parseClientLine(ack('getlocations', 'start', 'finish').trimEnd())).toEqual({
      type: 'ack',
      command: 'getlocations',
      args: ['start', 'finish'],
    });
    expect(parseServerLine(ack('authorize').trimEnd())).toEqual({ type: 'ack', command: 'authorize', args: [] });
  });

  it('keeps an err message to one field on one line', () => {
    const line = err('authorize', 'bad~credential\r\nfor user');
    expect(line).toBe('err~authorize~bad credential  for user\r\n');
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(parseServerLine(line.trimEnd())).toEqual({ type: 'err', command: 'authorize', message: 'bad credential  for user' });
  });
});

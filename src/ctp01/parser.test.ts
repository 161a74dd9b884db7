import { describe, it, expect } from 'vitest';
import { parseClientLine, parseServerLine } from './parser.js';
import { TimeKind } from './time.js';

const EXAMPLE = 'CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1';
const FIELDS = ['CT01_33', '1', 'start', '9478', '14:02:15.31', '0', '0F2A38', '1'] as const;
const INDEX = { seq: 1, location: 2, tag: 3, time: 4, lap: 5, reader: 6, gator: 7 } as const;

/** The example line with one field replaced. */
function withField(field: keyof typeof INDEX, value: string): string {
  const f: string[] = [...FIELDS];
  f[INDEX[field]] = value;
  return f.join('~');
}

function typeOf(line: string): string {
  return parseClientLine(line).type;
}

describe('parseClientLine: CT01_33 tag lines', () => {
  it('reads the spec example in the documented field order', () => {
    expect(parseClientLine(EXAMPLE)).toEqual({
      type: 'tag',
      format: 'CT01_33',
      sequence: 1,
      location: 'start',
      tag: '9478',
      time: { kind: TimeKind.TimeOfDay, ms: ((14 * 60 + 2) * 60 + 15) * 1000 + 310 },
      timeText: '14:02:15.31',
      lap: 0,
      readerId: '0F2A38',
      gator: 1,
    });
  });

  it('reads the CT01_13 comma-separated form as the same fields', () => {
    const msg = parseClientLine('CT01_13,1,start,9478,14:02:15.31,0,0F2A38,1');
    const { format, ...rest } = msg as Extract<typeof msg, { type: 'tag' }>;
    const { format: format33, ...rest33 } = parseClientLine(EXAMPLE) as Extract<typeof msg, { type: 'tag' }>;
    expect(format).toBe('CT01_13');
    expect(format33).toBe('CT01_33');
    expect(rest).toEqual(rest33);
  });

  it('takes the separator from the line, whatever its format id says (racemap sends CT01_13 with ~)', () => {
    const { format: _a, ...tilde13 } = parseClientLine('CT01_13~1~start~9478~14:02:15.31~0~0F2A38~1') as Extract<ReturnType<typeof parseClientLine>, { type: 'tag' }>;
    const { format: _b, ...comma33 } = parseClientLine('CT01_33,1,start,9478,14:02:15.31,0,0F2A38,1') as Extract<ReturnType<typeof parseClientLine>, { type: 'tag' }>;
    const { format: _c, ...expected } = parseClientLine(EXAMPLE) as Extract<ReturnType<typeof parseClientLine>, { type: 'tag' }>;
    expect(_a).toBe('CT01_13');
    expect(_b).toBe('CT01_33');
    expect(tilde13).toEqual(expected);
    expect(comma33).toEqual(expected);
    for (const sep of [';', '|', '\t', ' ']) {
      expect(parseClientLine(['CT02_53', '1', 'start', '9478', '14:02:15.31', '0', '0F2A38', '1'].join(sep))).toMatchObject({ type: 'tag', format: 'CT02_53', sequence: 1, location: 'start' });
    }
    // The separator splits every field: a location may not contain a `~` in a comma line.
    expect(typeOf('CT01_13,1,st~art,9478,14:02:15.31,0,0F2A38,1')).toBe('invalid');
    // Not a separator CTFF01 knows.
    expect(typeOf('CT01_33:1:start:9478:14.02.15,31:0:0F2A38:1')).toBe('invalid');
  });

  it('recognizes the guntime and newlocation special tags', () => {
    expect(parseClientLine('CT01_33~7~start~guntime~08:00:00.00~0~0F2A38~0')).toMatchObject({
      type: 'guntime',
      sequence: 7,
      location: 'start',
      tag: 'guntime',
      time: { kind: TimeKind.TimeOfDay, ms: 8 * 3600 * 1000 },
      lap: 0,
    });
    expect(parseClientLine('CT01_33~3~halfway~newlocation~09:30:00.00~0~0F2A38~0')).toMatchObject({
      type: 'newlocation',
      sequence: 3,
      location: 'halfway',
      tag: 'newlocation',
    });
  });

  it('accepts sequence 0 on a newlocation line only', () => {
    expect(parseClientLine('CT01_33~0~halfway~newlocation~09:30:00.00~0~0F2A38~0')).toMatchObject({
      type: 'newlocation',
      sequence: 0,
    });
    expect(typeOf('CT01_33~0~start~guntime~08:00:00.00~0~0F2A38~0')).toBe('invalid');
    expect(typeOf(withField('seq', '0'))).toBe('invalid');
  });

  it('rejects a wrong number of fields', () => {
    expect(parseClientLine(FIELDS.slice(0, 7).join('~'))).toEqual({
      type: 'invalid',
      reason: 'tag line has 7 fields, expected 8',
    });
    expect(parseClientLine(`${EXAMPLE}~extra`)).toEqual({ type: 'invalid', reason: 'tag line has 9 fields, expected 8' });
    expect(parseClientLine(`${EXAMPLE}~`)).toMatchObject({ type: 'invalid' });
    expect(typeOf('CT01_33~')).toBe('invalid');
    expect(typeOf('CT01_13,1,start,9478,14:02:15.31,0,0F2A38')).toBe('invalid');
  });

  it.each([
    ['1', 1],
    ['999999', 999_999],
    ['000042', 42],
  ])('sequence %s is %d', (text, value) => {
    expect(parseClientLine(withField('seq', text))).toMatchObject({ type: 'tag', sequence: value });
  });

  it.each(['0', '1000000', '', '-1', '1.5', '1e3', 'abc', ' 1', '0x10', '１'])('sequence %j is rejected', (text) => {
    expect(typeOf(withField('seq', text))).toBe('invalid');
  });

  it.each(['start', 'Finish Line', 'a', 'x'.repeat(16), 'Zielé', 'km-21.1', 'mat=2', 'Ziel Ü 5', '終点', 'é'.repeat(16)])('location %j is accepted', (loc) => {
    expect(parseClientLine(withField('location', loc))).toMatchObject({ type: 'tag', location: loc });
  });

  it.each([
    '', 'x'.repeat(17), 'a,b', 'a;b', 'a|b', 'a\tb', 'a\0b', 'a\rb',
    // Unprintable: bidi override, line and paragraph separators, zero-width space, BOM, C1
    // control, what invalid UTF-8 decodes to, a lone space, edge whitespace, é×17.
    'fin\u202Eish', 'a\u2028b', 'a\u2029b', 'a\u200Bb', '\uFEFFstart', 'a\u0085b', 'a\uFFFDb', ' ', '  ', ' start', 'start ', '\u00A0', 'é'.repeat(17),
  ])('location %j is rejected', (loc) => {
    expect(parseClientLine(withField('location', loc))).toEqual({
      type: 'invalid',
      reason: 'location is empty, too long, or has forbidden or unprintable characters',
    });
  });

  it('rejects a location whose bytes are not UTF-8 (the line splitter decodes them to U+FFFD)', () => {
    const bytes = Buffer.concat([Buffer.from('CT01_33~1~fin'), Buffer.from([0xff, 0xfe]), Buffer.from('~9478~14:02:15.31~0~0F2A38~1')]);
    expect(parseClientLine(bytes.toString('utf8'))).toMatchObject({ type: 'invalid' });
  });

  it.each(['9478', 'UNKNOWN', '0', 'A1B2C3D4', 'x'.repeat(32)])('tag %j is accepted', (tag) => {
    expect(parseClientLine(withField('tag', tag))).toMatchObject({ type: 'tag', tag });
  });

  it.each(['', 'x'.repeat(33), 'a b', 'é', '\u0001'])('tag %j is rejected', (tag) => {
    expect(parseClientLine(withField('tag', tag))).toEqual({ type: 'invalid', reason: 'tag is empty, too long or not printable' });
  });

  it.each([
    ['0', 0],
    ['999', 999],
    ['007', 7],
  ])('lap %s is %d', (text, value) => {
    expect(parseClientLine(withField('lap', text))).toMatchObject({ type: 'tag', lap: value });
  });

  it.each(['1000', '', '-1', '1.0', 'x'])('lap %j is rejected', (text) => {
    expect(parseClientLine(withField('lap', text))).toEqual({ type: 'invalid', reason: 'lap out of range 0-999' });
  });

  it.each(['0F2A38', 'ffffff', 'READER-01'])('reader id %j is accepted as sent', (reader) => {
    expect(parseClientLine(withField('reader', reader))).toMatchObject({ type: 'tag', readerId: reader });
  });

  it.each(['', 'a b', 'x'.repeat(33)])('reader id %j is rejected', (reader) => {
    expect(typeOf(withField('reader', reader))).toBe('invalid');
  });

  it.each([
    ['0', 0],
    ['99', 99],
    ['05', 5],
  ])('gator %s is %d', (text, value) => {
    expect(parseClientLine(withField('gator', text))).toMatchObject({ type: 'tag', gator: value });
  });

  it.each(['100', '', '-1', '1 ', 'a'])('gator %j is rejected', (text) => {
    expect(parseClientLine(withField('gator', text))).toEqual({ type: 'invalid', reason: 'gator out of range 0-99' });
  });

  it('reads every time format by its shape when none was negotiated', () => {
    const cases: Array<[string, TimeKind, number]> = [
      ['14:02:15.31', TimeKind.TimeOfDay, 50_535_310],
      ['102:12:32.37', TimeKind.TimeOfDay, ((102 * 60 + 12) * 60 + 32) * 1000 + 370],
      ['2008-10-16T14:02:15.31', TimeKind.LocalDateTime, Date.UTC(2008, 9, 16, 14, 2, 15, 310)],
      ['1224165735.31', TimeKind.Epoch, 1_224_165_735_310],
      ['43455310', TimeKind.TimeOfDay, 43_455_310],
    ];
    for (const [text, kind, ms] of cases) {
      expect(parseClientLine(withField('time', text)), text).toMatchObject({ type: 'tag', timeText: text, time: { kind, ms } });
    }
  });

  it('holds a line to the negotiated time format', () => {
    expect(parseClientLine(withField('time', '43455310'), 'unix')).toMatchObject({
      time: { kind: TimeKind.Epoch, ms: 43_455_310_000 },
    });
    expect(parseClientLine(withField('time', '1224165735'), 'msecs')).toMatchObject({
      time: { kind: TimeKind.TimeOfDay, ms: 1_224_165_735 },
    });
    expect(parseClientLine(withField('time', '1224165735'))).toMatchObject({
      time: { kind: TimeKind.Epoch, ms: 1_224_165_735_000 },
    });
    expect(parseClientLine(EXAMPLE, 'iso')).toEqual({ type: 'invalid', reason: 'time is not in a CTP01 time format' });
    expect(parseClientLine(EXAMPLE, 'normal')).toMatchObject({ type: 'tag' });
  });

  it.each(['', 'noon', '14:02', '25:61:00', '2008-02-31T10:00:00.00', '14:02:15.31Z', '1000:00:00'])(
    'time %j is rejected',
    (text) => {
      expect(parseClientLine(withField('time', text))).toEqual({ type: 'invalid', reason: 'time is not in a CTP01 time format' });
    },
  );
});

describe('parseClientLine: other client lines', () => {
  it('reads the greeting', () => {
    expect(parseClientLine('SimpleClient~0.4.2~CTP01')).toEqual({ type: 'greeting', program: 'SimpleClient', version: '0.4.2' });
    expect(parseClientLine('Tachyon Server~2.1~CTP01')).toEqual({ type: 'greeting', program: 'Tachyon Server', version: '2.1' });
  });

  it.each(['~0.4.2~CTP01', 'SimpleClient~~CTP01', 'SimpleClient~0.4.2~CTP02', 'SimpleClient~0.4.2', 'SimpleClient~0.4.2~CTP01~x'])(
    'rejects the malformed greeting %j',
    (line) => {
      expect(typeOf(line)).toBe('invalid');
    },
  );

  it('reads authorize', () => {
    expect(parseClientLine('authorize~timer1~5f4dcc3b')).toEqual({ type: 'authorize', userId: 'timer1', credential: '5f4dcc3b' });
    expect(parseClientLine('authorize~timer1~')).toEqual({ type: 'authorize', userId: 'timer1', credential: '' });
  });

  it.each(['authorize', 'authorize~timer1', 'authorize~~secret', 'authorize~timer1~a~b'])('rejects %j', (line) => {
    expect(parseClientLine(line)).toEqual({ type: 'invalid', reason: 'authorize needs a user id and a credential' });
  });

  it('reads ack with its arguments', () => {
    expect(parseClientLine('ack~ping')).toEqual({ type: 'ack', command: 'ping', args: [] });
    expect(parseClientLine('ack~start~finish')).toEqual({ type: 'ack', command: 'start', args: ['finish'] });
    expect(parseClientLine('ack~geteventinfo~City Marathon~1234~42k and 10k')).toEqual({
      type: 'ack',
      command: 'geteventinfo',
      args: ['City Marathon', '1234', '42k and 10k'],
    });
    expect(parseClientLine('ack~getlocations~start~halfway~finish')).toEqual({
      type: 'ack',
      command: 'getlocations',
      args: ['start', 'halfway', 'finish'],
    });
    expect(parseClientLine('ack~getconnectionid~c0ffee')).toEqual({ type: 'ack', command: 'getconnectionid', args: ['c0ffee'] });
    expect(parseClientLine('ack')).toEqual({ type: 'invalid', reason: 'ack without a command' });
    expect(parseClientLine('ack~')).toEqual({ type: 'invalid', reason: 'ack without a command' });
  });

  it('reads err, keeping a message that contains the separator', () => {
    expect(parseClientLine('err~start~unknown location')).toEqual({ type: 'err', command: 'start', message: 'unknown location' });
    expect(parseClientLine('err~start~a~b')).toEqual({ type: 'err', command: 'start', message: 'a~b' });
    expect(parseClientLine('err~start')).toEqual({ type: 'err', command: 'start', message: '' });
    expect(parseClientLine('err')).toEqual({ type: 'invalid', reason: 'err without a command' });
  });

  it('reads ping, which takes no arguments', () => {
    expect(parseClientLine('ping')).toEqual({ type: 'ping' });
    expect(parseClientLine('ping~now')).toEqual({ type: 'invalid', reason: 'ping takes no arguments' });
  });

  it('passes lower-case commands it does not know through as unknown', () => {
    expect(parseClientLine('getconnectionid')).toEqual({ type: 'unknown', command: 'getconnectionid', args: [] });
    expect(parseClientLine('hello~a~b')).toEqual({ type: 'unknown', command: 'hello', args: ['a', 'b'] });
  });

  it.each(['', 'PING', 'Hello world', '~', '~~~', 'CT01_33', 'CT1_33~1~start~9478~14:02:15.31~0~0F2A38~1', 'XT01_33~1~start~9478~14:02:15.31~0~0F2A38~1', '\0'])(
    'calls %j unrecognized',
    (line) => {
      expect(parseClientLine(line)).toEqual({ type: 'invalid', reason: 'unrecognized line' });
    },
  );
});

describe('parseServerLine', () => {
  it('reads the greeting with its option count', () => {
    expect(parseServerLine('Project88Hub~0.1.0~9')).toEqual({
      type: 'greeting',
      program: 'Project88Hub',
      version: '0.1.0',
      optionCount: 9,
    });
    expect(parseServerLine('Project88Hub~0.1.0~0')).toMatchObject({ type: 'greeting', optionCount: 0 });
  });

  it('reads options, keeping any `=` in the value', () => {
    expect(parseServerLine('stream-mode=push')).toEqual({ type: 'option', name: 'stream-mode', value: 'push' });
    expect(parseServerLine('authentication-seed=ab=cd')).toEqual({ type: 'option', name: 'authentication-seed', value: 'ab=cd' });
    expect(parseServerLine('guntimes=')).toEqual({ type: 'option', name: 'guntimes', value: '' });
  });

  it('reads commands, including a resume whose sequence is small', () => {
    expect(parseServerLine('start')).toEqual({ type: 'command', command: 'start', args: [] });
    expect(parseServerLine('start~finish')).toEqual({ type: 'command', command: 'start', args: ['finish'] });
    // Three fields ending in a small number: the shape of a greeting, but a command.
    expect(parseServerLine('start~finish~5')).toEqual({ type: 'command', command: 'start', args: ['finish', '5'] });
    expect(parseServerLine('start~finish~1042')).toEqual({ type: 'command', command: 'start', args: ['finish', '1042'] });
    expect(parseServerLine('getdata~10~7')).toEqual({ type: 'command', command: 'getdata', args: ['10', '7'] });
    expect(parseServerLine('stop~halfway')).toEqual({ type: 'command', command: 'stop', args: ['halfway'] });
    expect(parseServerLine('getconnectionid')).toEqual({ type: 'command', command: 'getconnectionid', args: [] });
    expect(parseServerLine('ping')).toEqual({ type: 'command', command: 'ping', args: [] });
    expect(parseServerLine('somethingnew~x')).toEqual({ type: 'command', command: 'somethingnew', args: ['x'] });
  });

  it('reads ack and err', () => {
    expect(parseServerLine('ack~authorize')).toEqual({ type: 'ack', command: 'authorize', args: [] });
    expect(parseServerLine('ack~ping')).toEqual({ type: 'ack', command: 'ping', args: [] });
    expect(parseServerLine('err~authorize~bad credential')).toEqual({ type: 'err', command: 'authorize', message: 'bad credential' });
    expect(parseServerLine('err~authorize~a~b')).toEqual({ type: 'err', command: 'authorize', message: 'a~b' });
  });

  it.each(['', '=push', 'Hello World', '~~', 'Project88Hub~0.1.0~x'])('calls %j invalid', (line) => {
    expect(parseServerLine(line)).toEqual({ type: 'invalid', reason: 'unrecognized line' });
  });
});

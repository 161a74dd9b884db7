/**
 * Pure CTP01 line parsers. Every input gives a message; malformed input gives
 * `{ type: 'invalid', reason }` and never throws, so a bad line can be counted and skipped.
 */
import type { ClientMessage, ServerMessage } from './messages.js';
import { parseTime, type TimeFormat } from './time.js';

const MAX_SEQUENCE = 999_999;
/**
 * Location names: the spec allows ≤16 characters, none of `, ; ~ | tab NUL`. They are shown on
 * screens and in logs, so only printable ones: no control or format characters (bidi overrides
 * such as U+202E, zero-width spaces), no line or paragraph separators, no U+FFFD (what invalid
 * UTF-8 decodes to), and no leading or trailing whitespace (a lone space is no name).
 * Printable ASCII is checked first: nearly every real location is.
 */
const LOCATION_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]{0,14}[\x21-\x7e])?$/;
const LOCATION_UNICODE = /^(?!\s)[^\p{C}\p{Zl}\p{Zp}\uFFFD]{1,16}(?<!\s)$/u;
const LOCATION_FORBIDDEN = /[,;~|]/;

/** Whether a location name is acceptable (see above). */
export function isValidLocation(name: string): boolean {
  return (LOCATION_ASCII.test(name) || LOCATION_UNICODE.test(name)) && !LOCATION_FORBIDDEN.test(name);
}
/** Spec: ≤8 chars. Third-party systems send longer codes; 32 is lenient but bounded. */
const TAG = /^[\x21-\x7e]{1,32}$/;
const READER = /^[\x21-\x7e]{1,32}$/;
const INT = /^\d{1,9}$/;
/** A tag line's format id (CTFF01: `CT` + version, `_`, separator and terminator nibbles). */
const FORMAT_ID = /^CT\d\d_\d\d/;
/** Field separators CTFF01 defines: , ; ~ | tab space. */
const SEPARATORS = ',;~|\t ';
/**
 * Commands a server sends. Recognised before the greeting shape, which `start~finish~5`
 * (three fields, a small number last) would otherwise match.
 */
const SERVER_COMMANDS = new Set(['start', 'stop', 'getdata', 'geteventinfo', 'getlocations', 'getconnectionid', 'ping']);

/** Parses one line received by the server. `timeFormat` is the negotiated format, if any. */
export function parseClientLine(line: string, timeFormat?: TimeFormat): ClientMessage {
  // Any CTxx_yy format id; the separator is the character after it, whatever the id's own
  // nibble says: racemap's test client sends `CT01_13` with `~`, which the document forbids
  // and real servers accept.
  if (line.length > 8 && line.charCodeAt(0) === 0x43 && line.charCodeAt(1) === 0x54 && FORMAT_ID.test(line)) {
    const sep = line[7]!;
    if (SEPARATORS.includes(sep)) return parseTagLine(line.split(sep), line.slice(0, 7), timeFormat);
  }

  const fields = line.split('~');
  const head = fields[0] ?? '';
  switch (head) {
    case 'ping':
      return fields.length === 1 ? { type: 'ping' } : invalid('ping takes no arguments');
    case 'ack':
      if (fields.length < 2 || !fields[1]) return invalid('ack without a command');
      return { type: 'ack', command: fields[1], args: fields.slice(2) };
    case 'err':
      if (fields.length < 2 || !fields[1]) return invalid('err without a command');
      return { type: 'err', command: fields[1], message: fields.slice(2).join('~') };
    case 'authorize':
      if (fields.length !== 3 || !fields[1]) return invalid('authorize needs a user id and a credential');
      return { type: 'authorize', userId: fields[1], credential: fields[2] ?? '' };
  }
  if (fields.length === 3 && fields[2] === 'CTP01') {
    if (!fields[0] || !fields[1]) return invalid('greeting needs a program name and version');
    return { type: 'greeting', program: fields[0], version: fields[1] };
  }
  if (/^[a-z][a-z0-9-]{0,31}$/.test(head)) return { type: 'unknown', command: head, args: fields.slice(1) };
  return invalid('unrecognized line');
}

function parseTagLine(f: string[], format: string, timeFormat?: TimeFormat): ClientMessage {
  if (f.length !== 8) return invalid(`tag line has ${f.length} fields, expected 8`);
  const [, seqText, location, tag, timeText, lapText, readerId, gatorText] = f as [
    string, string, string, string, string, string, string, string,
  ];
  if (!INT.test(seqText)) return invalid('sequence is not a number');
  const sequence = Number(seqText);
  // A newlocation announcement is not an observation of that location's stream; some
  // clients number it 0.
  const minSequence = tag === 'newlocation' ? 0 : 1;
  if (sequence < minSequence || sequence > MAX_SEQUENCE) return invalid('sequence out of range 1-999999');
  if (!isValidLocation(location)) return invalid('location is empty, too long, or has forbidden or unprintable characters');
  if (!TAG.test(tag)) return invalid('tag is empty, too long or not printable');
  const time = parseTime(timeText, timeFormat);
  if (!time) return invalid('time is not in a CTP01 time format');
  if (!INT.test(lapText) || Number(lapText) > 999) return invalid('lap out of range 0-999');
  if (!READER.test(readerId)) return invalid('reader id is empty, too long or not printable');
  if (!INT.test(gatorText) || Number(gatorText) > 99) return invalid('gator out of range 0-99');

  // One literal, not a spread of a TagObservation: this runs for every read, and the spread
  // costs as much as the field checks above.
  return {
    type: tag === 'guntime' ? 'guntime' : tag === 'newlocation' ? 'newlocation' : 'tag',
    format,
    sequence,
    location,
    tag,
    time,
    timeText,
    lap: Number(lapText),
    readerId,
    gator: Number(gatorText),
  };
}

/** Parses one line received by the client (the simulator's side). */
export function parseServerLine(line: string): ServerMessage {
  const eq = line.indexOf('=');
  if (eq > 0 && !line.includes('~')) return { type: 'option', name: line.slice(0, eq), value: line.slice(eq + 1) };
  const fields = line.split('~');
  const head = fields[0] ?? '';
  if (head === 'ack' && fields[1]) return { type: 'ack', command: fields[1], args: fields.slice(2) };
  if (head === 'err' && fields[1]) return { type: 'err', command: fields[1], message: fields.slice(2).join('~') };
  if (SERVER_COMMANDS.has(head)) return { type: 'command', command: head, args: fields.slice(1) };
  if (fields.length === 3 && /^\d{1,2}$/.test(fields[2] ?? '') && fields[0] && fields[1]) {
    return { type: 'greeting', program: fields[0], version: fields[1], optionCount: Number(fields[2]) };
  }
  if (/^[a-z][a-z0-9-]{0,31}$/.test(head)) return { type: 'command', command: head, args: fields.slice(1) };
  return invalid('unrecognized line');
}

function invalid(reason: string): { type: 'invalid'; reason: string } {
  return { type: 'invalid', reason };
}

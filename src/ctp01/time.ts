/**
 * CTP01 time fields. Four wire formats; what each one means differs:
 *   normal  14:02:15.31 / 102:12:32.37  time of day, may pass 24 h  → ms since the event's local midnight
 *   msecs   43455310                    ms since local midnight      → same
 *   iso     2008-10-16T14:02:15.31      local wall clock, no offset  → ms of that wall clock read as UTC
 *   unix    1224165735.31               seconds since the epoch      → epoch ms
 * Local values need the event's date and time zone to become instants; that happens where
 * the session is known (the ingest writer), not here.
 */
export type TimeFormat = 'normal' | 'iso' | 'unix' | 'msecs';

export const enum TimeKind {
  /** ms since local midnight of the event date (normal, msecs). */
  TimeOfDay = 0,
  /** local wall-clock date-time, as ms since 1970-01-01T00:00 of the same wall clock (iso). */
  LocalDateTime = 1,
  /** absolute instant in ms since the Unix epoch (unix). */
  Epoch = 2,
}

export interface ParsedTime {
  kind: TimeKind;
  ms: number;
}

const NORMAL = /^(\d{1,4}):([0-5]\d):([0-5]\d)(?:\.(\d{1,6}))?$/;
const UNIX = /^(\d{1,12})(?:\.(\d{1,6}))?$/;
const MSECS = /^\d{1,10}$/;

/** Largest time of day we accept: 999 h covers any multi-day event. */
const MAX_TIME_OF_DAY_MS = 1000 * 3600 * 1000;

/**
 * Parses a time field. With a known format only that format is accepted; without one
 * (a bare `nc` client that never negotiated) the shape decides. Returns null when invalid.
 */
export function parseTime(text: string, format?: TimeFormat): ParsedTime | null {
  switch (format ?? detectFormat(text)) {
    case 'normal':
      return parseNormal(text);
    case 'iso':
      return parseIso(text);
    case 'unix':
      return parseUnix(text);
    case 'msecs':
      return parseMsecs(text);
    default:
      return null;
  }
}

/** Guesses the format from the shape: ':' normal, 'T' iso, '.' or ≥10 digits unix, else msecs. */
export function detectFormat(text: string): TimeFormat | null {
  if (text.includes('T')) return 'iso';
  if (text.includes(':')) return 'normal';
  if (text.includes('.')) return 'unix';
  if (/^\d+$/.test(text)) return text.length >= 10 ? 'unix' : 'msecs';
  return null;
}

function fractionMs(frac: string | undefined): number {
  if (!frac) return 0;
  // "31" is 31 hundredths; "3" three tenths; more than 3 digits rounds to the millisecond.
  return Math.round(Number(frac) * 10 ** (3 - frac.length));
}

function parseNormal(text: string): ParsedTime | null {
  const m = NORMAL.exec(text);
  if (!m) return null;
  const ms = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + fractionMs(m[4]);
  return ms < MAX_TIME_OF_DAY_MS ? { kind: TimeKind.TimeOfDay, ms } : null;
}

const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** The value of `count` decimal digits of text from `at`, or -1 if one is not a digit 0-9. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `YYYY-MM-DDTHH:MM:SS` and an optional `.` with 1-6 digits, read by position: the regex it
 * replaced (same shape) was ≈ 4 % of the collector's CPU under a flood of ISO-timed reads.
 */
function parseIso(text: string): ParsedTime | null {
  const fracDigits = text.length - 20;
  if (text.length !== 19 && (fracDigits < 1 || fracDigits > 6 || text.charCodeAt(19) !== 46 /* . */)) return null;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return null;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  const frac = fracDigits > 0 ? digits(text, 20, fracDigits) : 0;
  if (y < 0 || frac < 0 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  // Date.UTC would roll 31 Feb into March: reject days the month does not have.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23) return null;
  // Date.UTC reads years 0-99 as 1900-1999; one 400-year Gregorian cycle later has the same
  // calendar and is exactly GREGORIAN_CYCLE_MS longer.
  const ms = Date.UTC(y + 400, mo - 1, d, h, mi, s) - GREGORIAN_CYCLE_MS;
  // "31" is 31 hundredths; "3" three tenths; more than 3 digits rounds to the millisecond.
  return { kind: TimeKind.LocalDateTime, ms: ms + (fracDigits > 0 ? Math.round(frac * 10 ** (3 - fracDigits)) : 0) };
}

function parseUnix(text: string): ParsedTime | null {
  const m = UNIX.exec(text);
  if (!m) return null;
  return { kind: TimeKind.Epoch, ms: Number(m[1]) * 1000 + fractionMs(m[2]) };
}

function parseMsecs(text: string): ParsedTime | null {
  if (!MSECS.test(text)) return null;
  const ms = Number(text);
  return ms < MAX_TIME_OF_DAY_MS ? { kind: TimeKind.TimeOfDay, ms } : null;
}

/** Formats ms in a wire format (the simulator's side). Hundredths, as ChronoTrack sends. */
export function formatTime(t: ParsedTime, format: TimeFormat): string {
  const hundredths = (ms: number) => String(Math.floor((ms % 1000) / 10)).padStart(2, '0');
  const clock = (ms: number, hourPad: number) => {
    const s = Math.floor(ms / 1000);
    const hh = String(Math.floor(s / 3600)).padStart(hourPad, '0');
    const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `${hh}:${mm}:${ss}.${hundredths(ms)}`;
  };
  switch (format) {
    case 'normal':
      return clock(t.ms, 2);
    case 'msecs':
      return String(Math.floor(t.ms));
    case 'unix':
      return `${Math.floor(t.ms / 1000)}.${hundredths(t.ms)}`;
    case 'iso': {
      const day = 86_400_000;
      const date = new Date(t.ms).toISOString().slice(0, 10);
      // Non-negative remainder: wall clocks before 1970 have negative ms.
      return `${date}T${clock(((t.ms % day) + day) % day, 2)}`;
    }
  }
}

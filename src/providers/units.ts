/**
 * The parsing every adapter shares: result times (past 24 h, with DNF/DNS/DQ/DNQ), distances,
 * gender, provider date formats, money, booleans and mojibake. Pure functions, no I/O.
 */
import { normalizeGender, type Gender } from '../shared/gender.js';
import type { ResultStatus } from './records.js';

/** Gender from anything a provider sends: M/F/X/U (Race Roster's integers included: 1 male, 2 female, 9 non-binary). */
export function genderOf(value: unknown): Gender {
  if (typeof value === 'number') return value === 1 ? 'M' : value === 2 ? 'F' : value === 9 ? 'X' : 'U';
  if (typeof value !== 'string') return 'U';
  const v = value.trim();
  if (/^\d+$/.test(v)) return genderOf(Number(v));
  return normalizeGender(v);
}

const STATUS_WORDS: Record<string, ResultStatus> = {
  dnf: 'DNF',
  'did not finish': 'DNF',
  dns: 'DNS',
  'did not start': 'DNS',
  dq: 'DQ',
  dsq: 'DQ',
  disqualified: 'DQ',
  dnq: 'DNQ',
};

/** A status word (DNF, "Did Not Start", DSQ …) or null when the text is not one. */
export function statusWord(value: unknown): ResultStatus | null {
  if (typeof value !== 'string') return null;
  return STATUS_WORDS[value.trim().toLowerCase()] ?? null;
}

/**
 * A clock time as text → ms: "16:05.3", "1:02:03", "25:13:07.25" (past 24 h), "1d 01:13:07",
 * "1.01:13:07" (.NET day form). Null when empty or not a time (a status word is not a time).
 */
export function durationMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  let v = value.trim();
  if (v === '') return null;
  let days = 0;
  const d = /^(\d+)(?:d\s*|\.)(\d{1,2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(v);
  if (d) {
    days = Number(d[1]);
    v = d[2]!;
  }
  const m = /^(?:(\d+):)?(?:(\d+):)?(\d+(?:[.,]\d+)?)$/.exec(v);
  if (!m) return null;
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined);
  // One part = seconds, two = mm:ss, three = hh:mm:ss.
  const [h, min, sec] = parts.length === 3 ? parts : parts.length === 2 ? ['0', ...parts] : ['0', '0', ...parts];
  const s = Number(sec!.replace(',', '.'));
  if (parts.length > 1 && s >= 60) return null;
  if (parts.length === 3 && Number(min) >= 60) return null;
  return Math.round(((days * 24 + Number(h)) * 3600 + Number(min) * 60 + s) * 1000);
}

/** A result time field: a time, a status word, or nothing. */
export function resultTime(value: unknown): { status: ResultStatus | null; ms: number | null } {
  const word = statusWord(value);
  if (word) return { status: word, ms: null };
  return { status: null, ms: durationMs(value) };
}

/** Milliseconds given as a string of digits ("16405000", UltraSignup). */
export function msString(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value) : null;
  if (typeof value !== 'string' || !/^\s*\d+\s*$/.test(value)) return null;
  const n = Number(value);
  return n > 0 ? n : null;
}

const UNIT_M: Record<string, number> = { m: 1, meter: 1, meters: 1, metre: 1, metres: 1, k: 1000, km: 1000, kms: 1000, kilometer: 1000, kilometers: 1000, mi: 1609.344, mile: 1609.344, miles: 1609.344, yd: 0.9144, yards: 0.9144 };

/** "5K", "10 km", "13.1 mi", "Half Marathon", "50 Miler", (3.1, "Miles") → meters; null when unknown. */
export function distanceMeters(value: unknown, unit?: unknown): number | null {
  if (typeof value === 'number' && typeof unit === 'string') {
    const f = UNIT_M[unit.trim().toLowerCase()];
    return f && value > 0 ? round(value * f) : null;
  }
  if (typeof value === 'number') return value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  // English, Spanish, Catalan, French: half marathon, media maratón, mitja marató, semi-marathon.
  if (/\b(half[- ]?marathon|media marat[oó]n|mitja marat[oó]|semi[- ]?marathon)/.test(v)) return 21097.5;
  if (/\b(marathon|marat[oó]n?)(\b|$)/.test(v)) return 42195;
  // "Mile 1", "KM 5": the unit first (split names).
  const before = /^(mile|mi|km|k)\s*(\d+(?:[.,]\d+)?)$/.exec(v);
  if (before) return round(Number(before[2]!.replace(',', '.')) * UNIT_M[before[1]!]!);
  const m = /(\d+(?:[.,]\d+)?)\s*(km|kms|k|kilometers?|mi|miles?|miler|m|meters?|metres?|yd|yards)\b/.exec(v);
  if (!m) return null;
  const f = UNIT_M[m[2] === 'miler' ? 'mi' : m[2]!];
  return f ? round(Number(m[1]!.replace(',', '.')) * f) : null;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** "$55.00" / "55" / "1,234.50" → cents; null when not money. */
export function moneyCents(value: unknown): number | null {
  if (typeof value === 'number') return Math.round(value * 100);
  if (typeof value !== 'string') return null;
  const m = /^\s*-?\$?\s*([\d,]+(?:\.\d{1,2})?)\s*$/.exec(value);
  if (!m) return null;
  const cents = Math.round(Number(m[1]!.replace(/,/g, '')) * 100);
  return value.trim().startsWith('-') ? -cents : cents;
}

/** RunSignUp's "T"/"F" (and real booleans); null otherwise. */
export function tfBool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'T' || value === 't' || value === 'true') return true;
  if (value === 'F' || value === 'f' || value === 'false') return false;
  return null;
}

/** .NET JSON dates: "/Date(1721980800000)/" or "/Date(1721980800000-0600)/" → ISO instant (UTC). */
export function dotNetDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value.trim());
  return m ? new Date(Number(m[1])).toISOString() : null;
}

/** "7/26/2025" or "7/26/2025 07:30" (US month/day/year) → { date: "2025-07-26", time: "07:30" | null }. */
export function usDate(value: unknown): { date: string; time: string | null } | null {
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?\s*$/i.exec(value);
  if (!m) return null;
  const date = `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
  if (m[4] === undefined) return { date, time: null };
  let h = Number(m[4]);
  const pm = m[7]?.toLowerCase();
  if (pm === 'pm' && h < 12) h += 12;
  if (pm === 'am' && h === 12) h = 0;
  return { date, time: `${String(h).padStart(2, '0')}:${m[5]}${m[6] ? `:${m[6]}` : ''}` };
}

/** Formatters per zone: building one costs far more than using it (30,000 rows = 60,000 builds otherwise). */
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of a zone at an instant, in minutes (Intl; no tables of our own). */
function offsetMinutes(at: Date, timeZone: string): number {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    zoneFormatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** A wall-clock time ("2025-07-26", "07:30") in an IANA zone → ISO instant (UTC); null on a bad zone. */
export function zonedToIso(date: string, time: string, timeZone: string | null): string | null {
  const key = `${date} ${time} ${timeZone ?? ''}`;
  const hit = zonedMemo.get(key);
  if (hit !== undefined) return hit;
  const out = zonedToIsoUncached(date, time, timeZone);
  if (zonedMemo.size >= 10_000) zonedMemo.clear();
  zonedMemo.set(key, out);
  return out;
}

/** Registration dates repeat (to the minute) across thousands of rows. */
const zonedMemo = new Map<string, string | null>();

function zonedToIsoUncached(date: string, time: string, timeZone: string | null): string | null {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number | undefined];
  const naive = Date.UTC(y, mo - 1, d, h, mi, s ?? 0);
  if (!timeZone) return new Date(naive).toISOString();
  try {
    // Two passes settle the offset across a DST change.
    let t = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
    t = naive - offsetMinutes(new Date(t), timeZone) * 60_000;
    return new Date(t).toISOString();
  } catch {
    return null;
  }
}

/** Epoch seconds (number or digit string, CTLive and RunSignUp) → ISO instant. */
export function epochSeconds(value: unknown): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : null;
}

/** An ISO-ish instant with an offset → canonical ISO (UTC); null when unreadable. */
export function isoInstant(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value.trim())) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The calendar date of "1986-01-06", "1986-01-06T00:00:00", "01/06/1986"; null otherwise. */
export function isoDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  if (m) return m[1]!;
  return usDate(value)?.date ?? null;
}

/**
 * Repairs UTF-8 that was decoded as Latin-1 and encoded again (once or twice: "JosÃ©" →
 * "José", "JosÃƒÂ©" → "José"). Text that is not mojibake is returned unchanged.
 */
export function repairUtf8(value: string): string {
  let s = value;
  for (let i = 0; i < 3; i++) {
    if (!/[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]/.test(s)) return s;
    const bytes = cp1252Bytes(s);
    if (!bytes) return s;
    const decoded = bytes.toString('utf8');
    if (decoded.includes('\ufffd')) return s;
    s = decoded;
  }
  return s;
}

/** Windows-1252 code points above 0x7f that are not Latin-1 (mojibake often went through it). */
const CP1252: Record<number, number> = { 0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02c6: 0x88, 0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91, 0x2019: 0x92, 0x201c: 0x93, 0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b, 0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f };

function cp1252Bytes(s: string): Buffer | null {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c <= 0xff) out.push(c);
    else if (CP1252[c] !== undefined) out.push(CP1252[c]);
    else return null;
  }
  return Buffer.from(out);
}

/** Every string in a JSON value repaired with repairUtf8. */
export function repairUtf8Deep<T>(value: T): T {
  if (typeof value === 'string') return repairUtf8(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => repairUtf8Deep(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, repairUtf8Deep(v)])) as T;
  return value;
}

/** Text or null: trims, empty = null; numbers become text (ids sent as numbers). */
export function str(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t === '' ? null : t;
}

/** A positive integer from a number or digit string ("12"), null otherwise (places, counts). */
export function posInt(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** An age 0–130 from a number or digit string. */
export function ageOf(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 130 ? n : null;
}

/** A result's status from its time fields and an explicit status (a finish time = finished). */
export function statusOf(explicit: ResultStatus | null, ...times: (number | null)[]): ResultStatus {
  if (explicit) return explicit;
  return times.some((t) => t !== null) ? 'finished' : 'unknown';
}

/** ms → "H:MM:SS.t" as RunSignUp and CTLive take times (hours unbounded: 25:13:07.2). */
export function formatDuration(ms: number): string {
  const tenths = Math.round(ms / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = Math.floor((tenths % 600) / 10);
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${tenths % 10}`;
}

/**
 * Results CSV files: the columns (header row, case-insensitive), distances and times as people
 * write them, and rows turned into results inputs with per-line errors. Pure: no database.
 *
 * Columns: event, event_date, event_city, event_state, event_country, race, distance, bib,
 * first_name, last_name, gender, age, city, state, country, chip_time, gun_time, status,
 * division, place, gender_place, division_place, and any number of `split:<label>` columns.
 */
import { normalizeGender, type Gender } from '../shared/gender.js';
import { parseCsv } from '../rosters/csv.js';
import type { RowError } from '../rosters/roster.schemas.js';

export const RESULT_STATUSES = ['finished', 'DNF', 'DNS', 'DQ'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export const KNOWN_COLUMNS = [
  'event', 'event_date', 'event_city', 'event_state', 'event_country', 'race', 'distance', 'bib',
  'first_name', 'last_name', 'gender', 'age', 'city', 'state', 'country', 'chip_time', 'gun_time',
  'status', 'division', 'team', 'place', 'gender_place', 'division_place',
] as const;
type Column = (typeof KNOWN_COLUMNS)[number];

export interface Distance {
  metres: number;
  unit: 'km' | 'mi' | 'm';
}

const MILE = 1609.344;

/** `42.195 km`, `26.2 mi`, `5K`, `10k`, `5000 m`, `1 mile`, `marathon`, `half marathon`, `ultra` names; null when unreadable. */
export function parseDistance(text: string): Distance | null {
  const v = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (v === 'marathon' || v === 'full marathon') return { metres: 42195, unit: 'km' };
  if (v === 'half marathon' || v === 'half-marathon' || v === 'half') return { metres: 21097.5, unit: 'km' };
  const m = /^(\d+(?:\.\d+)?) ?(k|km|kms|kilometers?|kilometres?|mi|mile|miles|m|meters?|metres?)$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  if (!(n > 0) || n > 10_000_000) return null;
  const unit = m[2]!;
  if (unit.startsWith('k')) return { metres: round2(n * 1000), unit: 'km' };
  if (unit.startsWith('mi')) return { metres: round2(n * MILE), unit: 'mi' };
  return { metres: n, unit: 'm' };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** `h:mm:ss`, `h:mm:ss.f` (hours past 24 allowed) or `mm:ss[.f]` → milliseconds; null when unreadable. */
export function parseDuration(text: string): number | null {
  const v = text.trim();
  let m = /^(\d{1,4}):([0-5]\d):([0-5]\d)(?:[.,](\d{1,3}))?$/.exec(v);
  if (m) return (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 + fraction(m[4]);
  m = /^(\d{1,3}):([0-5]\d)(?:[.,](\d{1,3}))?$/.exec(v);
  if (m) return (Number(m[1]) * 60 + Number(m[2])) * 1000 + fraction(m[3]);
  return null;
}

const fraction = (f: string | undefined) => (f === undefined ? 0 : Math.round(Number(`0.${f}`) * 1000));

/** ISO `2026-04-20` or US `4/20/2026`; null when unreadable. */
export function parseDate(text: string): string | null {
  const v = text.trim();
  let y: number, mo: number, d: number;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v))) [y, mo, d] = [Number(m[3]), Number(m[1]), Number(m[2])];
  else return null;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

function parseStatus(text: string, hasTime: boolean): ResultStatus | null {
  const v = text.trim().toLowerCase().replace(/[^a-z]/g, '');
  if (v === '') return hasTime ? 'finished' : 'DNS';
  if (['finished', 'finish', 'fin', 'ok', 'f'].includes(v)) return 'finished';
  if (['dnf', 'didnotfinish'].includes(v)) return 'DNF';
  if (['dns', 'didnotstart', 'noshow'].includes(v)) return 'DNS';
  if (['dq', 'dsq', 'disqualified'].includes(v)) return 'DQ';
  return null;
}

export interface ResultRow {
  line: number;
  event: { name: string; date: string | null; city: string | null; state: string | null; country: string | null };
  race: { name: string; distance: Distance | null };
  entry: {
    bib: string;
    first_name: string | null;
    last_name: string | null;
    gender: Gender;
    age: number | null;
    city: string | null;
    state: string | null;
    country: string | null;
    division: string | null;
    team: string | null;
  };
  result: {
    status: ResultStatus;
    chip_time_ms: number | null;
    gun_time_ms: number | null;
    overall_place: number | null;
    gender_place: number | null;
    division_place: number | null;
  };
  splits: { label: string; time_ms: number; distance: Distance | null }[];
  /** The cells by header, kept as the row's raw payload. */
  raw: Record<string, string>;
}

export interface ParsedResults {
  rows: ResultRow[];
  errors: RowError[];
  /** Whether the file gives places itself (else they are computed). */
  hasPlaces: boolean;
}

const text = (v: string | undefined, max = 200): string | null => {
  const t = (v ?? '').replace(/[\u0000-\u0008\u000b-\u001f]/g, '').trim();
  return t === '' ? null : t.slice(0, max);
};

/** Parses a results file: rows that can be stored, and the others by line with the reason. */
export async function parseResultsCsv(csv: string): Promise<ParsedResults> {
  const parsed = await parseCsv(csv);
  const headers = parsed.headers.map((h) => h.trim().toLowerCase());
  const col = new Map<Column, number>();
  const splitCols: { label: string; index: number }[] = [];
  headers.forEach((h, i) => {
    const m = /^split\s*:\s*(.+)$/.exec(h);
    if (m) splitCols.push({ label: parsed.headers[i]!.trim().replace(/^split\s*:\s*/i, '').slice(0, 100), index: i });
    else if ((KNOWN_COLUMNS as readonly string[]).includes(h)) col.set(h as Column, i);
  });
  const missing = ['event', 'bib'].filter((c) => !col.has(c as Column));
  if (!col.has('race') && !col.has('distance')) missing.push('race or distance');
  if (missing.length > 0) {
    return { rows: [], errors: [{ row: 1, reason: `the header has no ${missing.join(', ')} column` }], hasPlaces: false };
  }
  const errors: RowError[] = [...parsed.errors];
  const rows: ResultRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of parsed.rows) {
    const get = (c: Column) => {
      const i = col.get(c);
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    const problems: string[] = [];
    const eventName = text(get('event'));
    if (eventName === null) problems.push('event is empty');
    const bib = text(get('bib'), 32);
    if (bib === null) problems.push('bib is empty');
    let date: string | null = null;
    if (get('event_date') !== '') {
      date = parseDate(get('event_date'));
      if (date === null) problems.push(`event_date "${get('event_date')}" is not a date (YYYY-MM-DD or M/D/YYYY)`);
    }
    let distance: Distance | null = null;
    if (get('distance') !== '') {
      distance = parseDistance(get('distance'));
      if (distance === null) problems.push(`distance "${get('distance')}" is not a distance (42.195 km, 26.2 mi, 5K, marathon, …)`);
    }
    const raceName = text(get('race')) ?? text(get('distance'));
    const time = (c: 'chip_time' | 'gun_time') => {
      if (get(c) === '') return null;
      const ms = parseDuration(get(c));
      if (ms === null) problems.push(`${c} "${get(c)}" is not a time (h:mm:ss, h:mm:ss.f or mm:ss)`);
      return ms;
    };
    const chip = time('chip_time');
    const gun = time('gun_time');
    const status = parseStatus(get('status'), chip !== null || gun !== null);
    if (status === null) problems.push(`status "${get('status')}" is not one of finished, DNF, DNS, DQ`);
    const whole = (c: Column, min: number, max: number) => {
      const v = get(c);
      if (v === '') return null;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        problems.push(`${c} "${v}" is not a whole number from ${min} to ${max}`);
        return null;
      }
      return Number(v);
    };
    const age = whole('age', 0, 130);
    const place = whole('place', 1, 10_000_000);
    const genderPlace = whole('gender_place', 1, 10_000_000);
    const divisionPlace = whole('division_place', 1, 10_000_000);
    const splits: ResultRow['splits'] = [];
    for (const s of splitCols) {
      const v = (cells[s.index] ?? '').trim();
      if (v === '') continue;
      const ms = parseDuration(v);
      if (ms === null) problems.push(`split:${s.label} "${v}" is not a time`);
      else splits.push({ label: s.label, time_ms: ms, distance: parseDistance(s.label) });
    }
    if (problems.length === 0) {
      const key = `${eventName!.toLowerCase()}|${date}|${raceName!.toLowerCase()}|${bib}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`bib ${bib} is already in this race on line ${first}`);
      else seen.set(key, line);
    }
    if (problems.length > 0) {
      errors.push({ row: line, reason: problems.join('; ') });
      continue;
    }
    const raw: Record<string, string> = {};
    parsed.headers.forEach((h, i) => {
      if ((cells[i] ?? '') !== '') raw[h] = cells[i]!;
    });
    rows.push({
      line,
      event: { name: eventName!, date, city: text(get('event_city')), state: text(get('event_state')), country: text(get('event_country')) },
      race: { name: raceName!, distance },
      entry: {
        bib: bib!,
        first_name: text(get('first_name')),
        last_name: text(get('last_name')),
        gender: normalizeGender(get('gender')),
        age,
        city: text(get('city')),
        state: text(get('state')),
        country: text(get('country')),
        division: text(get('division')),
        team: text(get('team')),
      },
      result: { status: status!, chip_time_ms: chip, gun_time_ms: gun, overall_place: place, gender_place: genderPlace, division_place: divisionPlace },
      splits,
      raw,
    });
  }
  errors.sort((a, b) => a.row - b.row);
  return { rows, errors, hasPlaces: col.has('place') };
}

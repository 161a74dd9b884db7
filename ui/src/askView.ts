/**
 * What the Ask screen computes from an answer, apart from drawing it: sorting the rows, the
 * question a clarify candidate re-asks, the recent questions kept per partner, and which chart
 * (if any) the rows make.
 */

export type Row = Record<string, unknown>;

/** A race clock or interval text: 02:45:10, 2:45:10.5, 1 day 02:00:00 → milliseconds; else null. */
export function timeMs(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^(?:(\d+) days? )?(\d{1,3}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(v.trim());
  if (!m) return null;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60_000 + Number(m[4]) * 1000;
}

/** Milliseconds as h:mm:ss (m:ss under an hour). */
export function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function sortValue(v: unknown): { kind: 0 | 1 | 2; n: number; s: string } {
  if (v === null || v === undefined || v === '') return { kind: 2, n: 0, s: '' };
  if (typeof v === 'number') return { kind: 0, n: v, s: '' };
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return { kind: 0, n: Number(v), s: '' };
  const t = timeMs(v);
  if (t !== null) return { kind: 0, n: t, s: '' };
  return { kind: 1, n: 0, s: typeof v === 'string' ? v : JSON.stringify(v) };
}

/** The rows ordered by one column: numbers (and times) numerically, text by locale; empty cells last either way. */
export function sortRows(rows: Row[], column: string, desc: boolean): Row[] {
  const keyed = rows.map((row, i) => ({ row, i, v: sortValue(row[column]) }));
  keyed.sort((a, b) => {
    if (a.v.kind === 2 || b.v.kind === 2) return a.v.kind === b.v.kind ? a.i - b.i : a.v.kind === 2 ? 1 : -1;
    let c: number;
    if (a.v.kind === 0 && b.v.kind === 0) c = a.v.n - b.v.n;
    else if (a.v.kind === 1 && b.v.kind === 1) c = a.v.s.localeCompare(b.v.s, undefined, { numeric: true, sensitivity: 'base' });
    else c = a.v.kind - b.v.kind;
    return (desc ? -c : c) || a.i - b.i;
  });
  return keyed.map((k) => k.row);
}

/** A candidate's name without its trailing "(2025-04-21)". */
export function candidateName(candidate: string): string {
  return candidate.replace(/\s*\([^()]*\)\s*$/, '').trim();
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The question again with a clarify candidate chosen: the longest run of the candidate's
 * leading words found in the question is replaced by the whole name ("the Boston Marathon" →
 * "the Boston Marathon 2025"); when none is found the name is appended.
 */
export function reaskWith(question: string, candidate: string): string {
  const name = candidateName(candidate);
  const words = name.split(/\s+/);
  for (let n = words.length; n >= 1; n--) {
    const head = words.slice(0, n).join(' ');
    const re = new RegExp(`\\b${escapeRe(head)}\\b(?:\\s+(?:19|20)\\d{2}\\b)?`, 'i');
    if (re.test(question)) return question.replace(re, name);
  }
  const trimmed = question.trim().replace(/[?.!]+$/, '');
  return `${trimmed} — ${name}?`;
}

const RECENT_MAX = 10;
const recentKey = (partnerId: number) => `p88.ask.recent.${partnerId}`;

/** The partner's last questions on this browser, newest first. */
export function loadRecent(partnerId: number): string[] {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(recentKey(partnerId)) ?? '[]');
    return Array.isArray(raw) ? raw.filter((q): q is string => typeof q === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

/** Puts a question first in the partner's recent list (once), keeping the last ten. */
export function rememberQuestion(partnerId: number, question: string): string[] {
  const q = question.trim();
  const next = [q, ...loadRecent(partnerId).filter((x) => x.toLowerCase() !== q.toLowerCase())].slice(0, RECENT_MAX);
  try {
    window.localStorage.setItem(recentKey(partnerId), JSON.stringify(next));
  } catch {
    // storage full or disabled: the list lives for this page only
  }
  return next;
}

export interface Bar {
  label: string;
  value: number;
  /** Text at the bar's end (the value as the table shows it). */
  text: string;
}
export interface BarChart {
  kind: 'bars';
  title: string;
  axis: string;
  /** Values are milliseconds: the axis is drawn in h:mm:ss. */
  time: boolean;
  bars: Bar[];
}
export interface Histogram {
  kind: 'histogram';
  title: string;
  axis: string;
  /** Bins from..to (ms) and how many rows fall in each. */
  bins: Array<{ from: number; to: number; count: number }>;
}
export type Chart = BarChart | Histogram;

const TIME_COLUMN = /^(time|chip_time|gun_time|finish_time|result_time)$/;

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean));

function rowLabel(row: Row, columns: string[]): string {
  const parts = ['side', 'event', 'race', 'name', 'runner', 'mat']
    .filter((c) => columns.includes(c) && row[c] !== null && row[c] !== undefined && row[c] !== '')
    .map((c) => text(row[c]));
  // compare: the side is the event's name; say it once
  const unique = parts.filter((p, i) => !parts.slice(0, i).some((q) => q === p || q.startsWith(p) || p.startsWith(q)));
  return unique.join(' · ') || text(row[columns[0] ?? '']);
}

function histogram(times: number[], column: string): Histogram {
  const min = Math.min(...times);
  const max = Math.max(...times);
  // bins on whole minutes (5 or more minutes wide), about ten of them
  const span = Math.max(max - min, 60_000);
  const step = Math.max(60_000, Math.ceil(span / 10 / 60_000) * 60_000);
  const start = Math.floor(min / step) * step;
  const n = Math.max(1, Math.floor((max - start) / step) + 1);
  const bins = Array.from({ length: n }, (_, i) => ({ from: start + i * step, to: start + (i + 1) * step, count: 0 }));
  for (const t of times) bins[Math.min(n - 1, Math.floor((t - start) / step))]!.count += 1;
  return { kind: 'histogram', title: `Finish times (${times.length} runners)`, axis: column === 'time' ? 'finish time' : column.replace(/_/g, ' '), bins };
}

/**
 * The chart an answer's rows make, or null: a finish-time histogram when the rows are runners
 * with times; for analyze, each race's finish-time spread (fastest, 10th percentile, median,
 * 90th percentile) when the rows carry those times, else bars of the first numeric column per
 * row; for compare, bars per compared item (median time, else finishers).
 */
export function chartOf(intent: string, columns: string[], rows: Row[]): Chart | null {
  if (rows.length === 0) return null;
  const timeColumn = columns.find((c) => TIME_COLUMN.test(c));
  if (timeColumn && (intent === 'list' || intent === 'find' || intent === 'analyze') && rows.length >= 5) {
    const times = rows.map((r) => timeMs(r[timeColumn])).filter((t): t is number => t !== null);
    if (times.length >= 5) return histogram(times, timeColumn);
  }
  const numeric = columns.filter((c) => rows.some((r) => typeof r[c] === 'number') && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  if (intent === 'analyze') {
    const spread: Array<[string, string]> = [['fastest', 'fastest'], ['p10', '10th percentile'], ['median', 'median'], ['p90', '90th percentile']];
    if (spread.every(([c]) => columns.includes(c))) {
      const bars: Bar[] = [];
      for (const row of rows) {
        for (const [c, label] of spread) {
          const t = timeMs(row[c]);
          if (t !== null) bars.push({ label: rows.length > 1 ? `${rowLabel(row, columns)} · ${label}` : label, value: t, text: clock(t) });
        }
      }
      if (bars.length > 0) return { kind: 'bars', title: rows.length > 1 ? 'Finish-time spread by race' : `Finish-time spread · ${rowLabel(rows[0]!, columns)}`, axis: 'finish time', time: true, bars };
    }
  }
  if (intent === 'compare') {
    if (columns.includes('median')) {
      const bars = rows.flatMap((r) => {
        const t = timeMs(r.median);
        return t === null ? [] : [{ label: rowLabel(r, columns), value: t, text: clock(t) }];
      });
      if (bars.length > 0) return { kind: 'bars', title: 'Median finish time', axis: 'median finish time', time: true, bars };
    }
    const column = numeric.includes('finishers') ? 'finishers' : numeric[0];
    if (column) return numericBars(rows, columns, column);
  }
  if (intent === 'analyze' && numeric[0]) return numericBars(rows, columns, numeric.includes('finishers') ? 'finishers' : numeric[0]);
  return null;
}

function numericBars(rows: Row[], columns: string[], column: string): BarChart {
  return {
    kind: 'bars',
    title: column.replace(/_/g, ' '),
    axis: column.replace(/_/g, ' '),
    time: false,
    bars: rows.map((r) => ({ label: rowLabel(r, columns), value: Number(r[column] ?? 0), text: text(r[column]) })),
  };
}

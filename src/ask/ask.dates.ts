/**
 * Dates against the clock: relative dates ("last year", "this month", "the last 18 months", "in
 * the last year" = twelve months), months and seasons ("October 2025", "since march", "this past
 * april", "last fall"), half years, "the year before last", "N years ago", yesterday, today, this
 * and last week, before/after a year. A named year alone ("2025") and "since 2025" are read by
 * the parser, which also checks them against these.
 */
import { isoDate, NUMBER_WORDS, type Work } from './ask.words.js';

export interface DateRange { from: string; to: string; label: string }

const MONTH = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const monthOf = (word: string) => ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].indexOf(word.slice(0, 3));
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Spring, summer, fall: meteorological seasons (first month, months long). Winter spans two years: not read. */
const SEASONS: Record<string, [number, number]> = { spring: [2, 3], summer: [5, 3], fall: [8, 3], autumn: [8, 3] };

/**
 * Months and seasons: "October 2025", "in april" / "since march" (the latest one that has begun),
 * "between March and October 2025", "this spring", "last fall" (last year's). Null when none is said.
 */
function takeMonths(w: Work, y: number, m: number): DateRange | null {
  const latest = (mi: number) => (mi <= m ? y : y - 1); // the latest such month that has begun
  const between = w.take(new RegExp(String.raw`\bbetween\s+${MONTH}\s+((?:19|20)\d{2}\s+)?and\s+${MONTH}\s+((?:19|20)\d{2})\b`), 'months between');
  if (between) {
    const yr = Number(between[4]);
    const y1 = between[2] ? Number(between[2]) : yr;
    const a = monthOf(between[1]!), b = monthOf(between[3]!);
    return { from: isoDate(y1, a, 1), to: isoDate(yr, b + 1, 1), label: `from ${MONTH_NAMES[a]} ${y1} to ${MONTH_NAMES[b]} ${yr}` };
  }
  const since = w.take(new RegExp(String.raw`\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?${MONTH}(?:\s+((?:19|20)\d{2}))?\b|\bfrom\s+${MONTH}(?:\s+((?:19|20)\d{2}))?\s+(?:on(?:wards?)?|forward|until now|to (?:now|date|today))\b`), 'since month');
  if (since) {
    const mi = monthOf((since[1] ?? since[3])!);
    const yr = since[2] ? Number(since[2]) : since[4] ? Number(since[4]) : latest(mi);
    return { from: isoDate(yr, mi, 1), to: isoDate(y + 1, 0, 1), label: `since ${MONTH_NAMES[mi]} ${yr}` };
  }
  const month = w.take(new RegExp(String.raw`\b(?:in|during|of)\s+${MONTH}(?:\s+((?:19|20)\d{2}))?\b|\b${MONTH}\s+((?:19|20)\d{2})\b|\b(this past|last|past|this)\s+${MONTH}\b`), 'month');
  if (month) {
    const mi = monthOf((month[1] ?? month[3] ?? month[6])!);
    // "this <month>": this year's; "last/this past <month>": the latest one that has begun
    const yr = month[2] ? Number(month[2]) : month[4] ? Number(month[4]) : month[5] === 'this' ? y : latest(mi);
    return { from: isoDate(yr, mi, 1), to: isoDate(yr, mi + 1, 1), label: `in ${MONTH_NAMES[mi]} ${yr}` };
  }
  const season = w.take(/\b(since\s+)?(this past|this|last|past|previous)\s+(spring|summer|fall|autumn)\b/, 'season');
  if (season) {
    const [first, n] = SEASONS[season[3]!]!;
    // "this past spring" / "past spring": the latest one that has begun; "last": last year's; "this": this year's
    const yr = season[2] === 'this' ? y : season[2] === 'this past' || season[2] === 'past' ? (first <= m ? y : y - 1) : y - 1;
    const said = `${season[2] === 'this' ? 'this' : 'last'} ${season[3]} (${yr})`;
    if (season[1]) return { from: isoDate(yr, first, 1), to: isoDate(y + 1, 0, 1), label: `since ${said}` };
    return { from: isoDate(yr, first, 1), to: isoDate(yr, first + n, 1), label: `in ${said}` };
  }
  return null;
}

/**
 * The relative date the question says, if any, and the positions of the words it took (they are
 * no event's name: "events in october 2025", "finishers in the last 2 months").
 */
export function readDates(w: Work, now: Date): { dates: DateRange | null; blanks: number[] } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const before = w.s;
  let dates: DateRange | null = null;
  const halfYear = w.take(/\b(first|second|1st|2nd|latter)\s+half\s+of\s+(?:the\s+)?(last year|this year|(?:19|20)\d{2})\b/, 'half of a year');
  const months = halfYear ? null : takeMonths(w, y, m);
  if (halfYear) {
    const yr = halfYear[2] === 'last year' ? y - 1 : halfYear[2] === 'this year' ? y : Number(halfYear[2]);
    const second = /^(?:second|2nd|latter)$/.test(halfYear[1]!);
    dates = { from: isoDate(yr, second ? 6 : 0, 1), to: isoDate(yr, second ? 12 : 6, 1), label: `in the ${second ? 'second' : 'first'} half of ${yr}` };
  } else if (months) dates = months;
  // "in the last year", "over the past year": the twelve months to today (not last calendar year)
  else if (w.take(/\b(?:in|over|during|within)\s+the\s+(?:last|past)\s+(?:one\s+|1\s+)?year\b/, 'last 12 months')) {
    const d = now.getUTCDate();
    dates = { from: isoDate(y - 1, m, d), to: isoDate(y, m, d + 1), label: 'in the last 12 months' };
  } else if (w.take(/\b(?:last|previous|past)\s+year'?s?\b/, 'last year')) dates = { from: isoDate(y - 1, 0, 1), to: isoDate(y, 0, 1), label: `in ${y - 1}` };
  else if (w.take(/\bthis year'?s?\b|\bso far this year\b/, 'this year')) dates = { from: isoDate(y, 0, 1), to: isoDate(y + 1, 0, 1), label: `in ${y}` };
  else if (w.take(/\blast month\b/, 'last month')) dates = { from: isoDate(y, m - 1, 1), to: isoDate(y, m, 1), label: 'last month' };
  else if (w.take(/\bthis month\b/, 'this month')) dates = { from: isoDate(y, m, 1), to: isoDate(y, m + 1, 1), label: 'this month' };
  else if (w.take(/\bnext year'?s?\b/, 'next year')) dates = { from: isoDate(y + 1, 0, 1), to: isoDate(y + 2, 0, 1), label: `in ${y + 1}` };
  else if (w.take(/\bnext month\b/, 'next month')) dates = { from: isoDate(y, m + 1, 1), to: isoDate(y, m + 2, 1), label: 'next month' };
  else {
    const lastN = w.take(/\b(?:(?:in|over|during|within|from)\s+)?the\s+(?:last|past)\s+(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen)\s+(days?|weeks?|months?|years?)\b/, 'last N');
    if (lastN) {
      const n = Number(NUMBER_WORDS[lastN[1]!] ?? lastN[1]);
      const unit = lastN[2]!;
      const d = now.getUTCDate();
      const from = unit.startsWith('day') ? isoDate(y, m, d - n) : unit.startsWith('week') ? isoDate(y, m, d - 7 * n) : unit.startsWith('month') ? isoDate(y, m - n, d) : isoDate(y - n, m, d);
      dates = { from, to: isoDate(y, m, d + 1), label: `in the last ${n} ${unit}` };
    }
  }
  if (!dates) {
    const d = now.getUTCDate();
    const beforeAfter = w.take(/\b(before|prior to|after)\s+((?:19|20)\d{2})\b/, 'before/after a year');
    if (beforeAfter) {
      const yr = Number(beforeAfter[2]);
      dates = beforeAfter[1] === 'after' ? { from: `${yr + 1}-01-01`, to: isoDate(y + 1, 0, 1), label: `after ${yr}` } : { from: '1900-01-01', to: `${yr}-01-01`, label: `before ${yr}` };
    } else if (w.take(/\b(?:in\s+|over\s+)?the\s+(?:last|past)\s+half[- ]year\b/, 'last 6 months')) {
      dates = { from: isoDate(y, m - 6, d), to: isoDate(y, m, d + 1), label: 'in the last 6 months' };
    } else if (w.take(/\b(?:in\s+)?the\s+year\s+before\s+last\b/, 'the year before last')) {
      dates = { from: isoDate(y - 2, 0, 1), to: isoDate(y - 1, 0, 1), label: `in ${y - 2}` };
    } else if (w.take(/\byesterday\b/, 'yesterday')) {
      dates = { from: isoDate(y, m, d - 1), to: isoDate(y, m, d), label: 'yesterday' };
    } else if (w.take(/\btoday\b/, 'today')) {
      dates = { from: isoDate(y, m, d), to: isoDate(y, m, d + 1), label: 'today' };
    } else if (w.take(/\b(this|last)\s+week(?:end)?\b/, 'week')) {
      const monday = d - ((now.getUTCDay() + 6) % 7);
      const last = /last/.test(w.trace.at(-1)!);
      dates = { from: isoDate(y, m, monday - (last ? 7 : 0)), to: isoDate(y, m, monday + (last ? 0 : 7)), label: last ? 'last week' : 'this week' };
    } else {
      const ago = w.take(/\b(\d|one|two|three|four|five|six|seven|eight|nine|ten)\s+years?\s+ago\b/, 'years ago');
      if (ago) {
        const yr = y - Number(NUMBER_WORDS[ago[1]!] ?? ago[1]);
        dates = { from: `${yr}-01-01`, to: `${yr + 1}-01-01`, label: `in ${yr}` };
      }
    }
  }
  const blanks = [...before].map((c, i) => (c !== ' ' && w.s[i] === ' ' ? i : -1)).filter((i) => i >= 0);
  return { dates, blanks };
}

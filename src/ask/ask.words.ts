/**
 * The parser's working text: the question in lower case, with each span a rule consumed blanked
 * out (so what is left is what no rule read), and the trace of the rules that fired. Shared by
 * the parser's rule groups (ask.parser.ts, ask.dates.ts).
 */

/** Number words the rules read ("top five", "the last two years"). */
export const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, eighteen: 18, twenty: 20, fifty: 50, hundred: 100 };

/** A UTC date as YYYY-MM-DD; months and days past their range roll over as Date's do. */
export function isoDate(y: number, m: number, d: number): string {
  const dt = new Date(Date.UTC(y, m, d));
  return dt.toISOString().slice(0, 10);
}

/** The question being read: what is left of it, and which rules took what. */
export class Work {
  /** Lower-case text; consumed spans are blanked out. */
  s: string;
  trace: string[] = [];
  constructor(s: string) {
    this.s = s;
  }
  /** Runs re on the remaining text; on a match blanks it out and returns it. */
  take(re: RegExp, rule: string): RegExpExecArray | null {
    const m = re.exec(this.s);
    if (!m) return null;
    this.s = this.s.slice(0, m.index) + ' '.repeat(m[0].length) + this.s.slice(m.index + m[0].length);
    this.trace.push(`${rule}: "${m[0].trim()}"`);
    return m;
  }
  has(re: RegExp): boolean {
    return re.test(this.s);
  }
}

/**
 * The business definitions the plain-English engine (src/ask) answers with, in one versioned
 * file: change a rule here, bump DEFINITIONS_VERSION, and every answer's plan says which
 * version it was computed under.
 */
export const DEFINITIONS_VERSION = '2026-12-08.5';

export interface DistanceDef {
  /** The canonical name answers use. */
  name: string;
  /** Words and phrases that mean it (lower case, singular; plurals are folded by the parser). */
  words: string[];
  metres: number;
  /** A race counts as this distance when its course is within this fraction of `metres`
   * (a "26.2 mi" marathon is 42,164.8 m, 0.07% short; certified courses vary a little). */
  tolerance: number;
}

export const DISTANCES: DistanceDef[] = [
  { name: 'marathon', words: ['marathon', 'marathoner', '26.2 mi', '26.2 miles', '42k', '42.2k', '42.195 km'], metres: 42195, tolerance: 0.01 },
  { name: 'half marathon', words: ['half marathon', 'half marathoner', 'half', 'hm', '13.1 mi', '13.1 miles', '21k', '21.1k'], metres: 21097.5, tolerance: 0.01 },
  { name: '5K', words: ['5k', '5 k', '5 km', '5000 m', '3.1 mi'], metres: 5000, tolerance: 0.02 },
  { name: '8K', words: ['8k', '8 km'], metres: 8000, tolerance: 0.02 },
  { name: '10K', words: ['10k', '10 k', '10 km', '6.2 mi'], metres: 10000, tolerance: 0.02 },
  { name: '15K', words: ['15k', '15 km'], metres: 15000, tolerance: 0.02 },
  { name: '10 miles', words: ['10 mile', '10 mi', '10 miler', 'ten miler'], metres: 16093.44, tolerance: 0.02 },
  { name: '50K', words: ['50k', '50 km'], metres: 50000, tolerance: 0.02 },
  { name: '50 miles', words: ['50 mile', '50 mi', '50 miler'], metres: 80467.2, tolerance: 0.02 },
  { name: '100K', words: ['100k', '100 km'], metres: 100000, tolerance: 0.02 },
  { name: '100 miles', words: ['100 mile', '100 mi', '100 miler'], metres: 160934.4, tolerance: 0.02 },
];

export function distanceRange(d: DistanceDef): { minM: number; maxM: number } {
  return { minM: Math.round(d.metres * (1 - d.tolerance) * 100) / 100, maxM: Math.round(d.metres * (1 + d.tolerance) * 100) / 100 };
}

/**
 * "Finished": the result's status is 'finished' and it has a time (chip time, else gun time).
 * "Time" in every answer is that time: coalesce(chip_time_ms, gun_time_ms).
 * "Participants" / "runners" / "entrants": the race's entries, whatever their status.
 * "DNF rate": DNF results over started results (finished + DNF + DQ; DNS did not start).
 * "PR" (personal record): a person's fastest finished time at a distance, over every event of
 * the partner; a person is a first and last name (case-insensitive) and, when people share
 * a name, their home city tells them apart.
 */
export const FINISHED_STATUS = 'finished';

/**
 * Words and phrases that mean "did not finish" (a result with status DNF): the subject of
 * "how many DNFs", "number of dropouts in …". Lower case; the parser folds plurals it lists.
 */
export const DNF_WORDS = ['dnf', 'dnfs', 'did not finish', "didn't finish", 'dropped out', 'drop out', 'dropout', 'dropouts', 'drop-out', 'drop-outs', 'non-finisher', 'non-finishers', 'non finishers', 'dropped', 'dnfed', "dnf'd", "dnf'ed"];

/**
 * Boston Marathon qualifying standards (B.A.A., for the 2026 race onward: five minutes faster
 * than 2025's), by gender and age on race day. The B.A.A. accepts a time up to 59 seconds
 * past the standard ("3:00" admits 3:00:59), so a qualifier's time is below standard + 60 s.
 * Non-binary (X) athletes use the women's standards, as the B.A.A. does. Only marathons qualify.
 */
export const BQ_GRACE_MS = 60_000;
const h = (hh: number, mm: number) => (hh * 60 + mm) * 60_000;
export interface BqStandard { gender: 'M' | 'F' | 'X'; minAge: number; maxAge: number; ms: number }
const BQ_ROWS: Array<[number, number, number, number]> = [
  // minAge, maxAge, men, women
  [18, 34, h(2, 55), h(3, 25)],
  [35, 39, h(3, 0), h(3, 30)],
  [40, 44, h(3, 5), h(3, 35)],
  [45, 49, h(3, 15), h(3, 45)],
  [50, 54, h(3, 20), h(3, 50)],
  [55, 59, h(3, 30), h(4, 0)],
  [60, 64, h(3, 50), h(4, 20)],
  [65, 69, h(4, 5), h(4, 35)],
  [70, 74, h(4, 20), h(4, 50)],
  [75, 79, h(4, 35), h(5, 5)],
  [80, 130, h(4, 50), h(5, 20)],
];
export const BQ_STANDARDS: BqStandard[] = BQ_ROWS.flatMap(([minAge, maxAge, men, women]) => [
  { gender: 'M' as const, minAge, maxAge, ms: men },
  { gender: 'F' as const, minAge, maxAge, ms: women },
  { gender: 'X' as const, minAge, maxAge, ms: women },
]);

/** Age groups answers group by (five-year groups, as most results pages show). */
export const AGE_GROUPS: Array<{ label: string; min: number; max: number }> = [
  { label: '0-19', min: 0, max: 19 },
  ...Array.from({ length: 14 }, (_, i) => ({ label: `${20 + i * 5}-${24 + i * 5}`, min: 20 + i * 5, max: 24 + i * 5 })),
  { label: '90+', min: 90, max: 130 },
];
/** Named groups people ask for. */
export const NAMED_AGE_GROUPS: Record<string, { min: number; max: number }> = {
  masters: { min: 40, max: 130 },
  master: { min: 40, max: 130 },
  'grand masters': { min: 50, max: 130 },
  grandmasters: { min: 50, max: 130 },
  seniors: { min: 60, max: 130 },
  juniors: { min: 0, max: 19 },
  youth: { min: 0, max: 17 },
};

/** Below this confidence the engine asks or says what it did not understand. */
export const CONFIDENCE_THRESHOLD = 0.6;
/**
 * An answer is confident only if every content word of the question was explained by a rule
 * (or is a stop word): a word no rule used may carry the meaning of the question ("dropouts"
 * in "number of dropouts in …"), so one such word caps the confidence here, below the
 * threshold, and the answer says which words it did not understand instead of answering
 * something else. Each word also costs 15 % (ranks the plan shown with it).
 */
export const UNEXPLAINED_WORD_CAP = 0.55;
export const UNEXPLAINED_WORD_FACTOR = 0.85;
/** Most rows an answer returns (truncated says when there were more). */
export const MAX_ROWS = 1000;
/** Rows a list shows when the question names no number. */
export const DEFAULT_LIMIT = 100;

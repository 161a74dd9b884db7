/**
 * Question → what it says, by rules (deterministic, offline): the intent and the entities the
 * words name (distance, gender, age, time thresholds, dates against an injectable clock, limit
 * and order, a person's name, an event phrase, a timing session). Names are not resolved here:
 * the service matches them against the partner's own events and people. Every rule that fires
 * is written to the trace, and the words no rule used are kept, so an answer can say what it
 * did not understand.
 */
import { DISTANCES, DNF_WORDS, NAMED_AGE_GROUPS, type DistanceDef } from './definitions.js';
import { readDates, type DateRange } from './ask.dates.js';
import { isoDate, NUMBER_WORDS, Work } from './ask.words.js';

export type { DateRange } from './ask.dates.js';

export type Intent = 'count' | 'list' | 'find' | 'analyze' | 'compare' | 'timing' | 'unknown';
export type Subject = 'finishers' | 'participants' | 'dnf' | 'events' | 'races';


export interface ParsedQuestion {
  intent: Intent;
  /** How sure the intent rule was (before names are matched). */
  intentConfidence: number;
  subject: Subject;
  distance: DistanceDef | null;
  /** Every distance the question says, with the words that said it (longest first): the service
   * prefers one that is not part of the matched event's name ("the 5K at the Boston Marathon"). */
  distances: Array<{ d: DistanceDef; word: string; count: number }>;
  gender: 'M' | 'F' | 'X' | null;
  age: { min: number; max: number } | null;
  time: { underMs: number | null; overMs: number | null } | null;
  dates: DateRange | null;
  /** A year the question names (also a date range). */
  year: number | null;
  limit: number | null;
  order: 'fastest' | 'slowest' | 'youngest' | 'oldest' | null;
  bq: boolean;
  /** The Boston-qualifier words said "Boston" ("qualified for Boston"): that "Boston" names no event. */
  bqSaysBoston?: boolean;
  pr: boolean;
  active: boolean;
  /** A bib number ("who wore bib 1005", "bib #12"). */
  bib: string | null;
  /** A person's name; city when the question says which one ("John Smith from Denver", as a clarify answer's candidates read). */
  person: { first: string; last: string; capitalized: boolean; city: string | null } | null;
  /** The words after in/for/at/of/the that look like an event's name. */
  eventPhrase: string | null;
  /** For compare: the two sides' texts. */
  sides: [string, string] | null;
  /** No word says the question is about results: it must name one of the partner's events or people. */
  noDomainWord?: boolean;
  /** Both sides are two lower-case words and nothing else says the question is about results: people or nothing. */
  sidesMayBePeople?: boolean;
  /** For analyze: "by age group". */
  breakdown: 'age_group' | null;
  /** mat: a mat named as one ("the FINISH mat"); matWord: a word that may be a mat's name ("reads at FINISH"). */
  session: { id: number | null; name: string | null; what: 'by_mat' | 'last_reads' | 'unknown_tags' | 'tags'; mat: string | null; matWord?: string; matHints?: string[]; first?: boolean; tagWords?: string[] } | null;
  /** Why the question was refused before anything ran (another partner's data). */
  refusal: string | null;
  /** A named year that the question's relative date excludes: never resolved, so never answered confidently. */
  dateConflict?: string;
  /** Two or more different years outside a comparison ("the Boston Marathon 2026 in 2025"): the service says which
   * event the name matched and asks for one year, never answering with either year silently. */
  years?: number[];
  /** Words no rule used (the question's tokens, minus fillers and what rules consumed). */
  unknown: string[];
  /** The question's lower-case word tokens (for matching names). */
  tokens: string[];
  trace: string[];
}

/**
 * Words that say nothing a plan could get wrong: grammar, the question's verbs, and domain words
 * whose meaning is the default (a question about results is about runners, their times, their
 * events). Words that change what is counted or how it is grouped ("each", "per", "age",
 * "group", "dropped", "mat", "under", "over") are not here: they are explained only when the rule
 * that applies them consumed them, so a question whose grouping, filter or subject went unread
 * is never answered confidently as if that word were not there.
 */
export const FILLER = new Set(
  `a an the of in on at for from to by with and or our my we us me i you your please show list find get give tell display what whats what's which who whose how many much number
  count did do does was were is are be been there their them they it its this that these those can could would will all any every
  runner runners people person persons participant participants athlete athletes entrant entrants finisher finishers finished finish finishing
  ran run running race races raced event events result results time times data info information about performance analyze analyse analysis
  statistics stats stat compare comparison versus vs between breakdown overview summary report see look up lookup generate export download csv
  contact details including include so far ever have has had got make made total overall registered entered signed where when year years
  current currently latest live timing session reads read detail full fastest slowest top first best worst quickest pr prs record records personal
  old year-old years-old did not complete completed completing
  hold held host hosted timed organize organized organise organised done
  ppl folks everybody everyone anybody anyone pls plz thanks thank thx hi hey hello quick gimme went recorded logged clocked wore wearing field
  names starters starter everything grand raw across combined altogether entries need picked pick reach reached hit happened happen
  during seen em name`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words that say the question is about this domain at all. */
const DOMAIN = /\b(runners?|race[sd]?|events?|finish(?:ed|ers?|ing)?|participants?|athletes?|entrants?|results?|marathon(?:er)?s?|dropouts?|5ks?|10ks?|pr|prs|bqs?|boston qualif|qualifiers?|times?|session|reads?|mats?|dnfs?|median|fastest|slowest|pace|people|men|women|male|female|ran|registered|timed|dropped|starters|bibs?)\b/i;

/** "3 hours", "3:30", "3 hours 30 minutes", "20 minutes", "2:59:59" → ms. */
function durationMs(num: string, unit: string | undefined, shortRace: boolean): number | null {
  const n = num.trim();
  const c = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(n);
  if (c) {
    const a = Number(c[1]), b = Number(c[2]), d = c[3] === undefined ? null : Number(c[3]);
    if (b > 59 || (d !== null && d > 59)) return null;
    if (d !== null) return ((a * 60 + b) * 60 + d) * 1000;
    // a:b is h:mm for long races and small first numbers, mm:ss otherwise
    return a < 10 && !shortRace ? (a * 60 + b) * 60_000 : (a * 60 + b) * 1000;
  }
  const v = Number(NUMBER_WORDS[n] ?? n);
  if (!Number.isFinite(v) || v <= 0) return null;
  const u = (unit ?? '').toLowerCase();
  if (/^h/.test(u)) return Math.round(v * 3_600_000);
  if (/^m/.test(u)) return Math.round(v * 60_000);
  if (/^s/.test(u)) return Math.round(v * 1000);
  return v <= 10 && !shortRace ? Math.round(v * 3_600_000) : Math.round(v * 60_000);
}

const NUM = String.raw`(\d{1,2}:\d{2}(?::\d{2})?|\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)`;
const UNIT = String.raw`(?:\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b)?`;
const EXTRA = String.raw`(?:\s*(?:and\s+)?(\d{1,2})\s*(?:minutes?|mins?|m)\b)?`;

const UNKNOWN_TAGS = new RegExp(
  String.raw`\b(?:unknown|unmatched|unrecognized|unrecognised|unregistered|unassigned|stray|orphan(?:ed)?|mystery)\s+(?:tags?|chips?|tag codes?)\b` +
    String.raw`(?:\s+(?:that\s+)?(?:were\s+)?(?:read|seen))?` +
    String.raw`|\b(?:tags?|chips?|tag codes?)\s+(?:(?:that|which)\s+)?(?:(?:are|were|is)\s+)?(?:read\s+)?(?:not|aren't|weren't|isn't|missing)\s+(?:on|in|from)\s+(?:the\s+|our\s+|any\s+)?roster\b` +
    String.raw`|\b(?:tags?|chips?|tag codes?)\s+(?:with|that match|matching)\s+no\s+(?:roster\s+)?(?:participant|runner|entrant|bib|one)s?\b` +
    String.raw`|\b(?:tags?|chips?)\s+(?:without|with no)\s+(?:a\s+)?(?:roster|participant|runner|bib)s?\b` +
    String.raw`|\b(?:tags?|chips?|tag codes?)\s+(?:(?:that|which)\s+)?(?:(?:are|were|is)\s+)?(?:not|aren't|weren't|isn't)\s+(?:registered|assigned|known)\b` +
    // "chips … we don't have on the start list", "chips we can't match to a bib"
    String.raw`|\b(?:tags?|chips?)\b(?:\s+\S+){0,4}?\s+(?:not|don't have|do not have|aren't|isn't|weren't|missing from)(?:\s+\S+){0,2}?\s+(?:on|in|from)\s+(?:the\s+|our\s+)?(?:roster|start\s*list|entry\s+list|registrations?)\b` +
    String.raw`|\b(?:tags?|chips?)\s+(?:\S+\s+){0,2}?(?:can't|cannot|couldn't|can not)\s+match\s+(?:to|with)\s+(?:a\s+|any\s+)?(?:bib|runner|participant|name)s?\b` +
    String.raw`|\b(?:tags?|chips?)\s+(?:\S+\s+){0,2}?(?:don't|do not|doesn't|does not)\s+belong\s+to\s+(?:a\s+|any\s+)?(?:registered\s+)?(?:runner|participant|bib|entrant|anyone|anybody)s?\b`,
);

const DNF_RE = new RegExp(String.raw`\b(?:${DNF_WORDS.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')).join('|')})\b`);

export function parseQuestion(question: string, now: Date): ParsedQuestion {
  const original = question.normalize('NFKC').replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ').trim().slice(0, 500)
    // shorthand read as its words: "no. of" / "total no." = number, "how'd" = how did, "65-and-over" = 65 and over
    .replace(/\bno\.\s*of\b/gi, 'number of').replace(/\btotal\s+no\.?(?=\s|$|[?,!])/gi, 'total number').replace(/\bhow'd\b/gi, 'how did')
    .replace(/(\d)-and-(over|up|older|under|younger)\b/gi, '$1 and $2')
    // apostrophes people leave out, and a few spellings: "didnt", "arent", "womens", "grp", "over-60s"
    .replace(/\b(did|do|does|was|were|are|is|ca|wo|have|has|had)nt\b/gi, "$1n't").replace(/\b(wo)?mens\b/gi, "$1men's").replace(/\bgrps?\b/gi, 'group')
    // "under-30s", "the over 60s": people of an age (not 30 seconds); "over-60" reads as "over 60"
    .replace(/\b(over|under)[- ](\d{2})s\b/gi, '$1 the age of $2').replace(/\b(over|under)-(\d)/gi, '$1 $2')
    // politeness at the end ("…, number pls"): the rules that read the end of a question see the question
    .replace(/(?:[\s,;:-]+(?:pls|please|plz|thanks|thank you|thx|ty|cheers))+[\s.!?]*$/i, '');
  const w = new Work(` ${original.toLowerCase()} `);
  const out: ParsedQuestion = {
    intent: 'unknown', intentConfidence: 0, subject: 'participants', distance: null, distances: [], gender: null, age: null, time: null, dates: null, year: null,
    limit: null, order: null, bq: false, pr: false, active: false, person: null, bib: null, eventPhrase: null, sides: null, breakdown: null, session: null, refusal: null,
    unknown: [], tokens: [], trace: w.trace,
  };
  out.tokens = original.toLowerCase().split(/[^a-z0-9']+/).filter(Boolean);

  // Another partner's data: refused, whatever else the question says.
  if (w.has(/\b(?:partner|tenant|customer|account)s?\s*(?:#|no\.?|number|id)?\s*\d+\b|\b(?:other|another|every|all|different)\s+(?:(?:timing\s+)?(?:partner|tenant|customer|account|compan(?:y|ies))(?:'s|s)?)(?![\w])|\bbypass\b|\brow[- ]level\b/)) {
    out.refusal = 'I can only answer questions about your own events and results.';
    w.trace.push('refusal: the question asks about another partner');
    return out;
  }

  // Not questions about the data: a how-to about equipment, a request to send something, a recommendation.
  const lowerQ = original.toLowerCase();
  const howTo = /^\s*how\s+(?:do|can|should|would)\s+(?:i|we|you)\s+(?:reset|fix|set up|setup|install|configure|connect|clean|repair|charge|mount|replace|program|update|calibrate|test)\b/.test(lowerQ)
    || /\b(?:email|send|text|fax|mail|forward|print|post)\s+(?:the\s+|our\s+|these\s+|them\s+|those\s+)?(?:results?|list|data|it|this|them)\s+to\b/.test(lowerQ)
    || /^\s*(?:can you\s+|could you\s+|please\s+)?(?:recommend|suggest)\b/.test(lowerQ);
  if (howTo) {
    out.intent = 'unknown';
    out.intentConfidence = 0;
    w.trace.push('not about results: a how-to, a request to send or a recommendation');
    finishUnknown(w, out);
    return out;
  }
  // Timing sessions (the live data).
  // (with its preposition: "tags in session 1 are not on the roster" reads on without the "in")
  const sess = w.take(/\b(?:(?:in|for|of|at|from|during)\s+)?(?:session|sess\.?)\s*(?:#|no\.?|number|id)?\s*(\d{1,9})\b/, 'session')
    ?? w.take(/\b(?:(?:in|for|of|at|from|during)\s+)?(?:the\s+)?session\s+(?:named|called)\s+"?([^"?]+?)"?(?=[?.!]|\s*$)/, 'session name')
    ?? w.take(/(?:\b(?:in|for|of|at|from|during)\s+)?(?:\bthe\s+)?"([^"]{1,100})"\s+session\b|\bsession\s+"([^"]{1,100})"/, 'session name');
  if (sess && sess[1] === undefined && sess[2] !== undefined) sess[1] = sess[2];
  // Tags read that no roster participant has (by tag, else bib, as the displays match them).
  const unknownTags = w.take(UNKNOWN_TAGS, 'unknown tags');
  if (sess || unknownTags || w.has(/\b(timing data|reads?|mats?|last reads?)\b/)) {
    const byName = sess && !/^\d+$/.test(sess[1]!);
    w.s = w.s.replace(/\bfinal\b/g, 'last '); // "the final two reads" (same length: the spans stay aligned)
    const asAsked = w.s; // before the rules below consume "crossed", "at" …: where a mat's name may be
    // "which tags were seen", "chips read at the finish": the tags themselves, once each
    const tags = !unknownTags && (w.take(/\b(?:distinct|unique|different|individual)\s+(?:tags?|chips?|tag codes?)(?:\s+(?:that\s+)?(?:were\s+)?(?:seen|read|detected))?\b/, 'tags read') ?? w.take(/(?<!\b(?:last|latest|recent|first|earliest|newest)\s+)\b(?:tags?|chips?|tag codes?)\s+(?:(?:that|which)\s+)?(?:(?:were|was|got|have been)\s+)?(?:seen|read|detected|picked up|recorded|crossed|hit)\b/, 'tags read'));
    // "show the reads from the FINISH mat": one mat's reads themselves, newest first (without a mat, the
    // session's reads are summed up by mat: a session may hold 100,000 reads)
    const namesMat = /\b[a-z0-9][a-z0-9_.-]{0,15}\s+(?:timing\s+)?(?:mat|reader|antenna)\b(?!s)/.test(w.s) && !/\b(?:each|every|which|per|by)\s+(?:timing\s+)?(?:mat|reader|antenna)\b/.test(w.s);
    // "all reads", "every read": the reads themselves too (a list, cut at the row cap and saying so)
    const everyRead = /\b(?:all|every)\s+(?:the\s+|of\s+the\s+)?(?:raw\s+)?reads?\b(?!\s+(?:by|per)\b|\s+(?:at|for)\s+(?:each|every)\b)/.test(w.s);
    // one mat's reads, not counted or summed up ("finish mat reads sess 1"): its reads themselves (a summary of one mat is one row)
    const oneMatReads = namesMat && /\breads\b/.test(w.s) && !/\b(?:how many|number of|count|total|totals|summary|sum)\b/.test(w.s);
    const readList = !unknownTags && !tags && (((namesMat || everyRead) && w.take(/\b(?:show|list|display|give|get|see)\s+(?:me\s+)?(?:all\s+|every\s+)?(?:of\s+)?(?:the\s+)?(?:raw\s+)?(?:reads\b|read\b(?!s))(?!\s+(?:by|per)\b|\s+(?:at|for)\s+(?:each|every)\b)/, 'list of reads')) || oneMatReads);
    out.session = {
      id: sess && !byName ? Number(sess[1]) : null,
      name: byName ? sess[1]!.trim() : null,
      what: unknownTags ? 'unknown_tags' : tags ? 'tags' : readList || w.has(/\b(last|latest|recent|most recent)\s+(\d+\s+|two\s+|three\s+|four\s+|five\s+|couple\s+(?:of\s+)?|few\s+)?(?:chip\s+)?reads?\b/) ? 'last_reads' : 'by_mat',
      mat: null,
    };
    if (readList && !w.has(/\b(?:last|latest|recent|most recent)\b/)) out.limit = 100;
    // "which chip was read last": the last read
    if (!unknownTags && w.take(/\b(?:which|what)\s+(?:chip|tag)\s+(?:was\s+)?(?:read|seen)\s+last\b/, 'last read')) {
      out.session.what = 'last_reads';
      out.limit = 1;
    }
    // "the first two reads", "the earliest read": the reads from the session's start
    const firstReads = !unknownTags && !tags && w.take(/\b(?:first|earliest|oldest)\s+(?:(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|couple(?:\s+of)?|few)\s+)?(?:chip\s+)?(reads?)\b/, 'first reads');
    if (firstReads) {
      out.session.what = 'last_reads';
      out.session.first = true;
      const k = firstReads[1];
      out.limit = k === undefined ? (firstReads[2] === 'read' ? 1 : 20) : /^couple/.test(k) ? 2 : k === 'few' ? 3 : Number(NUMBER_WORDS[k] ?? k);
    }
    const n = /\b(?:last|latest|recent)\s+(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|couple(?:\s+of)?|few)\s+(?:chip\s+)?reads?\b/.exec(w.s);
    if (firstReads) { /* counted above */ } else if (n) out.limit = /^couple/.test(n[1]!) ? 2 : n[1] === 'few' ? 3 : Number(NUMBER_WORDS[n[1]!] ?? n[1]);
    // "the most recent read", "the latest read": one read (a singular noun and no number)
    else if (/\b(?:last|latest|newest|most recent)\s+(?:chip\s+)?read\b(?!s)/.test(w.s)) out.limit = 1;
    out.intent = 'timing';
    out.intentConfidence = sess ? 0.95 : 0.7;
    w.take(/\b(?:what'?s|what is|show(?: me)?)?\s*(?:the\s+)?(?:current|live|latest)?\s*timing data\b/, 'timing data');
    w.take(/\b(?:last|latest|recent|most recent)\s+(?:\d{1,3}\s+|(?:two|three|four|five|six|seven|eight|nine|ten)\s+|couple\s+(?:of\s+)?|few\s+)?(?:chip\s+)?reads?\b/, 'last reads');
    w.take(/\bbreak(?:s|ing)?\s+down\b|\bbroken\s+down\b/, 'reads by mat');
    // "first" / "earliest" anywhere else has no rule: said so, not answered as reads by mat ("first" is a stop word elsewhere)
    const first = /\b(?:first|earliest|oldest)\b/.exec(w.s);
    if (first) w.trace.push(`not read: "${first[0]}" (only the last reads are listed)`);
    w.take(/\b(?:reads?\s+)?(?:by|per)\s+(?:mat|location|timing point)s?\b|\bmat\s+(?:summary|totals?|counts?|breakdown)\b|\bmat[- ]by[- ]mat\b|\bmat\s+splits?\b/, 'reads by mat');
    w.take(/\b(?:read\s+)?(?:totals|counts)\b/, 'reads by mat');
    w.take(/\b(?:at|per|by|for)\s+(?:each|every)\s+(?:mat|location|timing point)s?\b|\btiming points?\b/, 'reads by mat');
    // One mat by its name ("the FINISH mat", "at the 5k timing mat"): only that mat's reads (the service checks the session has it).
    const mat = w.take(/\b(?:(?:at|from|on|over|across|of)\s+)?(?:the\s+)?([a-z0-9][a-z0-9_.-]{0,15})\s+(?:timing\s+)?(?:mat|reader|antenna)\b(?!s)/, 'one mat');
    if (mat && !/^(?:each|every|which|what|all|any|a|one|per|by|timing|that|this|same)$/.test(mat[1]!)) out.session.mat = mat[1]!;
    else if (mat) w.trace.push(`not read: "${mat[0].trim()}" names no mat`);
    // "reads at FINISH", "tags crossed START": a word after at/from/crossed may be a mat's name; the service
    // keeps it only when the session has a mat of that name (else it stays a word no rule explained)
    const place = !out.session.mat && /\b(?:at|from|on|crossed|crossing|over)\s+(?:the\s+)?([a-z0-9][a-z0-9_.-]{0,15})\b/.exec(asAsked);
    if (place && !/^(?:each|every|which|what|all|any|a|one|per|by|timing|that|this|same|least|most|session|sess|the)$/.test(place[1]!)) {
      out.session.matWord = place[1]!;
      w.take(new RegExp(String.raw`\b${place[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\s+line\b`), 'mat (the line)');
    }
    // "T1 finish read", "what time did T1 finish": a word that is a mat's name only if the session has that mat (else nothing)
    const hints = [...asAsked.matchAll(/\b([a-z0-9][a-z0-9_.-]{0,15})\s+(?=reads?\b)|\b(?:did|does|do)\s+\S+\s+(?:ever\s+)?([a-z0-9][a-z0-9_.-]{0,15})\b/g)].map((x) => (x[1] ?? x[2])!);
    if (!out.session.mat && !out.session.matWord && hints.length > 0) out.session.matHints = hints;
    finishUnknown(w, out);
    // words that may be a tag's code ("T1", "058003"): the service keeps one the session has read
    const tagWords = out.unknown.filter((x) => /^[a-z0-9_-]{1,16}$/.test(x) && /\d/.test(x));
    if (tagWords.length > 0) out.session.tagWords = tagWords;
    if (first) out.unknown.push(first[0]);
    return out;
  }

  // A bib number: that entry ("who wore bib 1005", "whose bib was 1150", "bib #12").
  const bib = w.take(/\b(?:bib|race\s+number|race\s+no\.?)\s*(?:number|no\.?|#)?\s*(?:was|is|of)?\s*#?\s*(\d{1,6})\b/, 'bib');
  if (bib) out.bib = bib[1]!;

  // Boston qualifiers (before "Boston" can be taken for an event).
  const bq = w.take(/\b(?:boston[- ]qualif(?:ier|iers|ying|ied|y)(?:\s+times?)?|bq'?d|bqs?(?:\s+times?)?|qualif(?:ied|y|iers?)\s+for\s+boston)\b/, 'boston qualifier');
  if (bq) {
    out.bq = true;
    // "Boston" said in the qualifier is not an event's name ("BQ time at the Boston Marathon" names one)
    out.bqSaysBoston = /boston/.test(bq[0]);
  }

  if (w.take(/\b(?:prs?|p\.r\.|personal (?:record|best)s?|pbs?|best times?)\b/, 'personal record')) out.pr = true;
  if (w.take(/\b(?:active|upcoming|current|ongoing)\b(?=\s+(?:events?|races?))/, 'active')) out.active = true;

  // Time thresholds.
  const shortRace = /\b(5k|8k|10k|5 k|10 k|mile)\b/.test(w.s);
  const between = w.take(new RegExp(String.raw`\bbetween\s+${NUM}${UNIT}\s+and\s+${NUM}${UNIT}`), 'time between');
  if (between) {
    const unit = between[4] ?? between[2];
    const lo = durationMs(between[1]!, between[2] ?? unit, shortRace);
    const hi = durationMs(between[3]!, unit, shortRace);
    if (lo !== null && hi !== null) out.time = { underMs: hi, overMs: lo };
  }
  const sub = w.take(/\bsub[- ]?(\d{1,2}(?::\d{2})?)\b/, 'sub time');
  if (sub) out.time = { underMs: durationMs(sub[1]!, undefined, shortRace), overMs: out.time?.overMs ?? null };
  const underRe = new RegExp(String.raw`\b(?:in\s+)?(?:under|below|less than|faster than|quicker than|within|better than|no more than|broke|broken|breaking|beat|beating)\s+${NUM}${UNIT}${EXTRA}`);
  const u0 = underRe.exec(w.s);
  // "under 20" without a unit is an age, not a time (unless it is a small number of hours)
  if (u0 && (u0[2] !== undefined || u0[1]!.includes(':') || !/^\d/.test(u0[1]!) || Number(u0[1]) <= 10)) {
    const under = w.take(underRe, 'time under')!;
    const ms = durationMs(under[1]!, under[2], shortRace);
    if (ms !== null) out.time = { underMs: ms + (under[3] ? Number(under[3]) * 60_000 : 0), overMs: out.time?.overMs ?? null };
  }
  const over = w.take(new RegExp(String.raw`\b(?:over|above|more than|slower than|longer than|at least)\s+${NUM}\s*(hours?|hrs?|h|minutes?|mins?)\b${EXTRA}`), 'time over')
    ?? w.take(/\b(?:over|above|more than|slower than|longer than)\s+(\d{1,2}:\d{2}(?::\d{2})?)()/, 'time over');
  if (over) {
    const ms = durationMs(over[1]!, over[2] || undefined, shortRace);
    if (ms !== null) out.time = { underMs: out.time?.underMs ?? null, overMs: ms + (over[3] ? Number(over[3]) * 60_000 : 0) };
  }

  // Dates, against the clock (ask.dates.ts); the words they consumed are no event's name.
  const y = now.getUTCFullYear();
  const { dates: relative, blanks: dateBlanks } = readDates(w, now);
  if (relative) out.dates = relative;
  const since = w.take(/\bsince\s+((?:19|20)\d{2})\b/, 'since year');
  if (since) out.dates = { from: `${since[1]}-01-01`, to: isoDate(y + 1, 0, 1), label: `since ${since[1]}` };
  const yearM = /\b((?:19|20)\d{2})\b/.exec(w.s);
  // A year the question names that a relative date excludes ("the Boston Marathon 2026 last year"):
  // which one is meant cannot be told, so neither wins silently; the year stays unexplained.
  if (yearM && out.dates && !(`${yearM[1]}-01-01` < out.dates.to && out.dates.from < `${Number(yearM[1]) + 1}-01-01`)) {
    out.dateConflict = `${yearM[1]} (not ${out.dates.label})`;
    w.trace.push(`dates disagree: ${yearM[1]} and ${out.dates.label}`);
  }
  const years = [...new Set([...w.s.matchAll(/\b((?:19|20)\d{2})\b/g)].map((x) => Number(x[1])))];
  if (years.length > 1) {
    out.years = years;
    w.trace.push(`years disagree: ${years.join(' and ')}`);
  }
  if (yearM && !out.dates) {
    out.year = Number(yearM[1]);
    out.dates = { from: `${out.year}-01-01`, to: `${out.year + 1}-01-01`, label: `in ${out.year}` };
    // the year stays in the text: it may be part of an event's name; it is consumed there or below
  }

  // Limit and order.
  const top = w.take(/\b(?:top|fastest|first|best|quickest|slowest|last|bottom)\s+(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)\b(?!\s*(?:k|km|mi|miles?|hours?|minutes?|years?|days?)\b)/, 'limit');
  if (top) out.limit = Number(NUMBER_WORDS[top[1]!] ?? top[1]);
  const nFastest = w.take(/\b(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)\s+(fastest|slowest|quickest)\b/, 'limit');
  if (nFastest) {
    out.limit = Number(NUMBER_WORDS[nFastest[1]!] ?? nFastest[1]);
    out.order = nFastest[2] === 'slowest' ? 'slowest' : 'fastest';
  }
  if (/\b(slowest|last|bottom)\b/.test(top?.[0] ?? '') || w.has(/\bslowest\b/)) out.order = 'slowest';
  else if (top || w.has(/\b(fastest|quickest|winners?|winning|won|best)\b/)) out.order = out.order ?? 'fastest';
  if (w.take(/\b(?:the\s+)?(?:winners?|winning(?:\s+times?)?)\b|\b(?:who|what\s+time|which\s+time)\s+won\b/, 'winner')) out.limit = out.limit ?? 1;
  // by age: "the youngest woman to finish", "age of the oldest finisher" (one, with a singular noun)
  const byAge = w.take(/\b(?:(?:the\s+)?age\s+of\s+(?:the\s+|our\s+)?)?(youngest|oldest)\b(?!\s+(?:first|events?)\b)/, 'by age');
  if (byAge) {
    out.order = byAge[1] === 'youngest' ? 'youngest' : 'oldest';
    if (out.limit === null && /^\s*(?:(?:female|male|woman|man|women's|men's)\s+)?(?:woman|man|lady|girl|boy|guy|runner|finisher|athlete|participant|person|entrant|one|marathoner|female|male|hm|half|marathon|5k|10k)\b(?!s)/.test(w.s.slice(byAge.index + byAge[0].length))) out.limit = 1;
  }
  // "leaderboard", "standings", "rankings": the results fastest first
  if (w.take(/\b(?:leaderboard|leader board|standings|rankings)\b/, 'leaderboard')) out.order = out.order ?? 'fastest';
  // the podium: the first three
  if (w.take(/\bpodium(?:\s+finish(?:ers|es)?)?\b/, 'podium')) {
    out.limit = out.limit ?? 3;
    out.order = out.order ?? 'fastest';
  }
  // the last finisher: the slowest one
  w.take(/\bcame\s+in\b/, 'came in');
  const lastOne = w.take(/\b(?:the\s+)?last\s+(?:finisher|runner|person|athlete|one)(?:'s)?\b(?!s)|\bdead\s+last\b/, 'last finisher');
  if (lastOne) {
    out.order = 'slowest';
    out.limit = out.limit ?? 1;
  }
  // A superlative with a singular noun and no number is one row: "the fastest woman", "the slowest finisher"
  const single = /\b(?:fastest|quickest|slowest|top|best|first)\s+(?:(?:overall|female|male|women's|men's)\s+)?(?:woman|man|lady|girl|boy|guy|runner|finisher|athlete|participant|person|entrant|marathoner|female|male)\b(?!['’]s)/.exec(w.s);
  if (single && out.limit === null) {
    out.limit = 1;
    out.order = out.order ?? (/^(?:slowest)/.test(single[0]) ? 'slowest' : 'fastest');
    w.trace.push(`limit: one ("${single[0]}", a singular noun)`);
  }
  const limitWord = w.take(/\blimit\s+(\d{1,4})\b/, 'limit');
  if (limitWord) out.limit = Number(limitWord[1]);

  // A category code: "M40-44", "F50-54", "W35-39" (gender and age range).
  const code = w.take(/\b([mfw])\s?(\d{2})\s*[-–]\s*(\d{2})\b/, 'category code');
  if (code) {
    out.gender = code[1] === 'm' ? 'M' : 'F';
    out.age = { min: Number(code[2]), max: Number(code[3]) };
  }
  // "back in 2024", "on our books": nothing the plan changes
  w.take(/\bback\s+(?=in\s+(?:19|20)\d{2}\b)/, 'back in');
  w.take(/\bon\s+(?:our|the)\s+books\b/, 'on our books');
  // "how long did … take": a time (the answer's time column, or the analysis' times); "on average": the mean
  if (/\bhow\s+long\s+(?:did|does|do|was|were)\b.*\btake\b/.test(w.s)) {
    w.take(/\bhow\s+long\b/, 'how long … take');
    w.take(/\btake\b(?!.*\btake\b)/, 'how long … take');
  }
  // "chip time" is the time every answer uses (gun time only when there is no chip time)
  w.take(/\bchip[- ]times?\b/, 'chip time');
  // Gender.
  if (out.gender) { /* said by a category code */ } else if (w.take(/\b(?:only\s+)?(?:women's|woman's|women|woman|females|female|ladies|lady|girls?)(?:\s+only)?(?![\w'])/, 'gender F')) out.gender = 'F';
  else if (w.take(/\b(?:only\s+)?(?:men's|man's|men|man|males|male|guys|boys?|gentlemen)(?:\s+only)?(?![\w'])/, 'gender M')) out.gender = 'M';
  else if (w.take(/\b(?:non-?binary|nonbinary|enby)\b/, 'gender X')) out.gender = 'X';

  // A breakdown by age group (before ages: "age group" is not an age).
  // ("in each age group", and the plural alone: "Shamrock Marathon 2025 age groups" asks for the groups)
  if (w.take(/\b(?:(?:broken down |split |grouped )?(?:by|per|for each|across|in each|within each|in every|for every) age[- ]?(?:groups?|categor(?:y|ies)|brackets?|divisions?)?|(?:age[- ]?(?:group|category|bracket|division)s?|ag)\s+(?:breakdown|split|splits|stats|statistics|results|analysis|summary|table)|(?:by|per) ag|age[- ]?(?:groups|categories|brackets|divisions))\b/, 'breakdown by age group')) out.breakdown = 'age_group';

  // Age.
  const ageRange = !out.age && (w.take(/\b(?:aged?|ages|age group|in the)\s+(\d{1,2})\s*(?:-|to|–|and)\s*(\d{1,2})\b(?:\s*age group)?/, 'age range')
    ?? w.take(/\b(\d{1,2})\s*(?:-|–)\s*(\d{1,2})\s+(?:age group|year olds?|years? old)\b/, 'age range'));
  if (ageRange) out.age = { min: Number(ageRange[1]), max: Number(ageRange[2]) };
  const decade = !out.age && w.take(/\bin (?:their|his|her)\s+(\d)0s\b|\b(\d)0-somethings?\b/, 'age decade');
  if (decade) {
    const d = Number(decade[1] ?? decade[2]) * 10;
    out.age = { min: d, max: d + 9 };
  }
  const ageMin = !out.age && (w.take(/\b(?:aged?|ages)\s+(\d{1,2})\s*(?:\+|plus\b|(?:and|or) (?:over|up|older|above))|\b(?:over|older than|above)\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?(\d{1,2})(?:'?s\b)?\s*(?:years? old)?\b(?!\s*(?:hours?|minutes?|:))|\b(\d{1,2})\s*(?:\+|plus\b|(?:and|or) (?:over|up|older))(?=\s|$)/, 'age min'));
  // "60 and over", "60+" include 60; "over 60", "older than 60" do not
  if (ageMin) out.age = ageMin[2] !== undefined ? { min: Number(ageMin[2]) + 1, max: 130 } : { min: Number(ageMin[1] ?? ageMin[3]), max: 130 };
  const ageMax = !out.age && (w.take(/\b(?:younger than|aged? under|under the age of|under age)\s+(\d{1,2})\b/, 'age max')
    // "runners under 40" at a half marathon: people under a number are an age (not over a 5K/10K/mile, where it may be minutes)
    // (over a half, a number under 60 cannot be minutes)
    ?? (shortRace || /\b(?:\d+(?:\.\d+)?\s*(?:k|km|mi|miles?|miler)|mile)\b/.test(w.s) ? null
      : w.take(/(?<=\b(?:runners|people|athletes|entrants|women|men|those|folks|ones)\s+)(?:under|below)\s+([1-5]\d)\b(?!\s*(?::|hours?|hrs?|minutes?|mins?|seconds?))/, 'age max'))
    // "under 30" with no unit, over a marathon or no distance: an age (a time under 30 would say minutes
    // or hours); over a shorter race ("half marathon under 90") it may be minutes, so it is not guessed
    ?? (shortRace || /\b(?:\d+(?:\.\d+)?\s*(?:k|km|mi|miles?|miler)|half|mile)\b/.test(w.s) ? null : w.take(/\b(?:under|below)\s+([1-9]\d)\b(?!\s*(?::|hours?|hrs?|minutes?|mins?|seconds?|k\b|km|mi))/, 'age max')));
  if (ageMax) out.age = { min: 0, max: Number(ageMax[1]) - 1 };
  const ageExact = !out.age && (w.take(/\b(?:aged?|age of)\s+(\d{1,2})\b/, 'age') ?? w.take(/\b(\d{1,2})[- ]years?[- ]olds?\b/, 'age'));
  if (ageExact) out.age = { min: Number(ageExact[1]), max: Number(ageExact[1]) };
  if (!out.age) {
    for (const [word, range] of Object.entries(NAMED_AGE_GROUPS).sort((a, b) => b[0].length - a[0].length)) {
      if (w.take(new RegExp(String.raw`\b${word}\b`), 'age group')) {
        out.age = range;
        break;
      }
    }
  }

  // Compare: two sides, split on and / vs / versus / with.
  const cmp = /\b(?:compare|stack(?:\s+up)?)\s+(?!against\b|with\b|to\b|up\b)(.+?)\s+(?:and|vs\.?|versus|with|to|against)\s+(.+?)\s*[?.!]?\s*$/.exec(original.toLowerCase())
    // "which was faster, X or Y", "X or Y - which was faster", "X and Y, how do they compare"
    ?? /^(?:which|where|who)\s+(?:one\s+)?(?:was|were|is|did)\s+(?:people\s+|runners\s+)?(?:run\s+)?(?:faster|quicker|slower|better)[,:]?\s+(.+?)\s+or\s+(.+?)\s*[?.!]?\s*$/.exec(original.toLowerCase())
    ?? /^(.+?)\s+(?:or|and)\s+(.+?)[,:;-]+\s*(?:which|where|who|how)\s+(?:one\s+)?(?:was|were|is|did|do)\s+(?:people\s+|runners\s+|they\s+)?(?:run\s+)?(?:faster|quicker|slower|better|compare)\b.*$/.exec(original.toLowerCase())
    ?? /^(?:how (?:does|did|do)\s+)?(.+?)\s+(?:vs\.?|v\.?|versus|compares?\s+(?:to|with|against)|compared\s+(?:to|with|against)|stacks?\s+up\s+against)\s+(.+?)\s*[?.!]?\s*$/.exec(original.toLowerCase());
  if (cmp) {
    out.sides = [cmp[1]!.trim(), cmp[2]!.trim()];
    // "boston marathon: 2026 vs 2025", "2025 vs 2026 boston marathon": a side that is only a year is the other side's event in that year
    const yearOnly = /^(?:the\s+)?((?:19|20)\d{2})$/;
    // "this year" / "last year" on a side are years ("boston marathon this year vs last year")
    const yNow = now.getUTCFullYear();
    const yearsSaid = (side: string) => side.replace(/\b(?:this|last)\s+year(?:'s)?\b/g, (m0) => String(m0.startsWith('this') ? yNow : yNow - 1)).replace(/\s*'s$/, '');
    const [x, y2] = out.sides.map(yearsSaid) as [string, string];
    const onlyYear = (side: string, other: string) => {
      const yr = yearOnly.exec(side)?.[1];
      return yr && /\b(?:19|20)\d{2}\b/.test(other) ? other.replace(/\b(?:19|20)\d{2}\b/, yr) : null;
    };
    out.sides = [onlyYear(x, y2) ?? x, onlyYear(y2, x) ?? y2];
    if (out.sides[0] !== x || out.sides[1] !== y2) w.trace.push(`compare: a year alone is the other side's event ("${out.sides.join('" and "')}")`);
    w.take(/\b(?:compare[sd]?\s+(?:to|with|against)|against)\b/, 'compare: the two sides');
    w.take(/\bstack(?:s|ed)?(?:\s+up)?\b|(?<=\s)v\.?(?=\s)/, 'compare: the two sides');
    // what a comparison shows anyway: "which was faster", "where did people run faster", "faster or slower"
    w.take(/\b(?:which|who|where)\s+(?:one\s+)?(?:was|were|is|did)\s+(?:people\s+|runners\s+|times\s+)?(?:run\s+)?(?:faster|quicker|slower|better)\b|\b(?:faster|quicker)\s+or\s+slower\b/, 'compare: faster or slower');
  }
  // Two capitalized names on the sides ("compare John Smith and Jane Doe"): about runners, whatever the other words.
  const cmpOrig = /\bcompare\s+(.+?)\s+(?:and|vs\.?|versus|with|to)\s+(.+?)\s*[?.!]?\s*$/i.exec(original) ?? /^(.+?)\s+(?:vs\.?|versus)\s+(.+?)\s*[?.!]?\s*$/i.exec(original);
  const nameLike = /^(?:the\s+)?[A-Z][\p{L}'-]+\s+[A-Z][\p{L}'-]+(?:'s)?(?:\s+(?:results?|times?|races?|performances?))?$/u;
  const twoPeople = !!cmpOrig && nameLike.test(cmpOrig[1]!.trim()) && nameLike.test(cmpOrig[2]!.trim());
  // Two lower-case two-word sides ("michael wardian vs finley hale"): maybe two people; the service compares them
  // only if both are names in the partner's results, else the question is not understood.
  const pairLike = /^(?:the\s+)?[a-z][a-z'-]+\s+[a-z][a-z'-]+(?:'s)?$/;
  if (!twoPeople && out.sides && out.sides.every((x) => pairLike.test(x)) && !DOMAIN.test(original)) out.sidesMayBePeople = true;

  // A person: "Michael Wardian's", "find runner Jane Doe", "results for Jane Doe".
  // (also "Jane Doe from Denver's": a clarify answer's candidate put in place of the name)
  const poss = /\b([A-Z][a-zA-Z'-]+)\s+([A-Z][a-zA-Z'-]+)(?:\s+from\s+[A-Z][\p{L}.-]*(?:\s+[A-Z][\p{L}.-]*){0,2})?'s\b/u.exec(original);
  const named = /\b(?:find|for|about|runner|athlete|participant|named|called|did|is|was|of|up)\s+(?:runner\s+|athlete\s+)?([A-Z][a-zA-Z'-]+)\s+([A-Z][a-zA-Z'-]+)\b/.exec(original)
    // a name and nothing but a PR or results word: "Michael Wardian personal best", "john smith pb"
    ?? /^\s*([A-Za-z][a-zA-Z'-]+)\s+([A-Za-z][a-zA-Z'-]+)\s+(?:prs?|pbs?|personal (?:best|record)s?|results?)\s*[?.!]?\s*$/.exec(original);
  const lower = /\b(?:find|runner|athlete|named|called|about|up)\s+(?:runner\s+|athlete\s+)?([a-z][a-z'-]+)\s+([a-z][a-z'-]+)(?:'s)?\b/i.exec(original);
  let evText = [...` ${original.toLowerCase()} `].map((c, i) => (dateBlanks.includes(i) ? ' ' : c)).join(''); // aligned with w.s (one space each side)
  const p = poss ?? named;
  if (p) out.person = { first: p[1]!, last: p[2]!.replace(/'s$/, ''), capitalized: true, city: null };
  else if (lower && !FILLER.has(lower[1]!.toLowerCase()) && !FILLER.has(lower[2]!.toLowerCase())) out.person = { first: lower[1]!, last: lower[2]!.replace(/'s$/, ''), capitalized: false, city: null };
  if (out.person) {
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const city = new RegExp(String.raw`\b${esc(out.person.first)}\s+${esc(out.person.last)}\s+(?:from|of)\s+([A-Z][\p{L}.-]*(?:\s+[A-Z][\p{L}.-]*){0,2})(?:'s)?(?=[\s?.!,;)]|$)`, 'u').exec(original);
    if (city && !/^the$/i.test(city[1]!)) {
      out.person.city = city[1]!;
      const span = w.take(new RegExp(String.raw`\b(?:from|of)\s+${esc(city[1]!.toLowerCase())}(?:'s)?(?=[\s?.!,;)]|$)`), 'home city');
      // the city is not an event's name: the event phrase is read without it
      if (span) evText = evText.slice(0, span.index) + ' '.repeat(span[0].length) + evText.slice(span.index + span[0].length);
    }
    // "John Smith's best marathon time", "fastest 10K": a person's best time is their PR (definitions.ts)
    if (!out.pr && out.limit === null && /\b(?:best|fastest|quickest)\b/.test(original.toLowerCase())) {
      out.pr = true;
      w.trace.push('personal record: a person and "best"/"fastest"');
    }
  }

  // The event phrase (resolved by the service against the partner's events).
  const ev = /\b(?:in|for|at|of|from|the|ran)\s+(?:the\s+|our\s+)?([a-z0-9'&.-]+(?:\s+[a-z0-9'&.-]+){0,7}?)(?=\s+(?:under|over|below|above|faster|slower|last|this|since|aged?|ages|with|who|between|by|sorted|ordered|top|and|vs|versus|in|on|compared|results|finishers|participants|runners)\b|\s*[?.!,;]|\s*$)/g;
  for (const mm of evText.matchAll(ev)) {
    const phrase = mm[1]!.trim();
    if (phrase && !/^(?:\d+|marathons?|half marathons?|races?|events?|results?|data|runners?|people|all|last|this|\d{4}|\d+\s*(?:hours?|minutes?))$/.test(phrase)) {
      out.eventPhrase = phrase;
      break;
    }
  }

  // Distance (after names: "Boston Marathon" names an event and may also say the distance).
  const distWords = DISTANCES.flatMap((d) => d.words.map((word) => ({ d, word }))).sort((a, b) => b.word.length - a.word.length);
  let distText = w.s;
  for (const { d, word } of distWords) {
    const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s*');
    const re = new RegExp(String.raw`(?:^|[\s(])${esc}(?:s|es|'s)?(?=[\s?.!,;:)]|$)`);
    // every time it is said (the service tells "the marathon at the Boston Marathon" from the name alone)
    for (let dm = re.exec(distText); dm; dm = re.exec(distText)) {
      // blanked, so "half marathon" is not also "marathon"
      distText = distText.slice(0, dm.index) + ' '.repeat(dm[0].length) + distText.slice(dm.index + dm[0].length);
      const seen = out.distances.find((x) => x.d === d);
      if (seen) seen.count++;
      else out.distances.push({ d, word, count: 1 });
      if (!out.distance) {
        out.distance = d;
        w.trace.push(`distance: "${d.name}"`);
      }
    }
  }
  if (out.bq && !out.distance) out.distance = DISTANCES[0]!;

  // Intent.
  const t = ` ${original.toLowerCase()} `;
  // Each rule's words are explained by it (consumed), so they are not "not understood"; only
  // words the answer applies are listed ("average" is not: an analysis gives the median).
  const intentRules: Array<[RegExp, Intent, number]> = [
    [/\b(?:compare[sd]?|comparison|vs\.?|versus|stack(?:s|ed)?\s+(?:up\s+)?against)\b|\s\bv\.?\s|^(?:which|where|who)\s+(?:one\s+)?(?:was|were|is|did)\s+(?:people\s+|runners\s+)?(?:run\s+)?(?:faster|quicker|slower|better)\b.*\bor\b|\bor\b.*[,:;-]\s*(?:which|where|who)\s+(?:one\s+)?(?:was|were|is|did)\s+.*\b(?:faster|quicker|slower|better)\b/, 'compare', 0.9],
    [/(?:%\s*(?:of\s+)?(?:dnfs?|dropouts?|did not finish)\b|\b(?:dnfs?|dropouts?)\s*%|\b(?:percent(?:age)?|share|proportion)\s+(?:of\s+(?:\w+\s+)?)?(?:dnfs?|dropouts?|did not finish|didn't finish|dropped)\b)|\b(?:analy[sz]e|analysis|statistics|stats|breakdown|summary|overview|median|percentiles?|average|avg|mean|mid-?pack|break(?:s|ing)? down|broken down|(?:dnf|dropout|drop-out) rate)\b/, 'analyze', 0.9],
    // "total finishers, …", "total entrants at …": a number (not "total time")
    // (also a number asked for at the end: "… - number?", "…, tally?")
    [/\b(?:how many|count|number of|total number|how much|tally|total(?!\s+times?\b))\b|\bnumber\s*[?.!]*\s*$/, 'count', 0.95],
    [/\b(?:show|list|who|give|display|generate|export|download|get|which|all|top|fastest|slowest|winners?|winning)\b|^\s*name\b/, 'list', 0.9],
    [/\bfind\b/, 'list', 0.9],
  ];
  for (const [re, intent, c] of intentRules) {
    if (re.test(t)) {
      out.intent = intent;
      out.intentConfidence = c;
      w.trace.push(`intent: ${intent} (${re.source.slice(0, 40)})`);
      if (intent === 'analyze') {
        while (w.take(/\b(?:median|percentiles?|p10|p90|average|avg|mean|mid-?pack)\b|\bon average\b/, 'analysis measure'));
        w.take(/\bbreak(?:s|ing)? down\b|\bbroken down\b/, 'break down');
        w.take(/\b(?:dnf|dropout|drop-out) rate\b/, 'DNF rate');
        w.take(/%|\b(?:percent(?:age)?|share|proportion)\b/, 'DNF rate (a share)');
      }
      if (intent === 'list') w.take(/^\s*name\b/, 'name (list)');
      break;
    }
  }
  // a share of the DNFs, however worded ("what percent of the … field dnf'd", "DNFs as a percentage"): the DNF rate of the analysis
  if (out.intent !== 'compare' && /%|\b(?:percent(?:age)?|share|proportion|ratio)\b/.test(t) && DNF_RE.test(t)) {
    out.intent = 'analyze';
    out.intentConfidence = 0.9;
    while (w.take(/%|\b(?:as\s+an?\s+)?(?:percent(?:age)?|share|proportion|ratio)\b/, 'DNF rate (a share)'));
  }
  // "How did the Boston Marathon go?", "how did the women do at …": the race's statistics; about a named person, their results (find)
  if (!out.person && (out.intent === 'list' || out.intent === 'unknown') && /\bhow (?:did|was) .+ (?:go|do|fare|perform)\b/.test(t)) {
    out.intent = 'analyze';
    out.intentConfidence = 0.9;
    w.take(/\b(?:go|do|fare|perform)\b(?!.*\b(?:go|do|fare|perform)\b)/, 'how did … go');
  }
  if (out.breakdown && out.intent !== 'compare') {
    out.intent = 'analyze';
    out.intentConfidence = 0.9;
    w.trace.push('intent: analyze (a breakdown by age group)');
  }
  if (out.person && out.intent !== 'analyze' && (out.intent === 'list' || out.intent === 'unknown' || out.pr)) {
    out.intent = 'find';
    out.intentConfidence = 0.9;
    w.trace.push('intent: find (a person is named)');
  }
  if (out.intent === 'compare' && !out.sides) out.intentConfidence = 0.5;
  if (out.intent === 'unknown' && DOMAIN.test(t)) {
    out.intent = 'list';
    out.intentConfidence = 0.7;
    w.trace.push('intent: list (default for a question about results)');
  }
  // "How many miles is a marathon?", "how far is a 10K": a definition, not the partner's data (no plan answers it)
  // writing content ("draft an instagram post …", "write an email to …"): not a question about the data
  const writing = /\b(?:draft|write|compose|create|make)\s+(?:me\s+)?(?:an?\s+|the\s+|some\s+)?(?:\w+\s+)?(?:posts?|emails?|tweets?|messages?|letters?|press release|caption|newsletter|speech|poem)\b/.test(t);
  const definition = writing || /\bhow\s+(?:many|much)\s+(?:miles?|kilometers?|kilometres?|kms?|meters?|metres?|feet|yards?|laps?)\b(?!\s+(?:did|do|were|have|has|had|ran|run|logged|covered|raced|in total)\b)|\bhow\s+(?:far|long)\s+is\s+(?:an?|one)\s+(?!\w+\s+(?:race|event)\b)/.test(t);
  if (definition) {
    out.intent = 'unknown';
    out.intentConfidence = 0;
    w.trace.push('not about results: a definition (how long a distance is)');
  } else if (!DOMAIN.test(t) && !out.person && !out.bq && !out.breakdown && !((twoPeople || out.sidesMayBePeople) && out.intent === 'compare')) {
    // No word of the domain ("kit kowal hometown", "shamrock 2025 vs shamrock 2024"): answered only if it names one of
    // the partner's events or people (the service looks), else not understood.
    out.noDomainWord = true;
    if (out.intent === 'unknown') {
      out.intent = 'list';
      out.intentConfidence = 0.7;
    }
    w.trace.push('no word of the domain: answered only if it names one of your events or people');
  }

  // "crossed the finish line" = finished (the finish words of the subject rule below)
  w.take(/\b(?:crossed|crossing|cross|reached|made it (?:to|across))\s+the\s+(?:finish(?:ing)?\s+)?line\b/, 'crossed the finish line');
  // "… including DNFs", "starters incl dnfs", "finishers and dnfs": everyone, the DNFs among them (not only the DNFs)
  const withDnf = w.take(/\b(?:incl\.?|including|inc\.?|plus|and|with|counting)\s+(?:the\s+)?(?:dnfs?|dropouts?|non-finishers|did not finish(?:es)?)\b/, 'including DNFs');
  // Subject.
  if (withDnf) out.subject = 'participants';
  else if (w.take(DNF_RE, 'did not finish') || DNF_RE.test(t)) out.subject = 'dnf';
  // (not when people are counted or listed: "how many runners at all our events" counts runners)
  else if (!/\b(?:runners?|finishers?|participants?|people|entrants?|athletes?|men|women|results?|ppl|races?)\b(?=.*\bevents?\b)/.test(t) && /\b(?:how many|count|number of|list|show|which|all|our|active|upcoming)\s+(?:\w+\s+){0,2}?events\b|\b(?:every|each|all(?: the| our)?)\s+event\b|\b(?:first|earliest|oldest|most recent|latest|newest|last)\s+event\b(?!s)|\bevents\s+(?:did|do|have)\s+we\b|\bevent\s+(?:count|total|tally)\b|\b(?:race\s+)?(?:calendar|schedule)\b|^\s*(?:our\s+|all\s+)?events\b|^\s*(?:list|show)(?: me)?\s+(?:every|each|all(?: the)?|our)\s+events?\b|\bwhat\s+(?:did|have)\s+we\s+(?:time|timed|host|hosted|do|done)\b|^\s*(?:list|show)(?: me)?(?: our| all)? events\b/.test(t)) out.subject = 'events';
  else if (/\b(?:how many|count|number of)\s+(?:\w+\s+)?races\b/.test(t)) out.subject = 'races';
  else if (out.bq || out.time || out.pr || out.order || /\b(?:finish(?:ed|ers?|ing)?|complet(?:ed|ers?)|ran|times?|crossed)\b/.test(t)) out.subject = 'finishers';
  if (out.subject === 'events' || out.active) {
    if (out.subject !== 'events') out.subject = 'events';
  }
  // "oldest first", "in date order": events from the earliest; "the first event we ever timed": the earliest one
  if (out.subject === 'events' && w.take(/\b(?:oldest|earliest)\s+first\b|\bchronological(?:ly)?\b|\bin date order\b/, 'events oldest first')) out.order = 'oldest';
  if (out.subject === 'events' && w.take(/\b(?:first|earliest|oldest)\s+(?=event\b(?!s))/, 'the earliest event')) {
    out.order = 'oldest';
    out.limit = out.limit ?? 1;
  }
  // "the most recent event we timed", "our latest event": one, the newest (events are listed newest first)
  if (out.subject === 'events' && out.limit === null && w.take(/\b(?:most recent|latest|newest|last)\s+(?=events?\b)/, 'newest event')) {
    if (/\b(?:most recent|latest|newest|last)\s+event\b(?!s)/.test(t)) out.limit = 1;
  }
  w.take(/\b(?:newest|latest|most recent)\s+first\b/, 'newest first (the order events are listed in)');
  finishUnknown(w, out);
  return out;
}

function finishUnknown(w: Work, out: ParsedQuestion): void {
  out.unknown = w.s
    .split(/[^a-z0-9'-]+/)
    // "'ed", "'d", "'s" left of a word a rule consumed ("DNF'ed", "BQ'd", "last month's") and lone dashes are no words
    .filter((x) => !x.startsWith("'") && /[a-z0-9]/.test(x))
    .map((x) => x.replace(/^'+|'+$/g, '').replace(/'s$/, '').replace(/^-+|-+$/g, ''))
    .filter((x) => x.length > 0 && !FILLER.has(x) && !/^\d{4}$/.test(x));
  // A negation no rule read ("did not complete") turns the question around: never answered as if it were not there.
  const neg = /\b(?:not|never|without)\b|n't\b/.exec(w.s);
  if (neg && !out.unknown.includes(neg[0])) out.unknown.push(neg[0].trim());
  if (out.dateConflict) out.unknown.push(out.dateConflict);
  // A share no rule read ("what % of women …") asks for a ratio, not the rows or a count.
  const share = /%|\b(?:percent(?:age)?|proportion|ratio)\b/.exec(w.s);
  if (share) out.unknown.push(share[0]);
}

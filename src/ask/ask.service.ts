/**
 * Questions in plain English over the partner's results and timing data: parse (rules) →
 * resolve names against the partner's own events and people → plan → compiled SQL, run in a
 * read-only transaction in the partner's scope with a statement timeout and a row cap. Every
 * answer carries a confidence; below the threshold, or when a name matches two things or
 * nothing, the answer is a question back or a plain "not found", never a guess.
 */
import type { Database, Queryable } from '../db/database.js';
import { sqlState } from '../db/errors.js';
import { AppError } from '../errors.js';
import { withPartnerReadOnly } from '../db/tenant.js';
import { FILLER, parseQuestion, type Intent, type ParsedQuestion } from './ask.parser.js';
import { distinctiveWords, matchEvents, seriesName, similarity, words, type EventRow } from './ask.match.js';
import { eventsKey, exampleNames, findPeople, findSessions, listEvents, otherRaces, racesInRange, sessionMats, sessionTags } from './ask.repo.js';
import { compile, emptyPlan, type Plan } from './ask.sql.js';
import { LLM_CONFIDENCE, LlmPlanner, type LlmOptions, type LlmResult } from './ask.llm.js';
import { checkGeneratedSql, UnsafeSqlError } from './sql-guard.js';
import type { Logger } from '../log.js';
import { CONFIDENCE_THRESHOLD, DEFAULT_LIMIT, DISTANCES, distanceRange, MAX_ROWS, UNEXPLAINED_WORD_CAP, UNEXPLAINED_WORD_FACTOR } from './definitions.js';

export type AskStatus = 'answered' | 'clarify' | 'not_found' | 'not_understood' | 'refused';

export interface AskAnswer {
  status: AskStatus;
  intent: Intent;
  confidence: number;
  plan: Plan | null;
  sql: string | null;
  params: unknown[];
  columns: string[];
  rows: Record<string, unknown>[];
  value: number | null;
  answer: string;
  row_count: number;
  truncated: boolean;
  /** For a clarifying question: the choices. */
  candidates: string[];
  trace: string[];
}

export interface AskOptions {
  now: () => Date;
  statementTimeoutMs: number;
  maxRows: number;
  /** The optional language-model fallback (LLM_BASE_URL, LLM_MODEL); null = rules only. */
  llm: LlmOptions | null;
  /** Where a guard refusal is logged (an error: the compiler has a bug); null = not logged. */
  logger: Logger | null;
  /** The check every compiled SQL passes before it runs or is shown (sql-guard.ts). */
  sqlGuard: (sql: string) => Promise<void>;
}

export const ASK_DEFAULTS: AskOptions = { now: () => new Date(), statementTimeoutMs: 5_000, maxRows: MAX_ROWS, llm: null, logger: null, sqlGuard: checkGeneratedSql };

export const UNSAFE_SQL_ANSWER = 'I cannot answer this: the generated query did not pass the safety check (a fault on our side, logged; try rephrasing).';


const DISTANCE_WORDS = new Set(DISTANCES.flatMap((d) => d.words.flatMap((w) => words(w))).concat(['marathons', 'halfs', 'halves', '5ks', '10ks', 'k']));

export function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

const GENDER_WORD = { M: 'men', F: 'women', X: 'non-binary athletes' } as const;

function describe(plan: Plan): string {
  const parts: string[] = [];
  if (plan.events.length === 1) parts.push(`in ${plan.events[0]!.name}`);
  else if (plan.events.length > 1) parts.push(`in ${plan.events.map((e) => e.name).join(' and ')}`);
  if (plan.distance) parts.push(`(${plan.distance.name})`);
  if (plan.gender) parts.push(`among ${GENDER_WORD[plan.gender]}`);
  if (plan.age) parts.push(plan.age.min === plan.age.max ? `aged ${plan.age.min}` : plan.age.max >= 130 ? `aged ${plan.age.min} and over` : `aged ${plan.age.min}–${plan.age.max}`);
  if (plan.time?.underMs != null) parts.push(`under ${formatMs(plan.time.underMs)}`);
  if (plan.time?.overMs != null) parts.push(`over ${formatMs(plan.time.overMs)}`);
  if (plan.bq) parts.push('with a Boston-qualifying time');
  if (plan.bib) parts.push(`with bib ${plan.bib}`);
  if (plan.dates && plan.events.length === 0) parts.push(plan.dates.label);
  return parts.join(' ');
}

function noun(plan: Plan, n: number): string {
  const one = n === 1;
  if (plan.subject === 'events') return one ? 'event' : 'events';
  if (plan.subject === 'races') return one ? 'race' : 'races';
  if (plan.subject === 'dnf') return one ? 'runner did not finish' : 'runners did not finish';
  if (plan.subject === 'finishers' || plan.bq || plan.time) return one ? 'runner finished' : 'runners finished';
  return one ? 'participant' : 'participants';
}

/** Words a person's result rows answer (their columns): explained once a person is found. */
const PERSON_COLUMN_WORDS = ['age', 'old', 'hometown', 'home', 'town', 'city', 'status', 'bib', 'bibs', 'result', 'place', 'placed', 'gender', 'state'];

/** How many partners' event lists are kept (the least recently used is dropped first). */
const EVENT_LISTS_KEPT = 200;

export class Ask {
  private readonly opts: AskOptions;
  private readonly llm: LlmPlanner | null;
  /**
   * Each partner's event names for fuzzy matching, with the key they were read under (eventsKey):
   * every question checks the key in its own transaction and reads the list again only when it
   * changed, so an imported or renamed event is matched by the next question (no TTL window).
   */
  private readonly eventLists = new Map<number, { key: string; rows: EventRow[] }>();
  constructor(
    private readonly db: Database,
    opts: Partial<AskOptions> = {},
  ) {
    this.opts = { ...ASK_DEFAULTS, ...opts };
    this.llm = this.opts.llm ? new LlmPlanner(this.opts.llm) : null;
  }

  /** Answers a question (runs the SQL). rowsWanted: how many rows a list returns when the question names no number. */
  async query(partnerId: number, question: string, rowsWanted = DEFAULT_LIMIT): Promise<AskAnswer> {
    return this.run(partnerId, question, true, rowsWanted);
  }

  /** The plan, the rule trace and the SQL, without running it. */
  async explain(partnerId: number, question: string): Promise<AskAnswer> {
    return this.run(partnerId, question, false, DEFAULT_LIMIT);
  }

  /** Example questions built from the partner's own events, by intent. */
  async examples(partnerId: number): Promise<Record<string, string[]>> {
    const events = await withPartnerReadOnly(this.db, partnerId, this.opts.statementTimeoutMs, exampleNames);
    const a = events[0]?.name ?? 'your next marathon';
    const b = events[1]?.name ?? a;
    const person = events[0]?.person ?? 'Jane Doe';
    const session = events[0]?.session ?? 1;
    return {
      count: [`How many runners finished the ${a} under 4 hours?`, 'How many people finished marathons last year?', 'How many events did we time this year?'],
      list: [`Show me the top 10 women in the ${a}`, `List all participants in the ${b}`, 'Generate a list of Boston qualifiers last year', 'Show me our active events'],
      find: [`Find runner ${person}`, `Show me ${person}'s PR`],
      analyze: [`Analyze performance for the ${a}`, `Analyze the ${a} by age group`],
      compare: [`Compare ${a} and ${b}`],
      timing: [`What's the current timing data for session ${session}?`, `Show the last 20 reads for session ${session}`, `Which tags are not on the roster in session ${session}?`],
    };
  }

  private async run(partnerId: number, question: string, execute: boolean, rowsWanted: number): Promise<AskAnswer> {
    if (question.trim().length === 0) throw new AppError('bad_request', 'The question is empty.');
    const now = this.opts.now();
    const parsed = parseQuestion(question, now);
    const base: AskAnswer = {
      status: 'answered', intent: parsed.intent, confidence: 0, plan: null, sql: null, params: [], columns: [], rows: [], value: null, answer: '',
      row_count: 0, truncated: false, candidates: [], trace: parsed.trace,
    };
    if (parsed.refusal) return { ...base, status: 'refused', intent: 'unknown', confidence: 1, answer: parsed.refusal };
    const notUnderstood: AskAnswer = { ...base, status: 'not_understood', answer: "I don't understand the question. I answer questions about your events, results, runners and timing sessions — for example \"How many runners finished the marathon under 3 hours last year?\"" };
    try {
      const ruled = await withPartnerReadOnly(this.db, partnerId, this.opts.statementTimeoutMs, async (tx): Promise<AskAnswer | { llm: AskAnswer }> => {
        if (parsed.intent === 'unknown') return this.llm ? { llm: notUnderstood } : notUnderstood;
        if (parsed.noDomainWord && !(await this.namesSomething(tx, partnerId, parsed))) {
          const none = { ...notUnderstood, trace: [...parsed.trace, 'not about results: it names none of your events or people'] };
          return this.llm ? { llm: none } : none;
        }
        const resolved = await this.resolve(tx, partnerId, parsed, now, rowsWanted);
        if ('answer' in resolved) return { ...base, ...resolved };
        const { plan, confidence, nameDistance } = resolved;
        if (confidence < CONFIDENCE_THRESHOLD) {
          const what = parsed.unknown.length ? `I am not sure what you mean by "${parsed.unknown.join(' ')}".` : 'I am not sure what you are asking.';
          const low: AskAnswer = { ...base, intent: plan.intent, confidence, status: 'not_understood', answer: `${what} Try naming an event, a distance, a time ("under 3 hours") or a person.` };
          if (this.llm) return { llm: low };
          const compiled = this.compile(plan, rowsWanted);
          const unsafe = await this.guard(compiled.sql, question, plan);
          if (unsafe) return { ...low, plan, trace: [...low.trace, unsafe] };
          return { ...low, plan, sql: compiled.sql, params: compiled.params };
        }
        const answered = await this.answer(tx, base, plan, confidence, execute, rowsWanted, question);
        return nameDistance ? this.saidNameDistance(tx, answered, plan, rowsWanted) : answered;
      });
      if (!('llm' in ruled)) return ruled;
      // The model is asked outside any transaction: no connection is held while it thinks.
      const llm = this.llm!;
      const today = now.toISOString().slice(0, 10);
      const events = await withPartnerReadOnly(this.db, partnerId, this.opts.statementTimeoutMs, listEvents);
      const got = await llm.plan(question, events, today);
      const fallback = { ...ruled.llm, trace: [...ruled.llm.trace, `llm: asked ${llm.model}`] };
      return await withPartnerReadOnly(this.db, partnerId, this.opts.statementTimeoutMs, (tx) => this.viaLlm(tx, got, events, now, execute, rowsWanted, fallback, question));
    } catch (err) {
      if (sqlState(err) === '57014') throw new AppError('database_unavailable', 'The question took too long to answer (statement timeout); narrow it to an event or a year.');
      throw err;
    }
  }

  /**
   * PostgreSQL's parser checks the compiled SQL (sql-guard.ts). A refusal is our compiler's bug:
   * logged as an error, and the caller answers "not understood" instead of running or showing it.
   * Returns the trace line of a refusal, or null when the SQL passed.
   */
  private async guard(sql: string, question: string, plan: Plan): Promise<string | null> {
    try {
      await this.opts.sqlGuard(sql);
      return null;
    } catch (err) {
      const reasons = err instanceof UnsafeSqlError ? err.reasons : [err instanceof Error ? err.message : String(err)];
      this.opts.logger?.error({ err, question, intent: plan.intent, sql, reasons }, 'ask: the generated SQL did not pass the safety check (compiler bug)');
      return `sql guard: refused (${reasons.join('; ')})`;
    }
  }

  /** Compiles a plan (the rules' or the model's), checks it and, when execute, runs it. */
  /** The plan's SQL, fetching enough rows for the plan's limit or the rows wanted (capped). */
  private compile(plan: Plan, rowsWanted: number): ReturnType<typeof compile> {
    return compile(plan, Math.max(Math.min(this.opts.maxRows, Math.max(1, rowsWanted)), plan.limit));
  }

  private async answer(tx: Queryable, base: AskAnswer, plan: Plan, confidence: number, execute: boolean, rowsWanted: number, question: string): Promise<AskAnswer> {
    const compiled = this.compile(plan, rowsWanted);
    const unsafe = await this.guard(compiled.sql, question, plan);
    if (unsafe) return { ...base, status: 'not_understood', intent: plan.intent, confidence, plan, trace: [...base.trace, unsafe], answer: UNSAFE_SQL_ANSWER };
    const head = { ...base, status: 'answered' as const, intent: plan.intent, confidence, plan, sql: compiled.sql, params: compiled.params };
    if (!execute) return { ...head, answer: 'Not run (explain).' };
    const res = await tx.query<Record<string, unknown>>(compiled.sql, compiled.params);
    const limit = Math.min(plan.limit, this.opts.maxRows);
    const truncated = res.rows.length > limit;
    const rows = truncated ? res.rows.slice(0, limit) : res.rows;
    const columns = res.rows.length > 0 ? Object.keys(res.rows[0]!) : columnNames(compiled.sql);
    let value = columns.length === 1 && columns[0] === 'value' && rows.length === 1 ? Number(rows[0]!.value) : null;
    // "How many reads did session 1 get?": a session's reads by mat answer a how-many question with their total
    // (the number the sentence says), so the answer has the single value it was asked for.
    if (plan.intent === 'timing' && plan.session?.what === 'by_mat' && /\b(?:how many|number of|count|total)\b/i.test(question) && !truncated) value = rows.reduce((n, r) => n + Number(r.reads), 0);
    // "how many unique chips …": the number of tags
    if (plan.intent === 'timing' && (plan.session?.what === 'tags' || plan.session?.what === 'unknown_tags') && /\b(?:how many|number of|count)\b/i.test(question) && !truncated) value = rows.length;
    return { ...head, columns, rows, value, row_count: rows.length, truncated, answer: sentence(plan, rows, value, truncated) };
  }

  /**
   * An empty answer (no rows, or a count of 0) under the distance only the event's name says, while the event's
   * other races have rows that match: the sentence says the filter and what the other races have, so it is not a
   * confident "none" that a question about the whole event would misread ("List the women aged 70+ at the Boston
   * Marathon 2025": none in its marathon, some in its 5K).
   */
  private async saidNameDistance(tx: Queryable, answered: AskAnswer, plan: Plan, rowsWanted: number): Promise<AskAnswer> {
    if (answered.status !== 'answered' || !plan.distance || answered.sql === null || !(answered.row_count === 0 || answered.value === 0)) return answered;
    if (answered.answer === 'Not run (explain).') return answered;
    const wide = this.compile({ ...plan, distance: null }, rowsWanted);
    if (await this.guard(wide.sql, '(the event without its name\'s distance)', plan)) return answered;
    const res = await tx.query<Record<string, unknown>>(wide.sql, wide.params);
    const single = res.rows.length === 1 && Object.keys(res.rows[0]!).length === 1 && 'value' in res.rows[0]!;
    const n = single ? Number(res.rows[0]!.value) : res.rows.length;
    if (n === 0) return answered;
    const others = await otherRaces(tx, plan.events.map((e) => e.id), plan.distance.minM, plan.distance.maxM);
    const many = !single && res.rows.length > Math.min(plan.limit, this.opts.maxRows) ? `more than ${Math.min(plan.limit, this.opts.maxRows)}` : String(n);
    const note = ` Only its ${plan.distance.name} race was searched (the distance the event's name says); its other races (${others.join(', ')}) have ${many}: name the race to ask about it.`;
    return { ...answered, answer: `${answered.answer}${note}`, trace: [...answered.trace, `distance: ${plan.distance.name} from the name emptied the answer; ${n} in the other races`] };
  }

  /**
   * The model's plan for a question the rules did not understand: validated (ask.llm.ts), its
   * names resolved against the partner's own events, people and sessions, then compiled like a
   * rule-made plan. Anything off → the rules' "not understood", with a note in the trace.
   */
  private async viaLlm(tx: Queryable, got: LlmResult, events: EventRow[], now: Date, execute: boolean, rowsWanted: number, fallback: AskAnswer, question: string): Promise<AskAnswer> {
    const today = now.toISOString().slice(0, 10);
    const trace = fallback.trace;
    const refuse = (note: string): AskAnswer => ({ ...fallback, trace: [...trace, `llm: ${note}`], answer: `${fallback.answer} (The language model could not help: ${note}.)` });
    if (!got.ok) return refuse(got.note);
    const m = got.plan;
    if (m.intent === 'unknown') return refuse('the model says the question is not about your results');
    const plan = emptyPlan(today);
    const byName = new Map(events.map((e) => [e.name.trim().toLowerCase(), e]));
    const event = (n: string) => byName.get(n.trim().toLowerCase());
    Object.assign(plan, {
      intent: m.intent, subject: m.subject, gender: m.gender, age: m.age, time: m.time, bq: m.bq, pr: m.pr, active: m.active, order: m.order,
      limit: Math.min(m.limit ?? (m.intent === 'find' && m.pr ? 20 : rowsWanted), this.opts.maxRows),
    });
    if (m.age && m.age.min > m.age.max) return refuse('the age range is empty');
    if (m.dates) {
      if (!(m.dates.from < m.dates.to) || Number.isNaN(Date.parse(m.dates.from)) || Number.isNaN(Date.parse(m.dates.to))) return refuse('the dates are not a range');
      plan.dates = { ...m.dates, label: `from ${m.dates.from} to before ${m.dates.to}` };
    }
    if (m.distance) {
      const d = DISTANCES.find((x) => x.name === m.distance)!;
      plan.distance = { name: d.name, ...distanceRange(d) };
    }
    for (const n of m.events) {
      const e = event(n);
      if (!e) return refuse(`it named an event you do not have ("${n.slice(0, 60)}")`);
      plan.events.push({ id: e.id, name: e.name, date: e.start_date });
    }
    if (m.breakdown) {
      if (m.intent !== 'analyze') return refuse('a breakdown is for an analysis');
      plan.breakdown = m.breakdown;
    }
    if (m.intent === 'compare' && m.people) {
      plan.people = [];
      for (const who of m.people) {
        const people = await findPeople(tx, who.first, who.last);
        if (people.length === 0) return refuse(`no one named ${who.first} ${who.last} is in your results`);
        plan.people.push({ first: people[0]!.first_name, last: people[0]!.last_name, city: null });
      }
    } else if (m.intent === 'compare') {
      if (!m.sides) return refuse('a comparison needs two events or two people');
      const sides = m.sides.map((n) => event(n));
      if (sides.some((e) => !e)) return refuse('it named an event you do not have');
      plan.sides = sides.map((e) => ({ label: e!.name, eventIds: [e!.id] }));
      plan.events = sides.map((e) => ({ id: e!.id, name: e!.name, date: e!.start_date }));
    }
    if (m.intent === 'analyze' && plan.events.length === 0) return refuse('an analysis needs an event');
    if (m.person) {
      const people = await findPeople(tx, m.person.first, m.person.last);
      if (people.length === 0) return refuse(`no one named ${m.person.first} ${m.person.last} is in your results`);
      plan.person = { first: people[0]!.first_name, last: people[0]!.last_name, city: people.length === 1 ? people[0]!.city : null };
      if (people.length > 1 && (m.pr || m.intent === 'find')) return refuse(`${people.length} people are named ${m.person.first} ${m.person.last}`);
    }
    if (m.intent === 'find' && !plan.person) return refuse('finding someone needs a name');
    if (m.intent === 'timing') {
      if (!m.session) return refuse('a timing question needs a session');
      const s = await findSessions(tx, m.session.id, null);
      if (s.length === 0) return refuse(`session ${m.session.id} is not one of yours`);
      plan.session = { id: s[0]!.id, name: s[0]!.session_name, what: m.session.what };
      plan.limit = Math.min(m.limit ?? (m.session.what === 'last_reads' ? 20 : 100), this.opts.maxRows);
    }
    const answered = await this.answer(tx, { ...fallback, trace }, plan, LLM_CONFIDENCE, execute, rowsWanted, question);
    if (answered.status !== 'answered') return answered; // the SQL guard refused it
    return { ...answered, trace: [...answered.trace, 'llm: plan validated and compiled'] };
  }

  /** Whether a question with no word of the domain names one of the partner's events or people (then it is about results). */
  private async namesSomething(tx: Queryable, partnerId: number, parsed: ParsedQuestion): Promise<boolean> {
    if (parsed.sidesMayBePeople) return true; // the compare resolves both sides as people, or says it did not understand
    const events = await this.partnerEvents(tx, partnerId);
    const qWords = parsed.tokens.map((t) => t.replace(/'s$/, '').replace(/'/g, ''));
    // Every word no rule read must be one of the named things' ("weather in boston": "weather" is not; not understood).
    const eventWords = matchEvents(qWords, events).flatMap((c) => c.matched);
    const person = parsed.person && (await findPeople(tx, parsed.person.first, parsed.person.last)).length > 0 ? parsed.person : await this.unreadName(tx, parsed, events);
    if (eventWords.length === 0 && !person) return false;
    const personWords = person ? [person.first.toLowerCase(), person.last.toLowerCase(), ...PERSON_COLUMN_WORDS] : [];
    const left = parsed.unknown.filter((w) => !personWords.includes(w) && !DISTANCE_WORDS.has(w) && !eventWords.some((e) => similarity(e, w) >= 0.5));
    return left.length === 0;
  }

  /**
   * Two adjacent words no rule read, neither an event's word nor a distance, that are the first and last name of
   * someone in the partner's results ("kit abbott shamrock result", "finley hale PR?"): the rules read a name only
   * when capitalized or after "find"/"for"/…, so a lower-case name would otherwise leave the question not understood.
   */
  private async unreadName(tx: Queryable, parsed: ParsedQuestion, events: EventRow[]): Promise<NonNullable<ParsedQuestion['person']> | null> {
    const unread = new Set(parsed.unknown);
    const tokens = parsed.tokens.map((t) => t.replace(/'s$/, ''));
    const candidate = (w: string) => unread.has(w) && /^[a-z][a-z'-]+$/.test(w) && !DISTANCE_WORDS.has(w) && matchEvents([w], events).length === 0;
    for (let i = 0; i + 1 < tokens.length && i < 40; i++) {
      const [first, last] = [tokens[i]!, tokens[i + 1]!];
      if (!candidate(first) || !candidate(last)) continue;
      if ((await findPeople(tx, first, last)).length > 0) return { first, last, capitalized: false, city: null };
    }
    return null;
  }

  /** The partner's events, from the kept list while its key is unchanged (read in the question's transaction). */
  private async partnerEvents(tx: Queryable, partnerId: number): Promise<EventRow[]> {
    const key = await eventsKey(tx);
    const kept = this.eventLists.get(partnerId);
    this.eventLists.delete(partnerId);
    const list = kept && kept.key === key ? kept : { key, rows: await listEvents(tx) };
    this.eventLists.set(partnerId, list);
    if (this.eventLists.size > EVENT_LISTS_KEPT) this.eventLists.delete(this.eventLists.keys().next().value!);
    return list.rows;
  }

  /** The plan and its confidence; nameDistance: its distance is only the one the matched event's name says. */
  private async resolve(tx: Queryable, partnerId: number, parsed: ParsedQuestion, now: Date, rowsWanted: number): Promise<{ plan: Plan; confidence: number; nameDistance?: boolean } | Partial<AskAnswer> & { answer: string }> {
    const plan = emptyPlan(now.toISOString().slice(0, 10));
    plan.intent = parsed.intent;
    plan.subject = parsed.subject;
    plan.gender = parsed.gender;
    plan.age = parsed.age;
    plan.time = parsed.time;
    plan.dates = parsed.dates;
    plan.bq = parsed.bq;
    plan.pr = parsed.pr;
    plan.bib = parsed.bib;
    plan.active = parsed.active;
    plan.order = parsed.order;
    plan.breakdown = parsed.breakdown;
    plan.limit = Math.min(parsed.limit ?? (parsed.intent === 'find' && parsed.pr ? 20 : rowsWanted), this.opts.maxRows);
    plan.distance = parsed.distance ? { name: parsed.distance.name, ...distanceRange(parsed.distance) } : null;
    let confidence = parsed.intentConfidence;
    const used = new Set<string>();

    if (parsed.intent === 'timing') {
      if (!parsed.session || (parsed.session.id === null && parsed.session.name === null)) {
        return { status: 'clarify', intent: 'timing', confidence: 0.5, answer: 'Which timing session? Say "session 12" (its number) or "session named …".' };
      }
      const s = { rows: await findSessions(tx, parsed.session.id, parsed.session.name) };
      if (s.rows.length === 0) return { status: 'not_found', intent: 'timing', confidence: 0.95, answer: `I found no timing session ${parsed.session.id ?? `named "${parsed.session.name}"`} among yours.` };
      plan.session = { id: s.rows[0]!.id, name: s.rows[0]!.session_name, what: parsed.session.what, first: parsed.session.first ?? false };
      plan.limit = Math.min(parsed.limit ?? (parsed.session.what === 'last_reads' ? 20 : 100), this.opts.maxRows);
      let unknown = parsed.unknown;
      // One tag ("when did T2 get read", "T1 read count"): its reads only; asked how many, the count, else the reads themselves
      const tags = parsed.session.tagWords ? await sessionTags(tx, plan.session.id, parsed.session.tagWords) : [];
      if (tags.length === 1) {
        plan.session.tag = tags[0]!;
        parsed.trace.push(`tag: ${tags[0]!}`);
        unknown = unknown.filter((x) => x !== tags[0]!.toLowerCase() && !/^(?:tag|tags|chip|chips)$/.test(x));
        if (plan.session.what === 'by_mat' && !/\b(?:how many|number of|count|total|totals)\b/i.test(parsed.tokens.join(' '))) {
          plan.session.what = 'last_reads';
          plan.limit = Math.min(parsed.limit ?? 100, this.opts.maxRows);
        }
        parsed.unknown = unknown;
      }
      const asked = parsed.session.mat ?? parsed.session.matWord;
      if (!asked && parsed.session.matHints) {
        const mats = await sessionMats(tx, plan.session.id);
        const mat = mats.find((m) => parsed.session!.matHints!.some((h) => h === m.toLowerCase()));
        if (mat) {
          plan.session.mat = mat;
          parsed.trace.push(`mat: ${mat} (a word of the question that is one of the session's mats)`);
          unknown = unknown.filter((x) => x !== mat.toLowerCase());
          parsed.unknown = unknown;
        }
      }
      if (asked !== undefined && asked !== null) {
        const mats = await sessionMats(tx, plan.session.id);
        const mat = mats.find((m) => m.toLowerCase() === asked.toLowerCase());
        // A mat the session has no reads at is said so, never answered with every mat's reads.
        if (!mat && parsed.session.mat !== null) return { status: 'not_found', intent: 'timing', confidence: 0.9, answer: `Session ${plan.session.id} (${plan.session.name}) has no reads at a mat named "${asked}"${mats.length ? ` (its mats: ${mats.join(', ')})` : ''}.` };
        if (mat) {
          plan.session.mat = mat;
          parsed.trace.push(`mat: ${mat}`);
          unknown = unknown.filter((x) => x !== asked);
        } else if (!unknown.includes(asked)) {
          unknown = [...unknown, asked]; // "reads at finish" in a session without that mat: not every mat's reads
        }
        parsed.unknown = unknown;
      }
      return { plan, confidence: withUnexplained(confidence, unknown.length) };
    }

    const events = await this.partnerEvents(tx, partnerId);

    // A person: only when the partner has someone of that name (a capitalized name that is nobody is "not found").
    let qWords = parsed.tokens.map((t) => t.replace(/'s$/, '').replace(/'/g, ''));
    if (!parsed.person && parsed.intent !== 'compare') {
      const named = await this.unreadName(tx, parsed, events);
      if (named) {
        parsed.person = named;
        parsed.trace.push(`person: "${named.first} ${named.last}" (two words no rule read, a name in your results)`);
        if (parsed.intent === 'list' || parsed.intent === 'unknown') {
          parsed.intent = 'find';
          plan.intent = 'find';
          confidence = Math.max(confidence, 0.9); // as sure as a name the rules read (parser: find, 0.9)
        }
        // "casey ito best marathon": a person's best time is their PR (definitions.ts), as for a name the rules read
        if (!plan.pr && parsed.limit === null && /\b(?:best|fastest|quickest)\b/.test(parsed.tokens.join(' '))) plan.pr = parsed.pr = true;
      }
    }
    if (parsed.person && !(parsed.intent === 'compare' && parsed.sides)) {
      const personWords = [words(parsed.person.first), words(parsed.person.last)].flat();
      const looksLikeEvent = matchEvents(personWords, events).length > 0;
      const city = parsed.person.city;
      const named = looksLikeEvent ? [] : await findPeople(tx, parsed.person.first, parsed.person.last);
      // "John Smith from Denver" (how a clarify answer's candidates read): the people of that home city
      const people = city === null ? named : named.filter((p) => p.city.toLowerCase() === city.toLowerCase());
      if (people.length === 0 && (city !== null && named.length > 0)) {
        return { status: 'not_found', intent: 'find', confidence: 0.9, answer: `I found no ${parsed.person.first} ${parsed.person.last} from ${city} in your results (${named.map((p) => p.city || 'no home city').join(', ')}).` };
      }
      if (people.length === 0 && parsed.person.capitalized && !looksLikeEvent) {
        return { status: 'not_found', intent: 'find', confidence: 0.9, answer: `I found no one named ${parsed.person.first} ${parsed.person.last} in your results.` };
      }
      if (people.length > 0) {
        const cityWords = city === null ? [] : words(city);
        for (const w of [...personWords, ...cityWords]) used.add(w);
        qWords = qWords.filter((w) => !personWords.includes(w) && !cityWords.includes(w));
        // what a person's rows show answers "how old", "hometown", "status", "bib": those words are explained by them
        for (const w of PERSON_COLUMN_WORDS) used.add(w);
        plan.person = { first: people[0]!.first_name, last: people[0]!.last_name, city: null };
        // Two people of one name: a person's results or PR would mix them; ask which (by home city).
        if (people.length > 1 && (parsed.pr || plan.intent === 'find' || plan.intent === 'list')) {
          const choices = people.map((p) => `${p.first_name} ${p.last_name}${p.city ? ` from ${p.city}` : ' (no home city)'}`);
          return { status: 'clarify', intent: 'find', confidence: 0.5, candidates: choices, answer: `${people.length} people are named ${plan.person.first} ${plan.person.last}: ${choices.join('; ')}. Which one? Add the city.` };
        }
        if (people.length === 1) plan.person.city = people[0]!.city;
        plan.intent = 'find';
        // "Did Jules Abbott finish the …?": their results, each with its status, answer it; keeping only finished
        // results would say "no results" for a DNF. A time, an order or a PR still asks for finished times.
        if (plan.subject === 'finishers' && !plan.time && !plan.pr && !plan.bq && !plan.order) {
          plan.subject = 'participants';
          parsed.trace.push('subject: every result of the person (each with its status), not only finished ones');
        }
        if (parsed.intent === 'count') plan.intent = 'count';
      } else {
        parsed.person = null;
        if (plan.intent === 'find') plan.intent = 'list';
      }
    }

    // Two different years outside a comparison ("How many finished the Boston Marathon 2026 in 2025?"): which one is
    // meant cannot be told (the first one read would filter the events, the other be dropped), so neither wins silently;
    // the answer names the years and the event the name matches (by name alone, whatever its date).
    if (parsed.years && plan.intent !== 'compare') {
      parsed.trace.push(`not understood: two years (${parsed.years.join(', ')})`);
      // two events named in full, word for word ("Was the Boston Marathon 2026 slower than the Boston Marathon 2025?"): a comparison the rules did not read
      const said = ` ${qWords.join(' ')} `;
      const whole = events.filter((e) => said.includes(` ${words(e.name).join(' ')} `));
      if (whole.length > 1) {
        const [x, y] = whole.map((e) => e.name);
        return { status: 'not_understood', intent: plan.intent, confidence: 0.5, answer: `The question names ${whole.map((e) => `${e.name} (${e.start_date ?? 'no date'})`).join(' and ')}: to compare them, say "compare ${x} and ${y}"; to ask about one, name only that one.` };
      }
      const byName = matchEvents(qWords, events)[0]?.event;
      const also = byName ? `, and the event named is ${byName.name} (${byName.start_date ?? 'no date'})` : '';
      return { status: 'not_understood', intent: plan.intent, confidence: 0.5, answer: `The question names ${parsed.years.length} different years (${parsed.years.join(' and ')})${also}: which year do you mean? Ask about one year (or compare two).` };
    }

    // Events: compare resolves each side; otherwise one event (or none: all events, filtered by date).
    if (plan.intent === 'compare') {
      if (!parsed.sides) return { status: 'clarify', intent: 'compare', confidence: 0.5, answer: 'What should I compare? Say "compare <event> and <event>" (or two years of one event).' };
      // Two people ("compare John Smith and Jane Doe"): each side two words that name no event.
      const personSides = parsed.sides.map((side) => words(side.replace(/'s\b/g, '')).filter((w) => !FILLER.has(w) && !DISTANCE_WORDS.has(w)));
      if (personSides.every((ws) => ws.length === 2 && !ws.some((w) => /^\d/.test(w)) && matchEvents(ws, events).length === 0)) {
        const found = [];
        for (const [first, last] of personSides as Array<[string, string]>) {
          const people = await findPeople(tx, first, last);
          found.push({ first, last, people });
        }
        if (found.some((f) => f.people.length > 0)) {
          const missing = found.find((f) => f.people.length === 0);
          if (missing) return { status: 'not_found', intent: 'compare', confidence: 0.9, answer: `I found no one named ${missing.first} ${missing.last} in your results.` };
          plan.people = found.map((f) => ({ first: f.people[0]!.first_name, last: f.people[0]!.last_name, city: null }));
          for (const ws of personSides) for (const w of ws) used.add(w);
          for (const side of parsed.sides) for (const w of words(side)) used.add(w);
          const shared = found.filter((f) => f.people.length > 1).map((f) => `${f.people.length} people are named ${f.people[0]!.first_name} ${f.people[0]!.last_name} (see the city column)`);
          if (shared.length > 0) parsed.trace.push(`compare people: ${shared.join('; ')}`);
        }
      }
      if (!plan.people && parsed.sidesMayBePeople) {
        return { status: 'not_understood', intent: 'unknown', confidence: 0, answer: `I don't understand the question: "${parsed.sides[0]}" and "${parsed.sides[1]}" are not two people in your results, and nothing else says what to compare.` };
      }
    }
    if (plan.intent === 'compare' && plan.people) {
      // resolved above: two people
    } else if (plan.intent === 'compare' && parsed.sides) {
      const sides: Array<{ label: string; eventIds: number[]; rows: EventRow[] }> = [];
      let first: EventRow[] = [];
      for (const side of parsed.sides) {
        const sideWords = words(side);
        const year = /^\s*((?:19|20)\d{2})\s*$/.exec(side)?.[1];
        let chosen: EventRow[];
        if (year && first.length > 0) {
          // "compare Boston Marathon 2025 and 2026": the same series, the other year
          const series = seriesName(first[0]!.name);
          chosen = events.filter((e) => seriesName(e.name) === series && (e.start_date ?? '').startsWith(year));
        } else {
          const m = matchEvents(sideWords, events).filter((c) => !/\b(19|20)\d{2}\b/.test(side) || (c.event.start_date ?? '').slice(0, 4) === /\b((?:19|20)\d{2})\b/.exec(side)![1]);
          const top = m[0];
          const close = top ? m.filter((c) => c.score >= top.score - 0.05) : [];
          if (close.length > 1) {
            const choices = close.slice(0, 5).map((c) => `${c.event.name} (${c.event.start_date ?? 'no date'})`);
            return { status: 'clarify', intent: 'compare', confidence: 0.5, candidates: choices, answer: `"${side}" matches ${close.length} events: ${choices.join('; ')}. Which one?` };
          }
          chosen = top ? [top.event] : [];
          if (top) confidence *= Math.min(1, top.score);
        }
        if (chosen.length === 0) return { status: 'not_found', intent: 'compare', confidence: 0.9, answer: `I found no event matching "${side}" among your events.` };
        if (first.length === 0) first = chosen;
        sides.push({ label: chosen[0]!.name, eventIds: chosen.map((e) => e.id), rows: chosen });
        for (const e of chosen) for (const w of words(e.name)) used.add(w);
        for (const w of sideWords) used.add(w);
      }
      plan.sides = sides.map(({ label, eventIds }) => ({ label, eventIds }));
      plan.events = sides.flatMap((s) => s.rows.map((e) => ({ id: e.id, name: e.name, date: e.start_date })));
    } else if (plan.subject !== 'events' || parsed.eventPhrase) {
      if (parsed.bq && parsed.bqSaysBoston) {
        const i = qWords.indexOf('boston');
        if (i >= 0) qWords = [...qWords.slice(0, i), ...qWords.slice(i + 1)];
      }
      const byName = matchEvents(qWords, events);
      let candidates = byName;
      if (parsed.dates) candidates = candidates.filter((c) => c.event.start_date !== null && c.event.start_date >= parsed.dates!.from && c.event.start_date < parsed.dates!.to);
      const phraseWords = parsed.eventPhrase ? distinctiveWords(parsed.eventPhrase).filter((w) => !used.has(w) && !DISTANCE_WORDS.has(w) && !DISTANCE_WORDS.has(w.replace(/s$/, '')) && !FILLER.has(w)) : [];
      if (candidates.length === 0 && phraseWords.length > 0 && !parsed.bq) {
        return { status: 'not_found', intent: plan.intent, confidence: 0.9, answer: `I found no event matching "${parsed.eventPhrase}"${parsed.dates ? ` ${parsed.dates.label}` : ''} among your events.` };
      }
      // The name matches events, none of them in the dates said ("hartford marathon 2025 median"): not found, naming those
      // there are, rather than the question answered for every event of those dates.
      const strong = byName.filter((c) => c.score >= 0.8);
      if (candidates.length === 0 && parsed.dates && strong.length > 0 && !parsed.bq) {
        const named = [...new Set(strong.map((c) => c.event.name.replace(/\s*\b(?:19|20)\d{2}\b/g, '')))].join(', ');
        return { status: 'not_found', intent: plan.intent, confidence: 0.9, answer: `I found no ${named} ${parsed.dates.label} among your events (there is ${strong.slice(0, 3).map((c) => `${c.event.name} (${c.event.start_date ?? 'no date'})`).join(', ')}).` };
      }
      const top = candidates[0];
      if (top) {
        const close = candidates.filter((c) => c.score >= top.score - 0.05);
        if (close.length > 1) {
          const choices = close.slice(0, 5).map((c) => `${c.event.name} (${c.event.start_date ?? 'no date'})`);
          const sameSeries = close.every((c) => seriesName(c.event.name) === seriesName(top.event.name));
          return {
            status: 'clarify', intent: plan.intent, confidence: 0.5, candidates: choices,
            answer: sameSeries ? `Which ${top.event.name.replace(/\s*\b(19|20)\d{2}\b/, '')} do you mean: ${choices.join('; ')}? Name the year.` : `Which event do you mean: ${choices.join('; ')}?`,
          };
        }
        plan.events = [{ id: top.event.id, name: top.event.name, date: top.event.start_date }];
        confidence *= Math.min(1, top.score);
        for (const w of words(top.event.name)) used.add(w);
        for (const w of qWords) if (top.matched.some((m) => m === w || (w.length > 3 && m.startsWith(w.slice(0, 4))))) used.add(w);
      } else if (plan.intent === 'analyze') {
        // words no rule read may be an event's name the partner does not have ("chicago 2025 age group breakdown")
        const unread = parsed.unknown.filter((w) => !used.has(w) && !DISTANCE_WORDS.has(w) && !FILLER.has(w));
        if (unread.length > 0) return { status: 'not_found', intent: 'analyze', confidence: 0.9, answer: `I found no event matching "${unread.join(' ')}" among your events.` };
        return { status: 'clarify', intent: 'analyze', confidence: 0.5, answer: 'Which event should I analyze? Name it (for example one of your recent events).' };
      }
    }
    if (plan.subject === 'events' && plan.events.length === 1 && plan.intent === 'list') plan.subject = 'participants';
    // A distance the question says outside the event's name is the race it asks about ("the 5K at the
    // Boston Marathon 2025"): it wins over the one the name says, and an event without that race is not found.
    let explicit = false;
    if (plan.intent === 'compare' && plan.sides && parsed.distances.length > 0) {
      // Compare: each side keeps the distance its own event's name says ("Hartford Marathon 2024 vs Boston Half
      // Marathon 2025": the marathon against the half), unless the question says one outside both names.
      const nameHas = (name: string, word: string) => ` ${name.toLowerCase().replace(/\s+/g, ' ')} `.includes(` ${word} `);
      const said = parsed.distances.find(({ word }) => !plan.events.some((e) => nameHas(e.name, word)));
      for (const side of plan.sides) {
        const own = said ?? parsed.distances.find(({ word }) => nameHas(side.label, word));
        side.distance = own ? { name: own.d.name, ...distanceRange(own.d) } : null;
        if (side.distance && !said && (await racesInRange(tx, side.eventIds, side.distance.minM, side.distance.maxM)) === 0) side.distance = null;
      }
      parsed.trace.push(`distance per side: ${plan.sides.map((x) => `${x.label}: ${x.distance?.name ?? 'all races'}`).join('; ')}`);
      plan.distance = null;
    } else if (plan.events.length > 0 && parsed.distances.length > 0) {
      const names = plan.events.map((e) => ` ${e.name.toLowerCase().replace(/\s+/g, ' ')} `);
      const inName = (word: string) => names.some((n) => n.includes(` ${word} `) || n.includes(` ${word.replace(/\s+/g, '')} `));
      // said more often than the names say it: also outside them ("the marathon at the Boston Marathon 2025")
      const inNames = (word: string) => names.reduce((k, n) => k + n.split(` ${word} `).length - 1 + (word.includes(' ') ? n.split(` ${word.replace(/\s+/g, '')} `).length - 1 : 0), 0);
      const said = parsed.distances.find(({ word, count }) => !inName(word) || count > inNames(word));
      if (said) {
        explicit = true;
        if (said.d.name !== plan.distance?.name) parsed.trace.push(`distance: "${said.d.name}" (said outside the event's name) over "${plan.distance?.name ?? 'none'}"`);
        plan.distance = { name: said.d.name, ...distanceRange(said.d) };
      }
    }
    // Counting an event's races: the distance its name says is not a filter ("How many races did the Boston
    // Marathon 2025 have?" = its marathon and its 5K), unless the question says one outside the name.
    if (plan.subject === 'races' && plan.distance && !explicit) {
      parsed.trace.push(`distance: ${plan.distance.name} dropped (counting races; the word is part of the name)`);
      plan.distance = null;
    }
    // A named person's results at an event: the distance the event's name says is not a filter either ("What did Drew
    // Hale run at the Boston Marathon 2025?" = all their races there, the 5K too), unless the question says one outside the name.
    if ((plan.person || plan.bib) && plan.distance && plan.events.length > 0 && !explicit && plan.intent !== 'compare') {
      parsed.trace.push(`distance: ${plan.distance.name} dropped (${plan.person ? "a person's results" : 'a bib'}; the word is part of the event's name)`);
      plan.distance = null;
    }
    if (plan.distance && plan.events.length > 0) {
      if ((await racesInRange(tx, plan.events.map((e) => e.id), plan.distance.minM, plan.distance.maxM)) === 0) {
        if (explicit) return { status: 'not_found', intent: plan.intent, confidence: 0.9, answer: `${plan.events.map((e) => e.name).join(' and ')} has no ${plan.distance.name} race.` };
        parsed.trace.push(`distance: ${plan.distance.name} dropped (the event has no race of it; the word is part of its name)`);
        plan.distance = null;
      }
    }

    const unknown = parsed.unknown.filter((w) => !used.has(w) && !DISTANCE_WORDS.has(w.replace(/s$/, '')) && !DISTANCE_WORDS.has(w));
    parsed.unknown = unknown;
    if (unknown.length > 0) parsed.trace.push(`not understood: ${unknown.join(', ')}`);
    const nameDistance = plan.distance !== null && plan.events.length > 0 && !explicit && plan.intent !== 'compare';
    return { plan, confidence: Math.round(withUnexplained(confidence, unknown.length) * 1000) / 1000, nameDistance };
  }
}

/** The confidence left when `n` content words were explained by no rule (definitions.ts): below the threshold for any. */
function withUnexplained(confidence: number, n: number): number {
  const c = confidence * Math.pow(UNEXPLAINED_WORD_FACTOR, n);
  return n > 0 ? Math.min(c, UNEXPLAINED_WORD_CAP) : c;
}

function columnNames(sql: string): string[] {
  const m = /(?:^|\n)SELECT\s+([\s\S]+?)\n\s*FROM/.exec(sql); // the main SELECT: after a WITH, at a line start
  if (!m) return [];
  return [...m[1]!.matchAll(/\bAS\s+([a-z_0-9]+)\s*(?:,|$)/g)].map((x) => x[1]!);
}

function sentence(plan: Plan, rows: Record<string, unknown>[], value: number | null, truncated: boolean): string {
  const d = describe(plan);
  const more = truncated ? ' (more than shown; the list is cut)' : '';
  if (plan.intent === 'timing' && plan.session) {
    const s = plan.session;
    const at = (s.tag ? ` of tag ${s.tag}` : '') + (s.mat ? ` at ${s.mat}` : '');
    const none = `Session ${s.id} (${s.name}) has no reads${at} yet.`;
    if (s.what === 'unknown_tags') {
      return rows.length === 0
        ? `Every tag read${at} in session ${s.id} (${s.name}) matches a roster participant (by tag, else bib).`
        : `${rows.length} tag${rows.length === 1 ? '' : 's'} read${at} in session ${s.id} (${s.name}) match${rows.length === 1 ? 'es' : ''} no roster participant (by tag, else bib)${more}.`;
    }
    if (s.what === 'tags') return rows.length === 0 ? none : `${rows.length} tag${rows.length === 1 ? '' : 's'} read${at} in session ${s.id} (${s.name})${more}.`;
    const which = s.first ? 'first' : 'last';
    if (s.what === 'last_reads') return rows.length === 0 ? none : `The ${which} ${rows.length === 1 ? 'read' : `${rows.length} reads`}${at} in session ${s.id} (${s.name}), ${s.first ? 'oldest' : 'newest'} first${more}.`;
    const total = rows.reduce((n, r) => n + Number(r.reads), 0);
    return rows.length === 0 ? none : `Session ${s.id} (${s.name}) has ${total} read${total === 1 ? '' : 's'}${s.tag ? ` of tag ${s.tag}` : ''} at ${s.mat ?? `${rows.length} mat${rows.length === 1 ? '' : 's'}`}.`;
  }
  if (value !== null) {
    const who = plan.person ? ` named ${plan.person.first} ${plan.person.last}` : '';
    return `${value.toLocaleString('en-US')} ${noun(plan, value)}${who}${d ? ` ${d}` : ''}.`;
  }
  const str = (v: unknown) => (v === null || v === undefined ? '–' : String(v as string | number));
  if (plan.intent === 'compare' && plan.people) {
    return plan.people
      .map((person) => {
        const label = `${person.first} ${person.last}`;
        const mine = rows.filter((r) => r.person === label);
        const done = mine.filter((r) => r.status === 'finished' && r.time !== null);
        return `${label}: ${mine.length} result${mine.length === 1 ? '' : 's'}${done.length ? `, ${done.length} finished (${done.map((r) => `${str(r.time)} at ${str(r.event)}`).slice(0, 3).join(', ')})` : ''}`;
      })
      .join('; ') + `${d ? ` ${d}` : ''}${more}.`;
  }
  if (plan.intent === 'analyze' && plan.breakdown === 'age_group') {
    if (rows.length === 0) return `No results${d ? ` ${d}` : ''}.`;
    const races = [...new Set(rows.map((r) => `${str(r.event)} ${str(r.race)}`))];
    return `By age group, ${races.join(' and ')}: ` + rows.filter((r) => Number(r.starters) > 0 || Number(r.finishers) > 0).map((r) => `${races.length > 1 ? `${str(r.race)} ` : ''}${str(r.age_group)} ${str(r.finishers)} finishers, median ${str(r.median)}`).join('; ') + '.';
  }
  if (plan.intent === 'analyze' || plan.intent === 'compare') {
    if (rows.length === 0) return `No results${d ? ` ${d}` : ''}.`;
    return rows
      .map((r) => {
        const s = (v: unknown) => (v === null || v === undefined ? '–' : String(v as string | number));
        return `${s(r.event)} ${s(r.race)}: ${s(r.finishers)} finishers of ${s(r.starters)} starters (DNF ${r.dnf_rate_pct === null ? '–' : `${s(r.dnf_rate_pct)}%`}), fastest ${s(r.fastest)}, median ${s(r.median)}, mean ${s(r.mean)}`;
      })
      .join('; ') + '.';
  }
  if (plan.intent === 'find' && plan.person) {
    const name = `${plan.person.first} ${plan.person.last}`;
    if (rows.length === 0) return plan.pr ? `${name} has no finished result${plan.distance ? ` at the ${plan.distance.name}` : ''}.` : `No results for ${name}${d ? ` ${d}` : ''}.`;
    if (plan.pr) return rows.map((r) => `${name}'s best ${plan.distance?.name ?? String(r.race)} time is ${String(r.time)} (${String(r.event)})`).join('; ') + '.';
    return `${rows.length} result${rows.length === 1 ? '' : 's'} for ${name}${plan.person.city ? ` from ${plan.person.city}` : ''}${more}.`;
  }
  if (plan.subject === 'events') return rows.length === 0 ? `No ${plan.active ? 'active ' : ''}events${d ? ` ${d}` : ''}.` : `${rows.length} ${plan.active ? 'active (from a week ago on) ' : ''}event${rows.length === 1 ? '' : 's'}${d ? ` ${d}` : ''}${more}.`;
  const contact = plan.bq ? ' Contact details are not stored in the warehouse; the rows have name, city and state.' : '';
  return rows.length === 0 ? `No ${noun(plan, 2).replace(' finished', '')}${d ? ` ${d}` : ''}.` : `${rows.length} ${rows.length === 1 ? 'result' : 'results'}${d ? ` ${d}` : ''}${more}.${contact}`;
}

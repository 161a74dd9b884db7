/**
 * Plan → parameterized SQL over the warehouse tables and the timing tables. Every value the
 * question supplied is a parameter; the SQL text is assembled only from this file's
 * fragments and numbers from definitions.ts. Row-level security (the caller's partner)
 * decides which rows exist; the service runs it read only with a statement timeout.
 */
import { AGE_GROUPS, BQ_GRACE_MS, BQ_STANDARDS, DEFINITIONS_VERSION, FINISHED_STATUS } from './definitions.js';
import type { Intent, Subject } from './ask.parser.js';

export type Plan = {
  definitions: string;
  intent: Intent;
  subject: Subject;
  events: Array<{ id: number; name: string; date: string | null }>;
  /** For compare: the two sides' event ids; a side's own distance (the one its event's name says) when set, else the plan's. */
  sides: Array<{ label: string; eventIds: number[]; distance?: Plan['distance'] }> | null;
  distance: { name: string; minM: number; maxM: number } | null;
  gender: 'M' | 'F' | 'X' | null;
  age: { min: number; max: number } | null;
  time: { underMs: number | null; overMs: number | null } | null;
  dates: { from: string; to: string; label: string } | null;
  bq: boolean;
  pr: boolean;
  active: boolean;
  person: { first: string; last: string; city: string | null } | null;
  /** A bib number the question names ("who wore bib 1005"): that entry only. */
  bib?: string | null;
  /** mat / tag: one mat's (location's) or one tag's reads only, as the session stores them; first: the earliest reads (else the latest). */
  session: { id: number; name: string; what: 'by_mat' | 'last_reads' | 'unknown_tags' | 'tags'; mat?: string | null; tag?: string | null; first?: boolean } | null;
  /** For compare: two people (each one's results side by side). */
  people: Array<{ first: string; last: string; city: string | null }> | null;
  /** For analyze: a breakdown by the age groups of definitions.ts. */
  breakdown: 'age_group' | null;
  order: 'fastest' | 'slowest' | 'youngest' | 'oldest' | null;
  limit: number;
  /** Today by the engine's clock (active events). */
  today: string;
};

export interface Compiled { sql: string; params: unknown[] }

export function emptyPlan(today: string): Plan {
  return {
    definitions: DEFINITIONS_VERSION, intent: 'unknown', subject: 'participants', events: [], sides: null, distance: null, gender: null, age: null,
    time: null, dates: null, bq: false, pr: false, active: false, person: null, session: null, people: null, breakdown: null, order: null, limit: 100, today,
  };
}

const TIME = 'coalesce(r.chip_time_ms, r.gun_time_ms)';

/**
 * A runner's Boston-qualifying limit (NULL: no standard, so no time qualifies), as a CASE over
 * definitions.ts's standards: a correlated VALUES subquery cost 10 µs a row (75 of 131 ms for
 * last year's qualifiers at scale 1), a CASE is evaluated in line.
 */
function bqLimit(): string {
  const when = BQ_STANDARDS.map((s) => {
    if (!/^[MFX]$/.test(s.gender)) throw new Error(`BQ gender ${s.gender} is not plain`);
    return `WHEN e.gender = '${s.gender}' AND e.age BETWEEN ${Math.trunc(s.minAge)} AND ${Math.trunc(s.maxAge)} THEN ${Math.trunc(s.ms + BQ_GRACE_MS)}`;
  });
  return `(CASE ${when.join(' ')} END)`;
}

class Params {
  values: unknown[] = [];
  /** The sets a plan is narrowed to first (see dateScope, PERSON_CTES): compile puts them first as WITH … MATERIALIZED. */
  ctes = new Map<string, string>();
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** The WHERE conditions on entries e / races ra / results_events ev / results r. */
function conditions(plan: Plan, p: Params, eventIds: number[] | null): string[] {
  const c: string[] = [];
  const ids = eventIds ?? plan.events.map((e) => e.id);
  if (ids.length > 0) c.push(`e.event_id IN (${ids.map((id) => `${p.add(id)}::bigint`).join(', ')})`);
  else if (plan.dates) {
    if (!p.ctes.has('scope')) p.ctes.set('scope', dateScope(plan, p));
    c.push(`e.race_id IN (SELECT id FROM scope)`);
    c.push(`ev.start_date >= ${p.add(plan.dates.from)}::date AND ev.start_date < ${p.add(plan.dates.to)}::date`);
  }
  if (plan.distance) c.push(`ra.distance_m BETWEEN ${p.add(plan.distance.minM)}::numeric AND ${p.add(plan.distance.maxM)}::numeric`);
  if (plan.gender) c.push(`e.gender = ${p.add(plan.gender)}`);
  if (plan.age) c.push(`e.age BETWEEN ${p.add(plan.age.min)}::int AND ${p.add(plan.age.max)}::int`);
  if (plan.person) {
    // each name as written, capitalized, upper or lower case: equality the (last_name, first_name) index serves under RLS
    const last = p.add(plan.person.last);
    const first = p.add(plan.person.first);
    const name = `e.last_name IN (${last}, initcap(${last}), upper(${last}), lower(${last})) AND e.first_name IN (${first}, initcap(${first}), upper(${first}), lower(${first}))`;
    const city = plan.person.city === null ? '' : ` AND coalesce(e.city, '') = ${p.add(plan.person.city)}`;
    // the person's entries first (PERSON_CTES): found by the names index, then joined
    const cte = PERSON_CTES.find((n) => !p.ctes.has(n));
    if (cte === undefined) throw new Error('too many people in one plan');
    p.ctes.set(cte, `SELECT e.id FROM entries e WHERE ${name}${city}`);
    c.push(`e.id IN (SELECT id FROM ${cte})`);
  }
  if (plan.bib) c.push(`e.bib = ${p.add(plan.bib)}::text`);
  if (plan.subject === 'finishers' || plan.time || plan.bq || plan.pr) c.push(`r.status = '${FINISHED_STATUS}' AND ${TIME} IS NOT NULL`);
  if (plan.subject === 'dnf') c.push(`r.status = 'DNF'`);
  if (plan.time?.underMs != null) c.push(`${TIME} < ${p.add(plan.time.underMs)}::bigint`);
  if (plan.time?.overMs != null) c.push(`${TIME} > ${p.add(plan.time.overMs)}::bigint`);
  if (plan.bq) c.push(`${TIME} < ${bqLimit()}`);
  return c;
}

/**
 * The races of the plan's dates (and distance), materialized first. Without it PostgreSQL, under
 * row-level security, misjudges the races' filter as one row and walks every race of the
 * distance, all their entries, then drops the other years (scale 1, marathons last year: 108,825
 * entries read for 8,074 wanted, 257 ms); with it: the year's races, then their entries (71 ms).
 */
function dateScope(plan: Plan, p: Params): string {
  const dist = plan.distance ? ` AND sra.distance_m BETWEEN ${p.add(plan.distance.minM)}::numeric AND ${p.add(plan.distance.maxM)}::numeric` : '';
  return `SELECT sra.id FROM races sra JOIN results_events sev ON sev.id = sra.event_id
     WHERE sev.start_date >= ${p.add(plan.dates!.from)}::date AND sev.start_date < ${p.add(plan.dates!.to)}::date${dist}`;
}

/**
 * A named person's entries, materialized first: PostgreSQL otherwise starts from the races (the
 * same misjudged filter) and probes the names index once per race (a PR at scale 1: 685
 * bitmap ANDs, 59 ms); from the person's entries it is a few index probes.
 */
export const PERSON_CTES = ['person_a', 'person_b', 'person_c'];

const withScope = (p: Params, sql: string): string =>
  p.ctes.size === 0 ? sql : `WITH ${[...p.ctes].map(([name, body]) => `${name} AS MATERIALIZED (${body})`).join(',\n     ')}\n${sql}`;

const FROM = `FROM entries e
  JOIN races ra ON ra.id = e.race_id
  JOIN results_events ev ON ev.id = e.event_id
  LEFT JOIN results r ON r.entry_id = e.id`;

const where = (c: string[]) => (c.length ? `\n WHERE ${c.join('\n   AND ')}` : '');

const RESULT_COLUMNS = `ev.name AS event, ev.start_date::text AS date, ra.name AS race, e.bib, e.first_name, e.last_name, e.gender, e.age,
       e.city, e.state, coalesce(r.status, 'registered') AS status, p88_ms_interval(${TIME})::text AS time, r.overall_place AS place`;

function orderBy(plan: Plan): string {
  if (plan.order === 'youngest') return `e.age ASC NULLS LAST, ${TIME} ASC NULLS LAST, e.id`;
  if (plan.order === 'oldest') return `e.age DESC NULLS LAST, ${TIME} ASC NULLS LAST, e.id`;
  if (plan.order === 'slowest') return `${TIME} DESC NULLS LAST, e.id`;
  if (plan.order === 'fastest' || plan.time || plan.bq) return `${TIME} ASC NULLS LAST, e.id`;
  return `ev.start_date DESC NULLS LAST, ev.id, ra.distance_m DESC, r.overall_place NULLS LAST, ${TIME} NULLS LAST, e.id`;
}

function analyzeSelect(p: Params, plan: Plan, eventIds: number[], label: string | null): string {
  const fin = `r.status = '${FINISHED_STATUS}' AND ${TIME} IS NOT NULL`;
  const median = (extra: string) => `p88_ms_interval(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${TIME}) FILTER (WHERE ${fin}${extra}))::bigint)::text`;
  const conds = conditions({ ...plan, subject: 'participants', time: null, bq: false }, p, eventIds);
  return `SELECT ${label === null ? '' : `${p.add(label)}::text AS side, `}ev.name AS event, ev.start_date::text AS date, ra.name AS race,
       count(*) FILTER (WHERE ${fin})::int AS finishers,
       count(*) FILTER (WHERE r.status IN ('finished', 'DNF', 'DQ'))::int AS starters,
       count(*) FILTER (WHERE r.status = 'DNF')::int AS dnf,
       round(100.0 * count(*) FILTER (WHERE r.status = 'DNF') / nullif(count(*) FILTER (WHERE r.status IN ('finished', 'DNF', 'DQ')), 0), 1)::float8 AS dnf_rate_pct,
       p88_ms_interval(min(${TIME}) FILTER (WHERE ${fin}))::text AS fastest,
       p88_ms_interval(round(percentile_cont(0.1) WITHIN GROUP (ORDER BY ${TIME}) FILTER (WHERE ${fin}))::bigint)::text AS p10,
       ${median('')} AS median,
       p88_ms_interval((floor(avg(${TIME}) FILTER (WHERE ${fin}) / 1000) * 1000)::bigint)::text AS mean,
       p88_ms_interval(round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ${TIME}) FILTER (WHERE ${fin}))::bigint)::text AS p90,
       count(*) FILTER (WHERE ${fin} AND e.gender = 'F')::int AS finishers_f,
       ${median(` AND e.gender = 'F'`)} AS median_f,
       count(*) FILTER (WHERE ${fin} AND e.gender = 'M')::int AS finishers_m,
       ${median(` AND e.gender = 'M'`)} AS median_m
  ${FROM}${where(conds)}
 GROUP BY ev.id, ev.name, ev.start_date, ra.id, ra.name, ra.distance_m`;
}

/** The age groups of definitions.ts as a VALUES list (our constants: labels are digits, '-' and '+'). */
function ageGroupValues(): string {
  return AGE_GROUPS.map((g, i) => {
    if (!/^[0-9+-]+$/.test(g.label)) throw new Error(`age group label ${g.label} is not plain`);
    return `('${g.label}', ${Math.trunc(g.min)}, ${Math.trunc(g.max)}, ${i})`;
  }).join(', ');
}

/** Analyze by age group: per race and age group, finishers, starters, DNF, fastest and median. */
function ageGroupSelect(p: Params, plan: Plan, eventIds: number[]): string {
  const fin = `r.status = '${FINISHED_STATUS}' AND ${TIME} IS NOT NULL`;
  const conds = conditions({ ...plan, subject: 'participants', time: null, bq: false }, p, eventIds);
  return `SELECT ev.name AS event, ev.start_date::text AS date, ra.name AS race, coalesce(ag.label, 'unknown') AS age_group,
       count(*) FILTER (WHERE ${fin})::int AS finishers,
       count(*) FILTER (WHERE r.status IN ('finished', 'DNF', 'DQ'))::int AS starters,
       count(*) FILTER (WHERE r.status = 'DNF')::int AS dnf,
       p88_ms_interval(min(${TIME}) FILTER (WHERE ${fin}))::text AS fastest,
       p88_ms_interval(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${TIME}) FILTER (WHERE ${fin}))::bigint)::text AS median,
       count(*) FILTER (WHERE ${fin} AND e.gender = 'F')::int AS finishers_f,
       count(*) FILTER (WHERE ${fin} AND e.gender = 'M')::int AS finishers_m
  ${FROM}
  LEFT JOIN (VALUES ${ageGroupValues()}) AS ag(label, lo, hi, n) ON e.age BETWEEN ag.lo AND ag.hi${where(conds)}
 GROUP BY ev.id, ev.name, ev.start_date, ra.id, ra.name, ra.distance_m, ag.label, ag.n
 ORDER BY ev.start_date, ev.id, ra.distance_m DESC, ra.id, ag.n NULLS LAST`;
}

/** Compare two people: each one's results, side by side (the first person's rows first). */
function peopleSelect(p: Params, plan: Plan, limit: number): string {
  const people = plan.people!;
  const labels = people.map((x) => `${x.first} ${x.last}`);
  const parts = people.map((person, i) => {
    const c = conditions({ ...plan, person, events: [] }, p, null);
    return `SELECT ${p.add(labels[i])}::text AS person, ${i}::int AS side_no, ev.name AS event, ev.start_date::text AS date, ra.name AS race, e.first_name, e.last_name,
       e.city, e.gender, e.age, coalesce(r.status, 'registered') AS status, p88_ms_interval(${TIME})::text AS time, r.overall_place AS place, ${TIME} AS ms
  ${FROM}${where(c)}`;
  });
  return `SELECT person, event, date, race, first_name, last_name, city, gender, age, status, time, place FROM (
${parts.join('\n UNION ALL\n')}
) AS sides
 ORDER BY side_no, date DESC NULLS LAST, ms NULLS LAST
 LIMIT ${p.add(limit + 1)}::int`;
}

/**
 * Boston qualifiers over many events (all years, or a date range), newest event first, fastest
 * first within an event. Ordered by time across all years, PostgreSQL had to read every marathon
 * finisher of the partner and sort them for the first 100 (scale 1: 108,825 entries, 400–1000
 * ms). Event by event from the (start_date DESC, id) index, each event's qualifiers in a LATERAL
 * with its own LIMIT (so it is not flattened into one join), the outer incremental sort stops at
 * the limit after the few newest events (47 ms in EXPLAIN). Each event's LIMIT is the outer one,
 * so no event can hold back a row the answer needs. Undated events come first (the index's DESC
 * is NULLS FIRST).
 */
function byEventSelect(plan: Plan, p: Params, limit: number): string {
  const c = conditions({ ...plan, dates: null, events: [] }, p, null);
  const outer = plan.dates ? `\n WHERE ev.start_date >= ${p.add(plan.dates.from)}::date AND ev.start_date < ${p.add(plan.dates.to)}::date` : '';
  const n = p.add(limit + 1);
  return `SELECT ev.name AS event, ev.start_date::text AS date, x.race AS race, x.bib AS bib, x.first_name AS first_name, x.last_name AS last_name, x.gender AS gender, x.age AS age,
       x.city AS city, x.state AS state, x.status AS status, p88_ms_interval(x.ms)::text AS time, x.place AS place
  FROM results_events ev
  CROSS JOIN LATERAL (
    SELECT ra.name AS race, e.id, e.bib, e.first_name, e.last_name, e.gender, e.age, e.city, e.state, coalesce(r.status, 'registered') AS status, ${TIME} AS ms, r.overall_place AS place
      FROM races ra
      JOIN entries e ON e.race_id = ra.id
      LEFT JOIN results r ON r.entry_id = e.id
     WHERE ra.event_id = ev.id AND e.event_id = ev.id${c.length ? `\n       AND ${c.join('\n       AND ')}` : ''}
     ORDER BY ${TIME} ASC NULLS LAST, e.id
     LIMIT ${n}::int
  ) AS x${outer}
 ORDER BY ev.start_date DESC, ev.id, x.ms ASC NULLS LAST, x.id
 LIMIT ${n}::int`;
}

/** The SQL for a plan; `cap` rows at most are asked for (one more tells truncation). */
export function compile(plan: Plan, cap: number): Compiled {
  const p = new Params();
  const limit = Math.max(1, Math.min(plan.limit, cap));
  if (plan.intent === 'timing' && plan.session) {
    const sid = p.add(plan.session.id);
    const oneMat = (plan.session.mat ? `\n   AND tr.location_name = ${p.add(plan.session.mat)}::text` : '') + (plan.session.tag ? `\n   AND tr.tag_code = ${p.add(plan.session.tag)}::text` : '');
    if (plan.session.what === 'unknown_tags') {
      // The rosters the session's display links read against; none bound = all the partner's rosters.
      return {
        sql: `WITH bound AS (SELECT DISTINCT dl.roster_event_id AS id FROM display_links dl WHERE dl.session_id = ${sid}::int AND dl.roster_event_id IS NOT NULL),
     rosters AS (SELECT id FROM bound UNION SELECT re.id FROM roster_events re WHERE NOT EXISTS (SELECT 1 FROM bound))
SELECT tr.tag_code AS tag, min(tr.read_time) AS first_read_at, max(tr.read_time) AS last_read_at, count(*)::int AS reads,
       string_agg(DISTINCT tr.location_name, ', ' ORDER BY tr.location_name) AS mats
  FROM timing_reads tr
 WHERE tr.session_id = ${sid}::int${oneMat}
   AND NOT EXISTS (SELECT 1 FROM participant_tags pt WHERE pt.event_id IN (SELECT id FROM rosters) AND pt.tag = tr.tag_code)
   AND NOT EXISTS (SELECT 1 FROM participants pa WHERE pa.event_id IN (SELECT id FROM rosters) AND pa.bib = tr.tag_code)
 GROUP BY tr.tag_code
 ORDER BY min(tr.read_time), tr.tag_code
 LIMIT ${p.add(limit + 1)}::int`,
        params: p.values,
      };
    }
    if (plan.session.what === 'tags') {
      return {
        sql: `SELECT tr.tag_code AS tag, min(tr.read_time) AS first_read_at, max(tr.read_time) AS last_read_at, count(*)::int AS reads,
       string_agg(DISTINCT tr.location_name, ', ' ORDER BY tr.location_name) AS mats
  FROM timing_reads tr
 WHERE tr.session_id = ${sid}::int${oneMat}
 GROUP BY tr.tag_code
 ORDER BY min(tr.read_time), tr.tag_code
 LIMIT ${p.add(limit + 1)}::int`,
        params: p.values,
      };
    }
    if (plan.session.what === 'last_reads') {
      return {
        sql: `SELECT tr.read_time AS read_at, tr.location_name AS mat, tr.tag_code AS tag, tr.read_kind AS kind
  FROM timing_reads tr
 WHERE tr.session_id = ${sid}::int${oneMat}
 ORDER BY ${plan.session.first ? 'tr.read_time ASC, tr.id ASC' : 'tr.read_time DESC, tr.id DESC'}
 LIMIT ${p.add(limit + 1)}::int`,
        params: p.values,
      };
    }
    return {
      sql: `SELECT tr.location_name AS mat, count(*)::int AS reads, count(DISTINCT tr.tag_code)::int AS tags, max(tr.read_time) AS last_read_at
  FROM timing_reads tr
 WHERE tr.session_id = ${sid}::int${oneMat}
 GROUP BY tr.location_name
 ORDER BY tr.location_name
 LIMIT ${p.add(limit + 1)}::int`,
      params: p.values,
    };
  }
  if (plan.subject === 'events' && (plan.intent === 'count' || plan.intent === 'list')) {
    const c: string[] = [];
    if (plan.events.length > 0) c.push(`ev.id IN (${plan.events.map((e) => `${p.add(e.id)}::bigint`).join(', ')})`);
    if (plan.dates) c.push(`ev.start_date >= ${p.add(plan.dates.from)}::date AND ev.start_date < ${p.add(plan.dates.to)}::date`);
    if (plan.active) c.push(`ev.start_date >= ${p.add(plan.today)}::date - 7`);
    if (plan.intent === 'count') return { sql: `SELECT count(*)::int AS value\n  FROM results_events ev${where(c)}`, params: p.values };
    return {
      sql: `SELECT ev.name AS event, ev.start_date::text AS date, ev.city, ev.state,
       (SELECT count(*) FROM entries e WHERE e.event_id = ev.id)::int AS participants,
       (SELECT count(*) FROM results r WHERE r.event_id = ev.id AND r.status = '${FINISHED_STATUS}')::int AS finishers
  FROM results_events ev${where(c)}
 ORDER BY ev.start_date ${plan.active || plan.order === 'oldest' ? 'ASC' : 'DESC'} NULLS LAST, ev.name, ev.id
 LIMIT ${p.add(limit + 1)}::int`,
      params: p.values,
    };
  }
  if (plan.subject === 'races' && plan.intent === 'count') {
    const c: string[] = [];
    if (plan.events.length > 0) c.push(`ra.event_id IN (${plan.events.map((e) => `${p.add(e.id)}::bigint`).join(', ')})`);
    if (plan.distance) c.push(`ra.distance_m BETWEEN ${p.add(plan.distance.minM)}::numeric AND ${p.add(plan.distance.maxM)}::numeric`);
    if (plan.dates && plan.events.length === 0) c.push(`ev.start_date >= ${p.add(plan.dates.from)}::date AND ev.start_date < ${p.add(plan.dates.to)}::date`);
    return { sql: `SELECT count(*)::int AS value\n  FROM races ra JOIN results_events ev ON ev.id = ra.event_id${where(c)}`, params: p.values };
  }
  if (plan.intent === 'count') {
    const c = conditions(plan, p, null);
    return { sql: withScope(p, `SELECT count(*)::int AS value\n  ${FROM}${where(c)}`), params: p.values };
  }
  if (plan.intent === 'analyze' && plan.breakdown === 'age_group') {
    const sql = ageGroupSelect(p, plan, plan.events.map((e) => e.id));
    return { sql: withScope(p, sql), params: p.values };
  }
  if (plan.intent === 'compare' && plan.people && plan.people.length === 2) {
    const sql = peopleSelect(p, plan, limit);
    return { sql: withScope(p, sql), params: p.values };
  }
  if (plan.intent === 'analyze') {
    const sql = `${analyzeSelect(p, plan, plan.events.map((e) => e.id), null)}\n ORDER BY ev.start_date, ev.id, ra.distance_m DESC, ra.id`;
    return { sql: withScope(p, sql), params: p.values };
  }
  if (plan.intent === 'compare' && plan.sides) {
    const [a, b] = plan.sides;
    const side = (x: NonNullable<Plan['sides']>[number]) => analyzeSelect(p, x.distance === undefined ? plan : { ...plan, distance: x.distance }, x.eventIds, x.label);
    const sql = `SELECT * FROM (\n${side(a!)}\n UNION ALL\n${side(b!)}\n) AS sides\n ORDER BY side = ${p.add(b!.label)}, date, race`;
    return { sql: withScope(p, sql), params: p.values };
  }
  if (plan.intent === 'find' && plan.pr) {
    const c = conditions(plan, p, null);
    return {
      sql: withScope(p, `SELECT event, date, race, distance_km, first_name, last_name, city, time FROM (
SELECT ev.name AS event, ev.start_date::text AS date, ra.name AS race, round(ra.distance_m / 1000, 3)::float8 AS distance_km, e.first_name, e.last_name, e.city,
       p88_ms_interval(${TIME})::text AS time, ${TIME} AS ms, ra.distance_m,
       row_number() OVER (PARTITION BY round(ra.distance_m / 100) ORDER BY ${TIME}, ev.start_date) AS n
  ${FROM}${where(c)}
) AS best
 WHERE n = 1
 ORDER BY distance_m DESC
 LIMIT ${p.add(limit + 1)}::int`),
      params: p.values,
    };
  }
  if (plan.bq && plan.order === null && plan.events.length === 0 && !plan.person) return { sql: byEventSelect(plan, p, limit), params: p.values };
  const c = conditions(plan, p, null);
  return {
    sql: withScope(p, `SELECT ${RESULT_COLUMNS}
  ${FROM}${where(c)}
 ORDER BY ${orderBy(plan)}
 LIMIT ${p.add(limit + 1)}::int`),
    params: p.values,
  };
}

/**
 * The lookups the engine resolves names with (SQL only), run in the caller's read-only
 * partner transaction: row-level security decides which events, people and sessions exist.
 */
import type { Queryable } from '../db/database.js';
import type { EventRow } from './ask.match.js';

export async function listEvents(tx: Queryable): Promise<EventRow[]> {
  return (await tx.query<EventRow>('SELECT id::int AS id, name, start_date::text AS start_date FROM results_events ORDER BY start_date DESC NULLS LAST, id LIMIT 5000')).rows;
}

/**
 * A key that changes whenever the partner's event list does: an insert raises the count and the
 * highest id (identity ids only grow), a delete lowers the count, and every update (the results
 * import's upsert) sets updated_at, which changes the sum. One pass over the partner's events
 * (~2 ms for 4,294 at scale 1) instead of sending every name.
 */
export async function eventsKey(tx: Queryable): Promise<string> {
  const r = await tx.query<{ key: string }>(
    `SELECT count(*)::text || ':' || coalesce(max(id), 0)::text || ':' || coalesce(sum(extract(epoch FROM updated_at)), 0)::text AS key FROM results_events`,
  );
  return r.rows[0]!.key;
}

export interface PersonRow { city: string; n: number; first_name: string; last_name: string }

/**
 * People of this name, one row per home city; each name as written, capitalized, upper or lower
 * case: equality on both columns of the names index (entries (last_name, first_name)), which
 * works under RLS (scale 1: a common last name's 30,000 entries filtered by lower(first_name)
 * took 186 ms, the index pair a few ms). A name written in another mix ("Deshawn" for
 * "DeShawn") is not found.
 */
export async function findPeople(tx: Queryable, first: string, last: string): Promise<PersonRow[]> {
  return (await tx.query<PersonRow>(
    `SELECT coalesce(city, '') AS city, min(first_name) AS first_name, min(last_name) AS last_name, count(*)::int AS n FROM entries
      WHERE last_name IN ($2, initcap($2), upper($2), lower($2)) AND first_name IN ($1, initcap($1), upper($1), lower($1))
      GROUP BY coalesce(city, '') ORDER BY count(*) DESC, 1`,
    [first, last],
  )).rows;
}

export async function findSessions(tx: Queryable, id: number | null, name: string | null): Promise<Array<{ id: number; session_name: string }>> {
  return id !== null
    ? (await tx.query<{ id: number; session_name: string }>('SELECT id, session_name FROM timing_sessions WHERE id = $1', [id])).rows
    : (await tx.query<{ id: number; session_name: string }>('SELECT id, session_name FROM timing_sessions WHERE lower(session_name) = lower($1) ORDER BY id DESC LIMIT 2', [name])).rows;
}

/** The mats (location names) a session has reads at. */
export async function sessionMats(tx: Queryable, sessionId: number): Promise<string[]> {
  return (await tx.query<{ name: string }>('SELECT DISTINCT location_name AS name FROM timing_reads WHERE session_id = $1 ORDER BY 1', [sessionId])).rows.map((r) => r.name);
}

/** Of these words, the tag codes the session has reads of (as the session stores them; compared case-insensitively). */
export async function sessionTags(tx: Queryable, sessionId: number, words: string[]): Promise<string[]> {
  return (await tx.query<{ tag: string }>('SELECT DISTINCT tag_code AS tag FROM timing_reads WHERE session_id = $1 AND lower(tag_code) = ANY($2::text[]) ORDER BY 1 LIMIT 5', [sessionId, words])).rows.map((r) => r.tag);
}

/** How many races of these events are within [minM, maxM] metres. */
export async function racesInRange(tx: Queryable, eventIds: number[], minM: number, maxM: number): Promise<number> {
  const r = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM races WHERE event_id IN (${eventIds.map((_, i) => `$${i + 3}::bigint`).join(', ')}) AND distance_m BETWEEN $1::numeric AND $2::numeric`,
    [minM, maxM, ...eventIds],
  );
  return r.rows[0]!.n;
}

/** The names of the events' races outside a distance range (the races a name's distance leaves out). */
export async function otherRaces(tx: Queryable, eventIds: number[], minM: number, maxM: number): Promise<string[]> {
  const r = await tx.query<{ name: string }>(
    `SELECT DISTINCT name FROM races WHERE event_id IN (${eventIds.map((_, i) => `$${i + 3}::bigint`).join(', ')}) AND NOT (coalesce(distance_m, -1) BETWEEN $1::numeric AND $2::numeric) ORDER BY name`,
    [minM, maxM, ...eventIds],
  );
  return r.rows.map((x) => x.name);
}

/** The two latest events, a runner of the latest, the latest session: what the examples name. */
export async function exampleNames(tx: Queryable): Promise<Array<{ name: string; person: string | null; session: number | null }>> {
  return (await tx.query<{ name: string; person: string | null; session: number | null }>(
    `SELECT ev.name,
            (SELECT e.first_name || ' ' || e.last_name FROM entries e WHERE e.event_id = ev.id AND e.first_name IS NOT NULL AND e.last_name IS NOT NULL ORDER BY e.id LIMIT 1) AS person,
            (SELECT max(id) FROM timing_sessions) AS session
       FROM results_events ev ORDER BY ev.start_date DESC NULLS LAST, ev.id LIMIT 2`,
  )).rows;
}

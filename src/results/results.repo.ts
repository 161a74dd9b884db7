/**
 * SQL of the results warehouse: upserts keyed by (partner_id, provider, external_id), so a CSV
 * import and a provider sync write the same way, and the derived columns (pace, places).
 * Batches go in as one jsonb array per statement (one round trip per few thousand rows).
 */
import type { Queryable } from '../db/database.js';

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

export interface EventInput {
  external_id: string;
  name: string;
  start_date: string | null;
  start_time?: string | null;
  time_zone?: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  raw: unknown;
}

export interface RaceInput {
  external_id: string;
  event_id: number;
  name: string;
  distance_m: number | null;
  distance_unit: 'km' | 'mi' | 'm';
  start_time?: string | null;
  raw: unknown;
}

export interface EntryInput {
  external_id: string;
  event_id: number;
  race_id: number;
  bib: string | null;
  first_name: string | null;
  last_name: string | null;
  gender: string;
  age: number | null;
  birth_date?: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  team: string | null;
  division: string | null;
  wave?: string | null;
  status?: string | null;
  raw: unknown;
}

export interface ResultInput {
  external_id: string;
  entry_id: number;
  race_id: number;
  event_id: number;
  status: string;
  chip_time_ms: number | null;
  gun_time_ms: number | null;
  overall_place: number | null;
  gender_place: number | null;
  division_place: number | null;
  raw: unknown;
}

export interface SplitInput {
  external_id: string;
  result_id: number;
  seq: number;
  label: string;
  distance_m: number | null;
  time_ms: number | null;
  raw: unknown;
}

/** `(xmax = 0)`: the row was inserted by this statement, not updated. */
function counts(rows: { inserted: boolean }[]): UpsertCounts {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

export async function upsertEvent(tx: Queryable, partnerId: number, provider: string, e: EventInput): Promise<{ id: number; inserted: boolean }> {
  const r = await tx.query<{ id: number; inserted: boolean }>(
    `INSERT INTO results_events (partner_id, provider, external_id, name, start_date, start_time, time_zone, city, state, country, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (partner_id, provider, external_id) DO UPDATE SET
       name = EXCLUDED.name, start_date = EXCLUDED.start_date, start_time = coalesce(EXCLUDED.start_time, results_events.start_time),
       time_zone = coalesce(EXCLUDED.time_zone, results_events.time_zone), city = EXCLUDED.city, state = EXCLUDED.state,
       country = EXCLUDED.country, raw = coalesce(EXCLUDED.raw, results_events.raw), updated_at = now()
     RETURNING id, (xmax = 0) AS inserted`,
    [partnerId, provider, e.external_id, e.name, e.start_date, e.start_time ?? null, e.time_zone ?? null, e.city, e.state, e.country, e.raw === undefined ? null : JSON.stringify(e.raw)],
  );
  return r.rows[0]!;
}

export async function upsertRace(tx: Queryable, partnerId: number, provider: string, r: RaceInput): Promise<{ id: number; inserted: boolean }> {
  const res = await tx.query<{ id: number; inserted: boolean }>(
    `INSERT INTO races (partner_id, event_id, provider, external_id, name, distance_m, distance_unit, start_time, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (partner_id, provider, external_id) DO UPDATE SET
       event_id = EXCLUDED.event_id, name = EXCLUDED.name, distance_m = coalesce(EXCLUDED.distance_m, races.distance_m),
       distance_unit = CASE WHEN EXCLUDED.distance_m IS NULL THEN races.distance_unit ELSE EXCLUDED.distance_unit END,
       start_time = coalesce(EXCLUDED.start_time, races.start_time), raw = coalesce(EXCLUDED.raw, races.raw), updated_at = now()
     RETURNING id, (xmax = 0) AS inserted`,
    [partnerId, r.event_id, provider, r.external_id, r.name, r.distance_m, r.distance_unit, r.start_time ?? null, r.raw === undefined ? null : JSON.stringify(r.raw)],
  );
  return res.rows[0]!;
}

/** Upserts entries; returns each one's id by external id. */
export async function upsertEntries(tx: Queryable, partnerId: number, provider: string, rows: readonly EntryInput[]): Promise<{ ids: Map<string, number> } & UpsertCounts> {
  const r = await tx.query<{ id: number; external_id: string; inserted: boolean }>(
    `INSERT INTO entries (partner_id, provider, external_id, event_id, race_id, bib, first_name, last_name, gender, age, birth_date,
                          city, state, country, team, division, wave, status, raw)
     SELECT $1, $2, x.external_id, x.event_id, x.race_id, x.bib, x.first_name, x.last_name, x.gender, x.age, x.birth_date,
            x.city, x.state, x.country, x.team, x.division, x.wave, x.status, x.raw
       FROM jsonb_to_recordset($3::jsonb) AS x(external_id text, event_id bigint, race_id bigint, bib text, first_name text,
            last_name text, gender text, age integer, birth_date date, city text, state text, country text, team text,
            division text, wave text, status text, raw jsonb)
     ON CONFLICT (partner_id, provider, external_id) DO UPDATE SET
       event_id = EXCLUDED.event_id, race_id = EXCLUDED.race_id, bib = EXCLUDED.bib, first_name = EXCLUDED.first_name,
       last_name = EXCLUDED.last_name, gender = EXCLUDED.gender, age = EXCLUDED.age,
       birth_date = coalesce(EXCLUDED.birth_date, entries.birth_date), city = EXCLUDED.city, state = EXCLUDED.state,
       country = EXCLUDED.country, team = EXCLUDED.team, division = EXCLUDED.division,
       wave = coalesce(EXCLUDED.wave, entries.wave), status = coalesce(EXCLUDED.status, entries.status),
       raw = coalesce(EXCLUDED.raw, entries.raw), updated_at = now()
     RETURNING id, external_id, (xmax = 0) AS inserted`,
    [partnerId, provider, JSON.stringify(rows)],
  );
  return { ids: new Map(r.rows.map((x) => [x.external_id, x.id])), ...counts(r.rows) };
}

/** Upserts results (one per entry); returns each one's id by external id. */
export async function upsertResults(tx: Queryable, partnerId: number, provider: string, rows: readonly ResultInput[]): Promise<{ ids: Map<string, number> } & UpsertCounts> {
  const r = await tx.query<{ id: number; external_id: string; inserted: boolean }>(
    `INSERT INTO results (partner_id, provider, external_id, entry_id, race_id, event_id, status, chip_time_ms, gun_time_ms,
                          overall_place, gender_place, division_place, raw)
     SELECT $1, $2, x.external_id, x.entry_id, x.race_id, x.event_id, x.status, x.chip_time_ms, x.gun_time_ms,
            x.overall_place, x.gender_place, x.division_place, x.raw
       FROM jsonb_to_recordset($3::jsonb) AS x(external_id text, entry_id bigint, race_id bigint, event_id bigint, status text,
            chip_time_ms bigint, gun_time_ms bigint, overall_place integer, gender_place integer, division_place integer, raw jsonb)
     ON CONFLICT (entry_id, partner_id) DO UPDATE SET
       external_id = EXCLUDED.external_id, provider = EXCLUDED.provider, race_id = EXCLUDED.race_id, event_id = EXCLUDED.event_id,
       status = EXCLUDED.status, chip_time_ms = EXCLUDED.chip_time_ms, gun_time_ms = EXCLUDED.gun_time_ms,
       overall_place = EXCLUDED.overall_place, gender_place = EXCLUDED.gender_place, division_place = EXCLUDED.division_place,
       raw = coalesce(EXCLUDED.raw, results.raw), updated_at = now()
     RETURNING id, external_id, (xmax = 0) AS inserted`,
    [partnerId, provider, JSON.stringify(rows)],
  );
  return { ids: new Map(r.rows.map((x) => [x.external_id, x.id])), ...counts(r.rows) };
}

/** Replaces the splits of these results with the ones given (a result's splits come whole from its source). */
export async function replaceSplits(tx: Queryable, partnerId: number, provider: string, resultIds: readonly number[], rows: readonly SplitInput[]): Promise<void> {
  if (resultIds.length === 0) return;
  await tx.query(
    `DELETE FROM splits s WHERE s.result_id = ANY($1::bigint[])
        AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS x(result_id bigint, label text) WHERE x.result_id = s.result_id AND x.label = s.label)`,
    [resultIds, JSON.stringify(rows.map((r) => ({ result_id: r.result_id, label: r.label })))],
  );
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO splits (partner_id, provider, external_id, result_id, seq, label, distance_m, time_ms, raw)
     SELECT $1, $2, x.external_id, x.result_id, x.seq, x.label, x.distance_m, x.time_ms, x.raw
       FROM jsonb_to_recordset($3::jsonb) AS x(external_id text, result_id bigint, seq integer, label text, distance_m numeric, time_ms bigint, raw jsonb)
     ON CONFLICT (result_id, label, partner_id) DO UPDATE SET
       external_id = EXCLUDED.external_id, seq = EXCLUDED.seq, distance_m = EXCLUDED.distance_m, time_ms = EXCLUDED.time_ms,
       raw = coalesce(EXCLUDED.raw, splits.raw), updated_at = now()`,
    [partnerId, provider, JSON.stringify(rows)],
  );
}

/**
 * Pace (ms per km, from chip time else gun time) for every result of these races and, when
 * asked, the places: finishers ranked by chip time (else gun time) overall, by gender and by
 * division; a non-finisher has no place.
 */
export async function refreshDerived(tx: Queryable, raceIds: readonly number[], computePlaces: boolean): Promise<void> {
  if (raceIds.length === 0) return;
  await tx.query(
    `WITH ranked AS (
       SELECT r.id,
              CASE WHEN ra.distance_m > 0 AND coalesce(r.chip_time_ms, r.gun_time_ms) IS NOT NULL
                   THEN round(coalesce(r.chip_time_ms, r.gun_time_ms) / (ra.distance_m / 1000))::integer END AS pace,
              fin,
              rank() OVER (PARTITION BY r.race_id, fin ORDER BY coalesce(r.chip_time_ms, r.gun_time_ms)) AS op,
              rank() OVER (PARTITION BY r.race_id, fin, e.gender ORDER BY coalesce(r.chip_time_ms, r.gun_time_ms)) AS gp,
              rank() OVER (PARTITION BY r.race_id, fin, e.division ORDER BY coalesce(r.chip_time_ms, r.gun_time_ms)) AS dp,
              e.division
         FROM results r
         JOIN races ra ON ra.id = r.race_id
         JOIN entries e ON e.id = r.entry_id
         CROSS JOIN LATERAL (SELECT r.status = 'finished' AND coalesce(r.chip_time_ms, r.gun_time_ms) IS NOT NULL AS fin) f
        WHERE r.race_id = ANY($1::bigint[]))
     UPDATE results r SET
       pace_ms_per_km = ranked.pace,
       overall_place = CASE WHEN NOT $2 THEN r.overall_place WHEN ranked.fin THEN ranked.op::integer END,
       gender_place = CASE WHEN NOT $2 THEN r.gender_place WHEN ranked.fin THEN ranked.gp::integer END,
       division_place = CASE WHEN NOT $2 THEN r.division_place WHEN ranked.fin AND ranked.division IS NOT NULL THEN ranked.dp::integer END
       FROM ranked WHERE ranked.id = r.id`,
    [raceIds, computePlaces],
  );
}

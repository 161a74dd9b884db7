/**
 * All SQL of rosters. Every query names the partner as well as relying on row-level
 * security (callers run inside withPartner), so a guessed id never reaches another partner's
 * rows. Bulk writes pass rows as one JSON parameter (jsonb_to_recordset): one statement per
 * chunk whatever the row count, and text[] tags of any length per row.
 */
import type { Queryable } from '../db/database.js';
import type { Participant, ParticipantWithRaw, RosterEvent, RosterEventSummary, RosterSource } from './roster.schemas.js';

/** Every stored column of a participant a write sets (raw included). */
export type StoredParticipant = Omit<ParticipantWithRaw, 'id' | 'event_id' | 'updated_at'>;

const EVENT_COLS = 'id, name, source, external_id, created_at, updated_at';
const PARTICIPANT_COLS = `id, event_id, external_id, bib, tags, first_name, last_name, age, gender, city, state, country,
  division, race, wave, team, custom_message, updated_at`;
/** Columns written from a StoredParticipant, with their types for jsonb_to_recordset. */
const WRITE_COLS = [
  ['external_id', 'text'],
  ['bib', 'text'],
  ['tags', 'text[]'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['age', 'integer'],
  ['gender', 'text'],
  ['city', 'text'],
  ['state', 'text'],
  ['country', 'text'],
  ['division', 'text'],
  ['race', 'text'],
  ['wave', 'text'],
  ['team', 'text'],
  ['custom_message', 'text'],
  ['raw', 'jsonb'],
] as const;
const RECORD_TYPE = WRITE_COLS.map(([c, t]) => `${c} ${t}`).join(', ');
const COL_NAMES = WRITE_COLS.map(([c]) => c).join(', ');
const X_COLS = WRITE_COLS.map(([c]) => `x.${c}`).join(', ');
const P_COLS = WRITE_COLS.map(([c]) => `p.${c}`).join(', ');
/** An update without a source row (a hand edit) keeps the stored one. */
const X_KEEP_RAW = WRITE_COLS.map(([c]) => (c === 'raw' ? 'coalesce(x.raw, p.raw)' : `x.${c}`)).join(', ');
const SET_COLS = WRITE_COLS.map(([c]) => `${c} = ${c === 'raw' ? 'coalesce(x.raw, p.raw)' : `x.${c}`}`).join(', ');

/** Rows per bulk statement: keeps one JSON parameter to a few MB. */
const CHUNK = 1000;

export async function insertEvent(
  tx: Queryable,
  partnerId: number,
  e: { name: string; source: RosterSource; external_id: string | null },
): Promise<RosterEvent> {
  const r = await tx.query<RosterEvent>(
    `INSERT INTO roster_events (partner_id, name, source, external_id) VALUES ($1, $2, $3, $4) RETURNING ${EVENT_COLS}`,
    [partnerId, e.name, e.source, e.external_id],
  );
  return r.rows[0]!;
}

/** An event made by hand takes the origin of the participants imported into it (CSV). */
export async function adoptSource(db: Queryable, eventId: number, source: RosterSource): Promise<void> {
  await db.query(`UPDATE roster_events SET source = $2 WHERE id = $1 AND source = 'manual'`, [eventId, source]);
}

/** Creates the provider's event or renames the existing one (same partner, source, external id). */
export async function upsertEventByExternalId(
  tx: Queryable,
  partnerId: number,
  source: RosterSource,
  externalId: string,
  name: string,
): Promise<RosterEvent> {
  const r = await tx.query<RosterEvent>(
    `INSERT INTO roster_events (partner_id, name, source, external_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (partner_id, source, external_id) WHERE external_id IS NOT NULL
     DO UPDATE SET name = EXCLUDED.name, updated_at = now()
     RETURNING ${EVENT_COLS}`,
    [partnerId, name, source, externalId],
  );
  return r.rows[0]!;
}

export async function listEvents(tx: Queryable, partnerId: number): Promise<RosterEventSummary[]> {
  const r = await tx.query<RosterEventSummary>(
    `SELECT e.id, e.name, e.source, e.external_id, e.created_at, e.updated_at,
            (SELECT count(*)::int FROM participants p WHERE p.event_id = e.id AND p.partner_id = e.partner_id) AS participant_count
       FROM roster_events e
      WHERE e.partner_id = $1
      ORDER BY e.updated_at DESC, e.id DESC`,
    [partnerId],
  );
  return r.rows;
}

/** One event with its participant count. */
export async function getEventSummary(tx: Queryable, partnerId: number, eventId: number): Promise<RosterEventSummary | undefined> {
  const r = await tx.query<RosterEventSummary>(
    `SELECT e.id, e.name, e.source, e.external_id, e.created_at, e.updated_at,
            (SELECT count(*)::int FROM participants p WHERE p.event_id = e.id AND p.partner_id = e.partner_id) AS participant_count
       FROM roster_events e
      WHERE e.partner_id = $1 AND e.id = $2`,
    [partnerId, eventId],
  );
  return r.rows[0];
}

/** The event, locked against concurrent imports when `forUpdate`. */
export async function getEvent(tx: Queryable, partnerId: number, eventId: number, forUpdate = false): Promise<RosterEvent | undefined> {
  const r = await tx.query<RosterEvent>(
    `SELECT ${EVENT_COLS} FROM roster_events WHERE partner_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [partnerId, eventId],
  );
  return r.rows[0];
}

export async function renameEvent(tx: Queryable, partnerId: number, eventId: number, name: string): Promise<RosterEvent | undefined> {
  const r = await tx.query<RosterEvent>(
    `UPDATE roster_events SET name = $3, updated_at = now() WHERE partner_id = $1 AND id = $2 RETURNING ${EVENT_COLS}`,
    [partnerId, eventId, name],
  );
  return r.rows[0];
}

export async function touchEvent(tx: Queryable, partnerId: number, eventId: number): Promise<void> {
  await tx.query('UPDATE roster_events SET updated_at = now() WHERE partner_id = $1 AND id = $2', [partnerId, eventId]);
}

export async function deleteEvent(tx: Queryable, partnerId: number, eventId: number): Promise<boolean> {
  const r = await tx.query('DELETE FROM roster_events WHERE partner_id = $1 AND id = $2', [partnerId, eventId]);
  return r.rowCount > 0;
}

/** Participants of an event in bib order (numeric bibs numerically). No limit = all. */
export async function listParticipants(
  tx: Queryable,
  partnerId: number,
  eventId: number,
  page: { limit?: number; offset?: number } = {},
): Promise<Participant[]> {
  const r = await tx.query<Participant>(
    `SELECT ${PARTICIPANT_COLS} FROM participants
      WHERE partner_id = $1 AND event_id = $2
      ORDER BY length(bib), bib, id
      LIMIT $3 OFFSET $4`,
    [partnerId, eventId, page.limit ?? null, page.offset ?? 0],
  );
  return r.rows;
}

/** One page of an event's participants in id order, those after `afterId` (keyset paging). */
export async function participantsAfter(tx: Queryable, partnerId: number, eventId: number, afterId: number, limit: number): Promise<Participant[]> {
  const r = await tx.query<Participant>(
    `SELECT ${PARTICIPANT_COLS} FROM participants
      WHERE partner_id = $1 AND event_id = $2 AND id > $3
      ORDER BY id
      LIMIT $4`,
    [partnerId, eventId, afterId, limit],
  );
  return r.rows;
}

export async function getParticipant(tx: Queryable, partnerId: number, participantId: number): Promise<ParticipantWithRaw | undefined> {
  const r = await tx.query<ParticipantWithRaw>(
    `SELECT ${PARTICIPANT_COLS}, raw FROM participants WHERE partner_id = $1 AND id = $2`,
    [partnerId, participantId],
  );
  return r.rows[0];
}

/** Postpones the (event, bib) uniqueness check to commit, so one import can swap bibs. */
export async function deferBibUniqueness(tx: Queryable): Promise<void> {
  await tx.query('SET CONSTRAINTS participants_event_bib DEFERRED');
}

export async function insertParticipants(tx: Queryable, partnerId: number, eventId: number, rows: readonly StoredParticipant[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const r = await tx.query(
      `INSERT INTO participants (partner_id, event_id, ${COL_NAMES})
       SELECT $1, $2, ${X_COLS} FROM jsonb_to_recordset($3::jsonb) AS x(${RECORD_TYPE})`,
      [partnerId, eventId, JSON.stringify(rows.slice(i, i + CHUNK))],
    );
    n += r.rowCount;
  }
  return n;
}

/** Writes each row over participant `id` (a null raw keeps the stored one); returns how many differed. */
export async function updateParticipants(
  tx: Queryable,
  partnerId: number,
  rows: readonly (StoredParticipant & { id: number })[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const r = await tx.query(
      `UPDATE participants p SET ${SET_COLS}, updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS x(id integer, ${RECORD_TYPE})
        WHERE p.partner_id = $1 AND p.id = x.id
          AND (${P_COLS}) IS DISTINCT FROM (${X_KEEP_RAW})`,
      [partnerId, JSON.stringify(rows.slice(i, i + CHUNK))],
    );
    n += r.rowCount;
  }
  return n;
}

export async function deleteParticipants(tx: Queryable, partnerId: number, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await tx.query('DELETE FROM participants WHERE partner_id = $1 AND id = ANY($2::int[])', [partnerId, `{${ids.join(',')}}`]);
  return r.rowCount;
}

/** Participant ids of an event holding a bib (for a clear conflict error on hand edits). */
export async function bibHolder(tx: Queryable, partnerId: number, eventId: number, bib: string): Promise<number | undefined> {
  const r = await tx.query<{ id: number }>('SELECT id FROM participants WHERE partner_id = $1 AND event_id = $2 AND bib = $3', [
    partnerId,
    eventId,
    bib,
  ]);
  return r.rows[0]?.id;
}

/** `q` as a LIKE pattern matching anywhere, its own wildcards escaped. */
function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const SEARCH = `(bib = $3 OR bib ILIKE $4 OR first_name ILIKE $4 OR last_name ILIKE $4
  OR coalesce(first_name, '') || ' ' || coalesce(last_name, '') ILIKE $4)`;

/**
 * A page of an event's participants whose bib or name contains `q` (case-insensitive; an
 * exact bib first), with how many match in all.
 */
export async function searchParticipants(
  tx: Queryable,
  partnerId: number,
  eventId: number,
  q: string,
  page: { limit: number; offset: number },
): Promise<{ participants: Participant[]; total: number }> {
  const params = [partnerId, eventId, q, containsPattern(q)];
  const r = await tx.query<Participant>(
    `SELECT ${PARTICIPANT_COLS} FROM participants
      WHERE partner_id = $1 AND event_id = $2 AND ${SEARCH}
      ORDER BY (bib = $3) DESC, length(bib), bib, id
      LIMIT $5 OFFSET $6`,
    [...params, page.limit, page.offset],
  );
  const n = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM participants WHERE partner_id = $1 AND event_id = $2 AND ${SEARCH}`, params);
  return { participants: r.rows, total: n.rows[0]!.n };
}

export async function countParticipants(tx: Queryable, partnerId: number, eventId: number): Promise<number> {
  const r = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM participants WHERE partner_id = $1 AND event_id = $2', [partnerId, eventId]);
  return r.rows[0]!.n;
}

const PARTICIPANT_COLS_P = PARTICIPANT_COLS.split(',').map((c) => `p.${c.trim()}`).join(', ');

/**
 * The participant a read's tag code belongs to: a tag match first (lowest id when two share
 * a tag), else the bib (ChronoTrack reports the bib as the tag code). Two index probes:
 * participant_tags (event, tag) and participants (event, bib), fenced by MATERIALIZED so the
 * planner cannot swap them for a walk in id order. Runs in the caller's partner transaction;
 * row-level security limits it to that partner.
 */
export async function lookupParticipant(tx: Queryable, eventId: number, tag: string): Promise<Participant | undefined> {
  const r = await tx.query<Participant & { pref?: number }>(
    `WITH hits AS MATERIALIZED (
       SELECT ${PARTICIPANT_COLS_P}, 0 AS pref
         FROM participant_tags t JOIN participants p ON p.id = t.participant_id
        WHERE t.event_id = $1 AND t.tag = $2
       UNION ALL
       SELECT ${PARTICIPANT_COLS_P}, 1 AS pref FROM participants p WHERE p.event_id = $1 AND p.bib = $2)
     SELECT * FROM hits ORDER BY pref, id LIMIT 1`,
    [eventId, tag],
  );
  const row = r.rows[0];
  if (row) delete row.pref;
  return row;
}

/** The event a provider import writes to, when it exists (source + external id). */
export async function eventByExternalId(tx: Queryable, partnerId: number, source: RosterSource, externalId: string): Promise<RosterEvent | undefined> {
  const r = await tx.query<RosterEvent>(
    `SELECT ${EVENT_COLS} FROM roster_events WHERE partner_id = $1 AND source = $2 AND external_id = $3`,
    [partnerId, source, externalId],
  );
  return r.rows[0];
}

/** When a roster event last changed (participants included), or undefined when it is not the partner's. */
export async function eventUpdatedAt(tx: Queryable, eventId: number): Promise<Date | undefined> {
  const r = await tx.query<{ updated_at: Date }>(`SELECT updated_at FROM roster_events WHERE id = $1`, [eventId]);
  return r.rows[0]?.updated_at;
}

/** Adds columns to a participant's edited_fields (hand edits a provider sync keeps; migration 0074). */
export async function markEdited(tx: Queryable, partnerId: number, participantId: number, fields: readonly string[]): Promise<void> {
  if (fields.length === 0) return;
  await tx.query(
    `UPDATE participants SET edited_fields = ARRAY(SELECT DISTINCT unnest(edited_fields || $3::text[]) ORDER BY 1) WHERE partner_id = $1 AND id = $2`,
    [partnerId, participantId, fields],
  );
}

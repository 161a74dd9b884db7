/** All SQL of the collector: sessions, locations, the batched read insert, connection_log. */
import { numberArray, textArray } from '../db/array-literal.js';
import type { Queryable } from '../db/database.js';
import { findActiveSession, type ActiveSession } from '../timing/timing.repo.js';
import type { IngestRecord } from './ingest-record.js';

/** Any session's id, zone and date (for reads queued under a session that is no longer active). */
export async function findSession(db: Queryable, sessionId: number): Promise<ActiveSession | null> {
  const r = await db.query<ActiveSession>(
    `SELECT id, timezone, event_date::text AS "eventDate" FROM timing_sessions WHERE id = $1`,
    [sessionId],
  );
  return r.rows[0] ?? null;
}

/** Creates the partner's active session unless another process just did (one active per partner). */
export async function createActiveSession(
  db: Queryable,
  s: { partnerId: number; name: string; timezone: string; eventDate: string },
): Promise<ActiveSession> {
  await db.query(
    `INSERT INTO timing_sessions (partner_id, session_name, timezone, event_date)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (partner_id) WHERE status = 'active' DO NOTHING`,
    [s.partnerId, s.name, s.timezone, s.eventDate],
  );
  const found = await findActiveSession(db, s.partnerId);
  if (!found) throw new Error('active session vanished right after creation');
  return found;
}

export async function updateSessionEvent(
  db: Queryable,
  sessionId: number,
  e: { name: string; id: string; description: string },
): Promise<void> {
  // Only fills blanks: the first client to report event info names the session.
  await db.query(
    `UPDATE timing_sessions
        SET event_name = COALESCE(event_name, $2), event_id = COALESCE(event_id, $3),
            event_description = COALESCE(event_description, $4), updated_at = now()
      WHERE id = $1`,
    [sessionId, e.name || null, e.id || null, e.description || null],
  );
}

/** Highest stored sequence of one stream (session, source, location); 0 when none. */
export async function maxStoredSequence(
  db: Queryable,
  sessionId: number,
  sourceKey: string,
  location: string,
): Promise<number> {
  const r = await db.query<{ max: number | null }>(
    `SELECT (SELECT max(r.sequence_number) FROM timing_reads r WHERE r.stream_id = s.id) AS max
       FROM timing_streams s
      WHERE s.session_id = $1 AND s.source_key = $2 AND s.location_name = $3`,
    [sessionId, sourceKey, location],
  );
  return r.rows[0]?.max ?? 0;
}

/** Locations this source has streamed into the session (to resume when getlocations is not answered). */
export async function knownLocations(db: Queryable, sessionId: number, sourceKey: string): Promise<string[]> {
  const r = await db.query<{ location_name: string }>(
    `SELECT location_name FROM timing_streams WHERE session_id = $1 AND source_key = $2 ORDER BY id`,
    [sessionId, sourceKey],
  );
  return r.rows.map((x) => x.location_name);
}

export async function ensureLocations(
  db: Queryable,
  pairs: ReadonlyArray<{ partnerId: number; sessionId: number; location: string }>,
): Promise<void> {
  if (pairs.length === 0) return;
  await db.query(
    `INSERT INTO timing_locations (partner_id, session_id, location_name)
     SELECT * FROM unnest($1::int[], $2::int[], $3::text[])
     ON CONFLICT (session_id, location_name, partner_id) DO NOTHING`,
    [pairs.map((p) => p.partnerId), pairs.map((p) => p.sessionId), pairs.map((p) => p.location)],
  );
}

export interface StreamKey {
  partnerId: number;
  sessionId: number;
  sourceKey: string;
  location: string;
}

export interface StreamRow {
  id: number;
  location_id: number;
  session_id: number;
  source_key: string;
  location_name: string;
}

/** Creates missing locations and streams; returns the ids of all the given streams. */
export async function ensureStreams(db: Queryable, keys: readonly StreamKey[]): Promise<StreamRow[]> {
  const found: StreamRow[] = [];
  let wanted = keys;
  // A concurrent transaction creating the same stream makes our insert wait for its commit,
  // but our statement's snapshot predates that commit, so the row is not returned; the next
  // statement (READ COMMITTED: a new snapshot) sees it.
  for (let attempt = 0; wanted.length > 0; attempt++) {
    if (attempt === 3) throw new Error(`streams not created: ${wanted.map((w) => `${w.sourceKey}/${w.location}`).join(', ')}`);
    const rows = await insertStreams(db, wanted);
    found.push(...rows);
    const have = new Set(rows.map((r) => `${r.session_id}|${r.source_key}|${r.location_name}`));
    wanted = wanted.filter((k) => !have.has(`${k.sessionId}|${k.sourceKey}|${k.location}`));
  }
  return found;
}

async function insertStreams(db: Queryable, keys: readonly StreamKey[]): Promise<StreamRow[]> {
  await ensureLocations(db, keys);
  const r = await db.query<StreamRow>(
    `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) AS i(partner_id, session_id, source_key, location_name)
     ), created AS (
       INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name)
       SELECT i.partner_id, i.session_id, l.id, i.source_key, i.location_name
         FROM input i JOIN timing_locations l USING (session_id, location_name)
       ON CONFLICT (session_id, source_key, location_name, partner_id) DO NOTHING
       RETURNING id, location_id, session_id, source_key, location_name
     )
     SELECT * FROM created
     UNION ALL
     SELECT s.id, s.location_id, s.session_id, s.source_key, s.location_name
       FROM timing_streams s JOIN input i USING (session_id, source_key, location_name)`,
    [keys.map((k) => k.partnerId), keys.map((k) => k.sessionId), keys.map((k) => k.sourceKey), keys.map((k) => k.location)],
  );
  return r.rows;
}

export interface InsertedKey {
  id: number;
  stream_id: number;
  sequence_number: number;
}

/** A read ready for the table: ids resolved and its time an instant. */
export interface ResolvedRead {
  record: IngestRecord;
  sessionId: number;
  stream: { id: number; locationId: number };
  readTimeMs: number;
}

/**
 * Inserts a batch in one statement (arrays passed as literals) and returns the rows that were
 * new. With `absorbDuplicates`, duplicates of stored reads are absorbed by the unique key
 * (ON CONFLICT DO NOTHING); without it, a duplicate fails the statement with 23505 (unique
 * violation), which costs the backend ≈ 1 µs less per row: the caller tries that first and
 * writes the batch again absorbing duplicates if it fails.
 *
 * Measured on PostgreSQL's side (bench/ingest-sql), per row: the arrays unnested in the select
 * list (a ProjectSet node) rather than by `FROM unnest(…)` (a function scan that materialises
 * every row first) saves ≈ 2 µs of the backend's ≈ 10; sending the seven columns that are the
 * same for a whole stream and connection once per such group (each row carrying its group's
 * index) saves parsing 5,000 elements of each of those arrays, ≈ 0.5 µs more, and the
 * collector's time to build them.
 */
export async function insertReads(db: Queryable, batch: readonly ResolvedRead[], absorbDuplicates: boolean): Promise<InsertedKey[]> {
  const { groups, groupOf } = groupByStream(batch);
  const col = <T>(f: (r: IngestRecord) => T) => batch.map((b) => f(b.record));
  const r = await db.query<InsertedKey>(
    `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, connection_log_id,
        sequence_number, location_name, tag_code, read_kind, read_time, time_raw, lap_count,
        reader_id, gator_number, raw_line, received_at)
     SELECT ($11::int[])[g], ($12::int[])[g], ($13::int[])[g], ($14::int[])[g], ($15::text[])[g], ($16::uuid[])[g],
            seq, ($17::text[])[g], tag, kind, to_timestamp(read_ms / 1000.0), time_text, lap, reader, gator, raw,
            to_timestamp(received_ms / 1000.0)
       FROM (SELECT unnest($1::int[]) AS g, unnest($2::int[]) AS seq, unnest($3::text[]) AS tag, unnest($4::text[]) AS kind,
                    unnest($5::float8[]) AS read_ms, unnest($6::text[]) AS time_text, unnest($7::int[]) AS lap,
                    unnest($8::text[]) AS reader, unnest($9::int[]) AS gator, unnest($10::text[]) AS raw,
                    unnest($18::float8[]) AS received_ms) AS u
     ${absorbDuplicates ? 'ON CONFLICT (stream_id, sequence_number, partner_id) DO NOTHING' : ''}
     RETURNING id, stream_id, sequence_number`,
    [
      numberArray(groupOf),
      numberArray(col((r) => r.sequence)),
      textArray(col((r) => r.tag)),
      textArray(col((r) => r.kind)),
      numberArray(batch.map((b) => b.readTimeMs)),
      textArray(col((r) => r.timeText)),
      numberArray(col((r) => r.lap)),
      textArray(col((r) => r.readerId)),
      numberArray(col((r) => r.gator)),
      textArray(col((r) => r.rawLine)),
      numberArray(groups.map((g) => g.record.partnerId)),
      numberArray(groups.map((g) => g.sessionId)),
      numberArray(groups.map((g) => g.stream.locationId)),
      numberArray(groups.map((g) => g.stream.id)),
      textArray(groups.map((g) => g.record.sourceKey)),
      textArray(groups.map((g) => g.record.connectionLogId)),
      textArray(groups.map((g) => g.record.location)),
      numberArray(col((r) => r.receivedAt)),
    ],
  );
  return r.rows;
}

/**
 * The batch's groups of reads sharing stream and connection (their first read stands for the
 * group) and each read's group, 1-based for SQL's arrays. Reads come in runs from one
 * connection, so the map is consulted only when the run changes.
 */
function groupByStream(batch: readonly ResolvedRead[]): { groups: ResolvedRead[]; groupOf: number[] } {
  const groups: ResolvedRead[] = [];
  const groupOf: number[] = new Array(batch.length);
  const index = new Map<number, Map<string, number>>();
  let previous: ResolvedRead | undefined;
  let current = 0;
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i]!;
    if (!previous || previous.stream.id !== r.stream.id || previous.record.connectionLogId !== r.record.connectionLogId) {
      let byConnection = index.get(r.stream.id);
      if (!byConnection) index.set(r.stream.id, (byConnection = new Map()));
      const known = byConnection.get(r.record.connectionLogId);
      if (known === undefined) {
        groups.push(r);
        byConnection.set(r.record.connectionLogId, (current = groups.length));
      } else current = known;
      previous = r;
    }
    groupOf[i] = current;
  }
  return { groups, groupOf };
}

export async function openConnectionLog(
  db: Queryable,
  c: { id: string; clientIp: string; clientPort: number | null },
): Promise<void> {
  await db.query(`INSERT INTO connection_log (id, client_ip, client_port) VALUES ($1, $2, $3)`, [
    c.id,
    c.clientIp,
    c.clientPort,
  ]);
}

export interface ConnectionLogUpdate {
  partnerId?: number;
  clientName?: string;
  clientVersion?: string;
  connectionId?: string;
  authUser?: string;
  sessionId?: number;
  eventName?: string;
  eventId?: string;
  eventDescription?: string;
  locations?: string[];
  messageCount?: number;
  readCount?: number;
  badLineCount?: number;
  disconnectReason?: string;
  disconnected?: boolean;
}

const logColumns: Record<Exclude<keyof ConnectionLogUpdate, 'disconnected'>, string> = {
  partnerId: 'partner_id',
  clientName: 'client_name',
  clientVersion: 'client_version',
  connectionId: 'connection_id',
  authUser: 'auth_user',
  sessionId: 'session_id',
  eventName: 'event_name',
  eventId: 'event_id',
  eventDescription: 'event_description',
  locations: 'locations',
  messageCount: 'message_count',
  readCount: 'read_count',
  badLineCount: 'bad_line_count',
  disconnectReason: 'disconnect_reason',
};

export async function updateConnectionLog(db: Queryable, id: string, u: ConnectionLogUpdate): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [key, column] of Object.entries(logColumns)) {
    const value = u[key as keyof typeof logColumns];
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  if (u.disconnected) sets.push('disconnected_at = now()');
  if (sets.length === 0) return;
  await db.query(`UPDATE connection_log SET ${sets.join(', ')} WHERE id = $1`, params);
}

/** Marks connections a crashed process left open as closed (on collector start). */
export async function closeDanglingConnections(db: Queryable): Promise<void> {
  await db.query(
    `UPDATE connection_log SET disconnected_at = now(), disconnect_reason = 'collector restarted'
      WHERE disconnected_at IS NULL`,
  );
}

/** Deletes up to `limit` connection_log rows of connections that ended before `before`; returns how many. */
export async function pruneConnectionLog(db: Queryable, before: Date, limit: number): Promise<number> {
  const r = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM connection_log
        WHERE id IN (SELECT id FROM connection_log WHERE disconnected_at < $1 LIMIT $2)
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [before, limit],
  );
  return r.rows[0]?.n ?? 0;
}

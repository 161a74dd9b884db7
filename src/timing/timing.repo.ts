/**
 * All SQL of the timing read API. Every query filters by partner_id, including on
 * timing_reads (which has no foreign keys), so one partner never sees another's rows even
 * when ids are guessed. Functions take a Queryable so a caller can run them in a transaction.
 *
 * timing_reads is indexed only by (stream_id, sequence_number) (see migration 0001), so
 * queries reach a session's reads through its streams: a handful of index ranges instead
 * of a scan of every partner's reads.
 */
import type { Queryable } from '../db/database.js';
import type { Read, Session, Stats } from './timing.schemas.js';

export interface ActiveSession {
  id: number;
  timezone: string;
  /** Local event date, YYYY-MM-DD. */
  eventDate: string;
}

/**
 * The partner's active timing session, or null. The one query for it: the collector writes
 * reads into it, the read APIs and display links default to it. A unique index allows at
 * most one per partner (migration 0001).
 */
export async function findActiveSession(db: Queryable, partnerId: number): Promise<ActiveSession | null> {
  const r = await db.query<ActiveSession>(
    `SELECT id, timezone, event_date::text AS "eventDate" FROM timing_sessions WHERE partner_id = $1 AND status = 'active'`,
    [partnerId],
  );
  return r.rows[0] ?? null;
}

export async function sessionExists(db: Queryable, partnerId: number, sessionId: number): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM timing_sessions WHERE partner_id = $1 AND id = $2', [partnerId, sessionId]);
  return r.rows.length > 0;
}

export async function databaseVersion(db: Queryable): Promise<string> {
  const r = await db.query<{ version: string }>('SELECT version() AS version');
  return r.rows[0]?.version ?? '';
}

/** Tag-read totals over the given sessions; gun events are not reads. */
export async function readTotals(db: Queryable, partnerId: number, sessionIds: number[]): Promise<Stats['overall']> {
  const r = await db.query<Stats['overall']>(
    `SELECT count(*) AS total_reads,
            count(DISTINCT r.tag_code) AS unique_tags,
            count(DISTINCT r.location_name) AS total_locations,
            min(r.received_at) AS first_read,
            max(r.received_at) AS last_read
       FROM timing_streams st
       JOIN timing_reads r ON r.stream_id = st.id AND r.partner_id = st.partner_id
      WHERE st.partner_id = $1 AND st.session_id = ANY($2::int[]) AND r.read_kind = 'tag'`,
    [partnerId, sessionIds],
  );
  return r.rows[0] ?? { total_reads: 0, unique_tags: 0, total_locations: 0, first_read: null, last_read: null };
}

/** Tag-read totals per location name, busiest first. */
export async function readTotalsByLocation(
  db: Queryable,
  partnerId: number,
  sessionIds: number[],
): Promise<Stats['by_location']> {
  const r = await db.query<Stats['by_location'][number]>(
    `SELECT r.location_name,
            count(*) AS read_count,
            count(DISTINCT r.tag_code) AS unique_tags,
            max(r.received_at) AS last_read
       FROM timing_streams st
       JOIN timing_reads r ON r.stream_id = st.id AND r.partner_id = st.partner_id
      WHERE st.partner_id = $1 AND st.session_id = ANY($2::int[]) AND r.read_kind = 'tag'
      GROUP BY r.location_name
      ORDER BY read_count DESC, location_name`,
    [partnerId, sessionIds],
  );
  return r.rows;
}

export interface RecentReadsFilter {
  sessionIds: number[];
  location: string | undefined;
  limit: number;
}

/**
 * Newest reads first (tag reads and gun events); seconds_ago uses the database clock. Takes
 * the newest `limit` of each stream (its sequence order is its arrival order), then the
 * newest `limit` of those.
 */
export async function recentReads(db: Queryable, partnerId: number, filter: RecentReadsFilter): Promise<Read[]> {
  const r = await db.query<Read>(
    `SELECT r.id, r.session_id, r.location_id, r.sequence_number, r.location_name, r.tag_code,
            r.read_kind, r.read_time, r.time_raw, r.lap_count, r.reader_id, r.gator_number,
            r.raw_line, r.received_at AS read_timestamp, s.session_name,
            EXTRACT(EPOCH FROM (now() - r.received_at))::float8 AS seconds_ago
       FROM timing_streams st
       JOIN timing_sessions s ON s.id = st.session_id AND s.partner_id = st.partner_id
       CROSS JOIN LATERAL (
              SELECT * FROM timing_reads r
               WHERE r.stream_id = st.id AND r.partner_id = st.partner_id
               ORDER BY r.sequence_number DESC
               LIMIT $4
            ) r
      WHERE st.partner_id = $1
        AND st.session_id = ANY($2::int[])
        AND ($3::text IS NULL OR st.location_name = $3::text)
      ORDER BY r.received_at DESC, r.id DESC
      LIMIT $4`,
    [partnerId, filter.sessionIds, filter.location ?? null, filter.limit],
  );
  return r.rows;
}

/** The partner's newest sessions with tag-read counts, last read and location names. */
export async function listSessions(db: Queryable, partnerId: number, limit: number): Promise<Session[]> {
  const r = await db.query<Session>(
    `SELECT s.id, s.session_name, s.event_name, s.status, s.created_at, s.start_time, s.end_time,
            reads.total_reads, reads.last_read,
            cardinality(locs.names) AS location_count, locs.names AS locations
       FROM timing_sessions s
       CROSS JOIN LATERAL (
              SELECT count(*) AS total_reads, max(r.received_at) AS last_read
                FROM timing_streams st
                JOIN timing_reads r ON r.stream_id = st.id AND r.partner_id = st.partner_id
               WHERE st.partner_id = s.partner_id AND st.session_id = s.id AND r.read_kind = 'tag'
            ) reads
       CROSS JOIN LATERAL (
              SELECT coalesce(array_agg(l.location_name ORDER BY l.id), '{}'::text[]) AS names
                FROM timing_locations l
               WHERE l.partner_id = s.partner_id AND l.session_id = s.id
            ) locs
      WHERE s.partner_id = $1
      ORDER BY s.created_at DESC, s.id DESC
      LIMIT $2`,
    [partnerId, limit],
  );
  return r.rows;
}

/** A session's gun times (epoch ms), oldest first: elapsed times on the displays count from them. */
export async function gunTimes(db: Queryable, sessionId: number): Promise<number[]> {
  const r = await db.query<{ t: Date }>(
    `SELECT read_time AS t FROM timing_reads WHERE session_id = $1 AND read_kind = 'gun' ORDER BY read_time`,
    [sessionId],
  );
  return r.rows.map((row) => row.t.getTime());
}

const READ_COLUMNS = `id, partner_id, session_id, location_id, stream_id, source_key, connection_log_id, sequence_number,
  location_name, tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at`;

/**
 * Moves up to `limit` reads received before `olderThan` into timing_reads_archive in one
 * statement; returns how many moved. The archive has the same unique key, so a batch that is
 * repeated after an interruption moves nothing twice.
 */
export async function archiveReadsBefore(db: Queryable, olderThan: Date, limit: number): Promise<number> {
  const r = await db.query<{ n: number }>(
    `WITH moved AS (
       DELETE FROM timing_reads
        WHERE id IN (SELECT id FROM timing_reads WHERE received_at < $1 LIMIT $2)
       RETURNING ${READ_COLUMNS}
     ), archived AS (
       INSERT INTO timing_reads_archive (${READ_COLUMNS})
       SELECT ${READ_COLUMNS} FROM moved
       ON CONFLICT (stream_id, sequence_number, partner_id) DO NOTHING
     )
     SELECT count(*)::int AS n FROM moved`,
    [olderThan, limit],
  );
  return r.rows[0]?.n ?? 0;
}

/** SQL for display links. */
import type { Queryable } from '../db/database.js';
import type { TemplateFormat } from '../shared/template-fields.js';
import type { DisplaySettings } from './settings.js';

export interface PublicLink {
  id: string;
  partner_id: number;
  session_id: number | null;
  locations: string[];
  settings: Partial<DisplaySettings>;
  template_id: number | null;
  /** null = the template's current version. */
  template_version: number | null;
  roster_event_id: number | null;
}

/** A live link by id, for an unauthenticated screen (through the definer function). */
export async function findPublicLink(db: Queryable, id: string): Promise<PublicLink | null> {
  const r = await db.query<PublicLink>(`SELECT * FROM p88_display_link($1)`, [id]);
  return r.rows[0] ?? null;
}

/** What a link binds; every field can be changed while screens are open. */
export interface LinkBinding {
  name: string;
  sessionId: number | null;
  locations: string[];
  settings: DisplaySettings;
  templateId: number | null;
  templateVersion: number | null;
  rosterEventId: number | null;
  expiresAt: Date | null;
}

/** Whether any partner's link (live or not) has this id: ids are unique across partners. */
export async function linkIdTaken(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query<{ taken: boolean }>(`SELECT p88_display_link_id_taken($1) AS taken`, [id]);
  return r.rows[0]?.taken === true;
}

export async function insertLink(db: Queryable, l: LinkBinding & { id: string; partnerId: number }): Promise<void> {
  await db.query(
    `INSERT INTO display_links (id, partner_id, name, session_id, locations, settings, template_id, template_version, roster_event_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [l.id, l.partnerId, l.name, l.sessionId, l.locations, JSON.stringify(l.settings), l.templateId, l.templateVersion, l.rosterEventId, l.expiresAt],
  );
}

export async function updateLink(db: Queryable, id: string, l: LinkBinding): Promise<boolean> {
  const r = await db.query(
    `UPDATE display_links SET name = $2, session_id = $3, locations = $4, settings = $5, template_id = $6, template_version = $7,
            roster_event_id = $8, expires_at = $9
      WHERE id = $1 AND revoked_at IS NULL`,
    [id, l.name, l.sessionId, l.locations, JSON.stringify(l.settings), l.templateId, l.templateVersion, l.rosterEventId, l.expiresAt],
  );
  return r.rowCount === 1;
}

export async function revokeLink(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(`UPDATE display_links SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
  return r.rowCount === 1;
}

export interface ReplayRead {
  id: number;
  session_id: number;
  location_name: string;
  tag_code: string;
  read_kind: 'tag' | 'gun';
  read_time: Date;
  received_at: Date;
  sequence_number: number;
  lap_count: number;
  reader_id: string;
  gator_number: number;
}

/**
 * How far before the screen's last read the replay looks for reads with a lower id committed
 * after it: ids are taken as a write starts, so concurrent writers commit out of id order. A
 * read is received (received_at, its transaction's start) well within this of its commit.
 */
export const REPLAY_OVERLAP_SECONDS = 10;

/**
 * Reads of a session after a read id (a screen reconnecting with Last-Event-ID), oldest first:
 * every read with a higher id, and those with a lower one received up to REPLAY_OVERLAP_SECONDS
 * before it (committed after it, perhaps never sent live). The screen drops what it already has.
 * Bounded work whatever the session's size: per stream (index timing_reads_stream_id, migration
 * 0032) the first `limit` reads after the id and, of the `limit` just before it, those in the
 * overlap; then at most `limit` of each kind (the overlap does not crowd out what follows).
 */
export async function readsAfter(db: Queryable, sessionId: number, afterId: number, locations: string[], limit: number): Promise<ReplayRead[]> {
  const columns = `r.id, r.session_id, r.location_name, r.tag_code, r.read_kind, r.read_time, r.received_at,
            r.sequence_number, r.lap_count, r.reader_id, r.gator_number`;
  const where = `st.session_id = $1 AND (cardinality($3::text[]) = 0 OR st.location_name = ANY($3::text[]))`;
  const r = await db.query<ReplayRead>(
    `SELECT ${columns}
       FROM timing_streams st
       CROSS JOIN LATERAL (
         (SELECT x.* FROM timing_reads x
           WHERE x.stream_id = st.id AND x.partner_id = st.partner_id AND x.id > $2
           ORDER BY x.id
           LIMIT $4)
         UNION ALL
         (SELECT back.* FROM (
            SELECT x.* FROM timing_reads x
             WHERE x.stream_id = st.id AND x.partner_id = st.partner_id AND x.id < $2
             ORDER BY x.id DESC
             LIMIT $4) back
           WHERE back.received_at >= (SELECT received_at FROM timing_reads WHERE id = $2) - make_interval(secs => $5))
       ) r
      WHERE ${where}
      ORDER BY r.id
      LIMIT 2 * $4`,
    [sessionId, afterId, locations, limit, REPLAY_OVERLAP_SECONDS],
  );
  return r.rows;
}

export interface LinkRow {
  id: string;
  name: string;
  session_id: number | null;
  locations: string[];
  settings: Partial<DisplaySettings>;
  template_id: number | null;
  template_version: number | null;
  roster_event_id: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

const LINK_COLUMNS = 'id, name, session_id, locations, settings, template_id, template_version, roster_event_id, expires_at, revoked_at, created_at';

/** The partner's links, live ones first. */
export async function listLinks(db: Queryable): Promise<LinkRow[]> {
  const r = await db.query<LinkRow>(
    `SELECT ${LINK_COLUMNS} FROM display_links ORDER BY revoked_at IS NOT NULL, created_at DESC`,
  );
  return r.rows;
}

export async function getLink(db: Queryable, id: string): Promise<LinkRow | null> {
  const r = await db.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM display_links WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}


export async function countLiveLinks(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM display_links WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
  );
  return r.rows[0]?.n ?? 0;
}

export async function sessionBelongs(db: Queryable, sessionId: number): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM timing_sessions WHERE id = $1`, [sessionId]);
  return r.rowCount === 1;
}

export async function rosterEventBelongs(db: Queryable, eventId: number): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM roster_events WHERE id = $1`, [eventId]);
  return r.rowCount === 1;
}

export async function templateVersionExists(db: Queryable, templateId: number, version: number | null): Promise<boolean> {
  const r =
    version === null
      ? await db.query(`SELECT 1 FROM display_templates WHERE id = $1`, [templateId])
      : await db.query(`SELECT 1 FROM display_template_versions WHERE template_id = $1 AND version = $2`, [templateId, version]);
  return r.rowCount === 1;
}

/** The designs a link shows: its fixed version, or the template's current one. */
export async function linkDesigns(
  db: Queryable,
  templateId: number,
  version: number | null,
): Promise<{ runner: { html: string; css: string }; idle: { html: string; css: string }; format: TemplateFormat } | null> {
  const r = await db.query<{ runner: { html: string; css: string }; idle: { html: string; css: string }; format: TemplateFormat }>(
    `SELECT t.format, json_build_object('html', v.runner_html, 'css', v.runner_css) AS runner,
            json_build_object('html', v.idle_html, 'css', v.idle_css) AS idle
       FROM display_templates t
       JOIN display_template_versions v ON v.template_id = t.id AND v.version = coalesce($2, t.current_version)
      WHERE t.id = $1`,
    [templateId, version],
  );
  return r.rows[0] ?? null;
}

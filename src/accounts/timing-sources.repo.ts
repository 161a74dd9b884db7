/** SQL for CTP01 credentials (timing sources). */
import type { Queryable } from '../db/database.js';

export interface TimingSourceRow {
  id: number;
  partner_id: number;
  name: string;
  user_id: string;
  secret_encrypted: string;
  revoked_at: Date | null;
}

export async function insertSource(
  db: Queryable,
  s: { partnerId: number; name: string; userId: string; secretEncrypted: string },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO timing_sources (partner_id, name, user_id, secret_encrypted)
     VALUES ($1, $2, $3, $4) RETURNING id`,
    [s.partnerId, s.name, s.userId, s.secretEncrypted],
  );
  return r.rows[0]!.id;
}

/**
 * An active (not revoked) source by its CTP01 user id, across partners: the collector asks
 * before it knows the partner, so this goes through a SECURITY DEFINER function (0002).
 */
export async function findActiveSourceByUser(
  db: Queryable,
  userId: string,
): Promise<Pick<TimingSourceRow, 'id' | 'partner_id' | 'secret_encrypted'> | null> {
  const r = await db.query<Pick<TimingSourceRow, 'id' | 'partner_id' | 'secret_encrypted'>>(
    `SELECT id, partner_id, secret_encrypted FROM p88_timing_source_for_user($1)`,
    [userId],
  );
  return r.rows[0] ?? null;
}

/** The partner's oldest live source with this name, if any. */
export async function findLiveSourceByName(db: Queryable, name: string): Promise<Pick<TimingSourceRow, 'id' | 'user_id'> | null> {
  const r = await db.query<Pick<TimingSourceRow, 'id' | 'user_id'>>(
    `SELECT id, user_id FROM timing_sources WHERE name = $1 AND revoked_at IS NULL ORDER BY id LIMIT 1`,
    [name],
  );
  return r.rows[0] ?? null;
}

export async function touchSource(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE timing_sources SET last_connected_at = now() WHERE id = $1', [id]);
}

export interface SourceListing {
  id: number;
  name: string;
  user_id: string;
  created_at: Date;
  revoked_at: Date | null;
  last_connected_at: Date | null;
  /** Open CTP01 connections authorized with this source right now. */
  open_connections: number;
  /** Whether this process's SECRET_KEY opens the stored secret (false: keys differ between processes). */
  secret_readable: boolean;
  last_seen_ip: string | null;
}

export type SourceRow = Omit<SourceListing, 'secret_readable'> & { secret_encrypted: string };

/** The partner's sources with their live connection status (from connection_log). */
export async function listSources(db: Queryable): Promise<SourceRow[]> {
  const r = await db.query<SourceRow>(
    `SELECT s.id, s.name, s.user_id, s.created_at, s.revoked_at, s.last_connected_at, s.secret_encrypted,
            coalesce(c.open_connections, 0) AS open_connections, c.last_seen_ip
       FROM timing_sources s
       LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE l.disconnected_at IS NULL)::int AS open_connections,
                     (array_agg(l.client_ip ORDER BY l.connected_at DESC))[1] AS last_seen_ip
                FROM connection_log l
               WHERE l.auth_user = s.user_id AND l.partner_id = s.partner_id
            ) c ON true
      ORDER BY s.revoked_at IS NOT NULL, s.created_at DESC`,
  );
  return r.rows;
}

/** Replaces a live source's secret; false when there is no such live source. */
export async function replaceSecret(db: Queryable, id: number, secretEncrypted: string): Promise<boolean> {
  const r = await db.query(`UPDATE timing_sources SET secret_encrypted = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, secretEncrypted]);
  return r.rowCount === 1;
}

/** Revokes a source (its clients are refused from their next authorization); false if none. */
export async function revokeSource(db: Queryable, id: number): Promise<boolean> {
  const r = await db.query(`UPDATE timing_sources SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
  return r.rowCount === 1;
}

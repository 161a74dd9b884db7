/** SQL for the asset library (images for display templates). */
import type { Queryable } from '../db/database.js';

export interface AssetRow {
  key: string;
  name: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  created_at: Date;
}

const COLUMNS = 'key, name, content_type, width, height, bytes, created_at';

/** PGlite returns bytea as a Uint8Array, node-postgres as a Buffer: one type for callers. */
function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** An asset's bytes by key, for an unauthenticated screen (through the definer function). */
export async function findPublicAsset(db: Queryable, key: string): Promise<{ content_type: string; data: Buffer } | null> {
  const r = await db.query<{ content_type: string; data: Uint8Array }>(`SELECT content_type, data FROM p88_asset($1)`, [key]);
  const row = r.rows[0];
  return row ? { content_type: row.content_type, data: toBuffer(row.data) } : null;
}

/**
 * Serializes a partner's uploads until the transaction ends, so two concurrent uploads
 * cannot both pass the storage check with room for only one.
 */
export async function lockPartnerAssets(db: Queryable, partnerId: number): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('p88_assets'), $1)`, [partnerId]);
}

/** Bytes the partner's assets take. */
export async function storedBytes(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT coalesce(sum(bytes), 0)::bigint AS n FROM assets`);
  return r.rows[0]?.n ?? 0;
}

export async function insertAsset(
  db: Queryable,
  a: { partnerId: number; key: string; name: string; contentType: string; width: number; height: number; data: Buffer; sha256: string },
): Promise<AssetRow> {
  const r = await db.query<AssetRow>(
    `INSERT INTO assets (partner_id, key, name, content_type, width, height, bytes, data, sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     RETURNING ${COLUMNS}`,
    [a.partnerId, a.key, a.name, a.contentType, a.width, a.height, a.data.length, a.data, a.sha256],
  );
  return r.rows[0]!;
}

/** The partner's assets, newest first (without their bytes). */
export async function listAssets(db: Queryable): Promise<AssetRow[]> {
  const r = await db.query<AssetRow>(`SELECT ${COLUMNS} FROM assets ORDER BY created_at DESC, id DESC`);
  return r.rows;
}

/** Whether the (current partner's) library holds this key. */
export async function findAsset(db: Queryable, key: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM assets WHERE key = $1`, [key]);
  return r.rowCount === 1;
}

/**
 * Names of the partner's templates that show an image: in their current version, or in a
 * version a live display link is pinned to. Older versions are history and do not count.
 */
export async function templatesUsingAsset(db: Queryable, url: string): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT DISTINCT t.name FROM display_templates t
       JOIN display_template_versions v ON v.template_id = t.id
      WHERE (v.version = t.current_version
             OR v.version IN (SELECT l.template_version FROM display_links l
                               WHERE l.template_id = t.id AND l.revoked_at IS NULL
                                 AND (l.expires_at IS NULL OR l.expires_at > now())))
        AND strpos(v.runner_html || v.runner_css || v.idle_html || v.idle_css, $1) > 0
      ORDER BY t.name`,
    [url],
  );
  return r.rows.map((row) => row.name);
}

export async function deleteAsset(db: Queryable, key: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM assets WHERE key = $1`, [key]);
  return r.rowCount === 1;
}

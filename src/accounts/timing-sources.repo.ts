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

export async function touchSource(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE timing_sources SET last_connected_at = now() WHERE id = $1', [id]);
}

/**
 * SQL of the audit log. Rows of a known partner (or of the platform) are written in the same
 * transaction as the change they record; events that belong to no known account (a sign-in
 * with an unknown email) go through the SECURITY DEFINER writer p88_audit_anonymous, which
 * accepts auth.* actions only.
 */
import type { Queryable } from '../db/database.js';

export interface AuditEntry {
  partnerId: number | null;
  userId: number | null;
  actor: string;
  action: string;
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

export async function insertAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (partner_id, user_id, actor, action, target, ip, user_agent, detail)
     VALUES ($1, $2, $3, $4, $5, left($6, 100), left($7, 300), $8::jsonb)`,
    [e.partnerId, e.userId, e.actor, e.action, e.target ?? null, e.ip ?? null, e.userAgent ?? null, JSON.stringify(e.detail ?? {})],
  );
}

/** Audit of an event that belongs to no known account (SECURITY DEFINER writer, auth.* only). */
export async function insertAnonymousAudit(
  db: Queryable,
  e: { action: string; ip: string | null; userAgent: string | null; detail: Record<string, unknown> },
): Promise<void> {
  await db.query('SELECT p88_audit_anonymous($1, $2, $3, $4::jsonb)', [e.action, e.ip, e.userAgent, JSON.stringify(e.detail)]);
}

export interface AuditRow {
  id: number;
  user_id: number | null;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  created_at: Date;
}

export async function listAudit(db: Queryable, partnerId: number, limit: number): Promise<AuditRow[]> {
  const r = await db.query<AuditRow>(
    `SELECT id, user_id, actor, action, target, ip, detail, created_at
       FROM audit_log WHERE partner_id = $1 ORDER BY id DESC LIMIT $2`,
    [partnerId, limit],
  );
  return r.rows;
}

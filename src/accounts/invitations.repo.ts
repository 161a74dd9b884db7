/**
 * SQL of invitations to a partner. The person accepting one is not signed in and names no
 * partner, so an invitation link is resolved through the SECURITY DEFINER function
 * p88_auth_invitation (migration 0003); everything else runs in the inviting partner's scope.
 */
import type { Queryable } from '../db/database.js';
import type { PartnerRole } from '../shared/permissions.js';

export interface InvitationRow {
  id: number;
  email: string;
  role: PartnerRole;
  invited_by: number | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const INVITATION_COLUMNS = 'id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at';

export async function insertInvitation(
  db: Queryable,
  i: { partnerId: number; email: string; role: PartnerRole; tokenHash: string; invitedBy: number | null; expiresAt: Date },
): Promise<InvitationRow> {
  const r = await db.query<InvitationRow>(
    `INSERT INTO invitations (partner_id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${INVITATION_COLUMNS}`,
    [i.partnerId, i.email, i.role, i.tokenHash, i.invitedBy, i.expiresAt],
  );
  return r.rows[0]!;
}

export async function listInvitations(db: Queryable, partnerId: number): Promise<InvitationRow[]> {
  const r = await db.query<InvitationRow>(
    `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE partner_id = $1 ORDER BY created_at DESC, id DESC`,
    [partnerId],
  );
  return r.rows;
}

export async function revokeInvitation(db: Queryable, partnerId: number, id: number): Promise<boolean> {
  const r = await db.query(
    'UPDATE invitations SET revoked_at = now() WHERE partner_id = $1 AND id = $2 AND revoked_at IS NULL AND accepted_at IS NULL',
    [partnerId, id],
  );
  return r.rowCount > 0;
}

export interface InvitationIdentity {
  invitation_id: number;
  partner_id: number;
  email: string;
  role: PartnerRole;
}

/** The open invitation behind a link's hash (SECURITY DEFINER lookup). */
export async function findInvitation(db: Queryable, tokenHash: string): Promise<InvitationIdentity | null> {
  const r = await db.query<InvitationIdentity>(
    'SELECT invitation_id, partner_id, email, role FROM p88_auth_invitation($1)',
    [tokenHash],
  );
  return r.rows[0] ?? null;
}

/** Marks an invitation accepted; false if it was accepted, revoked or expired meanwhile. */
export async function acceptInvitation(db: Queryable, id: number, userId: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE invitations SET accepted_at = now(), accepted_user_id = $2
      WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
    [id, userId],
  );
  return r.rowCount > 0;
}

/** Deletes unaccepted invitations past their expiry before olderThan (housekeeping). */
export async function deleteExpiredInvitations(db: Queryable, olderThan: Date): Promise<number> {
  const r = await db.query('DELETE FROM invitations WHERE expires_at < $1 AND accepted_at IS NULL', [olderThan]);
  return r.rowCount;
}

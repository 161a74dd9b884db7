/**
 * SQL of API tokens. Only a token's hash is stored; a bearer secret arrives before its partner
 * is known, so it is resolved through the SECURITY DEFINER function p88_auth_api_token
 * (migrations 0003, 0030, 0052: a read only); the use is recorded apart (touchApiToken).
 */
import type { Queryable } from '../db/database.js';
import type { TokenScope } from '../shared/permissions.js';

export interface ApiTokenRow {
  id: number;
  name: string;
  token_hint: string;
  scopes: TokenScope[];
  created_by: number | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const TOKEN_COLUMNS = 'id, name, token_hint, scopes, created_by, created_at, expires_at, last_used_at, revoked_at';

export async function insertApiToken(
  db: Queryable,
  t: {
    partnerId: number;
    name: string;
    tokenHash: string;
    tokenHint: string;
    scopes: readonly TokenScope[];
    createdBy: number | null;
    expiresAt: Date | null;
  },
): Promise<ApiTokenRow> {
  const r = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (partner_id, name, token_hash, token_hint, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, string_to_array($5, ','), $6, $7) RETURNING ${TOKEN_COLUMNS}`,
    // Scopes travel as one comma-joined string: the two drivers serialize arrays differently.
    [t.partnerId, t.name, t.tokenHash, t.tokenHint, t.scopes.join(','), t.createdBy, t.expiresAt],
  );
  return r.rows[0]!;
}

export async function listApiTokens(db: Queryable, partnerId: number): Promise<ApiTokenRow[]> {
  const r = await db.query<ApiTokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE partner_id = $1 ORDER BY created_at DESC, id DESC`,
    [partnerId],
  );
  return r.rows;
}

/** Revokes a live token of the partner; false when there is none with that id. */
export async function revokeApiToken(db: Queryable, partnerId: number, id: number): Promise<boolean> {
  const r = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE partner_id = $1 AND id = $2 AND revoked_at IS NULL',
    [partnerId, id],
  );
  return r.rowCount > 0;
}

export interface TokenIdentity {
  token_id: number;
  partner_id: number;
  scopes: string[];
  created_by: number | null;
  /**
   * The creator's role now (the lookup finds no token whose creator is disabled); null for a
   * token without a creator: the operator's, made on the console (`p88 token create`).
   */
  creator_role: string | null;
}

/**
 * The live token behind a bearer secret's hash, with its creator's current role (SECURITY
 * DEFINER lookup, migration 0052; reads only). None when the creator is disabled or gone.
 */
export async function findApiToken(db: Queryable, tokenHash: string): Promise<TokenIdentity | null> {
  const r = await db.query<TokenIdentity>(
    'SELECT token_id, partner_id, scopes, created_by, creator_role FROM p88_auth_api_token($1)',
    [tokenHash],
  );
  return r.rows[0] ?? null;
}

/**
 * The read API's gate for a token this process has seen (db/gate.ts): true only while the
 * token is live and holds `action` within its creator's current role, the same answer as
 * p88_auth_api_token and ApiTokens.authenticate give, checked inside the read's own statement.
 * It runs as the application role in the token's partner's transaction: row-level security
 * shows this partner's tokens and users only (no SECURITY DEFINER needed once the partner is
 * known). Parameters: the token's hash, its id, its partner, the action, and the roles that
 * hold the action (comma-joined: the two drivers serialize arrays differently).
 */
export function tokenGateCondition(first: number): string {
  const [hash, id, partner, action, roles] = [0, 1, 2, 3, 4].map((i) => `$${first + i}`);
  return `EXISTS (SELECT 1 FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by AND u.partner_id = t.partner_id
     WHERE t.token_hash = ${hash}::text AND t.id = ${id}::integer AND t.partner_id = ${partner}::integer
       AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
       AND ${action}::text = ANY (t.scopes)
       AND (t.created_by IS NULL OR (u.id IS NOT NULL AND u.disabled_at IS NULL AND u.role = ANY (string_to_array(${roles}::text, ',')))))`;
}

/** Records a token's use, in the partner's transaction (the caller throttles: once a minute). */
export async function touchApiToken(db: Queryable, partnerId: number, id: number): Promise<void> {
  await db.query('UPDATE api_tokens SET last_used_at = now() WHERE partner_id = $1 AND id = $2', [partnerId, id]);
}

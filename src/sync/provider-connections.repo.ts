/** All SQL of provider_connections (migration 0073): a partner's sealed credentials per provider. */
import type { Queryable } from '../db/database.js';

export interface ConnectionRow {
  id: number;
  partner_id: number;
  provider: string;
  public_fields: Record<string, string>;
  last_tested_at: Date | null;
  last_test_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** With the sealed credentials: only the worker and the test action read this. */
export interface SealedConnectionRow extends ConnectionRow {
  credentials_sealed: string;
}

const COLS = 'id, partner_id, provider, public_fields, last_tested_at, last_test_error, created_at, updated_at';

export async function insertConnection(tx: Queryable, partnerId: number, c: { provider: string; sealed: string; publicFields: Record<string, string> }): Promise<ConnectionRow> {
  const r = await tx.query<ConnectionRow>(
    `INSERT INTO provider_connections (partner_id, provider, credentials_sealed, public_fields)
     VALUES ($1, $2, $3, $4::jsonb) RETURNING ${COLS}`,
    [partnerId, c.provider, c.sealed, JSON.stringify(c.publicFields)],
  );
  return r.rows[0]!;
}

export async function listConnections(tx: Queryable, partnerId: number): Promise<ConnectionRow[]> {
  return (await tx.query<ConnectionRow>(`SELECT ${COLS} FROM provider_connections WHERE partner_id = $1 ORDER BY provider`, [partnerId])).rows;
}

export async function getSealedConnection(tx: Queryable, partnerId: number, id: number): Promise<SealedConnectionRow | undefined> {
  return (await tx.query<SealedConnectionRow>(`SELECT ${COLS}, credentials_sealed FROM provider_connections WHERE partner_id = $1 AND id = $2`, [partnerId, id])).rows[0];
}

export async function getSealedConnectionByProvider(tx: Queryable, partnerId: number, provider: string): Promise<SealedConnectionRow | undefined> {
  return (await tx.query<SealedConnectionRow>(`SELECT ${COLS}, credentials_sealed FROM provider_connections WHERE partner_id = $1 AND provider = $2`, [partnerId, provider])).rows[0];
}

export async function recordTest(tx: Queryable, partnerId: number, id: number, error: string | null): Promise<ConnectionRow | undefined> {
  return (await tx.query<ConnectionRow>(
    `UPDATE provider_connections SET last_tested_at = now(), last_test_error = $3, updated_at = now()
      WHERE partner_id = $1 AND id = $2 RETURNING ${COLS}`,
    [partnerId, id, error],
  )).rows[0];
}

export async function deleteConnection(tx: Queryable, partnerId: number, id: number): Promise<boolean> {
  return ((await tx.query('DELETE FROM provider_connections WHERE partner_id = $1 AND id = $2', [partnerId, id])).rowCount ?? 0) > 0;
}

/** Entry ids by the source's external id (a result naming its participant). */
export async function entryIdsByExternalId(tx: Queryable, partnerId: number, provider: string, externalIds: readonly string[]): Promise<Map<string, number>> {
  if (externalIds.length === 0) return new Map();
  const r = await tx.query<{ id: number; external_id: string }>(
    'SELECT id, external_id FROM entries WHERE partner_id = $1 AND provider = $2 AND external_id = ANY($3::text[])',
    [partnerId, provider, externalIds],
  );
  return new Map(r.rows.map((x) => [x.external_id, Number(x.id)]));
}

/** Entry ids of a race by bib (a result naming no participant, matched by bib). */
export async function entryIdsByBib(tx: Queryable, partnerId: number, raceId: number, bibs: readonly string[]): Promise<Map<string, number>> {
  if (bibs.length === 0) return new Map();
  const r = await tx.query<{ id: number; bib: string }>(
    'SELECT id, bib FROM entries WHERE partner_id = $1 AND race_id = $2 AND bib = ANY($3::text[])',
    [partnerId, raceId, bibs],
  );
  return new Map(r.rows.map((x) => [x.bib, Number(x.id)]));
}

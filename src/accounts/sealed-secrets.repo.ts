/** Every secret the platform keeps sealed with SECRET_KEY, across partners (key rotation). */
import type { Queryable } from '../db/database.js';

/** Where a sealed secret lives: the tables that hold one. */
export type SealedSecretTable = 'timing_sources' | 'jobs';

export interface SealedSecret {
  table: SealedSecretTable;
  id: number;
  sealed: string;
}

/** Every sealed secret, locked until the transaction ends (platform scope). */
export async function lockSealedSecrets(tx: Queryable): Promise<SealedSecret[]> {
  const sources = await tx.query<{ id: number; sealed: string }>(
    `SELECT id, secret_encrypted AS sealed FROM timing_sources ORDER BY id FOR UPDATE`,
  );
  const jobs = await tx.query<{ id: string; sealed: string }>(`SELECT id, secret AS sealed FROM jobs WHERE secret IS NOT NULL ORDER BY id FOR UPDATE`);
  return [
    ...sources.rows.map((r) => ({ table: 'timing_sources' as const, id: r.id, sealed: r.sealed })),
    ...jobs.rows.map((r) => ({ table: 'jobs' as const, id: Number(r.id), sealed: r.sealed })),
  ];
}

export async function replaceSealedSecret(tx: Queryable, secret: SealedSecret): Promise<void> {
  const sql =
    secret.table === 'timing_sources'
      ? 'UPDATE timing_sources SET secret_encrypted = $2 WHERE id = $1'
      : 'UPDATE jobs SET secret = $2 WHERE id = $1';
  await tx.query(sql, [secret.id, secret.sealed]);
}

/**
 * Re-seals every stored secret under a new SECRET_KEY (`p88 secrets rotate`). All or nothing:
 * one transaction, and when any secret opens with neither key nothing is changed (a wrong old
 * key must not leave a mix that no single key opens). Secrets already under the new key are
 * left as they are, so a rotation that was interrupted can simply be run again.
 */
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import type { SecretBox } from './secret-box.js';
import { lockSealedSecrets, replaceSealedSecret, type SealedSecret } from './sealed-secrets.repo.js';

export interface RotationReport {
  resealed: number;
  alreadyUnderNewKey: number;
  /** Secrets that neither key opens, by table and id; non-empty means nothing was changed. */
  unreadable: Array<Pick<SealedSecret, 'table' | 'id'>>;
}

export function rotateSecrets(db: Database, oldBox: SecretBox, newBox: SecretBox): Promise<RotationReport> {
  return asPlatform(db, async (tx) => {
    const report: RotationReport = { resealed: 0, alreadyUnderNewKey: 0, unreadable: [] };
    const resealed: SealedSecret[] = [];
    for (const secret of await lockSealedSecrets(tx)) {
      if (newBox.opens(secret.sealed)) report.alreadyUnderNewKey++;
      else if (oldBox.opens(secret.sealed)) resealed.push({ ...secret, sealed: newBox.seal(oldBox.open(secret.sealed)) });
      else report.unreadable.push({ table: secret.table, id: secret.id });
    }
    if (report.unreadable.length > 0) return report;
    for (const secret of resealed) await replaceSealedSecret(tx, secret);
    report.resealed = resealed.length;
    return report;
  });
}

/**
 * Timing sources: the credentials a partner's timing software uses to authenticate to the
 * collector. The secret is shown once at creation and stored sealed.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import type { SecretBox } from './secret-box.js';
import { findActiveSourceByUser, insertSource, touchSource } from './timing-sources.repo.js';

export interface CreatedSource {
  id: number;
  userId: string;
  /** Plain secret: returned once, never stored or logged in the clear. */
  secret: string;
}

export interface SourceIdentity {
  sourceId: number;
  partnerId: number;
  /** Plain shared secret, needed to recompute the client's HMAC digest. */
  secret: string;
}

export class TimingSources {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  async create(partnerId: number, name: string, userId?: string): Promise<CreatedSource> {
    const id = userId ?? `src-${randomBytes(4).toString('hex')}`;
    // base64url without padding: no '~' or line breaks, so it is safe on a CTP01 line.
    const secret = randomBytes(18).toString('base64url');
    const sealed = this.box.seal(secret);
    const sourceId = await withPartner(this.db, partnerId, (tx) => insertSource(tx, { partnerId, name, userId: id, secretEncrypted: sealed }));
    return { id: sourceId, userId: id, secret };
  }

  /** The source a CTP01 user id names, with its secret unsealed; null if unknown or revoked. */
  async lookup(userId: string): Promise<SourceIdentity | null> {
    const row = await findActiveSourceByUser(this.db, userId);
    if (!row) return null;
    return { sourceId: row.id, partnerId: row.partner_id, secret: this.box.open(row.secret_encrypted) };
  }

  async markConnected(partnerId: number, sourceId: number): Promise<void> {
    await withPartner(this.db, partnerId, (tx) => touchSource(tx, sourceId));
  }
}

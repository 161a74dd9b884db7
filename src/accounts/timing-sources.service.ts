/**
 * Timing sources: the credentials a partner's timing software uses to authenticate to the
 * collector. The secret is shown once at creation and stored sealed.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import type { SecretBox } from './secret-box.js';
import {
  findActiveSourceByUser,
  findLiveSourceByName,
  insertSource,
  listSources,
  replaceSecret,
  revokeSource,
  touchSource,
  type SourceListing,
} from './timing-sources.repo.js';

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
    const secret = newSecret();
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

  /** The partner's sources, live ones first, with how many clients are connected now. */
  async list(partnerId: number): Promise<SourceListing[]> {
    const rows = await withPartner(this.db, partnerId, listSources);
    return rows.map(({ secret_encrypted, ...row }) => ({ ...row, secret_readable: this.box.opens(secret_encrypted) }));
  }

  /** The partner's live source with this name (the oldest, if several); null when none. */
  async findByName(partnerId: number, name: string): Promise<{ id: number; userId: string } | null> {
    const row = await withPartner(this.db, partnerId, (tx) => findLiveSourceByName(tx, name));
    return row && { id: row.id, userId: row.user_id };
  }

  /** A new secret for a live source (shown once); null when the partner has no such source. */
  async rotate(partnerId: number, sourceId: number): Promise<string | null> {
    const secret = newSecret();
    const sealed = this.box.seal(secret);
    const ok = await withPartner(this.db, partnerId, (tx) => replaceSecret(tx, sourceId, sealed));
    return ok ? secret : null;
  }

  /** Revokes a source; false when the partner has no such live source. */
  revoke(partnerId: number, sourceId: number): Promise<boolean> {
    return withPartner(this.db, partnerId, (tx) => revokeSource(tx, sourceId));
  }

  async markConnected(partnerId: number, sourceId: number): Promise<void> {
    await withPartner(this.db, partnerId, (tx) => touchSource(tx, sourceId));
  }
}

/** base64url without padding: no '~' or line breaks, so it is safe on a CTP01 line. */
function newSecret(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The audit trail: who did what to which account, when and from where. The other accounts
 * services write their entries with recordAudit inside the transaction of the change, so a
 * change and its entry commit together or not at all; a partner reads its own with Audit.
 */
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { partnerOf, type Auth, type RequestContext } from './accounts.common.js';
import * as repo from './audit.repo.js';
import type { AuditEntry, AuditRow } from './audit.repo.js';

/** Writes an entry in the caller's transaction, with the request's address and user agent. */
export function recordAudit(tx: Queryable, e: Omit<AuditEntry, 'ip' | 'userAgent'>, ctx?: RequestContext): Promise<void> {
  return repo.insertAudit(tx, { ...e, ip: ctx?.ip ?? null, userAgent: ctx?.userAgent ?? null });
}

/** Writes an entry that belongs to no known account (auth.* actions: unknown emails, floods). */
export function recordAnonymousAudit(db: Queryable, action: string, ctx: RequestContext, detail: Record<string, unknown>): Promise<void> {
  return repo.insertAnonymousAudit(db, { action, ip: ctx.ip, userAgent: ctx.userAgent, detail });
}

export class Audit {
  constructor(private readonly db: Database) {}

  /** The caller's partner's audit trail, newest first. */
  async list(auth: Auth, limit: number): Promise<AuditRow[]> {
    const partnerId = partnerOf(auth);
    return withPartner(this.db, partnerId, (tx) => repo.listAudit(tx, partnerId, limit));
  }
}

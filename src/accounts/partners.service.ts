/**
 * Timing partners, the tenants: created by platform admins or `p88 partner create`, each
 * starting on the free plan with a trial of a paid plan's limits.
 */
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { asPlatform } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { partnerView, type PartnerView } from './accounts.common.js';
import { recordAudit } from './audit.service.js';
import * as repo from './partners.repo.js';
import { Usage } from './usage.service.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class Partners {
  constructor(private readonly db: Database) {}

  /** A new timing partner (platform admins, `p88 partner create`). */
  async create(input: { slug: string; name: string }, actor = 'system'): Promise<PartnerView> {
    if (!SLUG.test(input.slug)) throw new AppError('bad_request', 'A slug is 1-63 lower-case letters, digits and dashes.');
    if (!input.name.trim()) throw new AppError('bad_request', 'A partner needs a name.');
    try {
      return await asPlatform(this.db, async (tx) => {
        const p = await repo.insertPartner(tx, { slug: input.slug, name: input.name.trim() });
        // A new partner starts on the free plan with a 14-day trial of a paid plan's limits.
        await Usage.startTrial(tx, p.id);
        await recordAudit(tx, { partnerId: p.id, userId: null, actor, action: 'partner.created', target: `partner:${p.id}`, detail: { slug: p.slug } });
        return partnerView(p)!;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', `A partner with slug "${input.slug}" exists already.`);
      throw err;
    }
  }

  /** Every partner, for platform admins. */
  async list(): Promise<PartnerView[]> {
    return asPlatform(this.db, async (tx) => (await repo.listPartners(tx)).map((p) => partnerView(p)!));
  }

  async findBySlug(slug: string): Promise<PartnerView | null> {
    return asPlatform(this.db, async (tx) => partnerView(await repo.findPartnerBySlug(tx, slug)));
  }
}

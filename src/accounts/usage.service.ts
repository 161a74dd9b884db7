/**
 * Plan limits and usage. `consume` is the one gate: it counts and refuses past the limit
 * with a 402 that names the limit, so a partner knows what to upgrade.
 */
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { METRIC_LABELS, METRICS, PERIOD_OF, PLAN_LIMITS, TRIAL_DAYS, effectivePlan, periodStart, type Metric, type Plan } from './plans.js';
import { addUsage, findPlan, upsertPlan, usedIn } from './usage.repo.js';

export interface UsageReport {
  plan: Plan;
  effective_plan: Plan;
  trial_plan: Plan | null;
  trial_ends_at: Date | null;
  metrics: Array<{ metric: Metric; used: number | null; limit: number | null; period: 'day' | 'month' | null }>;
}

export class Usage {
  constructor(private readonly db: Database) {}

  /** Starts a new partner on the free plan with a TRIAL_DAYS trial of `trialPlan`. */
  static startTrial(tx: Queryable, partnerId: number, trialPlan: Plan = 'professional', now = new Date()): Promise<void> {
    return upsertPlan(tx, partnerId, { plan: 'free', trialPlan, trialEndsAt: new Date(now.getTime() + TRIAL_DAYS * 86_400_000) });
  }

  /** Puts a partner on a plan; a running trial is left as it is. */
  async setPlan(partnerId: number, plan: Plan): Promise<void> {
    await withPartner(this.db, partnerId, (tx) => upsertPlan(tx, partnerId, { plan }));
  }

  /** Counts `amount` of a periodic metric; throws 402 naming the limit when it would pass it. */
  async consume(partnerId: number, metric: Metric, amount = 1, now = new Date()): Promise<number> {
    return withPartner(this.db, partnerId, async (tx) => {
      const limit = await this.limit(tx, partnerId, metric, now);
      const used = await addUsage(tx, { partnerId, metric, periodStart: periodStart(metric, now), amount, limit });
      if (used === null) throw limitReached(metric, limit);
      return used;
    });
  }

  /** For counted things (templates, displays, storage): refuses adding `adding` to `current` past the limit. */
  async checkCount(partnerId: number, metric: Metric, current: number, adding = 1): Promise<void> {
    await withPartner(this.db, partnerId, (tx) => this.checkCountIn(tx, partnerId, metric, current, adding));
  }

  /** checkCount inside the caller's transaction (no nesting: PGlite has one connection). */
  async checkCountIn(tx: Queryable, partnerId: number, metric: Metric, current: number, adding = 1): Promise<void> {
    const limit = await this.limit(tx, partnerId, metric, new Date());
    if (limit !== null && current + adding > limit) throw limitReached(metric, limit);
  }

  async report(partnerId: number, now = new Date()): Promise<UsageReport> {
    return withPartner(this.db, partnerId, async (tx) => {
      const row = (await findPlan(tx, partnerId)) ?? { plan: 'free' as Plan, trialPlan: null, trialEndsAt: null };
      const plan = effectivePlan(row, now);
      const metrics = [];
      for (const metric of METRICS) {
        const period = PERIOD_OF[metric] ?? null;
        const used = period ? await usedIn(tx, partnerId, metric, periodStart(metric, now)) : null;
        metrics.push({ metric, used, limit: PLAN_LIMITS[plan][metric], period });
      }
      return { plan: row.plan, effective_plan: plan, trial_plan: row.trialPlan, trial_ends_at: row.trialEndsAt, metrics };
    });
  }

  private async limit(tx: Queryable, partnerId: number, metric: Metric, now: Date): Promise<number | null> {
    const row = await findPlan(tx, partnerId);
    return PLAN_LIMITS[row ? effectivePlan(row, now) : 'free'][metric];
  }
}

export function limitReached(metric: Metric, limit: number | null): AppError {
  return new AppError('payment_required', `Plan limit reached: ${METRIC_LABELS[metric]} (${limit}). Upgrade your plan to continue.`);
}

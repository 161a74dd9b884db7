/**
 * The plan catalogue (the seed's tiers) and its limits. `null` = unlimited. A trial gives a
 * new partner a paid plan's limits for TRIAL_DAYS.
 */
export const PLANS = ['free', 'basic', 'professional', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export const METRICS = ['api_calls_per_day', 'events_per_month', 'storage_mb', 'templates', 'displays'] as const;
export type Metric = (typeof METRICS)[number];

/** How a limit is named to people (errors, the plan screen): never the metric's key. */
export const METRIC_LABELS: Record<Metric, string> = {
  api_calls_per_day: 'API calls per day',
  events_per_month: 'events per month',
  storage_mb: 'storage in MB',
  templates: 'templates',
  displays: 'displays',
};

export const TRIAL_DAYS = 14;

export const PLAN_LIMITS: Record<Plan, Record<Metric, number | null>> = {
  free: { api_calls_per_day: 1_000, events_per_month: 1, storage_mb: 100, templates: 2, displays: 1 },
  basic: { api_calls_per_day: 10_000, events_per_month: 5, storage_mb: 1_000, templates: 10, displays: 5 },
  professional: { api_calls_per_day: 100_000, events_per_month: 25, storage_mb: 10_000, templates: 50, displays: 25 },
  enterprise: { api_calls_per_day: null, events_per_month: null, storage_mb: null, templates: null, displays: null },
};

/** Metrics counted per period (the others are a current count the caller supplies). */
export const PERIOD_OF: Partial<Record<Metric, 'day' | 'month'>> = {
  api_calls_per_day: 'day',
  events_per_month: 'month',
};

/**
 * The plan whose limits apply now: the trial's until it ends, then the subscribed one. A trial
 * never lowers a plan: a partner that subscribes to a higher plan during its trial gets the
 * higher plan's limits at once (the warehouse's enterprise partners were held to their
 * professional trial's 100,000 calls a day).
 */
export function effectivePlan(p: { plan: Plan; trialPlan: Plan | null; trialEndsAt: Date | null }, now = new Date()): Plan {
  const trial = p.trialPlan && p.trialEndsAt && p.trialEndsAt > now ? p.trialPlan : null;
  return trial !== null && PLANS.indexOf(trial) > PLANS.indexOf(p.plan) ? trial : p.plan;
}

/** Start (UTC date, YYYY-MM-DD) of the period a metric is counted in. */
export function periodStart(metric: Metric, now = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  return PERIOD_OF[metric] === 'month' ? `${day.slice(0, 7)}-01` : day;
}

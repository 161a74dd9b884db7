import { useCallback } from 'react';
import { api, type AuthSession, type Payment, type UsageMetric } from '../api';
import { PageHeader } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { formatDateTime } from '../format';
import { allowed } from '../permissions';
import { usePoll } from '../usePoll';

const EVERY_MS = 30_000;

const PLAN_NAMES: Record<string, string> = {
  free: 'Free',
  basic: 'Basic',
  professional: 'Professional',
  enterprise: 'Enterprise',
};

const METRIC_NAMES: Record<string, string> = {
  api_calls_per_day: 'API calls today',
  events_per_month: 'Events this month',
  storage_mb: 'Storage',
  templates: 'Templates',
  displays: 'Display links',
};

function planName(plan: string): string {
  return PLAN_NAMES[plan] ?? plan;
}

function amount(metric: string, n: number): string {
  if (metric === 'storage_mb') return n >= 1000 ? `${(n / 1000).toLocaleString()} GB` : `${n.toLocaleString()} MB`;
  return n.toLocaleString();
}

/** The plan, trial and usage against the plan's limits; payments for owners. */
export function Plan({ session, onExpired }: { session: AuthSession; onExpired: () => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.plan(signal), []), EVERY_MS, onExpired);
  const { data } = poll;
  const now = Date.now();
  const trialDays =
    data?.trial_plan && data.trial_ends_at ? Math.ceil((new Date(data.trial_ends_at).getTime() - now) / 86_400_000) : null;
  const onTrial = trialDays !== null && trialDays > 0;
  return (
    <main className="page">
      <PageHeader title="Plan & usage">What your plan includes and how much of it you have used.</PageHeader>
      <section className="panel" aria-labelledby="plan-title">
        <div className="panel-header">
          <h2 id="plan-title">Plan</h2>
        </div>
        <PollStates poll={poll} loading="Loading your plan…" />
        {data ? (
          <>
            <div className="plan-summary" data-testid="plan">
              <div>
                <div className="muted small">Current plan</div>
                <div className="plan-name">{planName(data.plan)}</div>
              </div>
              {onTrial ? (
                <div className="notice trial">
                  Trial of <strong>{planName(data.trial_plan ?? data.effective_plan)}</strong> until{' '}
                  {formatDateTime(data.trial_ends_at)} ({trialDays} {trialDays === 1 ? 'day' : 'days'} left): its limits
                  apply until then.
                </div>
              ) : data.effective_plan !== data.plan ? (
                <div className="muted">Limits of {planName(data.effective_plan)} apply.</div>
              ) : null}
            </div>
            <ul className="usage-list" data-testid="usage">
              {data.metrics.map((m) => (
                <UsageRow key={m.metric} metric={m} />
              ))}
            </ul>
          </>
        ) : null}
      </section>
      {allowed(session, 'billing:manage') ? <Payments onExpired={onExpired} /> : null}
    </main>
  );
}

function UsageRow({ metric: m }: { metric: UsageMetric }) {
  const name = METRIC_NAMES[m.metric] ?? m.metric;
  const share = m.used !== null && m.limit !== null && m.limit > 0 ? Math.min(1, m.used / m.limit) : null;
  const tone = share === null ? '' : share >= 1 ? 'usage-full' : share >= 0.8 ? 'usage-high' : '';
  const limit = m.limit === null ? 'Unlimited' : amount(m.metric, m.limit);
  return (
    <li className={`usage ${tone}`} data-metric={m.metric}>
      <div className="usage-label">
        <strong>{name}</strong>
        <span className="mono">
          {m.used === null ? (m.limit === null ? 'unlimited' : `up to ${limit}`) : m.limit === null ? `${amount(m.metric, m.used)} · unlimited` : `${amount(m.metric, m.used)} of ${limit}`}
        </span>
      </div>
      {share !== null ? (
        <div
          className="usage-bar"
          role="progressbar"
          aria-label={name}
          aria-valuemin={0}
          aria-valuemax={m.limit ?? undefined}
          aria-valuenow={m.used ?? undefined}
        >
          <span style={{ width: `${Math.max(share * 100, m.used ? 1 : 0)}%` }} />
        </div>
      ) : null}
      {share !== null && share >= 1 ? <span className="small usage-note">Limit reached: upgrade to continue.</span> : null}
    </li>
  );
}

function formatMoney(p: Payment): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: p.currency.toUpperCase() }).format(p.amountCents / 100);
  } catch {
    return `${(p.amountCents / 100).toFixed(2)} ${p.currency.toUpperCase()}`;
  }
}

function Payments({ onExpired }: { onExpired: () => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.payments(signal), []), 60_000, onExpired);
  const { data } = poll;
  return (
    <section className="panel" aria-labelledby="payments-title">
      <div className="panel-header">
        <h2 id="payments-title">Payments</h2>
        {data ? <span className="muted">{data.payments.length}</span> : null}
      </div>
      <PollStates poll={poll} loading="Loading payments…" />
      {data && data.payments.length === 0 ? (
        <Empty title="No payments yet">Payments appear here once your subscription is billed.</Empty>
      ) : null}
      {data && data.payments.length > 0 ? (
        <div className="table-scroll">
          <table className="table" data-testid="payments">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">What</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.payments.map((p) => (
                <tr key={p.id}>
                  <td>{formatDateTime(p.occurredAt)}</td>
                  <td>{p.kind.replace(/[._]/g, ' ')}</td>
                  <td className="num mono">{formatMoney(p)}</td>
                  <td>
                    <span className={p.status === 'succeeded' || p.status === 'paid' ? 'badge badge-active' : 'badge'}>{p.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

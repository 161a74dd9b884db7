import { useCallback, useState, type FormEvent } from 'react';
import { api, type AuthSession, type ProviderConnection, type ProviderDefinition } from '../api';
import { ConfirmButton, PageHeader } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { formatAgo, formatDateTime } from '../format';
import { allowed } from '../permissions';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { FormError } from '../components/Form';

const EVERY_MS = 10_000;

/**
 * Registration and results providers: connect one (credentials are sealed and never shown
 * again), test it, remove it, and pull one of its events into the results warehouse now.
 * Not here yet: the provider's event list, schedules, history and progress bars.
 */
export function Providers({ session, onExpired, onRefused }: { session: AuthSession; onExpired: () => void; onRefused?: (message: string) => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.providers(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const canManage = allowed(session, 'sources:manage');
  const [provider, setProvider] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [eventIds, setEventIds] = useState<Record<number, string>>({});
  const action = useAction(onExpired, onRefused);
  const connected = new Set(data?.connections.map((c) => c.provider) ?? []);
  const def: ProviderDefinition | undefined = data?.providers.find((p) => p.name === provider);

  const onConnect = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!def) return;
    const created = await action.run(() => api.connectProvider(def.name, fields));
    if (!created) return;
    setNotice(`${def.label} connected.`);
    setProvider('');
    setFields({});
    retry();
  };
  const test = async (c: ProviderConnection) => {
    const out = await action.run(() => api.testProvider(c.id));
    if (out) setNotice(out.ok ? `${labelOf(data?.providers, c.provider)}: the connection works.` : `${labelOf(data?.providers, c.provider)}: ${out.message ?? out.kind ?? 'failed'}`);
    retry();
  };
  const remove = async (c: ProviderConnection) => {
    if (await action.run(async () => (await api.removeProvider(c.id), true))) retry();
  };
  const sync = async (c: ProviderConnection) => {
    const eventId = (eventIds[c.id] ?? '').trim();
    if (!eventId) return;
    const job = await action.run(() => api.syncProvider(c.id, eventId));
    if (job) setNotice(job.created ? `Sync of event ${eventId} queued (job ${job.job_id}).` : `A sync of event ${eventId} is already queued or running (job ${job.job_id}).`);
  };

  return (
    <main className="page">
      <PageHeader title="Providers">
        Registration and results platforms your races are on. A sync pulls an event’s races, participants and results into
        your results.
      </PageHeader>
      <FormError message={action.error} testId="provider-error" />
      {notice ? <p className="muted" role="status" data-testid="provider-notice">{notice}</p> : null}

      {canManage && data ? (
        <section className="panel" aria-labelledby="connect-title">
          <h2 id="connect-title">Connect a provider</h2>
          <form className="form" onSubmit={(e) => void onConnect(e)}>
            <label>
              Provider
              <select value={provider} onChange={(e) => { setProvider(e.target.value); setFields({}); }} data-testid="provider-select">
                <option value="">Choose…</option>
                {data.providers.filter((p) => !connected.has(p.name)).map((p) => (
                  <option key={p.name} value={p.name}>{p.label}</option>
                ))}
              </select>
            </label>
            {def?.fields.map((f) => (
              <label key={f.name}>
                {f.label}{f.required ? '' : ' (optional)'}
                <input
                  type={f.secret ? 'password' : 'text'}
                  autoComplete="off"
                  required={f.required}
                  value={fields[f.name] ?? ''}
                  onChange={(e) => setFields({ ...fields, [f.name]: e.target.value })}
                />
              </label>
            ))}
            {def && def.fields.length === 0 ? <p className="muted small">{def.label} needs no credentials.</p> : null}
            <button type="submit" className="button button-primary" disabled={!def || action.pending}>Connect</button>
          </form>
        </section>
      ) : null}

      <section className="panel" aria-labelledby="connections-title">
        <h2 id="connections-title">Connected</h2>
        <PollStates poll={poll} loading="Loading providers…" />
        {data && data.connections.length === 0 ? <Empty title="No provider connected yet">{canManage ? 'Connect one above.' : 'An owner or admin can connect one.'}</Empty> : null}
        {data && data.connections.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="provider-connections">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Account</th>
                  <th scope="col">Last test</th>
                  {canManage ? <th scope="col" aria-label="Actions" /> : null}
                </tr>
              </thead>
              <tbody>
                {data.connections.map((c) => (
                  <tr key={c.id} data-provider={c.provider}>
                    <td className="strong">{labelOf(data.providers, c.provider)}</td>
                    <td className="mono">{Object.values(c.public_fields).join(' · ') || '—'}</td>
                    <td title={formatDateTime(c.last_tested_at)}>
                      {c.last_tested_at ? (c.last_test_error ? <span className="badge badge-bad" title={c.last_test_error}>Failed</span> : <span className="badge badge-active">Works</span>) : 'Never tested'}{' '}
                      {c.last_tested_at ? formatAgo(c.last_tested_at, Date.now()) : ''}
                    </td>
                    {canManage ? (
                      <td className="actions">
                        <button type="button" className="button" disabled={action.pending} onClick={() => void test(c)}>Test</button>
                        <input
                          aria-label="Provider event id"
                          placeholder="Event id"
                          value={eventIds[c.id] ?? ''}
                          onChange={(e) => setEventIds({ ...eventIds, [c.id]: e.target.value })}
                        />
                        <button type="button" className="button" disabled={action.pending || !(eventIds[c.id] ?? '').trim()} onClick={() => void sync(c)}>Sync event now</button>
                        <ConfirmButton label="Remove" confirmLabel="Remove now" disabled={action.pending} onConfirm={() => void remove(c)} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </main>
  );
}

function labelOf(defs: ProviderDefinition[] | undefined, name: string): string {
  return defs?.find((d) => d.name === name)?.label ?? name;
}

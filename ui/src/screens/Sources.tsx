import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, type AuthSession, type TimingSource } from '../api';
import { ConfirmButton, CopyField, PageHeader } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { formatAgo, formatDateTime } from '../format';
import { allowed } from '../permissions';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { FormError, NameForm } from '../components/Form';

/** Often enough to see a timing laptop connect while you set it up. */
const EVERY_MS = 5_000;
/** The collector's CTP01 port unless the server says otherwise (COLLECTOR_PORT). */
const COLLECTOR_PORT = 61611;

/** Where timing laptops reach the collector, as the server sees its own addresses. */
function useCollector(): { addresses: string[]; port: number } | null {
  const [collector, setCollector] = useState<{ addresses: string[]; port: number } | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    api.collector(abort.signal).then(setCollector, () => undefined);
    return () => abort.abort();
  }, []);
  return collector;
}

function CollectorAddresses({ collector }: { collector: { addresses: string[]; port: number } | null }) {
  const fallback = window.location.hostname;
  const addresses = collector && collector.addresses.length > 0 ? collector.addresses : [fallback];
  const port = collector?.port ?? COLLECTOR_PORT;
  return (
    <p className="muted small" data-testid="collector-addresses">
      Timing software connects to the collector at{' '}
      {addresses.map((a, i) => (
        <span key={a}>
          {i > 0 ? (i === addresses.length - 1 ? ' or ' : ', ') : null}
          <span className="mono">{a.includes(':') ? `[${a}]` : a}</span>
        </span>
      ))}{' '}
      port <span className="mono">{port}</span> (on the venue network, use an address the laptop can reach).
    </p>
  );
}

interface ShownSecret {
  kind: 'created' | 'rotated';
  name: string;
  userId: string;
  secret: string;
}

/** CTP01 credentials: who is connected now; create, rotate and revoke for owners and admins. */
export function Sources({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.sources(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const canManage = allowed(session, 'sources:manage');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const create = useAction(onExpired, onRefused);
  const change = useAction(onExpired, onRefused);
  const actionError = create.error ?? change.error;

  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    const created = await create.run(() => api.createSource(trimmed));
    if (!created) return;
    setShown({ kind: 'created', name: trimmed, userId: created.user_id, secret: created.secret });
    setName('');
    retry();
  };
  const rotate = async (source: TimingSource) => {
    const rotated = await change.run(() => api.rotateSource(source.id));
    if (!rotated) return;
    setShown({ kind: 'rotated', name: source.name, userId: source.user_id, secret: rotated.secret });
    retry();
  };
  const revoke = async (source: TimingSource) => {
    const done = await change.run(async () => {
      await api.revokeSource(source.id);
      return true;
    });
    if (!done) return;
    if (shown?.userId === source.user_id) setShown(null);
    retry();
  };

  const collector = useCollector();
  const live = data?.sources.filter((s) => !s.revoked_at) ?? [];
  const revoked = data?.sources.filter((s) => s.revoked_at) ?? [];
  const now = Date.now();
  return (
    <main className="page">
      <PageHeader title="Timing sources">
        The credentials your timing software (ChronoTrack) uses to send reads to the collector. Each laptop or
        reader can have its own, so one can be revoked without stopping the others.
      </PageHeader>

      <CollectorAddresses collector={collector} />
      <FormError message={actionError} testId="source-error" />
      {shown ? <SecretPanel shown={shown} collector={collector} onDone={() => setShown(null)} /> : null}

      {canManage ? (
        <section className="panel" aria-labelledby="new-source-title">
          <h2 id="new-source-title">New timing source</h2>
          <NameForm
            title="New timing source"
            label="Name"
            maxLength={100}
            placeholder="e.g. Finish laptop"
            submitLabel="Create source"
            value={name}
            pending={create.pending}
            onChange={setName}
            onSubmit={onCreate}
          />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="sources-title">
        <div className="panel-header">
          <h2 id="sources-title">Sources</h2>
          {data ? <span className="muted">{live.length} active</span> : null}
        </div>
        <PollStates poll={poll} loading="Loading timing sources…" />
        {data && data.sources.length === 0 ? (
          <Empty title="No timing sources yet">
            {canManage
              ? 'Create one above, then enter its user id and secret in your timing software.'
              : 'An owner or admin of your company can create one.'}
          </Empty>
        ) : null}
        {data && data.sources.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="sources">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">User id</th>
                  <th scope="col">Last connected</th>
                  <th scope="col" className="hide-narrow">Last address</th>
                  {canManage ? <th scope="col" aria-label="Actions" /> : null}
                </tr>
              </thead>
              <tbody>
                {[...live, ...revoked].map((s) => (
                  <tr key={s.id} data-source={s.user_id} className={s.revoked_at ? 'row-muted' : undefined}>
                    <td className="strong">{s.name}</td>
                    <td>
                      <SourceStatus source={s} />
                    </td>
                    <td className="mono">{s.user_id}</td>
                    <td title={formatDateTime(s.last_connected_at)}>{formatAgo(s.last_connected_at, now)}</td>
                    <td className="mono hide-narrow">{s.last_seen_ip ?? '—'}</td>
                    {canManage ? (
                      <td className="actions">
                        {s.revoked_at ? (
                          <span className="muted small">Revoked {formatDateTime(s.revoked_at)}</span>
                        ) : (
                          <>
                            <ConfirmButton
                              label="Rotate secret"
                              confirmLabel="New secret"
                              danger={false}
                              disabled={change.pending}
                              onConfirm={() => void rotate(s)}
                            />
                            <ConfirmButton
                              label="Revoke"
                              confirmLabel="Revoke now"
                              disabled={change.pending}
                              onConfirm={() => void revoke(s)}
                            />
                          </>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data && !canManage ? (
          <p className="muted small">Only owners and admins can create, rotate or revoke timing sources.</p>
        ) : null}
      </section>
    </main>
  );
}

function SourceStatus({ source }: { source: TimingSource }) {
  if (source.revoked_at) return <span className="badge">Revoked</span>;
  if (!source.secret_readable) {
    return (
      <span className="badge badge-bad" title="Set the same SECRET_KEY on every process that shares the database, or rotate this source's secret.">
        Secret key mismatch
      </span>
    );
  }
  if (source.open_connections > 0) {
    return (
      <span className="badge badge-active" title={source.last_seen_ip ? `From ${source.last_seen_ip}` : undefined}>
        Connected{source.open_connections > 1 ? ` (${source.open_connections})` : ''}
      </span>
    );
  }
  return <span className="badge">{source.last_connected_at ? 'Idle' : 'Never connected'}</span>;
}

/** The secret, shown once: it is stored encrypted and no screen can show it again. */
function SecretPanel({ shown, collector, onDone }: { shown: ShownSecret; collector: { addresses: string[]; port: number } | null; onDone: () => void }) {
  const host = collector?.addresses[0] ?? window.location.hostname;
  return (
    <section className="panel panel-secret" aria-labelledby="secret-title" data-testid="source-secret">
      <h2 id="secret-title">
        {shown.kind === 'created' ? `“${shown.name}” is ready` : `New secret for “${shown.name}”`}
      </h2>
      <p className="panel-warning">
        Copy the secret now: it is shown only this once. If it is lost, rotate it to get a new one.
        {shown.kind === 'rotated' ? ' Clients using the old secret cannot reconnect until they have the new one.' : ''}
      </p>
      <div className="secret-grid">
        <CopyField label="User id" value={shown.userId} testId="secret-user-id" />
        <CopyField label="Secret" value={shown.secret} testId="secret-value" />
      </div>
      <p className="muted small">
        In your timing software, connect to the collector at <span className="mono">{host}</span> port{' '}
        <span className="mono">{collector?.port ?? COLLECTOR_PORT}</span> (or another of the addresses above) and enter this
        user id and secret.
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have saved it
      </button>
    </section>
  );
}

import { useCallback, useState, type FormEvent } from 'react';
import { api, resultsApi, rosterApi, type AuthSession, type ProviderConnection, type ProviderDefinition, type ProviderEventItem, type SyncRun, type SyncSchedule } from '../api';
import { ConfirmButton, PageHeader } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { formatAgo, formatDateTime } from '../format';
import { allowed } from '../permissions';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { FormError } from '../components/Form';

const EVERY_MS = 10_000;
/** History and schedules: often enough for a running sync's progress bar to move. */
const LIVE_MS = 2_000;

/**
 * Registration and results providers: connect one (credentials are sealed and never shown
 * again), test it, remove it; "sync this event" (one of the provider's events, into a
 * warehouse event and a roster of your choosing, now or on a schedule that tightens towards
 * the start); the schedules; and the history of runs with their counts, errors, notices and,
 * while one runs, its progress bar (pages done of total).
 */
export function Providers({ session, onExpired, onRefused }: { session: AuthSession; onExpired: () => void; onRefused?: (message: string) => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.providers(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const canManage = allowed(session, 'sources:manage');
  const [provider, setProvider] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [target, setTarget] = useState<ProviderConnection | null>(null);
  const action = useAction(onExpired, onRefused);
  /** Every action starts without the last one's notice: it must not stand beside this one's error. */
  const run = <T,>(fn: () => Promise<T>) => {
    setNotice(null);
    return action.run(fn);
  };
  const schedules = usePoll(useCallback((signal: AbortSignal) => api.syncSchedules(signal), []), LIVE_MS, onExpired);
  const history = usePoll(useCallback((signal: AbortSignal) => api.syncHistory(signal), []), LIVE_MS, onExpired);
  const connected = new Set(data?.connections.map((c) => c.provider) ?? []);
  const def: ProviderDefinition | undefined = data?.providers.find((p) => p.name === provider);

  const onConnect = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!def) return;
    const created = await run(() => api.connectProvider(def.name, fields));
    if (!created) return;
    setNotice(`${def.label} connected.`);
    setProvider('');
    setFields({});
    retry();
  };
  const test = async (c: ProviderConnection) => {
    const out = await run(() => api.testProvider(c.id));
    if (out) setNotice(out.ok ? `${labelOf(data?.providers, c.provider)}: the connection works.` : `${labelOf(data?.providers, c.provider)}: ${out.message ?? out.kind ?? 'failed'}`);
    retry();
  };
  const remove = async (c: ProviderConnection) => {
    if (await run(async () => (await api.removeProvider(c.id), true))) retry();
  };
  const scheduleAction = async (fn: () => Promise<unknown>, message?: string) => {
    if ((await run(async () => (await fn(), true))) && message) setNotice(message);
    schedules.retry();
    history.retry();
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
                  <th scope="col">Last sync</th>
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
                    <td>{lastSync(history.data?.runs, c.provider)}</td>
                    {canManage ? (
                      <td className="actions">
                        <button type="button" className="button" disabled={action.pending} onClick={() => void test(c)}>Test</button>
                        <button type="button" className="button" data-testid="sync-this-event" onClick={() => setTarget(c)}>Sync an event…</button>
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

      {canManage && target ? (
        <SyncEventPanel
          key={target.id}
          connection={target}
          label={labelOf(data?.providers, target.provider)}
          pending={action.pending}
          onClose={() => setTarget(null)}
          onExpired={onExpired}
          onSyncNow={(eventId, opts) =>
            void (async () => {
              const job = await run(() => api.syncProvider(target.id, eventId, opts));
              if (job) setNotice(job.created ? `Sync of event ${eventId} queued (job ${job.job_id}).` : `A sync of event ${eventId} is already queued or running (job ${job.job_id}).`);
              history.retry();
            })()
          }
          onSchedule={(body) => void scheduleAction(() => api.addSyncSchedule(body), `Event ${body.event_id} is synced on a schedule; its first sync is due now.`)}
        />
      ) : null}

      <section className="panel" aria-labelledby="schedules-title">
        <h2 id="schedules-title">Synced events</h2>
        <p className="muted small">Every 4 hours until the day before the race, every 15 minutes within 24 hours, every minute within 4 hours, until an hour after the start.</p>
        <PollStates poll={schedules} loading="Loading schedules…" />
        {schedules.data && schedules.data.schedules.length === 0 ? <Empty title="No event on a schedule">Choose “Sync an event…” on a connection.</Empty> : null}
        {schedules.data && schedules.data.schedules.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="sync-schedules">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Event</th>
                  <th scope="col">Starts</th>
                  <th scope="col">Next sync</th>
                  <th scope="col">Feeds</th>
                  {canManage ? <th scope="col" aria-label="Actions" /> : null}
                </tr>
              </thead>
              <tbody>
                {schedules.data.schedules.map((s: SyncSchedule) => (
                  <tr key={s.id} data-schedule={s.external_event_id}>
                    <td className="strong">{labelOf(data?.providers, s.provider)}</td>
                    <td className="mono">{s.external_event_id}</td>
                    <td>{s.starts_at ? formatDateTime(s.starts_at) : '—'}</td>
                    <td>{!s.enabled ? <span className="badge">Paused</span> : s.next_run_at ? formatDateTime(s.next_run_at) : 'Done'}</td>
                    <td className="small">
                      {s.warehouse_event_id ? `results event ${s.warehouse_event_id}` : 'its own results event'}
                      {s.roster_event_id ? ` · roster ${s.roster_event_id}` : ''}
                    </td>
                    {canManage ? (
                      <td className="actions">
                        <button type="button" className="button" disabled={action.pending} onClick={() => void scheduleAction(() => api.syncScheduleNow(s.id), `Sync of event ${s.external_event_id} queued.`)}>Sync now</button>
                        <button type="button" className="button" disabled={action.pending} onClick={() => void scheduleAction(() => api.setSyncScheduleEnabled(s.id, !s.enabled))}>{s.enabled ? 'Pause' : 'Resume'}</button>
                        <ConfirmButton label="Stop syncing" confirmLabel="Stop now" disabled={action.pending} onConfirm={() => void scheduleAction(() => api.removeSyncSchedule(s.id))} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">Sync history</h2>
        <PollStates poll={history} loading="Loading history…" />
        {history.data && history.data.runs.length === 0 ? <Empty title="No sync has run yet" /> : null}
        {history.data && history.data.runs.length > 0 ? (
          <ul className="sync-runs" data-testid="sync-history">
            {history.data.runs.map((r) => (
              <SyncRunItem key={r.id} run={r} label={labelOf(data?.providers, r.provider)} />
            ))}
          </ul>
        ) : null}
      </section>
    </main>
  );
}

const STATUS_BADGE: Record<SyncRun['status'], string> = { running: 'badge', done: 'badge badge-active', failed: 'badge badge-bad', cancelled: 'badge' };

function SyncRunItem({ run: r, label }: { run: SyncRun; label: string }) {
  const counts = [
    [r.count_new, 'new'], [r.count_updated, 'updated'], [r.count_unchanged, 'unchanged'], [r.count_failed, 'failed'], [r.count_removed, 'marked removed'], [r.count_kept, 'hand edits kept'],
  ] as const;
  return (
    <li className="sync-run" data-status={r.status} data-run={r.id}>
      <div className="sync-run-head">
        <span className={STATUS_BADGE[r.status]}>{r.status}</span>
        <span className="strong">{label}</span>
        <span className="mono">{r.external_event_id}</span>
        <span className="muted small">
          {r.direction}{r.mode ? ` · ${r.mode}` : ''} · {r.trigger} · {formatDateTime(r.started_at)}{r.duration_ms !== null ? ` · ${(r.duration_ms / 1000).toFixed(1)} s` : ''}
        </span>
      </div>
      {r.status === 'running' ? (
        <div className="roster-progress" data-testid="sync-progress">
          <div className="roster-progress-label">
            <span>{r.progress_done !== null ? `${r.progress_done} of ${r.progress_total ?? '?'} pages` : 'Starting…'}</span>
          </div>
          {r.progress_done !== null && r.progress_total ? <progress max={Math.max(r.progress_total, 1)} value={Math.min(r.progress_done, r.progress_total)} aria-label="Sync progress" /> : <progress aria-label="Sync progress" />}
        </div>
      ) : (
        <p className="small sync-run-counts">{counts.filter(([n], i) => n > 0 || i < 2).map(([n, what]) => `${n} ${what}`).join(' · ')}</p>
      )}
      {r.errors.length > 0 ? (
        <ul className="sync-run-errors" data-testid="sync-errors">
          {r.errors.map((e, i) => <li key={i} className="form-error">{e.message}</li>)}
          {r.error_count > r.errors.length ? <li className="muted">… and {r.error_count - r.errors.length} more</li> : null}
        </ul>
      ) : null}
      {r.notices.length > 0 ? (
        <details className="small">
          <summary>{r.notices.length} note{r.notices.length === 1 ? '' : 's'}</summary>
          <ul>{r.notices.map((n, i) => <li key={i}>{n.message}</li>)}</ul>
        </details>
      ) : null}
    </li>
  );
}

/** "Sync this event": one of the provider's events (listed, or typed), the warehouse event and roster it fills; now, or on a schedule. */
function SyncEventPanel({
  connection,
  label,
  pending,
  onClose,
  onExpired,
  onSyncNow,
  onSchedule,
}: {
  connection: ProviderConnection;
  label: string;
  pending: boolean;
  onClose: () => void;
  onExpired: () => void;
  onSyncNow: (eventId: string, opts: { warehouseEventId?: number; rosterEventId?: number; full?: boolean }) => void;
  onSchedule: (body: { provider: ProviderDefinition['name']; event_id: string; starts_at: string | null; warehouse_event_id: number | null; roster_event_id: number | null }) => void;
}) {
  const events = usePoll(useCallback((signal: AbortSignal) => api.providerEvents(connection.id, signal), [connection.id]), 60_000, onExpired);
  const warehouse = usePoll(
    useCallback((signal: AbortSignal) => resultsApi.page<{ event_id: number; event_name: string; event_date: string | null }>('ct_events', new URLSearchParams({ select: 'event_id,event_name,event_date', order: 'event_date.desc.nullslast,event_id.desc', limit: '200' }), { signal }), []),
    60_000,
    onExpired,
  );
  const rosters = usePoll(useCallback((signal: AbortSignal) => rosterApi.events(signal), []), 60_000, onExpired);
  const [eventId, setEventId] = useState('');
  const [warehouseEventId, setWarehouseEventId] = useState('');
  const [rosterEventId, setRosterEventId] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [full, setFull] = useState(false);
  const chosen: ProviderEventItem | undefined = events.data?.events.find((e) => e.external_id === eventId);
  const opts = { ...(warehouseEventId ? { warehouseEventId: Number(warehouseEventId) } : {}), ...(rosterEventId ? { rosterEventId: Number(rosterEventId) } : {}), ...(full ? { full } : {}) };
  return (
    <section className="panel" aria-labelledby="sync-event-title" data-testid="sync-event-panel">
      <h2 id="sync-event-title">Sync a {label} event</h2>
      <div className="form">
        <label>
          Event
          <select value={chosen ? eventId : ''} onChange={(e) => setEventId(e.target.value)} data-testid="sync-event-select">
            <option value="">{events.data ? (events.data.events.length ? 'Choose…' : 'No events listed') : events.error ? 'Could not list events' : 'Loading…'}</option>
            {events.data?.events.map((e) => (
              <option key={e.external_id} value={e.external_id}>{e.name}{e.start_date ? ` (${e.start_date})` : ''} · {e.external_id}</option>
            ))}
          </select>
        </label>
        {events.error ? <p className="form-error small">{events.error.message}</p> : null}
        <label>
          Or its id
          <input value={eventId} onChange={(e) => setEventId(e.target.value.trim())} placeholder="Provider event id" data-testid="sync-event-id" />
        </label>
        <label>
          Results go into
          <select value={warehouseEventId} onChange={(e) => setWarehouseEventId(e.target.value)} data-testid="sync-warehouse-event">
            <option value="">Its own results event</option>
            {warehouse.data?.rows.map((w) => (
              <option key={w.event_id} value={String(w.event_id)}>{w.event_name}{w.event_date ? ` (${w.event_date})` : ''}</option>
            ))}
          </select>
        </label>
        <label>
          Participants also feed the roster
          <select value={rosterEventId} onChange={(e) => setRosterEventId(e.target.value)} data-testid="sync-roster">
            <option value="">No roster</option>
            {rosters.data?.events.map((r) => (
              <option key={r.id} value={String(r.id)}>{r.name} ({r.participant_count})</option>
            ))}
          </select>
        </label>
        <label>
          Race starts (for the schedule)
          <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} data-testid="sync-starts-at" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> Full pull (also marks participants the provider dropped)
        </label>
        <div className="actions">
          <button type="button" className="button button-primary" disabled={pending || !eventId} onClick={() => onSyncNow(eventId, opts)} data-testid="sync-now">Sync now</button>
          <button
            type="button"
            className="button"
            disabled={pending || !eventId}
            data-testid="sync-schedule"
            onClick={() =>
              onSchedule({
                provider: connection.provider as ProviderDefinition['name'],
                event_id: eventId,
                starts_at: startsAt ? new Date(startsAt).toISOString() : null,
                warehouse_event_id: warehouseEventId ? Number(warehouseEventId) : null,
                roster_event_id: rosterEventId ? Number(rosterEventId) : null,
              })
            }
          >
            Sync on a schedule
          </button>
          <button type="button" className="button" onClick={onClose}>Close</button>
        </div>
      </div>
    </section>
  );
}

function lastSync(runs: SyncRun[] | undefined, provider: string): string {
  const r = runs?.find((x) => x.provider === provider);
  if (!r) return 'Never';
  return `${r.status === 'done' ? 'OK' : r.status} ${formatAgo(r.started_at, Date.now())}`;
}

function labelOf(defs: ProviderDefinition[] | undefined, name: string): string {
  return defs?.find((d) => d.name === name)?.label ?? name;
}

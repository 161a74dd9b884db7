/**
 * The ChronoTrack Live roster login: user id, password and event id start a background import
 * on the server; the panel polls it and shows a real progress bar (rows received out of the
 * row count ChronoTrack reports), then the counts or the reason it failed.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, rosterApi, type RosterImportJob } from '../api';
import { rosterPath } from '../router';
import { useAction } from '../useAction';
import { Link } from './Link';
import { RosterRowErrors } from './RosterRowErrors';
import { Field, FormError } from './Form';

/** Often enough for a smooth bar; one request at a time. */
const POLL_MS = 400;

export function RosterCtliveImport({
  onExpired,
  onRefused,
  onFinished,
}: {
  onExpired: () => void;
  onRefused?: (message: string) => void;
  /** An import ended (done or failed): the events list may have changed. */
  onFinished: () => void;
}) {
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [eventId, setEventId] = useState('');
  const [clientId, setClientId] = useState('');
  const [importId, setImportId] = useState<string | null>(null);
  const [job, setJob] = useState<RosterImportJob | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const start = useAction(onExpired, onRefused);
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;

  // Polls the running import until it ends.
  useEffect(() => {
    if (!importId) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const tick = async () => {
      try {
        const next = await rosterApi.importJob(importId, controller.signal);
        setJob(next);
        setPollError(null);
        failures = 0;
        if (next.status !== 'running') {
          finishedRef.current();
          return;
        }
      } catch (caught) {
        if (controller.signal.aborted) return;
        if (caught instanceof ApiError && caught.status === 401) return expiredRef.current();
        if (caught instanceof ApiError && caught.status === 404) {
          setPollError('The import is no longer known to the server. Check the roster list, or start it again.');
          return;
        }
        failures++;
        setPollError(caught instanceof ApiError ? `${caught.message} Retrying…` : 'Cannot reach the server. Retrying…');
      }
      timer = setTimeout(() => void tick(), Math.min(POLL_MS * 2 ** failures, 5_000));
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [importId]);

  const running = importId !== null && (job === null || job.status === 'running') && pollError === null;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setJob(null);
    setPollError(null);
    setImportId(null);
    const started = await start.run(() =>
      rosterApi.startCtlive({
        user_id: userId.trim(),
        password,
        event_id: eventId.trim(),
        ...(clientId.trim() ? { client_id: clientId.trim() } : {}),
      }),
    );
    if (started) {
      setPassword('');
      setImportId(started.import_id);
    }
  };

  return (
    <section className="panel" aria-labelledby="ctlive-title" data-testid="ctlive-import">
      <h2 id="ctlive-title">Import from ChronoTrack Live</h2>
      <p className="muted small">
        Sign in with your ChronoTrack Live account and pick the event: every entry is loaded as a roster. Importing the
        same event again updates it in place (hand-typed messages are kept). The password is used for this import only
        and never stored.
      </p>
      <form className="inline-form" onSubmit={onSubmit} aria-label="ChronoTrack Live import">
        <Field label="ChronoTrack user id" grow>
          <input name="ct_user" autoComplete="off" required maxLength={200} value={userId} onChange={(e) => setUserId(e.target.value)} />
        </Field>
        <Field label="ChronoTrack password" grow>
          <input
            name="ct_password"
            type="password"
            autoComplete="off"
            required
            maxLength={200}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label="Event id">
          <input
            name="ct_event"
            inputMode="numeric"
            pattern="[0-9]{1,12}"
            title="The ChronoTrack event number (digits only)"
            required
            value={eventId}
            onChange={(e) => setEventId(e.target.value)}
          />
        </Field>
        <button type="submit" className="button button-primary" disabled={start.pending || running}>
          {start.pending ? 'Starting…' : running ? 'Importing…' : 'Import roster'}
        </button>
      </form>
      <details className="roster-advanced">
        <summary className="muted small">API client id</summary>
        <Field label="ChronoTrack API client id">
          <input name="ct_client" autoComplete="off" maxLength={200} value={clientId} onChange={(e) => setClientId(e.target.value)} />
        </Field>
        <p className="muted small">Leave empty to use the one this platform is set up with.</p>
      </details>

      <FormError message={start.error} />
      {importId ? <ImportProgress job={job} pollError={pollError} /> : null}
    </section>
  );
}

function ImportProgress({ job, pollError }: { job: RosterImportJob | null; pollError: string | null }) {
  const received = job?.received ?? 0;
  const total = job?.total ?? null;
  const status = job?.status ?? 'running';
  let label: string;
  if (status === 'done') label = `Received ${received.toLocaleString()} of ${(total ?? received).toLocaleString()} entries`;
  else if (status === 'failed') label = `Stopped after ${received.toLocaleString()}${total !== null ? ` of ${total.toLocaleString()}` : ''} entries`;
  else if (total === null) label = received === 0 ? 'Connecting to ChronoTrack Live…' : `Received ${received.toLocaleString()} entries…`;
  else if (received >= total) label = `Received all ${total.toLocaleString()} entries; saving…`;
  else label = `Received ${received.toLocaleString()} of ${total.toLocaleString()} entries…`;

  return (
    <div className="roster-progress" data-testid="ctlive-progress" data-status={status}>
      <div className="roster-progress-label">
        <span role="status" aria-live="polite">
          {label}
        </span>
        {total ? <span className="muted">{Math.round((Math.min(received, total) / total) * 100)}%</span> : null}
      </div>
      {/* Indeterminate (no value) until ChronoTrack says how many rows there are. */}
      {total !== null ? (
        <progress max={Math.max(total, 1)} value={Math.min(received, total)} aria-label="Import progress" />
      ) : status === 'running' ? (
        <progress aria-label="Import progress" />
      ) : null}
      {pollError ? <p className="panel-warning">{pollError}</p> : null}
      {job?.status === 'failed' ? (
        <p className="form-error" role="alert" data-testid="ctlive-error">
          {job.error}
        </p>
      ) : null}
      {job?.status === 'done' && job.result ? (
        <div className="notice" data-testid="ctlive-result">
          <strong>
            {(job.result.inserted + job.result.updated + job.result.unchanged).toLocaleString()} participants in{' '}
            <Link to={rosterPath(job.result.event_id)}>{job.result.event_name}</Link>
          </strong>
          <span>
            {' '}
            — {job.result.inserted} new, {job.result.updated} updated, {job.result.unchanged} unchanged
            {job.result.removed > 0 ? `, ${job.result.removed} no longer listed and removed` : ''}.
          </span>
        </div>
      ) : null}
      {job?.status === 'done' && job.result && job.result.error_count > 0 ? (
        <RosterRowErrors errors={job.result.errors} count={job.result.error_count} rowLabel="Entry" />
      ) : null}
    </div>
  );
}

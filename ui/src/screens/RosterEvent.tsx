/**
 * One roster event: its participants (search by bib or name, page by page), a CSV upload
 * with column mapping and preview, and a hand edit per participant. Viewers read only.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, rosterApi, type AuthSession, type Participant, type RosterEvent as RosterEventRow } from '../api';
import { ConfirmButton, PageHeader } from '../components/Controls';
import { Link } from '../components/Link';
import { RosterCsvImport } from '../components/RosterCsvImport';
import { RosterParticipantEditor } from '../components/RosterParticipantEditor';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { formatDateTime } from '../format';
import { allowed } from '../permissions';
import { navigate, paths } from '../router';
import { useAction } from '../useAction';
import { SOURCE_LABELS } from './Rosters';
import { FormError } from '../components/Form';

const PAGE = 100;
const SEARCH_DELAY_MS = 250;

type Load<T> = { status: 'loading' } | { status: 'error'; message: string; notFound: boolean } | { status: 'ready'; data: T };

function errorOf(caught: unknown): { message: string; notFound: boolean } {
  if (caught instanceof ApiError) return { message: caught.message, notFound: caught.status === 404 };
  return { message: 'Something went wrong. Please try again.', notFound: false };
}

const fullName = (p: Participant) => [p.first_name, p.last_name].filter(Boolean).join(' ');

export function RosterEvent({
  eventId,
  session,
  onExpired,
  onRefused,
}: {
  eventId: number;
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const canManage = allowed(session, 'displays:manage');
  const [event, setEvent] = useState<Load<RosterEventRow>>({ status: 'loading' });
  const [list, setList] = useState<Load<{ participants: Participant[]; total: number }>>({ status: 'loading' });
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [generation, setGeneration] = useState(0);
  const [more, setMore] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const [savedId, setSavedId] = useState<number | null>(null);
  const remove = useAction(onExpired, onRefused);
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  // The search box waits for a pause in typing.
  useEffect(() => {
    const timer = setTimeout(() => setSearch(query.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query]);

  useEffect(() => {
    const controller = new AbortController();
    rosterApi
      .event(eventId, controller.signal)
      .then((data) => setEvent({ status: 'ready', data }))
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        if (caught instanceof ApiError && caught.status === 401) return expiredRef.current();
        setEvent({ status: 'error', ...errorOf(caught) });
      });
    return () => controller.abort();
  }, [eventId, generation]);

  useEffect(() => {
    const controller = new AbortController();
    setList((l) => (l.status === 'ready' ? l : { status: 'loading' }));
    rosterApi
      .participants(eventId, { q: search, limit: PAGE }, controller.signal)
      .then((data) => setList({ status: 'ready', data }))
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        if (caught instanceof ApiError && caught.status === 401) return expiredRef.current();
        setList({ status: 'error', ...errorOf(caught) });
      });
    return () => controller.abort();
  }, [eventId, search, generation]);

  const loadMore = async () => {
    if (list.status !== 'ready') return;
    setMore(true);
    try {
      const next = await rosterApi.participants(eventId, { q: search, limit: PAGE, offset: list.data.participants.length });
      setList({ status: 'ready', data: { participants: [...list.data.participants, ...next.participants], total: next.total } });
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) return onExpired();
      setList({ status: 'error', ...errorOf(caught) });
    } finally {
      setMore(false);
    }
  };

  const onSaved = (p: Participant) => {
    setEditing(null);
    setSavedId(p.id);
    setList((l) =>
      l.status === 'ready' ? { status: 'ready', data: { ...l.data, participants: l.data.participants.map((x) => (x.id === p.id ? p : x)) } } : l,
    );
  };

  const deleteEvent = async () => {
    const done = await remove.run(async () => {
      await rosterApi.deleteEvent(eventId);
      return true;
    });
    if (done) navigate(paths.rosters);
  };

  if (event.status === 'loading') {
    return (
      <main className="page">
        <Loading label="Loading the roster…" />
      </main>
    );
  }
  if (event.status === 'error') {
    return (
      <main className="page">
        <p className="muted small">
          <Link to={paths.rosters}>← Rosters</Link>
        </p>
        {event.notFound ? (
          <Empty title="This roster event does not exist">It may have been deleted. Pick one from the list of rosters.</Empty>
        ) : (
          <ErrorMessage message={event.message} onRetry={reload} />
        )}
      </main>
    );
  }

  const e = event.data;
  const colCount = canManage ? 10 : 9;
  return (
    <main className="page">
      <p className="muted small">
        <Link to={paths.rosters}>← Rosters</Link>
      </p>
      <PageHeader title={e.name}>
        {SOURCE_LABELS[e.source]}
        {e.external_id ? ` event ${e.external_id}` : ''} · <span data-testid="event-count">{e.participant_count.toLocaleString()}</span>{' '}
        participants · last change {formatDateTime(e.updated_at)}
      </PageHeader>

      {canManage ? <RosterCsvImport eventId={eventId} onExpired={onExpired} onRefused={onRefused} onImported={reload} /> : null}

      <section className="panel" aria-labelledby="participants-title">
        <div className="panel-header">
          <h2 id="participants-title">Participants</h2>
          {list.status === 'ready' ? (
            <span className="muted" data-testid="participants-total">
              {search ? `${list.data.total.toLocaleString()} matching` : `${list.data.total.toLocaleString()} in all`}
            </span>
          ) : null}
        </div>
        <label className="field roster-search">
          <span>Search by bib or name</span>
          <input type="search" value={query} onChange={(ev) => setQuery(ev.target.value)} placeholder="e.g. 1024 or Lovelace" maxLength={200} />
        </label>
        {list.status === 'loading' ? <Loading label="Loading participants…" /> : null}
        {list.status === 'error' ? <ErrorMessage message={list.message} onRetry={reload} /> : null}
        {list.status === 'ready' && list.data.total === 0 ? (
          search ? (
            <Empty title={`Nobody matches “${search}”`}>Search looks in bibs and first and last names.</Empty>
          ) : (
            <Empty title="No participants yet">
              {canManage ? 'Upload a CSV file above, or import the event from ChronoTrack Live on the Rosters page.' : 'Nobody has added any yet.'}
            </Empty>
          )
        ) : null}
        {list.status === 'ready' && list.data.participants.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="participants">
              <thead>
                <tr>
                  <th scope="col">Bib</th>
                  <th scope="col">Name</th>
                  <th scope="col">City</th>
                  <th scope="col">State</th>
                  <th scope="col" className="hide-narrow">
                    Tags
                  </th>
                  <th scope="col">Gender / age</th>
                  <th scope="col" className="hide-narrow">
                    Division
                  </th>
                  <th scope="col" className="hide-narrow">
                    Race
                  </th>
                  <th scope="col">Message</th>
                  {canManage ? <th scope="col" aria-label="Actions" /> : null}
                </tr>
              </thead>
              <tbody>
                {list.data.participants.map((p) =>
                  editing === p.id ? (
                    <tr key={p.id} data-bib={p.bib}>
                      <td colSpan={colCount}>
                        <RosterParticipantEditor
                          participant={p}
                          onSaved={onSaved}
                          onCancel={() => setEditing(null)}
                          onExpired={onExpired}
                          onRefused={onRefused}
                        />
                      </td>
                    </tr>
                  ) : (
                    <tr key={p.id} data-bib={p.bib} className={savedId === p.id ? 'row-saved' : undefined}>
                      <td className="mono strong">{p.bib}</td>
                      <td>{fullName(p) || <span className="muted">—</span>}</td>
                      <td data-testid="city">{p.city ?? ''}</td>
                      <td data-testid="state">{p.state ?? ''}</td>
                      <td className="mono hide-narrow">{p.tags.join(', ')}</td>
                      <td>
                        {p.gender === 'U' ? '' : p.gender}
                        {p.age !== null ? ` ${p.age}` : ''}
                      </td>
                      <td className="hide-narrow">{p.division ?? ''}</td>
                      <td className="hide-narrow">{p.race ?? ''}</td>
                      <td data-testid="message">{p.custom_message ?? ''}</td>
                      {canManage ? (
                        <td className="actions">
                          <button type="button" className="button button-small" onClick={() => setEditing(p.id)} aria-label={`Edit bib ${p.bib}`}>
                            Edit
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
        ) : null}
        {list.status === 'ready' && list.data.participants.length < list.data.total ? (
          <button type="button" className="button show-all" onClick={() => void loadMore()} disabled={more}>
            {more ? 'Loading…' : `Show more (${list.data.participants.length.toLocaleString()} of ${list.data.total.toLocaleString()})`}
          </button>
        ) : null}
        {!canManage ? <p className="muted small">You can look at this roster; staff, admins and owners can change it.</p> : null}
      </section>

      {canManage ? (
        <section className="panel" aria-labelledby="danger-title">
          <h2 id="danger-title">Delete this event</h2>
          <p className="muted small">Removes the event and all its participants. Displays bound to it show no names until bound to another.</p>
          <ConfirmButton label="Delete event" confirmLabel="Delete it and its participants" disabled={remove.pending} onConfirm={() => void deleteEvent()} />
          <FormError message={remove.error} />
        </section>
      ) : null}
    </main>
  );
}

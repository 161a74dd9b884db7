/**
 * Rosters: the partner's roster events with their participant counts; staff and up create an
 * event (then upload a CSV on its page) or import one from ChronoTrack Live with a progress bar.
 */
import { useCallback, useState, type FormEvent } from 'react';
import { rosterApi, type AuthSession, type RosterEvent } from '../api';
import { PageHeader } from '../components/Controls';
import { Link } from '../components/Link';
import { RosterCtliveImport } from '../components/RosterCtliveImport';
import { Empty, PollStates } from '../components/States';
import { countOf, formatDateTime } from '../format';
import { allowed } from '../permissions';
import { navigate, rosterPath } from '../router';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { FormError, NameForm } from '../components/Form';

const EVERY_MS = 15_000;

export const SOURCE_LABELS: Record<RosterEvent['source'], string> = {
  csv: 'CSV',
  ctlive: 'ChronoTrack Live',
  manual: 'By hand',
};

export function Rosters({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const poll = usePoll(useCallback((signal: AbortSignal) => rosterApi.events(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const canManage = allowed(session, 'displays:manage');
  const [name, setName] = useState('');
  const create = useAction(onExpired, onRefused);

  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const created = await create.run(() => rosterApi.createEvent(name.trim()));
    if (!created) return;
    setName('');
    navigate(rosterPath(created.id));
  };

  return (
    <main className="page">
      <PageHeader title="Rosters">
        The participants your displays show for each read: a read's chip code is matched to a participant's tag, else
        to the bib.
      </PageHeader>

      {canManage ? (
        <>
          <section className="panel" aria-labelledby="new-roster-title">
            <h2 id="new-roster-title">New roster event</h2>
            <NameForm
              title="New roster event"
              label="Event name"
              maxLength={200}
              placeholder="e.g. City 10K 2026"
              submitLabel="Create event"
              value={name}
              pending={create.pending}
              onChange={setName}
              onSubmit={onCreate}
            />
            <p className="muted small">Then upload its CSV file or add participants by hand on the event’s page.</p>
            <FormError message={create.error} />
          </section>
          <RosterCtliveImport onExpired={onExpired} onRefused={onRefused} onFinished={retry} />
        </>
      ) : null}

      <section className="panel" aria-labelledby="rosters-title">
        <div className="panel-header">
          <h2 id="rosters-title">Events</h2>
          {data ? <span className="muted">{countOf(data.events.length, 'event')}</span> : null}
        </div>
        <PollStates poll={poll} loading="Loading rosters…" />
        {data && data.events.length === 0 ? (
          <Empty title="No roster events yet">
            {canManage ? 'Create one above, or import one from ChronoTrack Live.' : 'Staff, admins and owners of your company can add one.'}
          </Empty>
        ) : null}
        {data && data.events.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="roster-events">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Source</th>
                  <th scope="col" className="num">
                    Participants
                  </th>
                  <th scope="col" className="hide-narrow">
                    Last change
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.events.map((e) => (
                  <tr key={e.id} data-event={e.id}>
                    <td className="strong">
                      <Link to={rosterPath(e.id)}>{e.name}</Link>
                    </td>
                    <td>
                      {SOURCE_LABELS[e.source]}
                      {e.external_id ? <span className="muted small"> #{e.external_id}</span> : null}
                    </td>
                    <td className="num" data-testid="participant-count">
                      {e.participant_count.toLocaleString()}
                    </td>
                    <td className="hide-narrow">{formatDateTime(e.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data && !canManage ? <p className="muted small">You can look at rosters; staff, admins and owners can change them.</p> : null}
      </section>
    </main>
  );
}

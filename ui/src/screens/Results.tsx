/**
 * Results: the partner's results events → an event's races → a race's results (sortable,
 * paged, searchable by name or bib, CSV download) → a runner's page with splits. Everything is
 * read through the read API (/api/db, PostgREST grammar); staff and up import a results CSV
 * with per-row errors. Viewers read only.
 */
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { ApiError, resultsApi, type AuthSession, type DbPage, type ResultsImportSummary } from '../api';
import { PageHeader } from '../components/Controls';
import { FormError } from '../components/Form';
import { RosterRowErrors } from '../components/RosterRowErrors';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { allowed } from '../permissions';
import { useAction } from '../useAction';

interface EventRow {
  event_id: number;
  event_name: string;
  event_date: string | null;
  event_city: string | null;
  event_state: string | null;
}
interface RaceRow {
  race_id: number;
  race_name: string;
  race_course_distance: number | null;
  race_pref_distance_unit: string;
}
interface ResultRow {
  id: number;
  entry_id: number;
  results_rank: number | null;
  results_bib: string | null;
  results_first_name: string | null;
  results_last_name: string | null;
  results_sex: string;
  results_age: number | null;
  results_bracket_name: string | null;
  results_hometown: string | null;
  results_state_code: string | null;
  results_time: string | null;
  results_gun_time: string | null;
  results_pace: string | null;
  results_gender_rank: number | null;
  results_bracket_rank: number | null;
  results_status: string;
}
interface SplitRow {
  split_seq: number;
  split_label: string;
  split_time: string | null;
}
interface RunnerResult extends ResultRow {
  ct_races: { race_name: string; ct_events: { event_name: string; event_date: string | null } | null } | null;
  ct_splits: SplitRow[];
}

const PAGE = 50;
const RESULT_COLUMNS = 'id,entry_id,results_rank,results_bib,results_first_name,results_last_name,results_sex,results_age,results_bracket_name,results_hometown,results_state_code,results_time,results_gun_time,results_pace,results_gender_rank,results_bracket_rank,results_status';

/** A read-API query that reruns when its key changes; 401 ends the session. */
function useDb<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>, onExpired: () => void): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setError(null);
    loadRef.current(controller.signal).then(
      (d) => setData(d),
      (e: unknown) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        if (e instanceof ApiError && e.status === 401) expiredRef.current();
        else setError(e instanceof ApiError ? e.message : 'Could not load the results.');
      },
    );
    return () => controller.abort();
  }, [key, generation]);
  return { data, error, reload: () => setGeneration((g) => g + 1) };
}

/** An interval as a race clock: `03:05:12` → 3:05:12 (hours past 24 stay hours). */
const place = (s: string | null) => (s === null ? '' : s.replace(/^0(\d:)/, '$1'));
/** A pace interval as m:ss: `00:04:23.537` → 4:23. */
const pace = (s: string | null) => (s === null ? '' : place(s).replace(/\.\d+$/, '').replace(/^0:0?/, ''));

function distanceOf(r: RaceRow): string {
  return r.race_course_distance === null ? '' : `${r.race_course_distance} ${r.race_pref_distance_unit}`;
}

export function Results({ session, onExpired, onRefused }: { session: AuthSession; onExpired: () => void; onRefused?: (message: string) => void }) {
  const canImport = allowed(session, 'results:manage');
  const [eventId, setEventId] = useState<number | null>(null);
  const [raceId, setRaceId] = useState<number | null>(null);
  const [entryId, setEntryId] = useState<number | null>(null);
  const [eventsVersion, setEventsVersion] = useState(0);

  const events = useDb<DbPage<EventRow>>(
    `events:${eventsVersion}`,
    (signal) => resultsApi.page<EventRow>('ct_events', new URLSearchParams({ select: 'event_id,event_name,event_date,event_city,event_state', order: 'event_date.desc.nullslast,event_id.desc', limit: '200' }), { signal, count: true }),
    onExpired,
  );

  return (
    <main className="page">
      <PageHeader title="Results">
        Every result your company has timed or imported. The same data answers the read API at <code>/api/db</code> (PostgREST
        grammar) for scripts and tools with a <code>results:read</code> token.
      </PageHeader>

      {canImport ? <ResultsImport onExpired={onExpired} onRefused={onRefused} onImported={() => setEventsVersion((v) => v + 1)} /> : null}

      {entryId !== null ? (
        <RunnerPage entryId={entryId} onBack={() => setEntryId(null)} onExpired={onExpired} />
      ) : raceId !== null ? (
        <RaceResults raceId={raceId} onBack={() => setRaceId(null)} onRunner={setEntryId} onExpired={onExpired} />
      ) : eventId !== null ? (
        <EventRaces eventId={eventId} onBack={() => setEventId(null)} onRace={setRaceId} onExpired={onExpired} />
      ) : (
        <section className="panel" aria-labelledby="results-events-title">
          <div className="panel-header">
            <h2 id="results-events-title">Events</h2>
            {events.data?.total != null ? <span className="muted small">{events.data.total.toLocaleString()} in all</span> : null}
          </div>
          {events.error ? <ErrorMessage message={events.error} onRetry={events.reload} /> : null}
          {!events.data ? (
            <Loading label="Loading events…" />
          ) : events.data.rows.length === 0 ? (
            <Empty title="No results yet">{canImport ? 'Import a results CSV above.' : 'Results appear here once someone imports them.'}</Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="results-events">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Date</th>
                    <th scope="col">Where</th>
                  </tr>
                </thead>
                <tbody>
                  {events.data.rows.map((e) => (
                    <tr key={e.event_id}>
                      <td>
                        <button type="button" className="link-button" onClick={() => setEventId(e.event_id)}>
                          {e.event_name}
                        </button>
                      </td>
                      <td>{e.event_date ?? ''}</td>
                      <td>{[e.event_city, e.event_state].filter(Boolean).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </main>
  );
}

function EventRaces({ eventId, onBack, onRace, onExpired }: { eventId: number; onBack: () => void; onRace: (id: number) => void; onExpired: () => void }) {
  const event = useDb(
    `event:${eventId}`,
    (signal) => resultsApi.page<EventRow & { ct_races: RaceRow[] }>('ct_events', new URLSearchParams({ event_id: `eq.${eventId}`, select: 'event_id,event_name,event_date,event_city,event_state,ct_races(race_id,race_name,race_course_distance,race_pref_distance_unit)', 'ct_races.order': 'race_distance_m.desc.nullslast' }), { signal }),
    onExpired,
  );
  const e = event.data?.rows[0];
  return (
    <section className="panel" aria-labelledby="results-races-title">
      <button type="button" className="link-button" onClick={onBack}>
        ← All events
      </button>
      <h2 id="results-races-title">{e ? e.event_name : 'Event'}</h2>
      {event.error ? <ErrorMessage message={event.error} onRetry={event.reload} /> : null}
      {!event.data ? (
        <Loading label="Loading races…" />
      ) : !e ? (
        <Empty title="Event not found" />
      ) : (
        <ul className="plain-list" data-testid="results-races">
          {e.ct_races.map((r) => (
            <li key={r.race_id}>
              <button type="button" className="link-button" onClick={() => onRace(r.race_id)}>
                {r.race_name}
              </button>{' '}
              <span className="muted small">{distanceOf(r)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type SortKey = 'results_rank' | 'results_bib' | 'results_last_name' | 'results_age' | 'results_time' | 'results_gun_time';
const SORTABLE: Array<[SortKey, string]> = [
  ['results_rank', 'Place'],
  ['results_bib', 'Bib'],
  ['results_last_name', 'Name'],
  ['results_age', 'Age'],
  ['results_time', 'Chip time'],
  ['results_gun_time', 'Gun time'],
];

/** The read-API parameters of a race's results: filter, search, order, page. */
function raceQuery(raceId: number, search: string, sort: SortKey, desc: boolean): URLSearchParams {
  const params = new URLSearchParams({ race_id: `eq.${raceId}`, select: RESULT_COLUMNS, order: `${sort}.${desc ? 'desc' : 'asc'}.nullslast,id` });
  const q = search.trim().replace(/[,()"*\\]/g, ' ').trim();
  if (q) params.set('or', `(results_bib.eq."${q}",results_last_name.ilike."*${q}*",results_first_name.ilike."*${q}*")`);
  return params;
}

function RaceResults({ raceId, onBack, onRunner, onExpired }: { raceId: number; onBack: () => void; onRunner: (entryId: number) => void; onExpired: () => void }) {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortKey>('results_rank');
  const [desc, setDesc] = useState(false);
  const [offset, setOffset] = useState(0);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const race = useDb(`race:${raceId}`, (signal) => resultsApi.page<RaceRow & { ct_events: { event_name: string } | null }>('ct_races', new URLSearchParams({ race_id: `eq.${raceId}`, select: 'race_id,race_name,race_course_distance,race_pref_distance_unit,ct_events(event_name)' }), { signal }), onExpired);
  const results = useDb(
    `results:${raceId}:${search}:${sort}:${desc}:${offset}`,
    (signal) => {
      const params = raceQuery(raceId, search, sort, desc);
      params.set('limit', String(PAGE));
      params.set('offset', String(offset));
      return resultsApi.page<ResultRow>('ct_results', params, { signal, count: true });
    },
    onExpired,
  );
  const r = race.data?.rows[0];
  const total = results.data?.total ?? null;

  const download = async () => {
    setDownloadError(null);
    try {
      const csv = await resultsApi.csv('ct_results', raceQuery(raceId, '', 'results_rank', false));
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${(r?.race_name ?? 'results').replace(/[^\w.-]+/g, '-')}.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setDownloadError(e instanceof ApiError ? e.message : 'The download failed.');
    }
  };

  const sortBy = (key: SortKey) => {
    if (key === sort) setDesc(!desc);
    else {
      setSort(key);
      setDesc(false);
    }
    setOffset(0);
  };

  return (
    <section className="panel" aria-labelledby="race-results-title">
      <button type="button" className="link-button" onClick={onBack}>
        ← Races
      </button>
      <div className="panel-header">
        <h2 id="race-results-title">
          {r ? `${r.ct_events?.event_name ?? ''} · ${r.race_name}` : 'Race'} <span className="muted small">{r ? distanceOf(r) : ''}</span>
        </h2>
        <button type="button" onClick={() => void download()}>
          Download CSV
        </button>
      </div>
      <FormError message={downloadError} />
      <label className="field">
        <span>Search by name or bib</span>
        <input type="search" value={search} maxLength={100} onChange={(e) => { setSearch(e.target.value); setOffset(0); }} data-testid="results-search" />
      </label>
      {results.error ? <ErrorMessage message={results.error} onRetry={results.reload} /> : null}
      {!results.data ? (
        <Loading label="Loading results…" />
      ) : results.data.rows.length === 0 ? (
        <Empty title="No results match" />
      ) : (
        <>
          <div className="table-scroll">
            <table className="table" data-testid="race-results">
              <thead>
                <tr>
                  {SORTABLE.map(([key, label]) => (
                    <th key={key} scope="col" aria-sort={sort === key ? (desc ? 'descending' : 'ascending') : 'none'}>
                      <button type="button" className="link-button" onClick={() => sortBy(key)}>
                        {label}
                        {sort === key ? (desc ? ' ▼' : ' ▲') : ''}
                      </button>
                    </th>
                  ))}
                  <th scope="col">Gender</th>
                  <th scope="col">Division</th>
                  <th scope="col">Pace /km</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {results.data.rows.map((x) => (
                  <tr key={x.id}>
                    <td>{x.results_rank ?? ''}</td>
                    <td className="mono">{x.results_bib}</td>
                    <td>
                      <button type="button" className="link-button" onClick={() => onRunner(x.entry_id)}>
                        {[x.results_first_name, x.results_last_name].filter(Boolean).join(' ') || '—'}
                      </button>
                    </td>
                    <td>{x.results_age ?? ''}</td>
                    <td className="mono">{place(x.results_time)}</td>
                    <td className="mono">{place(x.results_gun_time)}</td>
                    <td>{x.results_sex}</td>
                    <td>{x.results_bracket_name ?? ''}</td>
                    <td className="mono">{pace(x.results_pace)}</td>
                    <td>{x.results_status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </button>
            <span className="muted small" data-testid="results-range">
              {offset + 1}–{offset + results.data.rows.length}
              {total !== null ? ` of ${total.toLocaleString()}` : ''}
            </span>
            <button type="button" disabled={total !== null && offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function RunnerPage({ entryId, onBack, onExpired }: { entryId: number; onBack: () => void; onExpired: () => void }) {
  const runner = useDb(
    `runner:${entryId}`,
    (signal) => resultsApi.page<RunnerResult>('ct_results', new URLSearchParams({ entry_id: `eq.${entryId}`, select: `${RESULT_COLUMNS},ct_races(race_name,ct_events(event_name,event_date)),ct_splits(split_seq,split_label,split_time)`, 'ct_splits.order': 'split_seq' }), { signal }),
    onExpired,
  );
  const x = runner.data?.rows[0];
  return (
    <section className="panel" aria-labelledby="runner-title">
      <button type="button" className="link-button" onClick={onBack}>
        ← Results
      </button>
      {runner.error ? <ErrorMessage message={runner.error} onRetry={runner.reload} /> : null}
      {!runner.data ? (
        <Loading label="Loading the runner…" />
      ) : !x ? (
        <Empty title="No result for this runner" />
      ) : (
        <>
          <h2 id="runner-title">
            {[x.results_first_name, x.results_last_name].filter(Boolean).join(' ')} <span className="muted small">bib {x.results_bib}</span>
          </h2>
          <p>
            {x.ct_races?.ct_events?.event_name} · {x.ct_races?.race_name} · {x.results_status}
          </p>
          <dl className="facts" data-testid="runner-facts">
            <dt>Chip time</dt>
            <dd className="mono">{place(x.results_time) || '—'}</dd>
            <dt>Gun time</dt>
            <dd className="mono">{place(x.results_gun_time) || '—'}</dd>
            <dt>Pace /km</dt>
            <dd className="mono">{pace(x.results_pace) || '—'}</dd>
            <dt>Place</dt>
            <dd>{x.results_rank ?? '—'} overall · {x.results_gender_rank ?? '—'} {x.results_sex} · {x.results_bracket_rank ?? '—'} in {x.results_bracket_name ?? 'division'}</dd>
            <dt>Age, home</dt>
            <dd>{[x.results_age, x.results_hometown, x.results_state_code].filter((v) => v !== null && v !== '').join(', ')}</dd>
          </dl>
          <h3>Splits</h3>
          {x.ct_splits.length === 0 ? (
            <p className="muted">No splits.</p>
          ) : (
            <table className="table" data-testid="runner-splits">
              <thead>
                <tr>
                  <th scope="col">Split</th>
                  <th scope="col">Time</th>
                </tr>
              </thead>
              <tbody>
                {x.ct_splits.map((s) => (
                  <tr key={s.split_seq}>
                    <td>{s.split_label}</td>
                    <td className="mono">{place(s.split_time)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function ResultsImport({ onExpired, onRefused, onImported }: { onExpired: () => void; onRefused?: (message: string) => void; onImported: () => void }) {
  const action = useAction(onExpired, onRefused);
  const [summary, setSummary] = useState<ResultsImportSummary | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setSummary(null);
    const text = await file.text();
    const done = await action.run(() => resultsApi.importCsv(text));
    setInputKey((k) => k + 1);
    if (done) {
      setSummary(done);
      onImported();
    }
  };
  return (
    <section className="panel" aria-labelledby="results-import-title">
      <h2 id="results-import-title">Import results (CSV)</h2>
      <p className="muted small">
        Columns: event, event_date, race, distance, bib, first_name, last_name, gender, age, city, state, country, chip_time, gun_time,
        status, division, split:&lt;label&gt;… Re-importing a file updates it in place.
      </p>
      <input key={inputKey} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void onFile(e)} disabled={action.pending} data-testid="results-file" />
      {action.pending ? <Loading label="Importing…" /> : null}
      <FormError message={action.error} />
      {summary ? (
        <div data-testid="results-import-summary">
          <p>
            {summary.inserted.toLocaleString()} new and {summary.updated.toLocaleString()} updated results in {summary.races} race(s) of {summary.events} event(s).
          </p>
          <RosterRowErrors errors={summary.errors} />
        </div>
      ) : null}
    </section>
  );
}

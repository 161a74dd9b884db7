/**
 * Ask: a question in plain English over the partner's results and timing sessions
 * (POST /api/v1/nl-query). Shows the answer sentence and its confidence, the choices of a
 * clarify answer as buttons that ask again, the rows as a sortable table, a chart where the
 * rows make one, the SQL, parameters and rule trace (or the plan of a question explained
 * without running it), a CSV download of the rows, and the partner's last ten questions.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, askApi, type AskAnswer, type AskExamples, type AuthSession } from '../api';
import { chartOf, loadRecent, reaskWith, rememberQuestion, sortRows, type Row } from '../askView';
import { AskChart } from '../components/AskChart';
import { PageHeader } from '../components/Controls';
import { FormError } from '../components/Form';
import { ErrorMessage, Loading } from '../components/States';

const INTENT_LABELS: Record<string, string> = {
  count: 'Count',
  list: 'List',
  find: 'Find a runner',
  analyze: 'Analyze an event',
  compare: 'Compare',
  timing: 'Timing sessions',
};

const STATUS_LABELS: Record<AskAnswer['status'], string> = {
  answered: 'Answered',
  clarify: 'Which one?',
  not_found: 'Not found',
  not_understood: 'Not understood',
  refused: 'Refused',
};

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return v.toLocaleString(undefined, { maximumFractionDigits: 3 });
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return JSON.stringify(v);
}

const slug = (q: string) => q.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'answer';

export function Ask({ session, onExpired }: { session: AuthSession; onExpired: () => void }) {
  const partnerId = session.partner?.id ?? 0;
  const [examples, setExamples] = useState<AskExamples | null>(null);
  const [examplesError, setExamplesError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [asked, setAsked] = useState<{ question: string; answer: AskAnswer } | null>(null);
  const [explained, setExplained] = useState<{ question: string; answer: AskAnswer } | null>(null);
  const [pending, setPending] = useState<'ask' | 'explain' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<{ column: string; desc: boolean } | null>(null);
  const [showSql, setShowSql] = useState(false);
  const [recent, setRecent] = useState<string[]>(() => loadRecent(partnerId));
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;

  useEffect(() => {
    const controller = new AbortController();
    askApi.examples(controller.signal).then(setExamples, (e: unknown) => {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      if (e instanceof ApiError && e.status === 401) expiredRef.current();
      else setExamplesError(e instanceof ApiError ? e.message : 'Could not load the examples.');
    });
    return () => {
      controller.abort();
      inFlight.current?.abort();
    };
  }, []);

  const failed = (e: unknown) => {
    if (e instanceof DOMException && e.name === 'AbortError') return;
    if (e instanceof ApiError && e.status === 401) onExpired();
    else setError(e instanceof ApiError ? e.message : 'The question could not be answered.');
  };

  const ask = async (question: string) => {
    const q = question.trim();
    if (!q) return;
    setText(q);
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setPending('ask');
    setError(null);
    setDownloadError(null);
    setExplained(null);
    setRecent(rememberQuestion(partnerId, q));
    try {
      const answer = await askApi.query(q, controller.signal);
      setAsked({ question: q, answer });
      setSort(null);
    } catch (e) {
      failed(e);
    } finally {
      if (inFlight.current === controller) setPending(null);
    }
  };

  const explain = async () => {
    const q = text.trim();
    if (!q) return;
    setPending('explain');
    setError(null);
    try {
      setExplained({ question: q, answer: await askApi.explain(q) });
      setShowSql(true);
    } catch (e) {
      failed(e);
    } finally {
      setPending(null);
    }
  };

  const download = async () => {
    if (!asked) return;
    setDownloadError(null);
    try {
      const csv = await askApi.csv(asked.question);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${slug(asked.question)}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onExpired();
      else setDownloadError(e instanceof ApiError ? e.message : 'The download failed.');
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void ask(text);
  };

  const answer = asked?.answer ?? null;
  const rows = useMemo<Row[]>(() => {
    if (!answer) return [];
    return sort ? sortRows(answer.rows, sort.column, sort.desc) : answer.rows;
  }, [answer, sort]);
  const chart = useMemo(() => (answer && answer.status === 'answered' ? chartOf(answer.intent, answer.columns, answer.rows) : null), [answer]);
  const sortBy = (column: string) => setSort((s) => (s && s.column === column ? { column, desc: !s.desc } : { column, desc: false }));
  const sqlOf = explained ?? asked;

  return (
    <main className="page ask-page">
      <PageHeader title="Ask">
        Ask about your events, results, runners and timing sessions in plain English. Answers come from your own data only; the SQL each one
        ran is shown below. The same questions answer at <code>POST /api/v1/nl-query</code> for tools with a <code>results:read</code> token.
      </PageHeader>

      <section className="panel" aria-label="Your question">
        <form className="ask-form" onSubmit={onSubmit}>
          <label className="field ask-field">
            <span>Question</span>
            <input
              type="text"
              value={text}
              maxLength={500}
              placeholder="How many runners finished the marathon under 3 hours last year?"
              onChange={(e) => setText(e.target.value)}
              data-testid="ask-input"
              autoFocus
            />
          </label>
          <div className="ask-buttons">
            <button type="submit" className="button button-primary" disabled={pending !== null || !text.trim()}>
              {pending === 'ask' ? 'Asking…' : 'Ask'}
            </button>
            <button type="button" className="button" disabled={pending !== null || !text.trim()} onClick={() => void explain()} title="The plan, rule trace and SQL, without running it">
              {pending === 'explain' ? 'Explaining…' : 'Explain'}
            </button>
          </div>
        </form>

        {examplesError ? <p className="muted small">{examplesError}</p> : null}
        {examples ? (
          <div className="ask-examples" data-testid="ask-examples">
            {Object.entries(examples).map(([intent, questions]) => (
              <div key={intent} className="ask-example-group">
                <span className="ask-example-intent">{INTENT_LABELS[intent] ?? intent}</span>
                <div className="ask-chips">
                  {questions.map((q) => (
                    <button key={q} type="button" className="ask-chip" onClick={() => void ask(q)} disabled={pending !== null}>
                      {q}
                    </button>
                  ))}
                </div>
              </div>
            ))}
          </div>
        ) : null}
      </section>

      <div className="ask-layout">
        <div className="ask-main">
          {error ? <ErrorMessage message={error} onRetry={asked ? () => void ask(asked.question) : undefined} /> : null}
          {pending === 'ask' ? <Loading label="Asking…" /> : null}
          {answer && asked ? (
            <section className="panel" aria-labelledby="ask-answer-title" data-testid="ask-result" data-status={answer.status}>
              <div className="panel-header">
                <h2 id="ask-answer-title" className="ask-question">
                  {asked.question}
                </h2>
                <span className={`badge ask-status ask-status-${answer.status}`}>{STATUS_LABELS[answer.status]}</span>
              </div>
              <p className={answer.status === 'answered' ? 'ask-answer' : 'ask-answer ask-message'} data-testid="ask-answer">
                {answer.answer}
              </p>
              <p className="muted small" data-testid="ask-confidence">
                Confidence {Math.round(answer.confidence * 100)} %{answer.intent !== 'unknown' ? ` · ${INTENT_LABELS[answer.intent] ?? answer.intent}` : ''}
                {answer.status === 'answered' ? ` · ${answer.row_count.toLocaleString()} row${answer.row_count === 1 ? '' : 's'}${answer.truncated ? ' (more not shown)' : ''}` : ''}
              </p>

              {answer.status === 'clarify' && answer.candidates.length > 0 ? (
                <div className="ask-chips" data-testid="ask-candidates">
                  {answer.candidates.map((c) => (
                    <button key={c} type="button" className="ask-chip ask-chip-choice" onClick={() => void ask(reaskWith(asked.question, c))} disabled={pending !== null}>
                      {c}
                    </button>
                  ))}
                </div>
              ) : null}

              {chart ? <AskChart chart={chart} /> : null}

              {answer.status === 'answered' && answer.columns.length > 0 ? (
                <>
                  <div className="ask-table-bar">
                    <button type="button" className="button button-small" onClick={() => void download()} disabled={answer.rows.length === 0}>
                      Download CSV
                    </button>
                  </div>
                  <FormError message={downloadError} />
                  {answer.rows.length === 0 ? (
                    <p className="muted">No rows.</p>
                  ) : (
                    <div className="table-scroll">
                      <table className="table" data-testid="ask-rows">
                        <thead>
                          <tr>
                            {answer.columns.map((c) => (
                              <th key={c} scope="col" aria-sort={sort?.column === c ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                                <button type="button" className="link-button" onClick={() => sortBy(c)}>
                                  {c.replace(/_/g, ' ')}
                                  {sort?.column === c ? (sort.desc ? ' ▼' : ' ▲') : ''}
                                </button>
                              </th>
                            ))}
                          </tr>
                        </thead>
                        <tbody>
                          {rows.map((r, i) => (
                            <tr key={i}>
                              {answer.columns.map((c) => (
                                <td key={c} className={typeof r[c] === 'number' ? 'num' : undefined}>
                                  {cell(r[c])}
                                </td>
                              ))}
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </>
              ) : null}
            </section>
          ) : null}

          {asked || explained ? (
            <section className="panel" aria-labelledby="ask-sql-title">
              <div className="panel-header">
                <h2 id="ask-sql-title">SQL and rule trace</h2>
                <button type="button" className="button button-small" aria-expanded={showSql} onClick={() => setShowSql((s) => !s)} data-testid="ask-sql-toggle">
                  {showSql ? 'Hide SQL' : 'Show SQL / explain'}
                </button>
              </div>
              {showSql && sqlOf ? (
                <div data-testid="ask-sql">
                  {explained ? <p className="muted small">Explained, not run: “{explained.question}”</p> : null}
                  {sqlOf.answer.sql ? <pre className="ask-code">{sqlOf.answer.sql}</pre> : <p className="muted">No SQL: {sqlOf.answer.answer}</p>}
                  <h3>Parameters</h3>
                  <pre className="ask-code">{sqlOf.answer.params.map((p, i) => `$${i + 1} = ${JSON.stringify(p)}`).join('\n') || '(none)'}</pre>
                  <h3>Rule trace</h3>
                  <ol className="ask-trace">
                    {sqlOf.answer.trace.map((t, i) => (
                      <li key={i}>{t}</li>
                    ))}
                  </ol>
                  {sqlOf.answer.plan ? <p className="muted small">Definitions version {sqlOf.answer.plan.definitions}</p> : null}
                </div>
              ) : null}
            </section>
          ) : null}
        </div>

        <aside className="panel ask-recent" aria-labelledby="ask-recent-title">
          <h2 id="ask-recent-title">Recent questions</h2>
          {recent.length === 0 ? (
            <p className="muted small">Your last ten questions show here.</p>
          ) : (
            <ul className="plain-list" data-testid="ask-recent">
              {recent.map((q) => (
                <li key={q}>
                  <button type="button" className="link-button" onClick={() => void ask(q)} disabled={pending !== null}>
                    {q}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </aside>
      </div>
    </main>
  );
}

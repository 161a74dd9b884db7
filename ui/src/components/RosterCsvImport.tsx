/**
 * CSV upload into a roster event in three steps: pick the file (the server reads its headers
 * and suggests which column is which), confirm the column mapping against a preview of the
 * first rows as they will be imported, import (bad rows come back by line, the good ones are
 * stored; importing again updates in place).
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { rosterApi, type CsvImportResult, type CsvMapping, type CsvPreview } from '../api';
import { countOf } from '../format';
import { useAction } from '../useAction';
import { RosterRowErrors } from './RosterRowErrors';
import { Field, FormError } from './Form';

/** The server's limit (10 MB); checked here too so a huge file is not sent twice for nothing. */
const MAX_BYTES = 10 * 1024 * 1024;

type SingleField = Exclude<keyof CsvMapping, 'tags'>;

/** Mappable fields, in the order the mapping step lists them. */
export const CSV_FIELDS: { field: SingleField; label: string }[] = [
  { field: 'bib', label: 'Bib' },
  { field: 'first_name', label: 'First name' },
  { field: 'last_name', label: 'Last name' },
  { field: 'name', label: 'Full name' },
  { field: 'gender', label: 'Gender' },
  { field: 'age', label: 'Age' },
  { field: 'city', label: 'City' },
  { field: 'state', label: 'State / province' },
  { field: 'country', label: 'Country' },
  { field: 'division', label: 'Division' },
  { field: 'race', label: 'Race' },
  { field: 'wave', label: 'Wave' },
  { field: 'team', label: 'Team' },
  { field: 'custom_message', label: 'Message' },
  { field: 'external_id', label: 'Registration id' },
];

type Mapping = Partial<CsvMapping>;

interface Loaded {
  fileName: string;
  csv: string;
  preview: CsvPreview;
}

export function RosterCsvImport({
  eventId,
  onExpired,
  onRefused,
  onImported,
}: {
  eventId: number;
  onExpired: () => void;
  onRefused?: (message: string) => void;
  onImported: () => void;
}) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [result, setResult] = useState<CsvImportResult | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [inputKey, setInputKey] = useState(0);
  /** The check of the file with the current mapping: what the import would do, every bad row. */
  const [check, setCheck] = useState<{ for: string; result: CsvImportResult } | null>(null);
  const read = useAction(onExpired, onRefused);
  const save = useAction(onExpired, onRefused);

  const reset = () => {
    setLoaded(null);
    setMapping({});
    setInputKey((k) => k + 1);
  };

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setResult(null);
    setFileError(null);
    setLoaded(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError(`“${file.name}” is larger than 10 MB; split it into smaller files.`);
      return;
    }
    let csv: string;
    try {
      csv = await file.text();
    } catch {
      setFileError(`“${file.name}” could not be read.`);
      return;
    }
    const preview = await read.run(() => rosterApi.csvPreview(csv));
    if (!preview) return;
    setLoaded({ fileName: file.name, csv, preview });
    setMapping(preview.suggestedMapping);
  };

  const clean = Object.fromEntries(
    Object.entries(mapping).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' && v !== '')),
  ) as unknown as CsvMapping;
  const checkKey = loaded && mapping.bib ? JSON.stringify(clean) : null;
  // Every row is checked as the import would take it (nothing stored) once the mapping settles.
  useEffect(() => {
    if (!loaded || checkKey === null) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      rosterApi
        .checkCsv(eventId, loaded.csv, JSON.parse(checkKey) as CsvMapping, controller.signal)
        .then((result) => setCheck({ for: checkKey, result }))
        .catch(() => undefined); // the import itself reports what the check could not
    }, 300);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [eventId, loaded, checkKey]);
  const checked = check && check.for === checkKey ? check.result : null;

  const onImport = async () => {
    if (!loaded || !mapping.bib) return;
    // A result from before would stand beside this import's error as if it were this one's.
    setResult(null);
    const r = await save.run(() => rosterApi.importCsv(eventId, loaded.csv, clean));
    if (!r) return;
    setResult(r);
    reset();
    onImported();
  };

  const headers = loaded?.preview.headers ?? [];
  const tags = mapping.tags ?? [];
  const setField = (field: SingleField, header: string) =>
    setMapping((m) => {
      const next = { ...m };
      if (header === '') delete next[field];
      else next[field] = header;
      return next;
    });
  const toggleTag = (header: string) =>
    setMapping((m) => {
      const current = m.tags ?? [];
      return { ...m, tags: current.includes(header) ? current.filter((h) => h !== header) : [...current, header] };
    });
  const mapped = CSV_FIELDS.filter((f) => mapping[f.field]);

  return (
    <section className="panel" aria-labelledby="csv-title" data-testid="csv-import">
      <h2 id="csv-title">Import a CSV file</h2>
      <p className="muted small">
        One row per participant with a header row. You choose which column is which before anything is saved; rows
        already in this roster (same bib or registration id) are updated in place.
      </p>
      <Field label="CSV file">
        <input key={inputKey} type="file" accept=".csv,.txt,.tsv,text/csv,text/plain" onChange={(e) => void onFile(e)} disabled={read.pending || save.pending} />
      </Field>
      {read.pending ? <p className="muted small">Reading the file…</p> : null}
      {fileError || read.error ? (
        <p className="form-error" role="alert">
          {fileError ?? read.error}
        </p>
      ) : null}

      {loaded ? (
        <div className="roster-mapping" data-testid="csv-mapping">
          <h3 className="subhead">
            Columns of “{loaded.fileName}” — {loaded.preview.totalRows.toLocaleString()} rows
          </h3>
          <div className="roster-mapping-grid">
            {CSV_FIELDS.map(({ field, label }) => (
              <label className="field" key={field}>
                <span>
                  {label}
                  {field === 'bib' ? ' (required)' : ''}
                </span>
                <select value={mapping[field] ?? ''} onChange={(e) => setField(field, e.target.value)} aria-invalid={field === 'bib' && !mapping.bib}>
                  <option value="">— not imported —</option>
                  {headers.map((h) => (
                    <option key={h} value={h}>
                      {h}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          <fieldset className="roster-tags">
            <legend>Chip / tag columns</legend>
            {headers.map((h) => (
              <label key={h} className="roster-check">
                <input type="checkbox" checked={tags.includes(h)} onChange={() => toggleTag(h)} /> {h}
              </label>
            ))}
          </fieldset>

          <h3 className="subhead">Preview (first {loaded.preview.rows.length} rows as they will be imported)</h3>
          <div className="table-scroll">
            <table className="table" data-testid="csv-preview">
              <thead>
                <tr>
                  {mapped.map((f) => (
                    <th key={f.field} scope="col">
                      {f.label}
                    </th>
                  ))}
                  {tags.length > 0 ? <th scope="col">Tags</th> : null}
                </tr>
              </thead>
              <tbody>
                {loaded.preview.rows.map((row, i) => (
                  <tr key={i}>
                    {mapped.map((f) => (
                      <td key={f.field}>{row[headers.indexOf(mapping[f.field]!)] ?? ''}</td>
                    ))}
                    {tags.length > 0 ? <td className="mono">{tags.map((h) => row[headers.indexOf(h)] ?? '').filter(Boolean).join(', ')}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!mapping.bib ? <p className="form-error">Choose the column that holds the bib number.</p> : null}
          {checked ? (
            <div data-testid="csv-check">
              <p className="muted small" role="status">
                Checked every row: {countOf(checked.inserted, 'new participant')}, {checked.updated} updated, {checked.unchanged} unchanged
                {checked.errors.length === 0 ? ', no problems.' : '.'}
              </p>
              <RosterRowErrors errors={checked.errors} future />
            </div>
          ) : mapping.bib ? (
            <p className="muted small">Checking every row…</p>
          ) : null}
          <div className="inline-form">
            <button type="button" className="button button-primary" onClick={() => void onImport()} disabled={!mapping.bib || save.pending}>
              {save.pending ? 'Importing…' : `Import ${countOf(loaded.preview.totalRows, 'row')}`}
            </button>
            <button type="button" className="button" onClick={reset} disabled={save.pending}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <FormError message={save.error} />

      {result ? (
        <div data-testid="csv-result">
          <p className="notice">
            Imported {result.rows.toLocaleString()} rows: {result.inserted} new, {result.updated} updated, {result.unchanged} unchanged.
          </p>
          <RosterRowErrors errors={result.errors} />
        </div>
      ) : null}
    </section>
  );
}

/** Rows an import skipped, by their number in the source, with the reason. */
import { useState } from 'react';
import type { RowError } from '../api';

const SHOWN = 20;

export function RosterRowErrors({
  errors,
  count,
  rowLabel = 'Line',
  future = false,
}: {
  errors: RowError[];
  count?: number;
  rowLabel?: string;
  /** Before an import (its check): the rows that will not be imported. */
  future?: boolean;
}) {
  const [all, setAll] = useState(false);
  const total = count ?? errors.length;
  if (total === 0) return null;
  const shown = all ? errors : errors.slice(0, SHOWN);
  return (
    <div className="roster-errors" data-testid="row-errors">
      <p className="panel-warning">
        {future
          ? total === 1
            ? '1 row will not be imported; fix it in the file or import the others:'
            : `${total.toLocaleString()} rows will not be imported; fix them in the file or import the others:`
          : total === 1
            ? '1 row was not imported:'
            : `${total.toLocaleString()} rows were not imported:`}
      </p>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{rowLabel}</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={`${e.row}:${e.reason}`} data-row={e.row}>
                <td className="mono">{e.row}</td>
                <td>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {errors.length > SHOWN ? (
        <button type="button" className="button button-small" onClick={() => setAll((v) => !v)}>
          {all ? 'Show fewer' : `Show all ${errors.length.toLocaleString()}`}
        </button>
      ) : null}
      {total > errors.length ? <p className="muted small">Only the first {errors.length.toLocaleString()} are listed.</p> : null}
    </div>
  );
}

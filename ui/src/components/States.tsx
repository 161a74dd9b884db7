/** The loading, empty and error states every panel shows the same way. */
import type { ReactNode } from 'react';
import type { Poll } from '../usePoll';

export function Loading({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

export function ErrorMessage({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <span>{message}</span>
      {onRetry ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/**
 * What a polled panel shows before or beside its data: a warning when a refresh failed but
 * the last data is still shown, the error with a retry when there is no data, else loading.
 */
export function PollStates({ poll, loading }: { poll: Pick<Poll<unknown>, 'data' | 'error' | 'retry'>; loading: string }) {
  const { data, error, retry } = poll;
  if (error && data) return <p className="panel-warning">Could not refresh: {error.message}</p>;
  if (error) return <ErrorMessage message={error.message} onRetry={retry} />;
  if (!data) return <Loading label={loading} />;
  return null;
}

/** The template's saved versions, newest first; those who manage it may restore one (as a new version). */
import type { TemplateVersionSummary } from '../api';
import { ConfirmButton } from '../components/Controls';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { formatDateTime } from '../format';

export function VersionsTab({
  versions,
  error,
  current,
  canManage,
  pending,
  dirty,
  onRestore,
  onRetry,
}: {
  versions: TemplateVersionSummary[] | null;
  error: string | null;
  current: number;
  canManage: boolean;
  pending: boolean;
  dirty: boolean;
  onRestore: (version: number) => void;
  onRetry: () => void;
}) {
  if (!versions && error) return <ErrorMessage message={error} onRetry={onRetry} />;
  if (!versions) return <Loading label="Loading versions…" />;
  if (versions.length === 0) return <Empty title="No versions yet" />;
  return (
    <div data-testid="versions">
      {error ? <p className="panel-warning">Could not refresh: {error}</p> : null}
      {dirty && canManage ? <p className="panel-warning">Restoring replaces your unsaved changes.</p> : null}
      <ul className="version-list">
        {versions.map((v) => (
          <li key={v.version} data-version={v.version}>
            <span>
              <strong>Version {v.version}</strong>
              {v.version === current ? <span className="badge badge-active">Current</span> : null}
              <br />
              <span className="muted small">
                {formatDateTime(v.created_at)}
                {v.created_by ? ` · ${v.created_by}` : ''}
              </span>
            </span>
            {canManage && v.version !== current ? (
              <ConfirmButton label="Restore" confirmLabel={`Restore v${v.version}`} danger={false} disabled={pending} onConfirm={() => onRestore(v.version)} />
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

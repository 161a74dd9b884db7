import { useCallback, useState, type FormEvent } from 'react';
import { api, type AuthSession, type DisplayTemplate } from '../api';
import { ConfirmButton, PageHeader } from '../components/Controls';
import { Link } from '../components/Link';
import { Empty, PollStates } from '../components/States';
import { formatAgo, formatDateTime } from '../format';
import { allowed } from '../permissions';
import { navigate, templatePath } from '../router';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { FormError, NameForm } from '../components/Form';
import { STARTER_CHOICES, StarterGallery } from '../templates/StarterGallery';

/** Someone else may save a template meanwhile: the list follows without a reload. */
const EVERY_MS = 30_000;

/** The partner's display templates: list, create, duplicate, delete, open in the builder. */
export function Templates({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.templates(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const canManage = allowed(session, 'displays:manage');
  const [name, setName] = useState('');
  const [starter, setStarter] = useState(STARTER_CHOICES[0]!.id);
  const create = useAction(onExpired, onRefused);
  const change = useAction(onExpired, onRefused);
  const actionError = create.error ?? change.error;

  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const from = STARTER_CHOICES.find((c) => c.id === starter) ?? STARTER_CHOICES[0]!;
    const created = await create.run(() =>
      api.createTemplate({ name: name.trim(), format: from.format, runner: from.runner, idle: from.idle, project: null }),
    );
    if (!created) return;
    setName('');
    navigate(templatePath(created.template.id));
  };
  const duplicate = async (template: DisplayTemplate) => {
    const copy = await change.run(() => api.duplicateTemplate(template.id));
    if (copy) retry();
  };
  const remove = async (template: DisplayTemplate) => {
    const done = await change.run(async () => {
      await api.deleteTemplate(template.id);
      return true;
    });
    if (done) retry();
  };

  const templates = data?.templates ?? [];
  const now = Date.now();
  return (
    <main className="page">
      <PageHeader title="Templates">
        The designs your race displays show: one for each runner crossing a mat and one for the idle screen in
        between. Everyone in your company shares them; every save is kept as a version.
      </PageHeader>

      <FormError message={actionError} testId="template-error" />

      {canManage ? (
        <section className="panel" aria-labelledby="new-template-title">
          <h2 id="new-template-title">New template</h2>
          <NameForm
            title="New template"
            label="Template name"
            maxLength={100}
            placeholder="e.g. Finish line, big names"
            submitLabel="Create and open"
            value={name}
            pending={create.pending}
            onChange={setName}
            onSubmit={onCreate}
          />
          <StarterGallery value={starter} onChange={setStarter} />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="templates-title">
        <div className="panel-header">
          <h2 id="templates-title">Templates</h2>
          {data ? <span className="muted">{templates.length}</span> : null}
        </div>
        <PollStates poll={poll} loading="Loading templates…" />
        {data && templates.length === 0 ? (
          <Empty title="No templates yet">
            {canManage
              ? 'Create one above: it opens in the builder, where you place the runner’s name, bib, time and images.'
              : 'A staff member, admin or owner of your company can create one.'}
          </Empty>
        ) : null}
        {templates.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="templates">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Screen</th>
                  <th scope="col" className="num">Version</th>
                  <th scope="col">Updated</th>
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {templates.map((t) => (
                  <tr key={t.id} data-template={t.id}>
                    <td className="strong">
                      <Link to={templatePath(t.id)}>{t.name}</Link>
                    </td>
                    <td>{t.format === 'portrait' ? 'Portrait 1080×1920' : '16:9 1920×1080'}</td>
                    <td className="num">v{t.current_version}</td>
                    <td title={formatDateTime(t.updated_at)}>{formatAgo(t.updated_at, now)}</td>
                    <td className="actions">
                      <button type="button" className="button button-small" onClick={() => navigate(templatePath(t.id))}>
                        {canManage ? 'Open in builder' : 'View'}
                      </button>
                      {canManage ? (
                        <>
                          <button
                            type="button"
                            className="button button-small"
                            disabled={change.pending}
                            onClick={() => void duplicate(t)}
                          >
                            Duplicate
                          </button>
                          <ConfirmButton
                            label="Delete"
                            confirmLabel="Delete for good"
                            disabled={change.pending}
                            onConfirm={() => void remove(t)}
                          />
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data && !canManage ? (
          <p className="muted small">Only staff, admins and owners can create, change or delete templates.</p>
        ) : null}
      </section>
    </main>
  );
}

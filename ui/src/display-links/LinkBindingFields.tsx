/** What a link shows: its name, the template and version, the roster its reads are matched against. */
import { useEffect, useState } from 'react';
import { ApiError, api, type DisplayTemplate, type RosterEvent, type TemplateVersionSummary } from '../api';
import { Field } from '../components/Form';
import { countOf } from '../format';
import { LIMITS } from '../displaySettings';
import { formatDateTime } from '../format';
import type { LinkDraft } from './link-draft';

type Binding = Pick<LinkDraft, 'name' | 'templateId' | 'templateVersion' | 'rosterId'>;

/** The versions of the chosen template, for "a specific version" (none while none is chosen). */
function useTemplateVersions(templateId: string, onExpired: () => void): TemplateVersionSummary[] | null {
  const [versions, setVersions] = useState<TemplateVersionSummary[] | null>(null);
  useEffect(() => {
    setVersions(null);
    if (!templateId) return;
    const controller = new AbortController();
    api
      .templateVersions(Number(templateId), controller.signal)
      .then((r) => setVersions(r.versions))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) onExpired();
        else setVersions([]);
      });
    return () => controller.abort();
  }, [templateId, onExpired]);
  return versions;
}

export function LinkBindingFields({
  value,
  templates,
  rosters,
  onChange,
  onExpired,
}: {
  value: Binding;
  templates: DisplayTemplate[];
  rosters: RosterEvent[];
  onChange: (change: Partial<Binding>) => void;
  onExpired: () => void;
}) {
  const versions = useTemplateVersions(value.templateId, onExpired);
  const { templateVersion, rosterId } = value;
  return (
    <div className="display-form-grid">
      <Field label="Name">
        <input
          name="name"
          maxLength={LIMITS.name}
          placeholder="e.g. Finish line screen"
          value={value.name}
          onChange={(e) => onChange({ name: e.target.value })}
        />
      </Field>
      <Field label="Template">
        <select name="template" value={value.templateId} onChange={(e) => onChange({ templateId: e.target.value, templateVersion: '' })}>
          <option value="">Default design</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Template version">
        <select
          name="template_version"
          value={templateVersion}
          disabled={!value.templateId}
          onChange={(e) => onChange({ templateVersion: e.target.value })}
        >
          <option value="">Current version (follows new saves)</option>
          {templateVersion && !versions?.some((v) => String(v.version) === templateVersion) ? (
            <option value={templateVersion}>Version {templateVersion}</option>
          ) : null}
          {(versions ?? []).map((v) => (
            <option key={v.version} value={v.version}>
              Version {v.version} · {formatDateTime(v.created_at)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Roster">
        <select name="roster" value={rosterId} onChange={(e) => onChange({ rosterId: e.target.value })}>
          <option value="">None (show bibs only)</option>
          {rosterId && !rosters.some((r) => String(r.id) === rosterId) ? <option value={rosterId}>Roster #{rosterId}</option> : null}
          {rosters.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({countOf(r.participant_count, 'participant')})
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

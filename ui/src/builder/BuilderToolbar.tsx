/** The builder's top row: back, the name, runner/idle, editing tools, status, "show on a display", save. */
import type { Editor } from 'grapesjs';
import { Link } from '../components/Link';
import { paths } from '../router';
import { chooseBackgroundImage, DESIGN_LABELS, DESIGNS, type DesignId } from './editor';
import type { History } from './useBuilderEditor';

export function BuilderToolbar({
  editor,
  templateId,
  currentVersion,
  name,
  design,
  history,
  canManage,
  saving,
  onName,
  onDesign,
  onPageBackground,
  onSave,
}: {
  editor: Editor | null;
  templateId: number;
  currentVersion: number;
  name: string;
  design: DesignId;
  history: History;
  canManage: boolean;
  saving: boolean;
  onName: (name: string) => void;
  onDesign: (id: DesignId) => void;
  /** Selects the page itself, to style its background. */
  onPageBackground: () => void;
  onSave: () => void;
}) {
  const pageBackgroundImage = () => {
    const wrapper = editor?.getWrapper();
    if (editor && wrapper) chooseBackgroundImage(editor, wrapper);
  };
  return (
    <div className="builder-toolbar">
      <Link to={paths.templates} className="builder-back">
        ← Templates
      </Link>
      <label className="builder-name">
        <span className="visually-hidden">Template name</span>
        <input value={name} maxLength={100} onChange={(e) => onName(e.target.value)} aria-label="Template name" readOnly={!canManage} />
      </label>
      <div className="segmented" role="group" aria-label="Design">
        {DESIGNS.map((id) => (
          <button key={id} type="button" aria-pressed={design === id} className={design === id ? 'active' : undefined} onClick={() => onDesign(id)}>
            {DESIGN_LABELS[id]}
          </button>
        ))}
      </div>
      <div className="builder-tools" hidden={!canManage}>
        <button type="button" className="button button-small" onClick={() => editor?.runCommand('core:undo')} disabled={!history.undo} title="Undo (Ctrl+Z / ⌘Z)">
          Undo
        </button>
        <button type="button" className="button button-small" onClick={() => editor?.runCommand('core:redo')} disabled={!history.redo} title="Redo (Ctrl+Shift+Z / ⌘⇧Z)">
          Redo
        </button>
        <button type="button" className="button button-small" onClick={onPageBackground} disabled={!editor}>
          Page background
        </button>
        <button type="button" className="button button-small" onClick={pageBackgroundImage} disabled={!editor}>
          Background image…
        </button>
        <button type="button" className="button button-small" onClick={() => editor?.runCommand('open-assets')} disabled={!editor}>
          Images
        </button>
      </div>
      <span className="builder-status muted small" role="status" data-testid="builder-status">
        {saving ? 'Saving…' : history.dirty ? 'Unsaved changes' : `Version ${currentVersion}`}
      </span>
      {canManage ? (
        // To the display-link form with this template chosen, where the session picker binds a session.
        <Link to={`/displays?template=${templateId}`} className="button button-small">
          Show on a display
        </Link>
      ) : null}
      {canManage ? (
        <button type="button" className="button button-primary" onClick={onSave} disabled={!editor || saving} title="Save (Ctrl+S / ⌘S)">
          {saving ? 'Saving…' : 'Save'}
        </button>
      ) : (
        <span className="badge">View only</span>
      )}
    </div>
  );
}

/**
 * The template builder: a GrapesJS editor for one template's two designs (runner and idle,
 * see builder/editor.ts for how they are kept), saved through the templates API (every save is
 * a version), with the partner's image library, undo/redo, versions and website styles.
 * Loaded lazily (App.tsx): GrapesJS is most of this screen's weight.
 */
import type { Editor } from 'grapesjs';
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { api, type AuthSession } from '../api';
import { BlocksPanel, PropertiesPanel, TABS, TABS_KEPT_ON_SELECT, type Tab } from '../builder/BuilderPanels';
import { BuilderToolbar } from '../builder/BuilderToolbar';
import { exportContent } from '../builder/editor';
import { useTemplateLoad, useTemplateVersions, type LoadedTemplate } from '../builder/persistence';
import { SessionTab } from '../builder/SessionTab';
import { useAssetLibrary } from '../builder/useAssetLibrary';
import { useBuilderEditor } from '../builder/useBuilderEditor';
import { VersionsTab } from '../builder/VersionsTab';
import { WebsiteStylesTab } from '../builder/WebsiteStylesTab';
import '../builder/builder.css';
import { Link } from '../components/Link';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { allowed } from '../permissions';
import { paths } from '../router';
import { useAction } from '../useAction';

export function TemplateBuilder({
  templateId,
  session,
  onExpired,
  onRefused,
}: {
  templateId: number;
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const { state, retry } = useTemplateLoad(templateId, onExpired);

  if (state.status === 'loading') {
    return (
      <main className="page">
        <Loading label="Loading the template…" />
      </main>
    );
  }
  if (state.status === 'error') {
    return (
      <main className="page">
        <p>
          <Link to={paths.templates}>← All templates</Link>
        </p>
        {state.notFound ? (
          <Empty title="No such template">It may have been deleted. Pick one from the list of templates.</Empty>
        ) : (
          <ErrorMessage message={state.message} onRetry={retry} />
        )}
      </main>
    );
  }
  return <Builder loaded={state.loaded} session={session} onExpired={onExpired} onRefused={onRefused} />;
}

function Builder({
  loaded,
  session,
  onExpired,
  onRefused,
}: {
  loaded: LoadedTemplate;
  session: AuthSession;
  onExpired: () => void;
  onRefused?: ((message: string) => void) | undefined;
}) {
  const canManage = allowed(session, 'displays:manage');
  const templateId = loaded.template.id;
  const [template, setTemplate] = useState(loaded.template);
  const [name, setName] = useState(loaded.template.name);
  // A viewer sees the designs and their versions; nothing that edits is offered.
  const [tab, setTab] = useState<Tab>(canManage ? 'style' : 'versions');
  const tabs = canManage ? TABS : TABS.filter((t) => t.id === 'versions');
  const [notice, setNotice] = useState<string | null>(null);
  const versions = useTemplateVersions(templateId, onExpired);
  const saving = useAction(onExpired, onRefused);
  const versionAction = useAction(onExpired, onRefused);

  const editorRef = useRef<Editor | null>(null);
  const library = useAssetLibrary(loaded.assets, editorRef, onExpired);
  const builder = useBuilderEditor({
    editorRef,
    loaded,
    locked: !canManage,
    hooks: {
      upload: (files) => library.upload(files),
      remove: (url) => library.remove(url),
      save: () => void save(),
      selected: () => setTab((t) => (TABS_KEPT_ON_SELECT.has(t) ? t : 'style')),
      assetManagerOpened: () => library.setStatus(null),
    },
  });
  const { editor, history } = builder;

  // Leaving with unsaved changes asks first (a reload, a typed address, closing the tab).
  useEffect(() => {
    if (!history.dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [history.dirty]);

  const save = async () => {
    const current = editorRef.current;
    if (!current || !canManage || saving.pending) return;
    const trimmed = name.trim();
    setNotice(null);
    const saved = await saving.run(() => api.saveTemplate(templateId, { ...(trimmed ? { name: trimmed } : {}), ...exportContent(current) }));
    if (!saved) return;
    builder.markSaved();
    setTemplate(saved.template);
    setNotice(`Saved as version ${saved.version.version}.`);
    versions.reload();
  };

  const restore = async (version: number) => {
    if (!editorRef.current) return;
    setNotice(null);
    const restored = await versionAction.run(() => api.restoreTemplateVersion(templateId, version));
    if (!restored) return;
    await builder.load(restored.version, library.assetsRef.current);
    setTemplate(restored.template);
    setName(restored.template.name);
    setNotice(`Version ${version} restored as version ${restored.version.version}.`);
    versions.reload();
  };

  const pageBackground = () => {
    const wrapper = editor?.getWrapper();
    if (!editor || !wrapper) return;
    editor.select(wrapper);
    setTab('style');
  };

  const error = saving.error ?? versionAction.error;
  const { canvasRef, blocksRef, stylesRef, traitsRef, layersRef } = builder.containers;
  return (
    <main className={`builder builder-${builder.design}`} data-testid="builder">
      <BuilderToolbar
        editor={editor}
        templateId={template.id}
        currentVersion={template.current_version}
        name={name}
        design={builder.design}
        history={history}
        canManage={canManage}
        saving={saving.pending}
        onName={setName}
        onDesign={builder.showDesign}
        onPageBackground={pageBackground}
        onSave={() => void save()}
      />
      <div className="builder-body">
        {/* Over the canvas, not above it: a message must not push the builder down. */}
        <div className="builder-messages">
          {error ? (
            <p className="banner banner-error" role="alert" data-testid="builder-error">
              {error}
            </p>
          ) : null}
          {notice ? (
            <p className="banner banner-notice" role="status" data-testid="builder-notice">
              {notice}
            </p>
          ) : null}
        </div>
        <BlocksPanel canManage={canManage} blocksRef={blocksRef} />
        <div className="builder-canvas" ref={canvasRef} data-testid="builder-canvas" />
        <PropertiesPanel
          tabs={tabs}
          tab={tab}
          onTab={setTab}
          stylesRef={stylesRef}
          selection={builder.selection}
          traitsRef={traitsRef}
          layersRef={layersRef}
          versions={
            <VersionsTab
              versions={versions.versions}
              error={versions.error}
              current={template.current_version}
              canManage={canManage}
              pending={versionAction.pending}
              dirty={history.dirty}
              onRestore={(v) => void restore(v)}
              onRetry={versions.reload}
            />
          }
          session={<SessionTab templateId={template.id} onExpired={onExpired} />}
          website={<WebsiteStylesTab editor={editor} canManage={canManage} onExpired={onExpired} onRefused={onRefused} />}
        />
      </div>
      {builder.assetSlot && library.status
        ? createPortal(
            <p className={`p88-am-message p88-am-${library.status.kind}`} role={library.status.kind === 'error' ? 'alert' : 'status'} data-testid="asset-status">
              {library.status.text}
            </p>,
            builder.assetSlot,
          )
        : null}
    </main>
  );
}

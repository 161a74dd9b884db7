/**
 * The template builder: a GrapesJS editor for one template's two designs (runner and idle,
 * see builder/editor.ts for how they are kept), saved through the templates API (every save is
 * a version), with the partner's image library, undo/redo, versions and website styles.
 * Loaded lazily (App.tsx): GrapesJS is most of this screen's weight.
 */
import type { Editor } from 'grapesjs';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { ApiError, api, type Asset, type AuthSession, type DisplayTemplate, type FetchedStyles, type TemplateVersionSummary } from '../api';
import {
  addAsset,
  chooseBackgroundImage,
  createEditor,
  DESIGN_LABELS,
  DESIGNS,
  exportContent,
  fitCanvas,
  loadVersion,
  lockDesigns,
  type BuilderContainers,
  type DesignId,
} from '../builder/editor';
import '../builder/builder.css';
import { ConfirmButton } from '../components/Controls';
import { SessionPicker } from '../components/SessionPicker';
import { Link } from '../components/Link';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { formatDateTime } from '../format';
import { usePoll } from '../usePoll';
import { allowed } from '../permissions';
import { paths } from '../router';
import { useAction } from '../useAction';

type Tab = 'style' | 'settings' | 'layers' | 'versions' | 'session' | 'website';
/** The session list, as the display-link form refreshes it. */
const SESSIONS_EVERY_MS = 10_000;

const TABS: Array<{ id: Tab; label: string }> = [
  { id: 'style', label: 'Style' },
  { id: 'settings', label: 'Settings' },
  { id: 'layers', label: 'Layers' },
  { id: 'versions', label: 'Versions' },
  { id: 'session', label: 'Session' },
  { id: 'website', label: 'Website styles' },
];

interface Loaded {
  template: DisplayTemplate;
  version: Parameters<typeof loadVersion>[1];
  assets: Asset[];
}

type State = { status: 'loading' } | { status: 'error'; message: string; notFound: boolean } | { status: 'ready'; loaded: Loaded };

interface History {
  undo: boolean;
  redo: boolean;
  dirty: boolean;
}

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
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    Promise.all([
      api.template(templateId, controller.signal),
      // The library is a help, not a must: the builder opens without it.
      api.assets(controller.signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) throw error;
        return { assets: [] as Asset[] };
      }),
    ])
      .then(([found, library]) => {
        setState({ status: 'ready', loaded: { template: found.template, version: found.version, assets: library.assets } });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) return onExpired();
        setState({
          status: 'error',
          message: error instanceof ApiError ? error.message : 'The template could not be loaded.',
          notFound: error instanceof ApiError && error.status === 404,
        });
      });
    return () => controller.abort();
  }, [templateId, attempt, onExpired]);

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
          <ErrorMessage message={state.message} onRetry={() => setAttempt((n) => n + 1)} />
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
  loaded: Loaded;
  session: AuthSession;
  onExpired: () => void;
  onRefused?: ((message: string) => void) | undefined;
}) {
  const canManage = allowed(session, 'displays:manage');
  const templateId = loaded.template.id;
  const [template, setTemplate] = useState(loaded.template);
  const [name, setName] = useState(loaded.template.name);
  const [design, setDesign] = useState<DesignId>('runner');
  // A viewer sees the designs and their versions; nothing that edits is offered.
  const [tab, setTab] = useState<Tab>(canManage ? 'style' : 'versions');
  const tabs = canManage ? TABS : TABS.filter((t) => t.id === 'versions');
  const canManageRef = useRef(canManage);
  const [history, setHistory] = useState<History>({ undo: false, redo: false, dirty: false });
  const [notice, setNotice] = useState<string | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [uploadStatus, setUploadStatus] = useState<{ kind: 'busy' | 'error' | 'done'; text: string } | null>(null);
  const [amSlot, setAmSlot] = useState<HTMLElement | null>(null);
  const [versions, setVersions] = useState<TemplateVersionSummary[] | null>(null);
  const [versionsError, setVersionsError] = useState<string | null>(null);
  const saving = useAction(onExpired, onRefused);
  const versionAction = useAction(onExpired, onRefused);

  const canvasRef = useRef<HTMLDivElement>(null);
  const blocksRef = useRef<HTMLDivElement>(null);
  const stylesRef = useRef<HTMLDivElement>(null);
  const traitsRef = useRef<HTMLDivElement>(null);
  const layersRef = useRef<HTMLDivElement>(null);
  const assetsRef = useRef<Asset[]>(loaded.assets);
  const editorRef = useRef<Editor | null>(null);
  const saveRef = useRef<() => void>(() => undefined);

  const loadVersions = useCallback(() => {
    api
      .templateVersions(templateId)
      .then((answer) => {
        setVersions(answer.versions);
        setVersionsError(null);
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) return onExpired();
        setVersionsError(error instanceof ApiError ? error.message : 'The versions could not be loaded.');
      });
  }, [templateId, onExpired]);
  useEffect(loadVersions, [loadVersions]);

  const upload = useCallback(
    async (files: File[]) => {
      const current = editorRef.current;
      if (!current || files.length === 0) return;
      const failures: string[] = [];
      let added = 0;
      setUploadStatus({ kind: 'busy', text: files.length === 1 ? `Uploading ${files[0]!.name}…` : `Uploading ${files.length} images…` });
      for (const file of files) {
        try {
          const { asset } = await api.uploadAsset(file);
          assetsRef.current = [asset, ...assetsRef.current];
          addAsset(current, asset);
          added++;
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) {
            onExpired();
            return;
          }
          failures.push(`${file.name}: ${error instanceof ApiError ? error.message : 'the upload failed.'}`);
        }
      }
      setUploadStatus(
        failures.length > 0
          ? { kind: 'error', text: failures.join(' ') }
          : { kind: 'done', text: added === 1 ? 'Uploaded: it is now in your library.' : `Uploaded ${added} images.` },
      );
    },
    [onExpired],
  );
  const uploadRef = useRef(upload);
  uploadRef.current = upload;

  const removeAsset = useCallback(
    async (url: string): Promise<boolean> => {
      const asset = assetsRef.current.find((a) => a.url === url);
      if (!asset) return true;
      if (!window.confirm(`Delete “${asset.name}” from your image library? Screens can no longer show it.`)) return false;
      setUploadStatus({ kind: 'busy', text: `Deleting ${asset.name}…` });
      try {
        await api.deleteAsset(asset.key);
        assetsRef.current = assetsRef.current.filter((a) => a.key !== asset.key);
        setUploadStatus({ kind: 'done', text: `Deleted ${asset.name} from your library.` });
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) onExpired();
        // 409: a template still shows it (the message names them).
        setUploadStatus({ kind: 'error', text: error instanceof ApiError ? error.message : 'The image could not be deleted.' });
        return false;
      }
    },
    [onExpired],
  );
  const removeAssetRef = useRef(removeAsset);
  removeAssetRef.current = removeAsset;

  // One GrapesJS editor for the life of this screen (React's strict mode mounts it twice: the
  // first one is destroyed).
  useEffect(() => {
    const containers: Partial<BuilderContainers> = {
      canvas: canvasRef.current ?? undefined,
      blocks: blocksRef.current ?? undefined,
      styles: stylesRef.current ?? undefined,
      traits: traitsRef.current ?? undefined,
      layers: layersRef.current ?? undefined,
    };
    if (Object.values(containers).some((el) => !el)) return;
    const instance = createEditor(containers as BuilderContainers, {
      upload: (files) => uploadRef.current(files),
      remove: (url) => removeAssetRef.current(url),
      save: () => saveRef.current(),
    });
    editorRef.current = instance;

    const sync = () => {
      if (editorRef.current !== instance) return; // destroyed meanwhile
      setHistory({
        undo: instance.UndoManager.hasUndo(),
        redo: instance.UndoManager.hasRedo(),
        dirty: instance.getDirtyCount() > 0,
      });
    };
    void loadVersion(instance, loaded.version, loaded.assets).then(() => {
      if (editorRef.current !== instance) return;
      if (!canManageRef.current) lockDesigns(instance);
      sync();
    });
    instance.on('update undo redo load', sync);
    instance.on('change:changesCount', sync);
    let frame = 0;
    const fit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => fitCanvas(instance));
    };
    instance.on('load', fit);
    instance.on('canvas:frame:load', fit);
    instance.on('page:select', (page: { getId(): string }) => {
      setDesign(page.getId() === 'idle' ? 'idle' : 'runner');
      fit();
    });
    instance.on('component:selected', () => setTab((t) => (t === 'versions' || t === 'session' || t === 'website' || t === 'layers' ? t : 'style')));
    instance.on('asset:open', () => {
      const container = instance.AssetManager.getContainer() as HTMLElement | undefined;
      if (!container) return;
      let slot = container.querySelector<HTMLElement>('.p88-am-status');
      if (!slot) {
        slot = document.createElement('div');
        slot.className = 'p88-am-status';
        container.prepend(slot);
      }
      const input = container.querySelector<HTMLInputElement>('input[type=file]');
      if (input) input.accept = 'image/png,image/jpeg,image/webp,image/gif';
      setUploadStatus(null);
      setAmSlot(slot);
    });
    const observer = new ResizeObserver(fit);
    if (canvasRef.current) observer.observe(canvasRef.current);
    setEditor(instance);
    sync();
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      editorRef.current = null;
      setEditor(null);
      setAmSlot(null);
      instance.destroy();
      // Views GrapesJS mounted in our panels would otherwise stay next to the next editor's.
      for (const el of Object.values(containers)) el?.replaceChildren();
    };
    // The editor is made once per loaded template; later versions load into it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

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
    current.clearDirtyCount();
    setHistory((h) => ({ ...h, dirty: false }));
    setTemplate(saved.template);
    setNotice(`Saved as version ${saved.version.version}.`);
    loadVersions();
  };
  saveRef.current = () => void save();

  const restore = async (version: number) => {
    const current = editorRef.current;
    if (!current) return;
    setNotice(null);
    const restored = await versionAction.run(() => api.restoreTemplateVersion(templateId, version));
    if (!restored) return;
    await loadVersion(current, restored.version, assetsRef.current);
    setTemplate(restored.template);
    setName(restored.template.name);
    setHistory({ undo: false, redo: false, dirty: false });
    setNotice(`Version ${version} restored as version ${restored.version.version}.`);
    loadVersions();
  };

  const showDesign = (id: DesignId) => {
    editor?.Pages.select(id);
    setDesign(id);
  };
  const pageBackground = () => {
    const wrapper = editor?.getWrapper();
    if (!editor || !wrapper) return;
    editor.select(wrapper);
    setTab('style');
  };
  const pageBackgroundImage = () => {
    const wrapper = editor?.getWrapper();
    if (editor && wrapper) chooseBackgroundImage(editor, wrapper);
  };

  const error = saving.error ?? versionAction.error;
  return (
    <main className={`builder builder-${design}`} data-testid="builder">
      <div className="builder-toolbar">
        <Link to={paths.templates} className="builder-back">
          ← Templates
        </Link>
        <label className="builder-name">
          <span className="visually-hidden">Template name</span>
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} aria-label="Template name" readOnly={!canManage} />
        </label>
        <div className="segmented" role="group" aria-label="Design">
          {DESIGNS.map((id) => (
            <button key={id} type="button" aria-pressed={design === id} className={design === id ? 'active' : undefined} onClick={() => showDesign(id)}>
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
          <button type="button" className="button button-small" onClick={pageBackground} disabled={!editor}>
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
          {saving.pending ? 'Saving…' : history.dirty ? 'Unsaved changes' : `Version ${template.current_version}`}
        </span>
        {canManage ? (
          // To the display-link form with this template chosen, where the session picker binds a session.
          <Link to={`/displays?template=${template.id}`} className="button button-small">
            Show on a display
          </Link>
        ) : null}
        {canManage ? (
          <button type="button" className="button button-primary" onClick={() => void save()} disabled={!editor || saving.pending} title="Save (Ctrl+S / ⌘S)">
            {saving.pending ? 'Saving…' : 'Save'}
          </button>
        ) : (
          <span className="badge">View only</span>
        )}
      </div>
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

      <div className="builder-body">
        <aside className="builder-side builder-blocks" aria-label="Blocks">
          <h2>Blocks</h2>
          {canManage ? (
            <p className="muted small">Drag onto the screen. Fields show sample values; the display shows the runner’s.</p>
          ) : (
            <p className="muted small" data-testid="builder-view-only">
              You can look at this template and its versions; an owner or admin can change it.
            </p>
          )}
          <div ref={blocksRef} hidden={!canManage} />
        </aside>
        <div className="builder-canvas" ref={canvasRef} data-testid="builder-canvas" />
        <aside className="builder-side builder-panels" aria-label="Properties">
          <div className="builder-tabs" role="tablist">
            {tabs.map((t) => (
              <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'active' : undefined} onClick={() => setTab(t.id)}>
                {t.label}
              </button>
            ))}
          </div>
          <div className="builder-tab" hidden={tab !== 'style'}>
            <p className="muted small">Select an element on the screen (or the page, for its background) to style it.</p>
            <div ref={stylesRef} />
          </div>
          <div className="builder-tab" hidden={tab !== 'settings'} data-testid="builder-settings">
            <p className="muted small">For a field: which value it shows, and whether long text shrinks to fit its box.</p>
            <div ref={traitsRef} />
          </div>
          <div className="builder-tab" hidden={tab !== 'layers'}>
            <div ref={layersRef} />
          </div>
          <div className="builder-tab" hidden={tab !== 'versions'}>
            <Versions
              versions={versions}
              error={versionsError}
              current={template.current_version}
              canManage={canManage}
              pending={versionAction.pending}
              dirty={history.dirty}
              onRestore={(v) => void restore(v)}
              onRetry={loadVersions}
            />
          </div>
          <div className="builder-tab" hidden={tab !== 'session'}>
            {tab === 'session' ? <BindSession templateId={template.id} onExpired={onExpired} /> : null}
          </div>
          <div className="builder-tab" hidden={tab !== 'website'}>
            <WebsiteStyles editor={editor} canManage={canManage} onExpired={onExpired} onRefused={onRefused} />
          </div>
        </aside>
      </div>
      {amSlot && uploadStatus
        ? createPortal(
            <p className={`p88-am-message p88-am-${uploadStatus.kind}`} role={uploadStatus.kind === 'error' ? 'alert' : 'status'} data-testid="asset-status">
              {uploadStatus.text}
            </p>,
            amSlot,
          )
        : null}
    </main>
  );
}

/**
 * The seed plan's session selection, in the builder: the partner's sessions with read counts,
 * last read and a live preview of their reads; the chosen one (or "follow the active
 * session") is bound to a new display link showing this template.
 */
function BindSession({ templateId, onExpired }: { templateId: number; onExpired: () => void }) {
  const sessions = usePoll(useCallback((signal: AbortSignal) => api.sessions(signal), []), SESSIONS_EVERY_MS, onExpired);
  const [sessionId, setSessionId] = useState<number | null>(null);
  const target = `/displays?template=${templateId}${sessionId === null ? '' : `&session=${sessionId}`}`;
  return (
    <div className="builder-session" data-testid="builder-session">
      <p className="muted small">Choose the session a screen with this template should show, then bind it to a new display link.</p>
      <SessionPicker poll={sessions} value={sessionId} onChange={setSessionId} onExpired={onExpired} />
      <Link to={target} className="button button-primary">
        Show on a display with {sessionId === null ? 'the active session' : 'this session'}
      </Link>
    </div>
  );
}

function Versions({
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

/** Colours and fonts of a race website; a click applies one to the selected element. */
function WebsiteStyles({
  editor,
  canManage,
  onExpired,
  onRefused,
}: {
  editor: Editor | null;
  canManage: boolean;
  onExpired: () => void;
  onRefused?: ((message: string) => void) | undefined;
}) {
  const [url, setUrl] = useState('');
  const [styles, setStyles] = useState<FetchedStyles | null>(null);
  const [target, setTarget] = useState<'color' | 'background-color'>('color');
  const [hint, setHint] = useState<string | null>(null);
  const fetching = useAction(onExpired, onRefused);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setHint(null);
    const answer = await fetching.run(() => api.fetchStyles(url.trim()));
    if (answer) setStyles(answer);
  };
  const apply = (property: string, value: string) => {
    const selected = editor?.getSelected();
    if (!selected) {
      setHint('Select an element on the screen first.');
      return;
    }
    selected.addStyle({ [property]: value });
    setHint(`${property === 'font-family' ? 'Font' : property === 'color' ? 'Text colour' : 'Background'} set to ${value}.`);
  };

  if (!canManage) return <p className="muted small">Only staff, admins and owners can import styles.</p>;
  return (
    <div className="website-styles">
      <p className="muted small">Use the colours and fonts of the race’s website.</p>
      <form className="form" onSubmit={onSubmit} aria-label="Import styles from website">
        <label className="field">
          <span>Website address</span>
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="www.example-marathon.com" required maxLength={2048} />
        </label>
        <button type="submit" className="button button-small" disabled={fetching.pending || url.trim() === ''}>
          {fetching.pending ? 'Reading the site…' : 'Import styles'}
        </button>
      </form>
      {fetching.error ? (
        <p className="form-error" role="alert" data-testid="fetch-styles-error">
          {fetching.error}
        </p>
      ) : null}
      {styles ? (
        <div data-testid="website-styles">
          <p className="muted small">From {styles.url}</p>
          <div className="segmented segmented-small" role="group" aria-label="Colour applies to">
            <button type="button" aria-pressed={target === 'color'} className={target === 'color' ? 'active' : undefined} onClick={() => setTarget('color')}>
              Text
            </button>
            <button
              type="button"
              aria-pressed={target === 'background-color'}
              className={target === 'background-color' ? 'active' : undefined}
              onClick={() => setTarget('background-color')}
            >
              Background
            </button>
          </div>
          {styles.colors.length === 0 ? <p className="muted small">No colours found.</p> : null}
          <div className="swatches">
            {styles.colors.map((c) => (
              <button key={c} type="button" className="swatch" style={{ backgroundColor: c }} title={c} aria-label={`Colour ${c}`} onClick={() => apply(target, c)} />
            ))}
          </div>
          {styles.fonts.length === 0 ? <p className="muted small">No fonts found.</p> : null}
          <div className="font-list">
            {styles.fonts.map((f) => (
              <button key={f} type="button" className="button button-small" style={{ fontFamily: f }} onClick={() => apply('font-family', f)}>
                {f}
              </button>
            ))}
          </div>
        </div>
      ) : null}
      {hint ? <p className="muted small" role="status">{hint}</p> : null}
    </div>
  );
}

/**
 * One GrapesJS editor for the life of the builder screen, mounted in the panels' containers:
 * its undo/redo/unsaved state, the design (page) on the canvas, the canvas zoomed to fit, and
 * a slot in the asset manager for the upload status. React's strict mode mounts it twice: the
 * first one is destroyed.
 */
import type { Editor } from 'grapesjs';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Asset } from '../api';
import { createEditor, fitCanvas, loadVersion, lockDesigns, type BuilderContainers, type BuilderHooks, type DesignId } from './editor';
import type { LoadedTemplate } from './persistence';

export interface History {
  undo: boolean;
  redo: boolean;
  dirty: boolean;
}

export interface EditorHooks extends BuilderHooks {
  /** An element on the canvas was selected. */
  selected: () => void;
  /** The asset manager opened (its status line starts empty). */
  assetManagerOpened: () => void;
}

export function useBuilderEditor({
  editorRef,
  loaded,
  locked,
  hooks,
}: {
  /** Set to the editor while it lives (the screen's callbacks reach it through this). */
  editorRef: RefObject<Editor | null>;
  loaded: LoadedTemplate;
  /** A viewer's builder: nothing on the canvas can be selected, moved or deleted. */
  locked: boolean;
  hooks: EditorHooks;
}) {
  const canvasRef = useRef<HTMLDivElement>(null);
  const blocksRef = useRef<HTMLDivElement>(null);
  const stylesRef = useRef<HTMLDivElement>(null);
  const traitsRef = useRef<HTMLDivElement>(null);
  const layersRef = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [history, setHistory] = useState<History>({ undo: false, redo: false, dirty: false });
  const [design, setDesign] = useState<DesignId>('runner');
  const [assetSlot, setAssetSlot] = useState<HTMLElement | null>(null);
  /** Whether an element is selected (the style panel has nothing to style otherwise). */
  const [selection, setSelection] = useState(false);
  // Read when the editor calls back, so a new function on each render does not remake the editor.
  const hooksRef = useRef(hooks);
  hooksRef.current = hooks;
  const lockedRef = useRef(locked);

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
      upload: (files) => hooksRef.current.upload(files),
      remove: (url) => hooksRef.current.remove(url),
      save: () => hooksRef.current.save(),
    }, loaded.template.format);
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
      if (lockedRef.current) lockDesigns(instance);
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
      // The style and trait panels showed the other design's element: nothing is selected here yet.
      instance.select([]);
      setDesign(page.getId() === 'idle' ? 'idle' : 'runner');
      fit();
    });
    instance.on('component:selected', () => hooksRef.current.selected());
    instance.on('component:toggled', () => setSelection(instance.getSelectedAll().length > 0));
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
      hooksRef.current.assetManagerOpened();
      setAssetSlot(slot);
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
      setAssetSlot(null);
      instance.destroy();
      // Views GrapesJS mounted in our panels would otherwise stay next to the next editor's.
      for (const el of Object.values(containers)) el?.replaceChildren();
    };
    // The editor is made once per loaded template; later versions load into it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  /** Loads a version into the editor (a restore), with the library as it is now: nothing to undo, nothing unsaved. */
  const load = async (version: LoadedTemplate['version'], assets: Asset[]) => {
    const current = editorRef.current;
    if (!current) return;
    await loadVersion(current, version, assets);
    setHistory({ undo: false, redo: false, dirty: false });
  };
  /** After a save: the editor's changes are stored. */
  const markSaved = () => {
    editorRef.current?.clearDirtyCount();
    setHistory((h) => ({ ...h, dirty: false }));
  };
  const showDesign = (id: DesignId) => {
    editor?.Pages.select(id);
    setDesign(id);
  };

  return {
    editor,
    history,
    design,
    selection,
    showDesign,
    assetSlot,
    load,
    markSaved,
    containers: { canvasRef, blocksRef, stylesRef, traitsRef, layersRef },
  };
}

/**
 * The GrapesJS side of the template builder: editor configuration, the race blocks, and the
 * conversion between the editor and a template version ({ runner, idle, project }).
 *
 * Runner and idle designs are two GrapesJS *pages* of one project (ids 'runner' and 'idle'):
 * one undo history, one style sheet, and getProjectData() holds both, so `project` is the
 * whole editor state and loads back as it was. Each design's html/css is exported from its
 * page's wrapper (see exportDesign): the wrapper becomes a root <div> 1920×1080 carrying the
 * wrapper's id, so the page background (a `#id` rule from the style manager) applies to it.
 *
 * Safe under the app's CSP (script-src 'self'): no remote icon font (cssIcons ''), no telemetry,
 * no canvas scripts, <script> and on* attributes dropped by the parser, no storage (we save
 * through our API) and no remote asset URLs (the library comes from /api/assets).
 */
import grapesjs, { type Asset as GjsAsset, type Component, type Editor } from 'grapesjs';
import 'grapesjs/dist/css/grapes.min.css';
import {
  designSize,
  FIELD_ATTR,
  FIT_ATTR,
  LIST_ATTR,
  LIST_FILTER_ATTRS,
  LIST_ROWS_DEFAULT,
  LIST_ROWS_MAX,
  ROW_ATTR,
  ROWS_ATTR,
  SAMPLE_VALUES,
  TEMPLATE_FIELDS,
  type TemplateDesign,
  type TemplateField,
  type TemplateFormat,
} from '../../../src/shared/template-fields';
import type { Asset, TemplateVersion } from '../api';

export type DesignId = 'runner' | 'idle';

/**
 * The screen's own box and defaults, the same in the canvas (on its body) and in the exported
 * design (on its root), so what the builder shows is what the display shows.
 */
function rootStyle(size: { width: number; height: number }): string {
  return `position:relative;width:${size.width}px;height:${size.height}px;overflow:hidden;margin:0;background-color:#ffffff;color:#000000;font-family:Arial, Helvetica, sans-serif;`;
}
/** Each editor's screen size (its template's format). */
const SIZES = new WeakMap<Editor, { width: number; height: number }>();
const sizeOf = (editor: Editor) => SIZES.get(editor) ?? designSize('landscape');
export const DESIGNS: readonly DesignId[] = ['runner', 'idle'];
export const DESIGN_LABELS: Record<DesignId, string> = { runner: 'Runner', idle: 'Idle' };

/** Marks the root element of an exported design (runner or idle; the server may drop it). */
export const DESIGN_ATTR = 'data-p88-design';
/** Marks a full-size background image element. */
const BACKGROUND_ATTR = 'data-p88-background';

export const FIELD_LABELS: Record<TemplateField, string> = {
  bib: 'Bib',
  name: 'Name',
  first_name: 'First name',
  last_name: 'Last name',
  city_state: 'City, state',
  city: 'City',
  state: 'State',
  country: 'Country',
  age: 'Age',
  gender: 'Gender',
  division: 'Division',
  race: 'Race',
  wave: 'Wave',
  team: 'Team',
  message: 'Custom message',
  server_message: 'Server message',
  time_of_day: 'Time of day',
  elapsed: 'Elapsed time',
  location: 'Location',
  rank: 'Place (in a list)',
  idle_message: 'Idle message',
};

/** The field blocks of the runner design: every field but the idle design's own, in the field list's order. */
const RUNNER_BLOCK_FIELDS = TEMPLATE_FIELDS.filter((f) => f !== 'idle_message');

/**
 * Stacking: a background image (z-index 0) stays under every other element (z-index 1),
 * wherever it is dropped; among the others the later one is on top.
 */
const ABOVE = '1';
const BELOW = '0';

/** Sizes that read well on a 1920×1080 screen from a distance. */
const FIELD_STYLE: Partial<Record<TemplateField, Record<string, string>>> = {
  name: { 'font-size': '120px', 'font-weight': '700', width: '1600px' },
  first_name: { 'font-size': '120px', 'font-weight': '700', width: '1200px' },
  last_name: { 'font-size': '120px', 'font-weight': '700', width: '1200px' },
  bib: { 'font-size': '96px', 'font-weight': '700', width: '480px' },
  message: { 'font-size': '64px', width: '1600px' },
  server_message: { 'font-size': '64px', width: '1200px' },
  idle_message: { 'font-size': '96px', 'font-weight': '700', width: '1600px', 'text-align': 'center' },
};

function fieldComponent(field: TemplateField): Record<string, unknown> {
  return {
    type: 'p88-field',
    dmode: 'absolute',
    attributes: { [FIELD_ATTR]: field, [FIT_ATTR]: '' },
    components: SAMPLE_VALUES[field],
    style: { 'font-size': '56px', width: '900px', 'white-space': 'nowrap', overflow: 'hidden', 'z-index': ABOVE, ...FIELD_STYLE[field] },
  };
}

const FIELD_OPTIONS = TEMPLATE_FIELDS.map((f) => ({ id: f, name: FIELD_LABELS[f] }));

/** A field inside a list row: in the row's flow (not absolute), sized by the row's columns. */
function rowField(field: TemplateField, style: Record<string, string>): Record<string, unknown> {
  return {
    type: 'p88-field',
    attributes: { [FIELD_ATTR]: field, [FIT_ATTR]: '' },
    components: SAMPLE_VALUES[field],
    style: { 'white-space': 'nowrap', overflow: 'hidden', ...style },
  };
}

/**
 * A list block: a heading and one row of fields, which the screen repeats per finisher (the
 * last N, newest on top, or the top N by elapsed time). The row is styled once; every
 * finisher's row looks like it.
 */
function listComponent(kind: 'recent' | 'leaderboard'): Record<string, unknown> {
  const rowStyle = { display: 'flex', 'align-items': 'center', gap: '32px', height: '72px', padding: '0 24px', 'margin-bottom': '8px', 'background-color': 'rgba(255, 255, 255, 0.08)', 'border-radius': '8px', 'font-size': '44px' };
  return {
    type: 'p88-list',
    dmode: 'absolute',
    attributes: { [LIST_ATTR]: kind, [ROWS_ATTR]: String(LIST_ROWS_DEFAULT) },
    style: { width: '1600px', height: '920px', overflow: 'hidden', 'z-index': ABOVE },
    components: [
      { type: 'text', tagName: 'div', components: kind === 'recent' ? 'Latest finishers' : 'Leaderboard', style: { 'font-size': '56px', 'font-weight': '700', 'margin-bottom': '16px' } },
      {
        tagName: 'div',
        name: 'Row (repeated per finisher)',
        attributes: { [ROW_ATTR]: '' },
        style: rowStyle,
        components: [
          rowField('rank', { width: '80px', color: '#ffcc00', 'font-weight': '700' }),
          rowField('bib', { width: '140px', color: '#ffcc00' }),
          rowField('name', { flex: '1', 'font-weight': '700' }),
          rowField('city_state', { width: '380px', color: '#c9d6ea' }),
          rowField('elapsed', { width: '220px', 'text-align': 'right', 'font-weight': '700' }),
        ],
      },
    ],
  };
}

export interface BuilderContainers {
  canvas: HTMLElement;
  blocks: HTMLElement;
  styles: HTMLElement;
  traits: HTMLElement;
  layers: HTMLElement;
}

export interface BuilderHooks {
  /** Uploads files chosen or dropped in the asset manager; adds them to the library itself. */
  upload: (files: File[]) => Promise<void>;
  /**
   * The × on an image in the asset manager (GrapesJS has already taken it off the list):
   * deletes it from the partner's library; false puts it back (cancelled, or refused).
   */
  remove: (url: string) => Promise<boolean>;
  /** Ctrl/⌘+S. */
  save: () => void;
}

export function createEditor(containers: BuilderContainers, hooks: BuilderHooks, format: TemplateFormat = 'landscape'): Editor {
  const size = designSize(format);
  const editor = grapesjs.init({
    container: containers.canvas,
    height: '100%',
    width: 'auto',
    // Saved through PUT /api/templates/:id, never to localStorage or a remote store.
    storageManager: false,
    telemetry: false,
    // The default icon font comes from a CDN: refused by the CSP and not needed (SVG icons).
    cssIcons: '',
    noticeOnUnload: false,
    // Only the resets the designs need; the exported CSS never includes them (avoidProtected).
    protectedCss: '* { box-sizing: border-box; } body { margin: 0; }',
    // The wrapper (page) is the screen (1920×1080, or 1080×1920 portrait); absolutely placed elements stay inside it.
    canvasCss: `body { ${rootStyle(size)} }`,
    jsInHtml: false,
    panels: { defaults: [] },
    canvas: { scripts: [], styles: [], allowExternalDrop: false },
    parser: { optionsHtml: { allowScripts: false, allowUnsafeAttr: false, allowUnsafeAttrValue: false } },
    deviceManager: {
      default: 'design',
      // widthMedia '' keeps styles out of a @media (max-width: 1920px) block.
      devices: [{ id: 'design', name: `Screen ${size.width}×${size.height}`, width: `${size.width}px`, height: `${size.height}px`, widthMedia: '' }],
    },
    pageManager: {
      pages: DESIGNS.map((id) => ({ id, name: DESIGN_LABELS[id] })),
    },
    undoManager: { trackSelection: false },
    i18n: {
      messagesAdd: {
        en: {
          assetManager: {
            modalTitle: 'Images',
            uploadTitle: 'Drop images here or click to upload (PNG, JPEG, WebP or GIF, up to 10 MB)',
          },
        },
      },
    },
    // Styles belong to the selected element (its #id rule); the class picker is hidden (CSS).
    selectorManager: { componentFirst: true },
    styleManager: { appendTo: containers.styles },
    traitManager: { appendTo: containers.traits },
    layerManager: { appendTo: containers.layers },
    blockManager: { appendTo: containers.blocks, blocks: [] },
    assetManager: {
      assets: [],
      // No URL field: only images of our library (uploaded to /api/assets) are used.
      showUrlInput: false,
      embedAsBase64: false,
      autoAdd: false,
      multiUpload: true,
      async uploadFile(event: DragEvent | Event) {
        const input = event.target as HTMLInputElement | null;
        const list = (event as DragEvent).dataTransfer?.files ?? input?.files ?? null;
        const files = list ? Array.from(list) : [];
        try {
          await hooks.upload(files);
        } finally {
          if (input && 'value' in input) input.value = '';
        }
      },
    },
  });

  // storageManager: false leaves autosave on: every change then "stores" to nowhere and resets
  // the dirty count, so unsaved changes would never show.
  editor.StorageManager.setAutosave(false);
  SIZES.set(editor, size);
  addComponentTypes(editor);
  addBlocks(editor);
  keepStylesThroughRedo(editor);
  editor.Keymaps.add('p88:save', '⌘+s, ctrl+s', () => hooks.save(), { prevent: true });
  editor.on('asset:remove', (asset: GjsAsset) => {
    void hooks.remove(asset.getSrc()).then((removed) => {
      if (!removed) editor.AssetManager.add(asset, { at: 0 });
    });
  });

  // Elements sit where they are dropped (position: absolute, as on a screen, not in a document
  // flow) and move freely afterwards (dmode 'absolute' on each block's component). Blocks are
  // dropped with the default sorter, not GrapesJS's absolute drop: that one ignores the canvas
  // zoom and leaves a string of undo steps; here undo removes a dropped block in one step.
  let pointer: { x: number; y: number } | null = null;
  editor.on('block:drag:start', () => (pointer = null));
  editor.on('canvas:dragover', (event: Event) => {
    // Events inside the canvas frame are in design pixels, whatever the zoom.
    const { clientX, clientY } = event as DragEvent;
    pointer = { x: clientX, y: clientY };
  });
  editor.on('block:drag:stop', (component: Component | undefined, block: { getId(): string } | undefined) => {
    if (!component) return;
    const isBackground = block?.getId() === 'background';
    const at = isBackground || !pointer ? { x: 0, y: 0 } : pointer;
    // Dropped near the right or bottom edge, the box moves in until it is all on the screen
    // (an 800 px field dropped at x 1800 reached 2600 px, past the screen's edge); a box larger
    // than the screen is made the screen's size.
    const screen = sizeOf(editor);
    const el = component.getEl() as HTMLElement | undefined;
    const styled = component.getStyle() as Record<string, string>;
    const px = (v: string | undefined, measured: number | undefined) => (v && /^\d+(\.\d+)?px$/.test(v) ? parseFloat(v) : (measured ?? 0));
    const width = Math.min(px(styled.width, el?.offsetWidth), screen.width);
    const height = Math.min(px(styled.height, el?.offsetHeight), screen.height);
    const left = Math.max(0, Math.min(Math.round(at.x), screen.width - Math.ceil(width)));
    const top = Math.max(0, Math.min(Math.round(at.y), screen.height - Math.ceil(height)));
    const fit: Record<string, string> = { position: 'absolute', left: `${left}px`, top: `${top}px` };
    if (px(styled.width, undefined) > screen.width) fit.width = `${screen.width}px`;
    editor.UndoManager.skip(() => {
      component.addStyle(fit);
    });
    // A background asks for its image at once; images do the same (activate) through GrapesJS.
    if (isBackground) chooseBackgroundImage(editor, component);
  });
  return editor;
}

/**
 * GrapesJS 0.23 loses an element's styles (its `#id` rule) when the adding of the element is
 * undone and then redone: the element comes back unstyled. Undo (buttons and keyboard both run
 * these commands) first remembers every element's own rule; redo puts back the remembered
 * rule of any element that came back without one or with an empty one (outside the undo
 * history: undoing the redo removes the element again, and an orphan rule matches nothing).
 */
function keepStylesThroughRedo(editor: Editor): void {
  const remembered = new Map<string, Record<string, string>>();
  const remember = () => {
    for (const rule of editor.Css.getAll()) {
      const selector = rule.selectorsToString();
      if (!/^#[\w-]+$/.test(selector) || rule.get('mediaText') || rule.get('state')) continue;
      remembered.set(selector.slice(1), { ...(rule.getStyle() as Record<string, string>) });
    }
  };
  const restore = () => {
    const wrapper = editor.getWrapper();
    if (!wrapper) return;
    for (const component of [wrapper, ...wrapper.find('*')]) {
      const id = component.getId();
      const style = remembered.get(id);
      const rule = editor.Css.getIdRule(id);
      const empty = !rule || Object.keys(rule.getStyle()).length === 0;
      if (style && empty) editor.UndoManager.skip(() => editor.Css.setIdRule(id, style));
    }
  };
  editor.Commands.add('core:undo', {
    run(ed: Editor) {
      remember();
      ed.UndoManager.undo();
    },
  });
  editor.Commands.add('core:redo', {
    run(ed: Editor) {
      ed.UndoManager.redo();
      restore();
    },
  });
}

/** Opens the asset manager; the chosen image becomes the component's background image. */
export function chooseBackgroundImage(editor: Editor, component: Component): void {
  editor.AssetManager.open({
    types: ['image'],
    select(asset, complete) {
      component.addStyle({
        'background-image': `url("${asset.getSrc()}")`,
        'background-size': 'cover',
        'background-position': 'center',
        'background-repeat': 'no-repeat',
      });
      if (complete) editor.AssetManager.close();
    },
  });
}

function addComponentTypes(editor: Editor): void {
  const types = editor.Components;
  types.addType('p88-field', {
    extend: 'text',
    isComponent: (el: HTMLElement) => typeof el.getAttribute === 'function' && el.getAttribute(FIELD_ATTR) !== null,
    model: {
      defaults: {
        name: 'Field',
        // The text is a sample: the display puts the runner's value there.
        editable: false,
        droppable: false,
        traits: [
          { type: 'select', name: FIELD_ATTR, label: 'Shows', options: FIELD_OPTIONS },
          // A property mirrored to the attribute: GrapesJS's checkbox shows an empty attribute
          // value (data-p88-fit="") as unchecked.
          { type: 'checkbox', name: 'p88Fit', label: 'Shrink to fit', changeProp: true },
        ],
      },
      init(this: Component) {
        const field = () => this.getAttributes()[FIELD_ATTR] as TemplateField | undefined;
        const label = () => {
          const f = field();
          if (f && f in FIELD_LABELS) this.set('name', FIELD_LABELS[f]);
        };
        label();
        this.set('p88Fit', this.getAttributes()[FIT_ATTR] !== undefined);
        this.on('change:p88Fit', () => {
          if (this.get('p88Fit')) this.addAttributes({ [FIT_ATTR]: '' });
          else this.removeAttributes(FIT_ATTR);
        });
        this.on(`change:attributes:${FIELD_ATTR}`, () => {
          const f = field();
          this.components(f && f in SAMPLE_VALUES ? SAMPLE_VALUES[f] : '');
          label();
        });
      },
    },
  });

  types.addType('p88-list', {
    isComponent: (el: HTMLElement) => typeof el.getAttribute === 'function' && el.getAttribute(LIST_ATTR) !== null,
    model: {
      defaults: {
        tagName: 'div',
        name: 'Finisher list',
        traits: [
          { type: 'select', name: LIST_ATTR, label: 'Shows', options: [
            { id: 'recent', name: 'Last finishers (newest on top)' },
            { id: 'leaderboard', name: 'Leaderboard (fastest first)' },
          ] },
          { type: 'number', name: ROWS_ATTR, label: 'Rows', min: 1, max: LIST_ROWS_MAX },
          { type: 'text', name: LIST_FILTER_ATTRS.race, label: 'Only race', placeholder: 'any' },
          { type: 'text', name: LIST_FILTER_ATTRS.gender, label: 'Only gender', placeholder: 'any (F, M)' },
          { type: 'text', name: LIST_FILTER_ATTRS.division, label: 'Only division', placeholder: 'any' },
        ],
      },
    },
  });

  types.addType('p88-background', {
    isComponent: (el: HTMLElement) => typeof el.getAttribute === 'function' && el.getAttribute(BACKGROUND_ATTR) !== null,
    model: {
      defaults: {
        tagName: 'div',
        name: 'Background image',
        droppable: false,
        attributes: { [BACKGROUND_ATTR]: '' },
      },
    },
    view: {
      // Double-click changes the image, as on an image element.
      onActive(this: { model: Component; em: { getEditor(): Editor } }) {
        chooseBackgroundImage(this.em.getEditor(), this.model);
      },
    },
  });
}

function label(text: string, hint?: string): string {
  return hint ? `<div class="p88-block-label">${text}</div><div class="p88-block-hint">${hint}</div>` : `<div class="p88-block-label">${text}</div>`;
}

function addBlocks(editor: Editor): void {
  const blocks = editor.Blocks;
  for (const field of RUNNER_BLOCK_FIELDS) {
    blocks.add(`field-${field}`, {
      label: label(FIELD_LABELS[field], SAMPLE_VALUES[field]),
      category: 'Runner',
      attributes: { class: 'p88-block p88-runner-only', 'data-block': `field-${field}` },
      content: fieldComponent(field),
    });
  }
  blocks.add('field-idle_message', {
    label: label(FIELD_LABELS.idle_message, 'Rotating messages'),
    category: 'Idle screen',
    attributes: { class: 'p88-block p88-idle-only', 'data-block': 'field-idle_message' },
    content: fieldComponent('idle_message'),
  });
  blocks.add('image', {
    label: label('Image'),
    category: 'Media',
    attributes: { class: 'p88-block', 'data-block': 'image' },
    activate: true,
    select: true,
    content: { type: 'image', dmode: 'absolute', style: { width: '480px', height: 'auto', 'z-index': ABOVE } },
  });
  blocks.add('logo', {
    label: label('Logo'),
    category: 'Media',
    attributes: { class: 'p88-block', 'data-block': 'logo' },
    activate: true,
    select: true,
    content: { type: 'image', dmode: 'absolute', name: 'Logo', attributes: { alt: 'Logo' }, style: { width: '320px', height: 'auto', 'z-index': ABOVE } },
  });
  blocks.add('background', {
    label: label('Background', 'Full-screen image'),
    category: 'Media',
    attributes: { class: 'p88-block', 'data-block': 'background' },
    select: true,
    content: {
      type: 'p88-background',
      dmode: 'absolute',
      style: { width: `${sizeOf(editor).width}px`, height: `${sizeOf(editor).height}px`, 'background-color': '#1f2a44', 'z-index': BELOW },
    },
  });
  blocks.add('text', {
    label: label('Text'),
    category: 'Basic',
    attributes: { class: 'p88-block', 'data-block': 'text' },
    content: { type: 'text', dmode: 'absolute', components: 'Your text', style: { 'font-size': '56px', width: '800px', 'z-index': ABOVE } },
  });
  blocks.add('box', {
    label: label('Box'),
    category: 'Basic',
    attributes: { class: 'p88-block', 'data-block': 'box' },
    content: { tagName: 'div', name: 'Box', dmode: 'absolute', droppable: false, style: { width: '600px', height: '300px', 'background-color': 'rgba(0, 0, 0, 0.5)', 'border-radius': '16px', 'z-index': ABOVE } },
  });
  // Last in the panel: list blocks for a busy finish (the screen repeats their row per finisher).
  blocks.add('list-recent', {
    label: label('Finisher list', 'Last N, newest on top'),
    category: 'Many finishers',
    attributes: { class: 'p88-block p88-runner-only', 'data-block': 'list-recent' },
    content: listComponent('recent'),
  });
  blocks.add('list-leaderboard', {
    label: label('Leaderboard', 'Top N by time'),
    category: 'Many finishers',
    attributes: { class: 'p88-block p88-runner-only', 'data-block': 'list-leaderboard' },
    content: listComponent('leaderboard'),
  });
}

/** The library of the partner, as the asset manager shows it (newest first). */
export function setAssets(editor: Editor, assets: Asset[]): void {
  editor.AssetManager.getAll().reset(assets.map(toGjsAsset));
}

export function addAsset(editor: Editor, asset: Asset): void {
  editor.AssetManager.add(toGjsAsset(asset), { at: 0 });
}

function toGjsAsset(asset: Asset) {
  return { type: 'image', src: asset.url, name: asset.name, width: asset.width, height: asset.height };
}

function wrapperOf(editor: Editor, id: DesignId): Component {
  const page = editor.Pages.get(id);
  if (!page) throw new Error(`the ${id} design is missing`);
  return page.getMainComponent();
}

/** One design as the display shows it: a 1920×1080 root with the design inside. */
export function exportDesign(editor: Editor, id: DesignId): TemplateDesign {
  const wrapper = wrapperOf(editor, id);
  const rootId = wrapper.getId();
  const inner = wrapper
    .components()
    .map((c: Component) => c.toHTML())
    .join('');
  const html = inner.trim() === '' ? '' : `<div id="${rootId}" ${DESIGN_ATTR}="${id}">${inner}</div>`;
  // The page's own styles (background) come after the defaults and win over them.
  const base = `#${rootId}{${rootStyle(sizeOf(editor))}}`;
  const rules = editor.getCss({ component: wrapper, avoidProtected: true }) ?? '';
  return { html, css: html === '' && !rules.includes(`#${rootId}`) ? '' : base + rules };
}

/** Everything a save sends: both designs, and the editor's project (without the library). */
export function exportContent(editor: Editor): { runner: TemplateDesign; idle: TemplateDesign; project: Record<string, unknown> } {
  const project = editor.getProjectData() as unknown as Record<string, unknown>;
  // The asset library belongs to the partner (GET /api/assets), not to one template.
  project.assets = [];
  return { runner: exportDesign(editor, 'runner'), idle: exportDesign(editor, 'idle'), project };
}

function hasDesignPages(project: Record<string, unknown> | null): project is Record<string, unknown> & { pages: Array<{ id?: unknown }> } {
  const pages = project?.pages;
  return Array.isArray(pages) && DESIGNS.every((id) => pages.some((p: { id?: unknown }) => p && p.id === id));
}

/** A design saved without project data (made elsewhere): its root's content and id. */
function parseDesign(design: TemplateDesign): { inner: string; rootId: string | null } {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${design.html}</body>`, 'text/html');
  // The server keeps the root's id but not its data-p88-design marker.
  const only = doc.body.children.length === 1 ? doc.body.firstElementChild : null;
  const root = doc.body.querySelector(`:scope > [${DESIGN_ATTR}]`) ?? (only?.tagName === 'DIV' && only.id ? only : null);
  return root ? { inner: root.innerHTML, rootId: root.id || null } : { inner: design.html, rootId: null };
}

/**
 * Puts a saved version into the editor: its project, or else its two designs. Resolves once
 * the undo history and the unsaved-changes count are cleared (GrapesJS counts the load's own
 * changes a tick later).
 */
export async function loadVersion(editor: Editor, version: Pick<TemplateVersion, 'runner' | 'idle' | 'project'>, assets: Asset[]): Promise<void> {
  if (hasDesignPages(version.project)) {
    editor.loadProjectData({ ...version.project, assets: [] });
  } else {
    const parsed = { runner: parseDesign(version.runner), idle: parseDesign(version.idle) };
    editor.loadProjectData({
      assets: [],
      styles: [],
      pages: DESIGNS.map((id) => ({
        id,
        name: DESIGN_LABELS[id],
        component: parsed[id].inner,
      })),
    });
    for (const id of DESIGNS) {
      const rootId = parsed[id].rootId;
      if (rootId) wrapperOf(editor, id).addAttributes({ id: rootId });
      if (version[id].css) editor.Css.addRules(version[id].css);
    }
  }
  for (const id of DESIGNS) {
    const page = editor.Pages.get(id);
    if (page) page.set('name', DESIGN_LABELS[id]);
  }
  setAssets(editor, assets);
  editor.Pages.select('runner');
  await new Promise((resolve) => setTimeout(resolve, 0));
  // Destroyed meanwhile (the screen was left): its modules are gone.
  if (!(editor as unknown as { UndoManager?: unknown }).UndoManager) return;
  editor.UndoManager.clear();
  editor.clearDirtyCount();
}

/**
 * For people who may look but not change (viewers): nothing on either design can be
 * selected, moved, edited or removed, so nothing changes that could not be saved anyway.
 */
export function lockDesigns(editor: Editor): void {
  const locked = { selectable: false, hoverable: false, draggable: false, droppable: false, editable: false, removable: false, copyable: false, highlightable: false };
  for (const page of editor.Pages.getAll()) page.getMainComponent().onAll((c) => c.set(locked));
  editor.select([]);
  editor.UndoManager.clear();
  editor.clearDirtyCount();
}

/** Zooms the canvas so the whole screen (1920×1080, or 1080×1920 portrait) fits the panel. */
export function fitCanvas(editor: Editor): void {
  editor.Canvas.fitViewport({ gap: 16 });
}

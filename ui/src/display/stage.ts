/**
 * The screen's stage: the template's two designs, each in its own sandboxed frame drawn at
 * the design resolution (1920×1080, or 1080×1920 for a portrait template) and scaled to fit
 * the window.
 *
 * Templates are untrusted. Each design is a srcdoc iframe with sandbox="allow-same-origin"
 * and no allow-scripts: nothing in a template can run, while this page (our code) can still
 * reach into the frame to put a runner's values in (as text, never HTML) and shrink long
 * names to fit. The frame's own CSP forbids scripts and any request but our images.
 */
import {
  designSize,
  FIELD_ATTR,
  FIT_ATTR,
  LIST_ATTR,
  LIST_FILTER_ATTRS,
  LIST_KINDS,
  LIST_ROWS_DEFAULT,
  LIST_ROWS_MAX,
  ROW_ATTR,
  ROWS_ATTR,
  type ListKind,
  type Runner,
  type TemplateDesign,
  type TemplateFormat,
} from '../../../src/shared/template-fields';
import type { FinisherBoard, ListFilter } from './board';

const FRAME_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'self' data:";
/** Long text shrinks to at most this fraction of its designed size, then clips. */
const MIN_FIT_SCALE = 0.25;

/** CSS placed inside <style>: `<` cannot close the element (it is never needed outside strings). */
function safeCss(css: string): string {
  return css.replace(/</g, '\\3c ');
}

export function frameDocument(design: TemplateDesign, size = designSize('landscape')): string {
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">
<style>html,body{margin:0;width:${size.width}px;height:${size.height}px;overflow:hidden;position:relative}
body{color:#fff;font-family:Arial,Helvetica,sans-serif}
[${LIST_ATTR}]{overflow:hidden}
.p88-row-in{animation:p88-row-in .45s ease-out}
@keyframes p88-row-in{from{transform:translateY(-60%);opacity:0}to{transform:none;opacity:1}}</style>
<style>${safeCss(design.css)}</style></head><body>${design.html}</body></html>`;
}

function loadFrame(frame: HTMLIFrameElement, design: TemplateDesign, size: { width: number; height: number }): Promise<Document> {
  return new Promise((resolve, reject) => {
    frame.addEventListener(
      'load',
      () => {
        const doc = frame.contentDocument;
        if (doc) resolve(doc);
        else reject(new Error('design frame not readable'));
      },
      { once: true },
    );
    frame.width = String(size.width);
    frame.height = String(size.height);
    frame.srcdoc = frameDocument(design, size);
  });
}

export type Animation = 'none' | 'fade' | 'slide';

/** One list block of the runner design: where its rows go and the row it repeats. */
interface ListBlock {
  el: HTMLElement;
  kind: ListKind;
  rows: number;
  filter: ListFilter;
  row: HTMLElement;
  /** Keys of the rows drawn last time (a new key slides in). */
  drawn: Set<string>;
}

/** Finds the design's list blocks and takes their row out (the stage repeats it per finisher). */
function listBlocks(doc: Document): ListBlock[] {
  const blocks: ListBlock[] = [];
  for (const el of doc.querySelectorAll<HTMLElement>(`[${LIST_ATTR}]`)) {
    const kind = el.getAttribute(LIST_ATTR) as ListKind;
    if (!LIST_KINDS.includes(kind) || el.parentElement?.closest(`[${LIST_ATTR}]`)) continue;
    const row = el.querySelector<HTMLElement>(`[${ROW_ATTR}]`) ?? (el.firstElementChild as HTMLElement | null);
    if (!row) continue;
    const rows = Math.min(LIST_ROWS_MAX, Math.max(1, Number(el.getAttribute(ROWS_ATTR)) || LIST_ROWS_DEFAULT));
    const filter: ListFilter = {};
    for (const [key, attr] of Object.entries(LIST_FILTER_ATTRS)) {
      const v = el.getAttribute(attr)?.trim();
      if (v) filter[key as keyof ListFilter] = v;
    }
    // The row's siblings (headings) stay; the rows go after them, in the row's place.
    const anchor = doc.createComment('p88-rows');
    row.replaceWith(anchor);
    row.removeAttribute('id');
    blocks.push({ el, kind, rows, filter, row, drawn: new Set() });
  }
  return blocks;
}

const rowKey = (r: Runner) => `${r.bib}\u0000${r.readTimeMs}`;

export class Stage {
  private readonly canvas: HTMLDivElement;
  private readonly runnerFrame: HTMLIFrameElement;
  private readonly idleFrame: HTMLIFrameElement;
  private runnerDoc: Document | null = null;
  private idleDoc: Document | null = null;
  private lists: ListBlock[] = [];
  /** Whether the runner design has fields outside its lists (a spotlight beside the lists). */
  private spotlightFields = true;
  /** Every bib a list row has shown since the design loaded (data-listed on the body). */
  private readonly listed = new Set<string>();
  private size = designSize('landscape');

  constructor(
    private readonly root: HTMLElement,
    private animation: Animation,
  ) {
    this.canvas = document.createElement('div');
    this.canvas.className = 'p88-canvas';
    this.runnerFrame = this.makeFrame('runner');
    this.idleFrame = this.makeFrame('idle');
    this.canvas.append(this.idleFrame, this.runnerFrame);
    root.replaceChildren(this.canvas);
    window.addEventListener('resize', () => this.fitToWindow());
    window.addEventListener('orientationchange', () => this.fitToWindow());
    new ResizeObserver(() => this.fitToWindow()).observe(root);
    this.fitToWindow();
  }

  /** Loads both designs; nothing shows until they are ready and filled. */
  async load(runner: TemplateDesign, idle: TemplateDesign, animation: Animation, format: TemplateFormat = 'landscape'): Promise<void> {
    this.animation = animation;
    this.size = designSize(format);
    this.canvas.style.width = `${this.size.width}px`;
    this.canvas.style.height = `${this.size.height}px`;
    document.body.dataset.format = format;
    this.fitToWindow();
    this.runnerFrame.classList.remove('p88-visible');
    this.idleFrame.classList.remove('p88-visible');
    [this.runnerDoc, this.idleDoc] = await Promise.all([loadFrame(this.runnerFrame, runner, this.size), loadFrame(this.idleFrame, idle, this.size)]);
    this.lists = listBlocks(this.runnerDoc);
    this.spotlightFields = [...this.runnerDoc.querySelectorAll(`[${FIELD_ATTR}]`)].some((el) => !el.closest(`[${LIST_ATTR}]`));
    // Until a runner or idle message is put in, every field is empty: no sample text shows.
    fill(this.runnerDoc, {});
    fill(this.idleDoc, {});
  }

  /** The runner design has list blocks: the screen is a board (always the runner design). */
  get isBoard(): boolean {
    return this.lists.length > 0;
  }

  /** Whether a board also has a one-runner spotlight (fields outside its lists). */
  get hasSpotlight(): boolean {
    return !this.isBoard || this.spotlightFields;
  }

  /**
   * Draws a board: every list's rows from the finishers (new ones slide in) and the spotlight
   * fields outside the lists with `spotlight` (empty when none).
   */
  showBoard(board: FinisherBoard, spotlight: Record<string, string>, values: (r: Runner, rank: number) => Record<string, string>): void {
    if (!this.runnerDoc) return;
    fill(this.runnerDoc, spotlight);
    for (const list of this.lists) {
      const runners = board.rows(list.kind, list.rows, list.filter);
      const anchor = [...list.el.childNodes].find((n) => n.nodeType === 8 && n.nodeValue === 'p88-rows');
      for (const old of list.el.querySelectorAll(':scope > [data-p88-row-of]')) old.remove();
      const drawn = new Set<string>();
      let last: ChildNode | null = anchor ?? null;
      runners.forEach((r, i) => {
        const row = list.row.cloneNode(true) as HTMLElement;
        row.setAttribute('data-p88-row-of', r.bib);
        const key = rowKey(r);
        drawn.add(key);
        if (list.drawn.size > 0 && !list.drawn.has(key) && this.animation !== 'none') row.classList.add('p88-row-in');
        // In the document first, so long text is fitted against its real box.
        if (last) last.after(row);
        else list.el.append(row);
        last = row;
        fillIn(row, values(r, i + 1));
        this.listed.add(r.bib);
      });
      list.drawn = drawn;
    }
    document.body.dataset.listed = String(this.listed.size);
    this.idleFrame.classList.remove('p88-visible');
    this.runnerFrame.classList.add('p88-visible');
  }

  showRunner(values: Record<string, string>): void {
    if (!this.runnerDoc) return;
    fill(this.runnerDoc, values);
    this.idleFrame.classList.remove('p88-visible');
    this.runnerFrame.classList.add('p88-visible');
    if (this.animation !== 'none') {
      const cls = `p88-anim-${this.animation}`;
      this.runnerFrame.classList.remove(cls);
      void this.runnerFrame.offsetWidth; // restart the animation for each runner
      this.runnerFrame.classList.add(cls);
    }
  }

  showIdle(values: Record<string, string>): void {
    if (!this.idleDoc) return;
    fill(this.idleDoc, values);
    this.runnerFrame.classList.remove('p88-visible');
    this.idleFrame.classList.add('p88-visible');
  }

  private makeFrame(role: string): HTMLIFrameElement {
    const frame = document.createElement('iframe');
    frame.className = `p88-frame p88-frame-${role}`;
    frame.setAttribute('sandbox', 'allow-same-origin');
    frame.setAttribute('scrolling', 'no');
    frame.setAttribute('tabindex', '-1');
    frame.title = role === 'runner' ? 'Runner' : 'Idle screen';
    frame.width = String(this.size.width);
    frame.height = String(this.size.height);
    return frame;
  }

  /** Scales the design to the stage (the window), centred: letterboxed in either orientation. */
  private fitToWindow(): void {
    const width = this.root.clientWidth || window.innerWidth;
    const height = this.root.clientHeight || window.innerHeight;
    const { width: w, height: h } = this.size;
    const scale = Math.min(width / w, height / h);
    this.canvas.style.transform = `scale(${scale})`;
    this.canvas.style.left = `${(width - w * scale) / 2}px`;
    this.canvas.style.top = `${(height - h * scale) / 2}px`;
  }
}

/** Puts values into every field element outside list blocks (as text) and fits the text that asks for it. */
export function fill(doc: Document, values: Record<string, string>): void {
  for (const el of doc.querySelectorAll<HTMLElement>(`[${FIELD_ATTR}]`)) {
    if (el.closest(`[${LIST_ATTR}]`)) continue;
    fillField(el, values);
  }
}

/** Puts values into the fields of one element (a list row) and the element itself. */
function fillIn(root: HTMLElement, values: Record<string, string>): void {
  if (root.hasAttribute(FIELD_ATTR)) fillField(root, values);
  for (const el of root.querySelectorAll<HTMLElement>(`[${FIELD_ATTR}]`)) fillField(el, values);
}

function fillField(el: HTMLElement, values: Record<string, string>): void {
  const value = values[el.getAttribute(FIELD_ATTR) ?? ''] ?? '';
  el.textContent = value;
  if (value === '') el.setAttribute('data-p88-empty', '');
  else el.removeAttribute('data-p88-empty');
  if (el.hasAttribute(FIT_ATTR)) fitText(el);
}

/** Shrinks an element's font until its text fits its box (binary search on the scale). */
export function fitText(el: HTMLElement): void {
  const view = el.ownerDocument.defaultView;
  if (!view) return;
  el.style.fontSize = '';
  const designed = parseFloat(view.getComputedStyle(el).fontSize);
  if (!designed || !overflows(el)) return;
  let lo = MIN_FIT_SCALE;
  let hi = 1;
  for (let i = 0; i < 8; i++) {
    const mid = (lo + hi) / 2;
    el.style.fontSize = `${designed * mid}px`;
    if (overflows(el)) hi = mid;
    else lo = mid;
  }
  el.style.fontSize = `${designed * lo}px`;
}

/**
 * Whether the text spills out of its box. Height counts only past a quarter of the font size:
 * a tight line-height (1.05 on big names) lets glyphs overhang the line box by a few pixels,
 * which is not overflow (it shrank "Ada Lovelace" from 180 px to 62 px).
 */
function overflows(el: HTMLElement): boolean {
  const fontSize = parseFloat(el.ownerDocument.defaultView?.getComputedStyle(el).fontSize ?? '0') || 0;
  return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + Math.max(1, fontSize * 0.25);
}

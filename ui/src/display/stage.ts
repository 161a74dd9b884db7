/**
 * The screen's stage: the template's two designs, each in its own sandboxed frame drawn at
 * the design resolution (1920×1080) and scaled to fit the window.
 *
 * Templates are untrusted. Each design is a srcdoc iframe with sandbox="allow-same-origin"
 * and no allow-scripts: nothing in a template can run, while this page (our code) can still
 * reach into the frame to put a runner's values in (as text, never HTML) and shrink long
 * names to fit. The frame's own CSP forbids scripts and any request but our images.
 */
import { DESIGN_HEIGHT, DESIGN_WIDTH, FIELD_ATTR, FIT_ATTR, type TemplateDesign } from '../../../src/shared/template-fields';

const FRAME_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'self' data:";
/** Long text shrinks to at most this fraction of its designed size, then clips. */
const MIN_FIT_SCALE = 0.25;

/** CSS placed inside <style>: `<` cannot close the element (it is never needed outside strings). */
function safeCss(css: string): string {
  return css.replace(/</g, '\\3c ');
}

export function frameDocument(design: TemplateDesign): string {
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">
<style>html,body{margin:0;width:${DESIGN_WIDTH}px;height:${DESIGN_HEIGHT}px;overflow:hidden;position:relative}
body{color:#fff;font-family:Arial,Helvetica,sans-serif}</style>
<style>${safeCss(design.css)}</style></head><body>${design.html}</body></html>`;
}

function loadFrame(frame: HTMLIFrameElement, design: TemplateDesign): Promise<Document> {
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
    frame.srcdoc = frameDocument(design);
  });
}

export type Animation = 'none' | 'fade' | 'slide';

export class Stage {
  private readonly canvas: HTMLDivElement;
  private readonly runnerFrame: HTMLIFrameElement;
  private readonly idleFrame: HTMLIFrameElement;
  private runnerDoc: Document | null = null;
  private idleDoc: Document | null = null;

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
  async load(runner: TemplateDesign, idle: TemplateDesign, animation: Animation): Promise<void> {
    this.animation = animation;
    this.runnerFrame.classList.remove('p88-visible');
    this.idleFrame.classList.remove('p88-visible');
    [this.runnerDoc, this.idleDoc] = await Promise.all([loadFrame(this.runnerFrame, runner), loadFrame(this.idleFrame, idle)]);
    // Until a runner or idle message is put in, every field is empty: no sample text shows.
    fill(this.runnerDoc, {});
    fill(this.idleDoc, {});
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
    frame.width = String(DESIGN_WIDTH);
    frame.height = String(DESIGN_HEIGHT);
    return frame;
  }

  /** Scales the design to the stage (the window), centred: letterboxed in either orientation. */
  private fitToWindow(): void {
    const width = this.root.clientWidth || window.innerWidth;
    const height = this.root.clientHeight || window.innerHeight;
    const scale = Math.min(width / DESIGN_WIDTH, height / DESIGN_HEIGHT);
    this.canvas.style.transform = `scale(${scale})`;
    this.canvas.style.left = `${(width - DESIGN_WIDTH * scale) / 2}px`;
    this.canvas.style.top = `${(height - DESIGN_HEIGHT * scale) / 2}px`;
  }
}

/** Puts values into every field element (as text) and fits the text that asks for it. */
export function fill(doc: Document, values: Record<string, string>): void {
  for (const el of doc.querySelectorAll<HTMLElement>(`[${FIELD_ATTR}]`)) {
    const value = values[el.getAttribute(FIELD_ATTR) ?? ''] ?? '';
    el.textContent = value;
    if (value === '') el.setAttribute('data-p88-empty', '');
    else el.removeAttribute('data-p88-empty');
    if (el.hasAttribute(FIT_ATTR)) fitText(el);
  }
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

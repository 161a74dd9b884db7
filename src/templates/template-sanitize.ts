/**
 * Server-side sanitizer for display templates.
 *
 * Templates are untrusted HTML and CSS written by partners in the GrapesJS builder and shown
 * on public race screens, so everything is filtered against allowlists before it is stored:
 *
 * - HTML goes through sanitize-html: layout and text tags only, a few inert attributes, no
 *   scripts, event handlers, frames, forms, SVG/MathML, links or navigation; `<img src>` only
 *   for our own asset URLs (`/assets/<32 hex>`) or base64 `data:image/(png|jpeg|gif|webp)`.
 * - CSS (the design's stylesheet and every `style` attribute) is parsed with postcss and
 *   rebuilt from the nodes that pass: no `@import` or other unknown at-rules, no comments,
 *   url() only for the same asset / data-image URLs, CSS functions from an allowlist only
 *   (so no `expression()`, `image-set()`, `src()` ...), no `behavior` / `-moz-binding`.
 *
 * The CSS is re-serialised in one canonical form (`selector{prop:value;}`), so the output is
 * deterministic and sanitizing it again returns it unchanged.
 */
import postcss, { type AtRule, type ChildNode, type Declaration, type Rule } from 'postcss';
import valueParser from 'postcss-value-parser';
import sanitizeHtml from 'sanitize-html';
import { AppError } from '../errors.js';
import { FIELD_ATTR, FIT_ATTR, LIST_ATTR, LIST_FILTER_ATTRS, LIST_KINDS, ROW_ATTR, ROWS_ATTR, TEMPLATE_FIELDS, type TemplateDesign } from '../shared/template-fields.js';

/** Largest accepted HTML of one design (UTF-8 bytes), before and after sanitizing. */
export const MAX_HTML_BYTES = 512 * 1024;
/** Largest accepted CSS of one design (UTF-8 bytes), before and after sanitizing. */
export const MAX_CSS_BYTES = 512 * 1024;
/**
 * Most tags (counted as `<` followed by a letter) one design's HTML may contain. The HTML
 * parser's cost grows with the square of the nesting depth (100 000 unclosed `<div>`s, which
 * fit in MAX_HTML_BYTES, take seconds), so the tag count is capped before parsing.
 */
export const MAX_HTML_TAGS = 20_000;

/** Attribute marking an image slot the display may fill (value: a short token). */
const IMAGE_ATTR = 'data-p88-image';

/** Our own uploaded images: `/assets/<key>`, key = 32 lowercase hex characters. */
const ASSET_URL = /^\/assets\/[0-9a-f]{32}$/;
/** Inline raster images. SVG is deliberately absent (it can carry script). */
const DATA_IMAGE_URL = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
/** Inline web fonts, accepted only in an `@font-face` src. */
const DATA_FONT_URL =
  /^data:(?:font\/(?:woff2?|ttf|otf|sfnt)|application\/(?:font-woff2?|x-font-woff|font-sfnt|x-font-ttf|x-font-truetype|x-font-opentype));base64,[A-Za-z0-9+/]+={0,2}$/;

export function isAllowedImageUrl(url: string): boolean {
  return ASSET_URL.test(url) || DATA_IMAGE_URL.test(url);
}

/* ------------------------------------------------------------------------------------------ */
/* CSS                                                                                         */
/* ------------------------------------------------------------------------------------------ */

/** CSS functions a value may call. Anything else (expression, image-set, src, element, paint, attr ...) drops the declaration. */
const CSS_FUNCTIONS = new Set([
  // colours
  'rgb', 'rgba', 'hsl', 'hsla', 'hwb', 'lab', 'lch', 'oklab', 'oklch', 'color', 'color-mix', 'light-dark',
  // maths and variables
  'calc', 'min', 'max', 'clamp', 'round', 'mod', 'rem', 'abs', 'sign', 'sin', 'cos', 'tan', 'asin', 'acos',
  'atan', 'atan2', 'pow', 'sqrt', 'hypot', 'log', 'exp', 'var', 'env',
  '-webkit-calc', '-moz-calc',
  // gradients
  'linear-gradient', 'radial-gradient', 'conic-gradient',
  'repeating-linear-gradient', 'repeating-radial-gradient', 'repeating-conic-gradient',
  '-webkit-linear-gradient', '-webkit-radial-gradient', '-webkit-repeating-linear-gradient',
  '-webkit-repeating-radial-gradient', '-moz-linear-gradient', '-moz-radial-gradient',
  '-moz-repeating-linear-gradient', '-moz-repeating-radial-gradient', '-o-linear-gradient',
  // transforms
  'matrix', 'matrix3d', 'translate', 'translatex', 'translatey', 'translatez', 'translate3d', 'scale', 'scalex',
  'scaley', 'scalez', 'scale3d', 'rotate', 'rotatex', 'rotatey', 'rotatez', 'rotate3d', 'skew', 'skewx', 'skewy',
  'perspective',
  // timing
  'cubic-bezier', 'steps', 'linear',
  // filters
  'blur', 'brightness', 'contrast', 'drop-shadow', 'grayscale', 'hue-rotate', 'invert', 'opacity', 'saturate',
  'sepia',
  // shapes, grid, text
  'inset', 'circle', 'ellipse', 'polygon', 'rect', 'path', 'repeat', 'minmax', 'fit-content', 'counter', 'counters',
  // fonts
  'format',
]);
/** Functions additionally allowed inside an `@font-face` src. */
const FONT_FACE_FUNCTIONS = new Set(['local', 'tech']);

/** Properties that run code or bind behaviour in some browser. */
const DENIED_PROPERTIES = new Set([
  'behavior', '-ms-behavior', 'binding', '-moz-binding', '-webkit-binding', '-o-link', '-o-link-source',
]);

const PROPERTY_NAME = /^-?[a-z][a-z0-9-]*$/;
const CUSTOM_PROPERTY_NAME = /^--[A-Za-z0-9_-]+$/;
const MEDIA_PARAMS = /^[A-Za-z0-9\s(),:./<>=-]*$/;
const KEYFRAMES_NAME = /^(?:-?[A-Za-z_][A-Za-z0-9_-]*|"[A-Za-z0-9 _-]*"|'[A-Za-z0-9 _-]*')$/;
const KEYFRAME_SELECTOR = /^(?:from|to|\d{1,3}(?:\.\d+)?%)(?:\s*,\s*(?:from|to|\d{1,3}(?:\.\d+)?%))*$/i;
const KEYFRAMES_AT_RULES = new Set(['keyframes', '-webkit-keyframes', '-moz-keyframes', '-o-keyframes']);
/** How deep @media / @keyframes may nest. */
const MAX_AT_RULE_DEPTH = 4;
/** How deep functions may nest inside one value. */
const MAX_VALUE_DEPTH = 16;

type ValueContext = 'style' | 'font-face';

function urlAllowed(url: string, ctx: ValueContext): boolean {
  return isAllowedImageUrl(url) || (ctx === 'font-face' && DATA_FONT_URL.test(url));
}

/** Whether every function, url and token in a declaration value is acceptable. */
function valueAllowed(value: string, ctx: ValueContext): boolean {
  // A `</style` in the stylesheet could end a <style> element it is embedded in.
  if (value.includes('</')) return false;
  const walk = (nodes: valueParser.Node[], depth: number): boolean => {
    if (depth > MAX_VALUE_DEPTH) return false;
    for (const node of nodes) {
      switch (node.type) {
        case 'comment':
          // Comments separate tokens; rather than reason about what removing them joins, refuse.
          return false;
        case 'string':
          if (node.unclosed) return false;
          break;
        case 'word':
          // Escapes outside strings can spell function names (u\72l(...)); no design needs them.
          if (node.value.includes('\\')) return false;
          break;
        case 'function': {
          if (node.unclosed || node.value.includes('\\')) return false;
          const name = node.value.toLowerCase();
          if (name === 'url') {
            const inner = node.nodes;
            if (inner.length !== 1) return false;
            const only = inner[0]!;
            if (only.type !== 'word' && only.type !== 'string') return false;
            if (only.type === 'string' && only.unclosed) return false;
            if (!urlAllowed(only.value, ctx)) return false;
            break;
          }
          // '' is a plain parenthesised group, as in calc((1px + 2px) * 3).
          if (name !== '' && !CSS_FUNCTIONS.has(name) && !(ctx === 'font-face' && FONT_FACE_FUNCTIONS.has(name))) {
            return false;
          }
          if (!walk(node.nodes, depth + 1)) return false;
          break;
        }
        default:
          // space, div, unicode-range
          break;
      }
    }
    return true;
  };
  return walk(valueParser(value).nodes, 0);
}

/** The canonical `prop:value[ !important]` text of an acceptable declaration, else null. */
function cleanDeclaration(decl: Declaration, ctx: ValueContext): string | null {
  let prop = decl.prop;
  if (prop.startsWith('--')) {
    if (!CUSTOM_PROPERTY_NAME.test(prop)) return null;
  } else {
    prop = prop.toLowerCase();
    if (!PROPERTY_NAME.test(prop) || DENIED_PROPERTIES.has(prop)) return null;
  }
  const value = decl.value.trim();
  if (value === '' || !valueAllowed(value, ctx)) return null;
  return `${prop}:${value}${decl.important ? ' !important' : ''}`;
}

function cleanDeclarations(nodes: ChildNode[], ctx: ValueContext): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    if (node.type !== 'decl') continue;
    const d = cleanDeclaration(node, ctx);
    if (d !== null) out.push(d);
  }
  return out;
}

function cleanRule(rule: Rule): string | null {
  const selector = rule.selector.trim();
  // No comments (nothing generated needs them) and no `<` (invalid in a selector, and `</style` must not appear).
  if (selector === '' || selector.includes('<') || selector.includes('/*')) return null;
  // Nested rules and at-rules inside a rule (CSS nesting) are dropped; only declarations stay.
  const decls = cleanDeclarations(rule.nodes, 'style');
  if (decls.length === 0) return null;
  return `${selector}{${decls.map((d) => `${d};`).join('')}}`;
}

function cleanKeyframes(at: AtRule, name: string): string | null {
  const params = at.params.trim();
  if (!KEYFRAMES_NAME.test(params)) return null;
  const frames: string[] = [];
  for (const node of at.nodes ?? []) {
    if (node.type !== 'rule') continue;
    if (!KEYFRAME_SELECTOR.test(node.selector.trim())) continue;
    const r = cleanRule(node);
    if (r !== null) frames.push(r);
  }
  if (frames.length === 0) return null;
  return `@${name} ${params}{${frames.join('')}}`;
}

function cleanFontFace(at: AtRule): string | null {
  if (at.params.trim() !== '' || !at.nodes) return null;
  const decls: string[] = [];
  let hasSrc = false;
  for (const node of at.nodes) {
    if (node.type !== 'decl') continue;
    const isSrc = node.prop.toLowerCase() === 'src';
    const d = cleanDeclaration(node, 'font-face');
    if (d === null) {
      // A font that would load from anywhere but our allowlist is dropped as a whole.
      if (isSrc) return null;
      continue;
    }
    if (isSrc) hasSrc = true;
    decls.push(d);
  }
  if (!hasSrc) return null;
  return `@font-face{${decls.map((d) => `${d};`).join('')}}`;
}

/** Sanitizes a list of stylesheet nodes (root or @media body) into canonical text. */
function cleanNodes(nodes: ChildNode[], depth: number, top: boolean): string {
  const out: string[] = [];
  for (const node of nodes) {
    if (node.type === 'rule') {
      const r = cleanRule(node);
      if (r !== null) out.push(r);
    } else if (node.type === 'atrule') {
      const name = node.name.toLowerCase();
      if (depth >= MAX_AT_RULE_DEPTH || !node.nodes) continue;
      if (name === 'media') {
        const params = node.params.trim();
        if (!MEDIA_PARAMS.test(params) || params.includes('</')) continue;
        const body = cleanNodes(node.nodes, depth + 1, false);
        if (body !== '') out.push(`@media${params === '' ? '' : ` ${params}`}{${body}}`);
      } else if (KEYFRAMES_AT_RULES.has(name)) {
        const k = cleanKeyframes(node, name);
        if (k !== null) out.push(k);
      } else if (name === 'font-face' && top) {
        const f = cleanFontFace(node);
        if (f !== null) out.push(f);
      }
      // Everything else (@import, @charset, @namespace, @supports, @page, @property ...) is dropped.
    }
    // Comments and stray top-level declarations are dropped.
  }
  return out.join('');
}

/** Sanitizes a stylesheet. Throws bad_request when it cannot be parsed. */
export function sanitizeCss(css: string): string {
  let root: postcss.Root;
  try {
    root = postcss.parse(css.replace(/\0/g, ''));
  } catch (err) {
    const e = err as { reason?: string; line?: number };
    throw new AppError('bad_request', `The template CSS could not be read: ${e.reason ?? 'syntax error'}${e.line ? ` (line ${e.line})` : ''}.`);
  }
  return cleanNodes(root.nodes, 0, true);
}

/** Sanitizes the text of a `style` attribute; '' when nothing acceptable is left. */
export function sanitizeStyleAttribute(style: string): string {
  let root: postcss.Root;
  try {
    root = postcss.parse(style.replace(/\0/g, ''));
  } catch {
    return '';
  }
  // Anything but plain declarations (a `}` breaking out into rules, at-rules) loses the whole attribute.
  if (root.nodes.some((n) => n.type !== 'decl' && n.type !== 'comment')) return '';
  return cleanDeclarations(root.nodes, 'style').join(';');
}

/* ------------------------------------------------------------------------------------------ */
/* HTML                                                                                        */
/* ------------------------------------------------------------------------------------------ */

export const ALLOWED_TAGS: readonly string[] = [
  'div', 'span', 'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'img', 'section', 'header', 'footer', 'main', 'article',
  'aside', 'nav', 'figure', 'figcaption', 'br', 'hr', 'strong', 'em', 'b', 'i', 'u', 's', 'small', 'sub', 'sup',
  'mark', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'a',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
];

/** Disallowed elements whose whole content goes too, not just the tag. */
const DROP_WITH_CONTENT = [
  'script', 'style', 'textarea', 'option', 'select', 'xmp', 'iframe', 'frame', 'frameset', 'object', 'embed',
  'applet', 'svg', 'math', 'template', 'noscript', 'noembed', 'noframes', 'title', 'head', 'canvas', 'video',
  'audio', 'button',
];

const LIST_FILTERS = Object.values(LIST_FILTER_ATTRS);
const GLOBAL_ATTRIBUTES = ['id', 'class', 'style', 'title', FIELD_ATTR, FIT_ATTR, IMAGE_ATTR, LIST_ATTR, ROW_ATTR, ROWS_ATTR, ...LIST_FILTERS];
const LIST_KIND_SET: ReadonlySet<string> = new Set(LIST_KINDS);
/** A list filter's value: what a roster's race, gender or division says ("10K", "F30-34", "Half Marathon"). */
const FILTER_VALUE = /^[\p{L}\p{N} _.+/-]{0,64}$/u;
const SIZE_VALUE = /^\d{1,5}(?:\.\d{1,4})?(?:%|px)?$/;
const SPAN_VALUE = /^\d{1,4}$/;
const TOKEN_VALUE = /^[A-Za-z0-9_-]{0,64}$/;
const FIELD_SET: ReadonlySet<string> = new Set(TEMPLATE_FIELDS);

/** Style attributes already cleaned during the current (synchronous) sanitizeTemplateHtml call. */
const styleMemo = new Map<string, string>();

/** Validates attribute values that sanitize-html cannot (it runs before its own attribute filter). */
function transformAttributes(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const out: sanitizeHtml.Attributes = { ...attribs };
  const drop = (name: string) => {
    delete out[name];
  };
  if (out.style !== undefined) {
    let style = styleMemo.get(out.style);
    if (style === undefined) {
      style = sanitizeStyleAttribute(out.style);
      styleMemo.set(out.style, style);
    }
    if (style === '') drop('style');
    else out.style = style;
  }
  if (out[FIELD_ATTR] !== undefined && !FIELD_SET.has(out[FIELD_ATTR])) drop(FIELD_ATTR);
  for (const name of [FIT_ATTR, IMAGE_ATTR, ROW_ATTR]) {
    if (out[name] !== undefined && !TOKEN_VALUE.test(out[name])) drop(name);
  }
  if (out[LIST_ATTR] !== undefined && !LIST_KIND_SET.has(out[LIST_ATTR])) drop(LIST_ATTR);
  if (out[ROWS_ATTR] !== undefined && !/^\d{1,2}$/.test(out[ROWS_ATTR])) drop(ROWS_ATTR);
  for (const name of LIST_FILTERS) {
    if (out[name] !== undefined && !FILTER_VALUE.test(out[name])) drop(name);
  }
  if (out.src !== undefined && !(tagName === 'img' && isAllowedImageUrl(out.src))) drop('src');
  for (const name of ['width', 'height']) {
    if (out[name] !== undefined && !SIZE_VALUE.test(out[name])) drop(name);
  }
  for (const name of ['colspan', 'rowspan', 'span']) {
    if (out[name] !== undefined && !SPAN_VALUE.test(out[name])) drop(name);
  }
  return { tagName, attribs: out };
}

/** sanitize-html 2.17 options; @types/sanitize-html 2.16 does not list allowedEmptyAttributes yet. */
type HtmlOptions = sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] };

const HTML_OPTIONS: HtmlOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: {
    '*': GLOBAL_ATTRIBUTES,
    img: ['src', 'alt', 'width', 'height'],
    table: ['width', 'height'],
    td: ['colspan', 'rowspan', 'width', 'height'],
    th: ['colspan', 'rowspan', 'width', 'height'],
    col: ['span', 'width'],
    colgroup: ['span', 'width'],
  },
  allowedEmptyAttributes: ['alt', FIT_ATTR, IMAGE_ATTR, ROW_ATTR],
  // Only img keeps a URL attribute, and transformAttributes has already checked it.
  allowedSchemes: [],
  allowedSchemesByTag: { img: ['data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'action', 'formaction', 'poster', 'background'],
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  disallowedTagsMode: 'discard',
  nonTextTags: DROP_WITH_CONTENT,
  nestingLimit: 128,
  parseStyleAttributes: false,
  transformTags: { '*': transformAttributes },
  parser: { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
};

/** How many times the HTML may be re-sanitized while looking for a stable result. */
const MAX_HTML_PASSES = 4;

/**
 * Sanitizes template HTML. sanitize-html repairs broken nesting (`<a><li><li>`, stray `<tr>`)
 * one step per pass, so one pass is not always stable under a second one; the result is run
 * again until it no longer changes, which makes the function idempotent by construction.
 */
export function sanitizeTemplateHtml(html: string): string {
  const tags = html.match(/<[A-Za-z]/g)?.length ?? 0;
  if (tags > MAX_HTML_TAGS) {
    throw new AppError('bad_request', `The template HTML has more than ${MAX_HTML_TAGS} elements.`);
  }
  try {
    let out = sanitizeHtml(html.replace(/\0/g, ''), HTML_OPTIONS);
    for (let pass = 1; pass < MAX_HTML_PASSES; pass++) {
      const again = sanitizeHtml(out, HTML_OPTIONS);
      if (again === out) return out;
      out = again;
    }
  } finally {
    styleMemo.clear();
  }
  throw new AppError('bad_request', 'The template HTML is too badly nested to clean up; re-save it from the builder.');
}

/* ------------------------------------------------------------------------------------------ */

function checkSize(what: 'HTML' | 'CSS', text: string, max: number): void {
  if (Buffer.byteLength(text, 'utf8') > max) {
    throw new AppError('bad_request', `The template ${what} is larger than ${Math.floor(max / 1024)} KiB.`);
  }
}

/**
 * Sanitizes one design (runner or idle). Deterministic and idempotent:
 * `sanitizeDesign(sanitizeDesign(d))` equals `sanitizeDesign(d)`.
 * Throws AppError('bad_request') when the HTML or CSS is too large (before or after
 * sanitizing) or the CSS cannot be parsed.
 */
export function sanitizeDesign(d: TemplateDesign): TemplateDesign {
  if (typeof d?.html !== 'string' || typeof d?.css !== 'string') {
    throw new AppError('bad_request', 'A template design needs html and css strings.');
  }
  checkSize('HTML', d.html, MAX_HTML_BYTES);
  checkSize('CSS', d.css, MAX_CSS_BYTES);
  const html = sanitizeTemplateHtml(d.html);
  const css = sanitizeCss(d.css);
  // Escaping can grow the text; the output must itself be acceptable input.
  checkSize('HTML', html, MAX_HTML_BYTES);
  checkSize('CSS', css, MAX_CSS_BYTES);
  return { html, css };
}

/**
 * Sanitizer for the GrapesJS project data stored with each template version (the builder
 * loads it back into its canvas, for the owner and every editor of the partner). Rebuilt as
 * an allowlist (issue 12, finding 5): the old blocklist let components given as HTML strings
 * (`pages[].frames[].component.components: "<img onerror…>"`) and outside fonts in project
 * styles through. Now:
 *
 * - every string in the project that looks like HTML goes through the design HTML sanitizer
 *   (sanitizeTemplateHtml: the same tags, attributes and URLs a display may show);
 * - component objects keep only allowed tags (the design allowlist) and GrapesJS types;
 *   others are dropped with their children;
 * - `attributes` keep an allowlist of names (style through the CSS sanitizer, src only for
 *   our asset / data-image URLs); a component's own `src` is checked the same way;
 * - project `styles` (a CSS string, or GrapesJS rule objects) go through the CSS sanitizer:
 *   only plain rules, `@media` and `@font-face` with inline (data:) fonts survive;
 * - nesting deeper than MAX_PROJECT_DEPTH is refused with 400 instead of recursing on.
 */
import postcss from 'postcss';
import { AppError } from '../errors.js';
import { FIELD_ATTR, FIT_ATTR } from '../shared/template-fields.js';
import { ALLOWED_TAGS, isAllowedImageUrl, sanitizeCss, sanitizeStyleAttribute, sanitizeTemplateHtml } from './template-sanitize.js';

/** Deepest nesting of arrays and objects a project may have (a builder page needs far less). */
export const MAX_PROJECT_DEPTH = 100;

const TAGS: ReadonlySet<string> = new Set(ALLOWED_TAGS);
/** GrapesJS component types that render as allowed tags. */
const TYPES: ReadonlySet<string> = new Set(['wrapper', 'default', 'text', 'textnode', 'image', 'link', 'cell', 'row', 'table', 'tbody', 'thead', 'tfoot', 'label']);
const ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'class', 'title', 'alt', 'width', 'height', 'colspan', 'rowspan', 'span', FIELD_ATTR, FIT_ATTR, 'data-p88-image']);
const LOOKS_LIKE_HTML = /<[A-Za-z!/?]/;

export function sanitizeProject(value: unknown): unknown {
  return clean(value, 0, null);
}

function tooDeep(): AppError {
  return new AppError('bad_request', `The builder project is nested more than ${MAX_PROJECT_DEPTH} levels deep.`);
}

function isAllowedComponent(c: Record<string, unknown>): boolean {
  const tag = c.tagName;
  if (tag !== undefined && (typeof tag !== 'string' || !TAGS.has(tag.toLowerCase()))) return false;
  const type = c.type;
  if (type !== undefined && (typeof type !== 'string' || (!TYPES.has(type) && !TAGS.has(type.toLowerCase())))) return false;
  return true;
}

function clean(value: unknown, depth: number, key: string | null): unknown {
  if (depth > MAX_PROJECT_DEPTH) throw tooDeep();
  if (typeof value === 'string') return LOOKS_LIKE_HTML.test(value) ? sanitizeTemplateHtml(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (key === 'styles') return value.map((r) => cleanStyleRule(r, depth + 1)).filter((r) => r !== null);
    return value
      .filter((c) => !(c && typeof c === 'object' && !Array.isArray(c) && !isAllowedComponent(c as Record<string, unknown>)))
      .map((c) => clean(c, depth + 1, null));
  }
  const obj = value as Record<string, unknown>;
  if (!isAllowedComponent(obj)) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (/^on/i.test(k)) continue;
    if (k === 'attributes' && v && typeof v === 'object' && !Array.isArray(v)) out[k] = cleanAttributes(v as Record<string, unknown>);
    else if (k === 'src') {
      if (typeof v === 'string' && isAllowedImageUrl(v)) out[k] = v;
    } else if (k === 'style' && typeof v === 'string') out[k] = sanitizeStyleAttribute(v);
    else if (k === 'style' && v && typeof v === 'object' && !Array.isArray(v)) out[k] = cleanDeclarations(v as Record<string, unknown>);
    else if (k === 'styles' && typeof v === 'string') out[k] = sanitizeCss(v);
    else out[k] = clean(v, depth + 1, k);
  }
  return out;
}

function cleanAttributes(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(attrs)) {
    const n = name.toLowerCase();
    if (n === 'style' && typeof v === 'string') {
      const style = sanitizeStyleAttribute(v);
      if (style) out[name] = style;
    } else if (n === 'src') {
      if (typeof v === 'string' && isAllowedImageUrl(v)) out[name] = v;
    } else if (ATTRIBUTES.has(n) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      out[name] = typeof v === 'string' && LOOKS_LIKE_HTML.test(v) ? sanitizeTemplateHtml(v) : v;
    }
  }
  return out;
}

/** `{ prop: value }` through the style-attribute sanitizer, back into an object. */
function cleanDeclarations(style: Record<string, unknown>, context: 'rule' | 'font-face' = 'rule'): Record<string, string> {
  const text = Object.entries(style)
    .filter((e): e is [string, string] => typeof e[1] === 'string' || typeof e[1] === 'number')
    .map(([p, v]) => `${p}:${String(v)}`)
    .join(';');
  const cleaned = context === 'font-face' ? sanitizeCss(`@font-face{${text}}`).replace(/^@font-face\{|\}$/g, '') : sanitizeStyleAttribute(text);
  const out: Record<string, string> = {};
  if (!cleaned) return out;
  try {
    postcss.parse(`x{${cleaned}}`).walkDecls((d) => {
      out[d.prop] = d.important ? `${d.value} !important` : d.value;
    });
  } catch {
    return {};
  }
  return out;
}

/** One GrapesJS CSS rule object: plain, @media (its condition checked) or @font-face (data fonts only). */
function cleanStyleRule(rule: unknown, depth: number): unknown {
  if (depth > MAX_PROJECT_DEPTH) throw tooDeep();
  if (typeof rule === 'string') return sanitizeCss(rule) || null;
  if (!rule || typeof rule !== 'object' || Array.isArray(rule)) return null;
  const r = rule as Record<string, unknown>;
  const atRule = typeof r.atRuleType === 'string' ? r.atRuleType : '';
  if (atRule !== '' && atRule !== 'media' && atRule !== 'font-face') return null;
  if (atRule === 'media' || r.mediaText !== undefined) {
    const media = typeof r.mediaText === 'string' ? r.mediaText : '';
    if (media !== '' && !sanitizeCss(`@media ${media}{a{color:red}}`).startsWith('@media')) return null;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'style') out[k] = v && typeof v === 'object' && !Array.isArray(v) ? cleanDeclarations(v as Record<string, unknown>, atRule === 'font-face' ? 'font-face' : 'rule') : {};
    else out[k] = clean(v, depth + 1, k);
  }
  if (atRule === 'font-face' && Object.keys(out.style as object).length === 0) return null;
  return out;
}

/**
 * "Import colours and fonts from a race website": fetches a page through safeFetch (SSRF-safe),
 * reads its CSS — inline <style>, style="" attributes and up to three same-site linked
 * stylesheets (fetched through safeFetch too) — and returns the colours and font families it
 * uses most. Nothing fetched is executed: HTML is only parsed (parse5), CSS only parsed (postcss).
 */
import { parse as parseHtml, type DefaultTreeAdapterTypes } from 'parse5';
import postcss from 'postcss';
import { safeFetch, SAFE_FETCH_DEFAULTS, type SafeFetchPolicy } from '../http/safe-fetch.js';

export const MAX_COLORS = 12;
export const MAX_FONTS = 8;
export const MAX_LINKED_STYLESHEETS = 3;

export interface FetchedStyles {
  /** The page finally read (after redirects). */
  url: string;
  /** #rrggbb, most used first. */
  colors: string[];
  /** Font family names, most used first, generic families (serif, system-ui, …) last. */
  fonts: string[];
}

/** Adds https:// when the user typed just "race.example.com/page". */
export function normalizeUserUrl(input: string): string {
  const s = input.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
}

/**
 * Fetches the page and its same-site stylesheets and extracts colours and fonts. One deadline
 * (policy.timeoutMs, default 5 s) covers everything; a stylesheet that fails or is late is
 * skipped, the page itself failing throws SafeFetchError.
 */
export async function fetchStyles(url: string, policy: SafeFetchPolicy = {}): Promise<FetchedStyles> {
  const signal = AbortSignal.timeout(policy.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs);
  const page = await safeFetch(url, { ...policy, contentTypes: ['text/html'], signal });
  const pageUrl = new URL(page.url);
  const doc = readHtml(page.body, pageUrl);

  const wanted = doc.links.filter((l) => sameSite(pageUrl, l)).slice(0, MAX_LINKED_STYLESHEETS);
  const fetched = new Map<string, string>();
  await Promise.all(
    wanted.map(async (link) => {
      try {
        const css = await safeFetch(link, { ...policy, contentTypes: ['text/css'], signal });
        fetched.set(link.href, css.body);
      } catch {
        // A missing or refused stylesheet leaves the rest usable.
      }
    }),
  );

  const tally = new Tally();
  for (const source of doc.sources) {
    if (source.kind === 'css') tallyCss(source.text, tally);
    else if (source.kind === 'declarations') tallyCss(`x{${source.text}}`, tally);
    else if (source.kind === 'color') scanColors(source.text, tally);
    else if (source.kind === 'font') tally.font(source.text);
    else {
      const css = fetched.get(source.href);
      if (css !== undefined) tallyCss(css, tally);
    }
  }
  return { url: page.url, colors: tally.topColors(), fonts: tally.topFonts() };
}

// ---------------------------------------------------------------------------------------------
// HTML

type Source =
  | { kind: 'css'; text: string }
  | { kind: 'declarations'; text: string }
  | { kind: 'color'; text: string }
  | { kind: 'font'; text: string }
  | { kind: 'link'; href: string };

interface ReadDocument {
  /** Style sources in document order (links where their sheet goes). */
  sources: Source[];
  /** Linked stylesheets, resolved, http(s) only, in document order, no repeats. */
  links: URL[];
}

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/** Parses HTML (never runs it) and lists where its styles are. */
export function readHtml(html: string, pageUrl: URL): ReadDocument {
  const doc = parseHtml(html);
  const elements: Element[] = [];
  const walk = (node: Node) => {
    if (isElement(node)) elements.push(node);
    // <template> content is inert and kept apart by parse5 (node.content): not walked.
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
  };
  walk(doc);

  let base = pageUrl;
  const baseHref = elements.find((e) => e.tagName === 'base' && attr(e, 'href') !== undefined);
  if (baseHref) {
    try {
      const b = new URL(attr(baseHref, 'href')!, pageUrl);
      if (b.protocol === 'http:' || b.protocol === 'https:') base = b;
    } catch {
      // keep the page URL
    }
  }

  const sources: Source[] = [];
  const links: URL[] = [];
  for (const el of elements) {
    const style = attr(el, 'style');
    if (style) sources.push({ kind: 'declarations', text: style });
    if (el.tagName === 'style') {
      // HTML <style> and inline SVG's <style> both style the page.
      const text = el.childNodes.map((c) => ('value' in c && c.nodeName === '#text' ? c.value : '')).join('');
      sources.push({ kind: 'css', text });
    } else if (el.tagName === 'meta' && attr(el, 'name')?.toLowerCase() === 'theme-color') {
      sources.push({ kind: 'color', text: attr(el, 'content') ?? '' });
    } else if (el.tagName === 'link') {
      const rel = (attr(el, 'rel') ?? '').toLowerCase().split(/\s+/);
      const href = attr(el, 'href');
      if (!rel.includes('stylesheet') || !href) continue;
      let url: URL;
      try {
        url = new URL(href, base);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      url.hash = '';
      // Google Fonts: the family names are in the link itself; no need to fetch it.
      const families = googleFontFamilies(url);
      if (families.length > 0) {
        for (const f of families) sources.push({ kind: 'font', text: f });
        continue;
      }
      if (links.some((l) => l.href === url.href)) continue;
      links.push(url);
      sources.push({ kind: 'link', href: url.href });
    }
  }
  return { sources, links };
}

function googleFontFamilies(url: URL): string[] {
  if (url.hostname !== 'fonts.googleapis.com') return [];
  return url.searchParams
    .getAll('family')
    .flatMap((v) => v.split('|'))
    .map((v) => v.split(':')[0]!.trim())
    .filter(Boolean);
}

/** The page's own host, a subdomain of it or its parent (www. ignored); IP addresses must match exactly. */
export function sameSite(page: URL, other: URL): boolean {
  const key = (u: URL) => u.hostname.toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
  const a = key(page);
  const b = key(other);
  if (a === b) return true;
  if (/^[\d.]+$|^\[/.test(a) || /^[\d.]+$|^\[/.test(b)) return false;
  return (b.endsWith(`.${a}`) || a.endsWith(`.${b}`)) && b.includes('.') && a.includes('.');
}

// ---------------------------------------------------------------------------------------------
// CSS

export class Tally {
  private readonly colors = new Map<string, number>();
  private readonly fonts = new Map<string, { name: string; count: number }>();

  color(hex: string): void {
    this.colors.set(hex, (this.colors.get(hex) ?? 0) + 1);
  }

  font(raw: string): void {
    const name = cleanFontName(raw);
    if (!name) return;
    const key = name.toLowerCase();
    const seen = this.fonts.get(key);
    if (seen) seen.count++;
    else this.fonts.set(key, { name, count: 1 });
  }

  /** Most used first; ties keep first-seen order (Map order and a stable sort). */
  topColors(): string[] {
    return [...this.colors.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, MAX_COLORS)
      .map(([hex]) => hex);
  }

  /** Named families by use, then generic ones. */
  topFonts(): string[] {
    const all = [...this.fonts.entries()].sort((x, y) => y[1].count - x[1].count);
    const named = all.filter(([k]) => !GENERIC_FAMILIES.has(k));
    const generic = all.filter(([k]) => GENERIC_FAMILIES.has(k));
    return [...named, ...generic].slice(0, MAX_FONTS).map(([, v]) => v.name);
  }
}

const GENERIC_FAMILIES = new Set([
  'serif',
  'sans-serif',
  'monospace',
  'cursive',
  'fantasy',
  'system-ui',
  'ui-serif',
  'ui-sans-serif',
  'ui-monospace',
  'ui-rounded',
  'emoji',
  'math',
  'fangsong',
  '-apple-system',
  'blinkmacsystemfont',
]);
const CSS_WIDE = new Set(['inherit', 'initial', 'unset', 'revert', 'revert-layer', 'default']);

function cleanFontName(raw: string): string | null {
  let s = raw.trim();
  if ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'"))) s = s.slice(1, -1);
  s = s.replace(/\\(.)/g, '$1').replace(/\s+/g, ' ').trim();
  if (!s || CSS_WIDE.has(s.toLowerCase())) return null;
  // Plain names only: anything else (var(), functions, junk) is not a family we can offer.
  if (!/^[\p{L}\p{N} _.'&+-]{1,64}$/u.test(s)) return null;
  return s;
}

/** Parses CSS with postcss (skipping it when it does not parse) and counts its colours and fonts. */
export function tallyCss(css: string, tally: Tally): void {
  let root: postcss.Root;
  try {
    root = postcss.parse(css);
  } catch {
    return;
  }
  root.walkDecls((decl) => {
    const prop = decl.prop.toLowerCase();
    if (prop === 'font-family') {
      for (const f of splitList(decl.value)) tally.font(f);
      return;
    }
    if (prop === 'font') {
      for (const f of fontShorthandFamilies(decl.value)) tally.font(f);
      return;
    }
    scanColors(decl.value, tally);
  });
}

/** Splits "A, 'B, C', D" at top-level commas, keeping quotes. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quote) {
      cur += ch;
      if (ch === '\\' && i + 1 < value.length) cur += value[++i];
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === '(') {
      depth++;
      cur += ch;
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
      cur += ch;
    } else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

const SIZE = String.raw`(?:[\d.]+(?:px|pt|pc|em|rem|ex|ch|%|vh|vw|vmin|vmax|cm|mm|in|q)|xx-small|x-small|small|medium|large|x-large|xx-large|xxx-large|smaller|larger)`;
const FONT_SHORTHAND = new RegExp(String.raw`(?:^|\s)${SIZE}(?:\s*\/\s*[^\s,]+)?\s+(.+)$`, 'i');

/** `font: italic 700 16px/1.4 "Open Sans", sans-serif` → ["\"Open Sans\"", "sans-serif"]. */
function fontShorthandFamilies(value: string): string[] {
  const m = FONT_SHORTHAND.exec(value.trim());
  return m ? splitList(m[1]!) : [];
}

const COLOR_TOKEN = /#([0-9a-f]+)(?![\w-])|\b(rgba?|hsla?)\(\s*([^()]*)\)/gi;

/** Counts every hex, rgb() and hsl() colour in a value (not inside url() or strings). */
export function scanColors(value: string, tally: Pick<Tally, 'color'>): void {
  const text = value.replace(/url\([^)]*\)/gi, ' ').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ');
  for (const m of text.matchAll(COLOR_TOKEN)) {
    const hex = m[1] !== undefined ? hexColor(m[1]) : functionColor(m[2]!.toLowerCase(), m[3]!);
    if (hex) tally.color(hex);
  }
}

const toHex = (rgb: readonly number[]) => `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;

/** "fff", "ffff", "ffffff", "ffffffff" → "#ffffff"; fully transparent → null. */
function hexColor(digits: string): string | null {
  const d = digits.toLowerCase();
  if (d.length === 3 || d.length === 4) {
    if (d.length === 4 && d[3] === '0') return null;
    return `#${d[0]}${d[0]}${d[1]}${d[1]}${d[2]}${d[2]}`;
  }
  if (d.length === 6 || d.length === 8) {
    if (d.length === 8 && d.slice(6) === '00') return null;
    return `#${d.slice(0, 6)}`;
  }
  return null;
}

/** Arguments of rgb()/hsl() in comma or space syntax, with an optional alpha. */
function functionColor(fn: string, args: string): string | null {
  const parts = args.trim().split(/\s*[,/]\s*|\s+/).filter(Boolean);
  if (parts.length !== 3 && parts.length !== 4) return null;
  if (parts.length === 4) {
    const alpha = number(parts[3]!, 1);
    if (alpha === null || alpha <= 0) return null;
  }
  if (fn.startsWith('rgb')) {
    const rgb = parts.slice(0, 3).map((p) => number(p, 255));
    return rgb.every((c) => c !== null) ? toHex(rgb) : null;
  }
  const h = hue(parts[0]!);
  const s = number(parts[1]!, 1, 100);
  const l = number(parts[2]!, 1, 100);
  if (h === null || s === null || l === null) return null;
  return toHex(hslToRgb(h, Math.min(1, Math.max(0, s)), Math.min(1, Math.max(0, l))));
}

/** "50%" → scale/2; "0.5" → 0.5 (or value/unitless when given, for hsl's s and l). */
function number(token: string, scale: number, unitless = 1): number | null {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%?)$/i.exec(token);
  if (!m) return null;
  const v = Number(m[1]);
  return m[2] === '%' ? (v / 100) * scale : scale === 1 ? v / unitless : v;
}

function hue(token: string): number | null {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(deg|rad|grad|turn)?$/i.exec(token);
  if (!m) return null;
  const v = Number(m[1]);
  const unit = (m[2] ?? 'deg').toLowerCase();
  const deg = unit === 'rad' ? (v * 180) / Math.PI : unit === 'grad' ? v * 0.9 : unit === 'turn' ? v * 360 : v;
  return ((deg % 360) + 360) % 360;
}

function hslToRgb(h: number, s: number, l: number): number[] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

/**
 * PostgREST's URL grammar, parsed into a tree: `select=` (columns, `alias:col`, `::cast`,
 * embedded relations with `!hint`/`!inner`), filters `col=[not.]op.value`, `or=(…)`/`and=(…)`
 * nested, `order=`, `limit`/`offset`, each optionally prefixed by an embedded resource's
 * path (`ct_races.race_name=eq.5K`, `ct_races.limit=1`). Pure: no schema, no SQL; names are
 * checked against the allowlist when the tree is planned (rest.sql.ts).
 */
import { grammarError, RestError } from './rest.errors.js';

export const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'in', 'is', 'isdistinct'] as const;
export type Operator = (typeof OPERATORS)[number];

export const LIMITS = { logicDepth: 8, embedDepth: 4, inItems: 1000, selectItems: 200, filters: 100, queryBytes: 16_384 } as const;

export type Condition =
  | { kind: 'cond'; column: string; negate: boolean; op: Operator; value: string | string[] }
  | { kind: 'logic'; op: 'and' | 'or'; negate: boolean; children: Condition[] };

export type SelectItem =
  | { kind: 'star' }
  | { kind: 'column'; name: string; alias: string | null; cast: string | null }
  | { kind: 'embed'; node: ReadNode };

export interface OrderTerm {
  column: string;
  dir: 'asc' | 'desc';
  nulls: 'first' | 'last' | null;
}

export interface ReadNode {
  /** The view name as written (checked later). */
  relation: string;
  alias: string | null;
  /** `!<column>` hint choosing the relationship, and `!inner` (parents without a match are left out). */
  hint: string | null;
  inner: boolean;
  select: SelectItem[];
  filters: Condition[];
  order: OrderTerm[];
  limit: number | null;
  offset: number | null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function ident(s: string, what: string, whole: string): string {
  if (!IDENT.test(s) || s.length > 63) throw grammarError(what, whole, `"${s.slice(0, 80)}" is not a valid name (letters, digits and _; at most 63 characters)`);
  return s;
}

export function newNode(relation: string): ReadNode {
  return { relation, alias: null, hint: null, inner: false, select: [{ kind: 'star' }], filters: [], order: [], limit: null, offset: null };
}

/** Splits s at top-level commas (outside parentheses and double quotes). */
function splitTop(s: string, what: string, whole: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) throw grammarError(what, whole, `unexpected ")" at ${i + 1}`);
    } else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || quoted) throw grammarError(what, whole, 'unbalanced parentheses or quotes');
  parts.push(s.slice(start));
  return parts;
}

/** `select=` into items; embedded relations recurse. */
export function parseSelect(text: string, depth = 0, whole = text): SelectItem[] {
  if (depth > LIMITS.embedDepth) throw grammarError('select', whole, `embedding nests deeper than ${LIMITS.embedDepth} levels`);
  const items: SelectItem[] = [];
  const raw = text.trim() === '' ? [] : splitTop(text, 'select', whole);
  if (raw.length > LIMITS.selectItems) throw grammarError('select', whole, `more than ${LIMITS.selectItems} items`);
  for (const part of raw) {
    const p = part.trim();
    if (p === '*') {
      items.push({ kind: 'star' });
      continue;
    }
    if (p.startsWith('...')) throw grammarError('select', whole, 'spread embedding (...) is not supported');
    const open = p.indexOf('(');
    if (open >= 0) {
      if (!p.endsWith(')')) throw grammarError('select', whole, `expecting ")" at the end of "${p.slice(0, 80)}"`);
      let head = p.slice(0, open);
      let alias: string | null = null;
      const colon = head.indexOf(':');
      if (colon >= 0) {
        alias = ident(head.slice(0, colon), 'select', whole);
        head = head.slice(colon + 1);
      }
      const [name, ...hints] = head.split('!');
      const node = newNode(ident(name ?? '', 'select', whole));
      node.alias = alias;
      for (const h of hints) {
        if (h === 'inner') node.inner = true;
        else if (h === 'left') node.inner = false;
        else node.hint = ident(h, 'select', whole);
      }
      node.select = parseSelect(p.slice(open + 1, -1), depth + 1, whole);
      items.push({ kind: 'embed', node });
      continue;
    }
    let body = p;
    let alias: string | null = null;
    let cast: string | null = null;
    const castAt = body.indexOf('::');
    if (castAt >= 0) {
      cast = ident(body.slice(castAt + 2), 'select', whole).toLowerCase();
      body = body.slice(0, castAt);
    }
    const colon = body.indexOf(':');
    if (colon >= 0) {
      alias = ident(body.slice(0, colon), 'select', whole);
      body = body.slice(colon + 1);
    }
    if (body.includes('->')) throw grammarError('select', whole, 'JSON paths (->, ->>) are not supported: the exposed views have no JSON columns');
    items.push({ kind: 'column', name: ident(body, 'select', whole), alias, cast });
  }
  return items;
}

/** Unquotes a value written in a list or logic tree: `"a,b"` → a,b (backslash escapes). */
function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

/** `op.value` / `not.op.value` (the right side of `col=`, or of `col.` inside a logic tree). */
export function parseOperation(text: string, column: string, whole: string, inLogic: boolean): Condition {
  let rest = text;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  const op = dot < 0 ? rest : rest.slice(0, dot);
  if (!(OPERATORS as readonly string[]).includes(op)) {
    throw grammarError('filter', whole, `unknown operator "${op.slice(0, 40)}"; expecting not or one of ${OPERATORS.join(', ')}`);
  }
  if (dot < 0) throw grammarError('filter', whole, `expecting "." and a value after "${op}"`);
  let value = rest.slice(dot + 1);
  if (op === 'in') {
    if (!value.startsWith('(') || !value.endsWith(')')) throw grammarError('filter', whole, 'in expects a list: in.(a,b,"c,d")');
    const inner = value.slice(1, -1);
    const list = inner === '' ? [] : splitTop(inner, 'filter', whole).map((v) => unquote(v.trim()));
    if (list.length > LIMITS.inItems) throw grammarError('filter', whole, `an in list has more than ${LIMITS.inItems} values`);
    return { kind: 'cond', column, negate, op, value: list };
  }
  if (inLogic) value = unquote(value);
  if (op === 'is' && !['null', 'not_null', 'true', 'false', 'unknown'].includes(value.toLowerCase())) {
    throw grammarError('filter', whole, 'is expects null, not_null, true, false or unknown');
  }
  return { kind: 'cond', column, negate, op: op as Operator, value };
}

/** `(a.eq.1,or(b.gt.2,c.is.null))` — the value of `or=`/`and=`. */
export function parseLogic(op: 'and' | 'or', negate: boolean, text: string, depth: number, whole: string): Condition {
  if (depth > LIMITS.logicDepth) throw grammarError('logic tree', whole, `and/or nest deeper than ${LIMITS.logicDepth} levels`);
  if (!text.startsWith('(') || !text.endsWith(')')) throw grammarError('logic tree', whole, `expecting "(" … ")" after ${op}=`);
  const children: Condition[] = [];
  for (const raw of splitTop(text.slice(1, -1), 'logic tree', whole)) {
    const item = raw.trim();
    const m = /^(not\.)?(and|or)(\(.*\))$/s.exec(item);
    if (m) {
      children.push(parseLogic(m[2] as 'and' | 'or', m[1] !== undefined, m[3]!, depth + 1, whole));
      continue;
    }
    const dot = item.indexOf('.');
    if (dot <= 0) throw grammarError('logic tree', whole, `expecting column.operator.value, got "${item.slice(0, 80)}"`);
    const column = ident(item.slice(0, dot), 'logic tree', whole);
    children.push(parseOperation(item.slice(dot + 1), column, whole, true));
  }
  if (children.length === 0) throw grammarError('logic tree', whole, 'an empty and/or');
  return { kind: 'logic', op, negate, children };
}

export function parseOrder(text: string, whole = text): OrderTerm[] {
  return splitTop(text, 'order', whole).map((raw) => {
    const [col, ...mods] = raw.trim().split('.');
    const term: OrderTerm = { column: ident(col ?? '', 'order', whole), dir: 'asc', nulls: null };
    for (const m of mods) {
      if (m === 'asc' || m === 'desc') term.dir = m;
      else if (m === 'nullsfirst') term.nulls = 'first';
      else if (m === 'nullslast') term.nulls = 'last';
      else throw grammarError('order', whole, `unexpected "${m.slice(0, 40)}"; expecting asc, desc, nullsfirst or nullslast`);
    }
    return term;
  });
}

function wholeNumber(what: string, v: string): number {
  if (!/^\d{1,9}$/.test(v)) throw grammarError(what, v, `${what} expects a whole number`);
  return Number(v);
}

/** Splits a raw query string into decoded key/value pairs, in order ('+' is a space, as URLSearchParams writes it). */
export function queryPairs(raw: string): [string, string][] {
  if (raw.length > LIMITS.queryBytes) throw grammarError('query', raw.slice(0, 50), `the query string is longer than ${LIMITS.queryBytes} bytes`);
  const pairs: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw grammarError('query', s.slice(0, 80), 'bad percent-encoding');
      }
    };
    pairs.push(eq < 0 ? [dec(part), ''] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))]);
  }
  return pairs;
}

/** The whole request tree: the root node (the view in the path) with its embeds, filters and modifiers. */
export function parseRequest(view: string, pairs: readonly [string, string][]): ReadNode {
  const root = newNode(view);
  const select = pairs.find(([k]) => k === 'select');
  if (select) root.select = parseSelect(select[1]);
  let filterCount = 0;
  for (const [key, value] of pairs) {
    if (key === 'select') continue;
    const segments = key.split('.');
    // `not.or` / `not.and` are one key word.
    let last = segments.pop()!;
    if ((last === 'or' || last === 'and') && segments[segments.length - 1] === 'not') {
      segments.pop();
      last = `not.${last}`;
    }
    const node = findEmbed(root, segments);
    if (last === 'order') node.order = parseOrder(value);
    else if (last === 'limit') node.limit = wholeNumber('limit', value);
    else if (last === 'offset') node.offset = wholeNumber('offset', value);
    else if (last === 'or' || last === 'and' || last === 'not.or' || last === 'not.and') {
      node.filters.push(parseLogic(last.endsWith('or') ? 'or' : 'and', last.startsWith('not.'), value, 1, `${key}=${value}`));
      filterCount++;
    } else if (['columns', 'on_conflict'].includes(last)) {
      throw grammarError(last, value, `${last} is for writes; this API is read only`);
    } else {
      node.filters.push(parseOperation(value, ident(last, 'filter', key), `${key}=${value}`, false));
      filterCount++;
    }
    if (filterCount > LIMITS.filters) throw grammarError('filter', key, `more than ${LIMITS.filters} filters`);
  }
  return root;
}

/** The embedded node a dotted key prefix names (by alias, else relation name). */
function findEmbed(root: ReadNode, path: readonly string[]): ReadNode {
  let node = root;
  for (const seg of path) {
    const child = node.select.find((i): i is { kind: 'embed'; node: ReadNode } => i.kind === 'embed' && (i.node.alias ?? i.node.relation) === seg);
    if (!child) {
      const name = seg.slice(0, 63);
      throw new RestError(400, 'PGRST108', `'${name}' is not an embedded resource in this request`, null, `Verify that '${name}' is included in the 'select' query parameter.`);
    }
    node = child.node;
  }
  return node;
}

/**
 * From a parsed request tree to parameterized SQL. Identifiers come only from the allowlist
 * (rest.schema.ts) and are quoted; every value is a bound parameter cast to its column's type.
 * The rows are turned into JSON by PostgreSQL (json_agg/row_to_json), as PostgREST does, so
 * numbers, intervals and timestamps read the same as PostgREST's.
 */
import { noRelationship, RestError, unknownColumn, unknownView } from './rest.errors.js';
import type { Condition, ReadNode, SelectItem } from './rest.grammar.js';
import { CASTS, RELATIONSHIPS, VIEWS, type ViewDef } from './rest.schema.js';

export interface Sql {
  text: string;
  params: unknown[];
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown, type?: string): string {
    this.values.push(v);
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`;
  }
}

const q = (name: string) => `"${name}"`;

function viewOf(name: string): ViewDef {
  const v = Object.hasOwn(VIEWS, name) ? VIEWS[name] : undefined;
  if (!v) throw unknownView(name);
  return v;
}

function columnOf(viewName: string, view: ViewDef, column: string): string {
  if (!Object.hasOwn(view.columns, column)) throw unknownColumn(viewName, column);
  return view.columns[column]!;
}

interface Link {
  parentCol: string;
  childCol: string;
  toOne: boolean;
}

function relate(parent: string, node: ReadNode): Link {
  if (!Object.hasOwn(VIEWS, node.relation)) throw noRelationship(parent, node.relation);
  let links: Link[] = [
    ...RELATIONSHIPS.filter((r) => r.from === parent && r.to === node.relation).map((r) => ({ parentCol: r.column, childCol: r.references, toOne: true })),
    ...RELATIONSHIPS.filter((r) => r.from === node.relation && r.to === parent).map((r) => ({ parentCol: r.references, childCol: r.column, toOne: false })),
  ];
  if (node.hint !== null) links = links.filter((l) => l.parentCol === node.hint || l.childCol === node.hint);
  if (links.length === 0) throw noRelationship(parent, node.relation);
  if (links.length > 1) {
    throw new RestError(300, 'PGRST201', `Could not embed because more than one relationship was found for '${parent}' and '${node.relation}'`, null, `Try changing '${node.relation}' to one of: ${links.map((l) => `${node.relation}!${l.toOne ? l.parentCol : l.childCol}`).join(', ')}`);
  }
  return links[0]!;
}

class Planner {
  private aliasCount = 0;
  constructor(readonly params: Params, readonly maxRows: number) {}

  nextAlias(): string {
    return `t${this.aliasCount++}`;
  }

  condition(c: Condition, viewName: string, view: ViewDef, alias: string): string {
    if (c.kind === 'logic') {
      const inner = c.children.map((x) => this.condition(x, viewName, view, alias)).join(c.op === 'or' ? ' OR ' : ' AND ');
      return c.negate ? `NOT (${inner})` : `(${inner})`;
    }
    const type = columnOf(viewName, view, c.column);
    const ref = `${alias}.${q(c.column)}`;
    const v = c.value;
    let sql: string;
    switch (c.op) {
      case 'eq': sql = `${ref} = ${this.params.add(v, type)}`; break;
      case 'neq': sql = `${ref} <> ${this.params.add(v, type)}`; break;
      case 'gt': sql = `${ref} > ${this.params.add(v, type)}`; break;
      case 'gte': sql = `${ref} >= ${this.params.add(v, type)}`; break;
      case 'lt': sql = `${ref} < ${this.params.add(v, type)}`; break;
      case 'lte': sql = `${ref} <= ${this.params.add(v, type)}`; break;
      case 'like': sql = `${ref}::text LIKE ${this.params.add(String(v).replace(/\*/g, '%'), 'text')}`; break;
      case 'ilike': sql = `${ref}::text ILIKE ${this.params.add(String(v).replace(/\*/g, '%'), 'text')}`; break;
      case 'match': sql = `${ref}::text ~ ${this.params.add(v, 'text')}`; break;
      case 'imatch': sql = `${ref}::text ~* ${this.params.add(v, 'text')}`; break;
      case 'isdistinct': sql = `${ref} IS DISTINCT FROM ${this.params.add(v, type)}`; break;
      case 'in': {
        const list = v as string[];
        sql = list.length === 0 ? 'false' : `${ref} IN (${list.map((x) => this.params.add(x, type)).join(', ')})`;
        break;
      }
      case 'is': {
        const w = String(v).toLowerCase();
        sql = `${ref} IS ${w === 'not_null' ? 'NOT NULL' : w.toUpperCase()}`;
        break;
      }
    }
    return c.negate ? `NOT (${sql})` : sql;
  }

  /** The WHERE terms of a node (its filters and its !inner embeds' existence). */
  where(node: ReadNode, viewName: string, view: ViewDef, alias: string): string[] {
    const terms = node.filters.map((f) => this.condition(f, viewName, view, alias));
    for (const item of node.select) {
      if (item.kind !== 'embed' || !item.node.inner) continue;
      const link = relate(viewName, item.node);
      const childView = viewOf(item.node.relation);
      const ca = this.nextAlias();
      const inner = [`${ca}.${q(link.childCol)} = ${alias}.${q(link.parentCol)}`, ...this.where(item.node, item.node.relation, childView, ca)];
      terms.push(`EXISTS (SELECT 1 FROM public.${q(item.node.relation)} ${ca} WHERE ${inner.join(' AND ')})`);
    }
    return terms;
  }

  /** Output column names of a node, in order (CSV headers when there are no rows). */
  static names(node: ReadNode): string[] {
    const view = VIEWS[node.relation];
    return node.select.flatMap((i: SelectItem) =>
      i.kind === 'star' ? Object.keys(view?.columns ?? {}) : i.kind === 'column' ? [i.alias ?? i.name] : [i.node.alias ?? i.node.relation],
    );
  }

  /** SELECT … FROM view alias WHERE … ORDER … LIMIT …, the node's output columns named as the answer's keys. */
  select(node: ReadNode, viewName: string, alias: string, extraWhere: string[], top: boolean): string {
    const view = viewOf(viewName);
    const cols: string[] = [];
    for (const item of node.select) {
      if (item.kind === 'star') {
        for (const c of Object.keys(view.columns)) cols.push(`${alias}.${q(c)}`);
      } else if (item.kind === 'column') {
        columnOf(viewName, view, item.name);
        let expr = `${alias}.${q(item.name)}`;
        if (item.cast !== null) {
          const t = Object.hasOwn(CASTS, item.cast) ? CASTS[item.cast] : undefined;
          if (!t) throw new RestError(400, 'PGRST100', `"failed to parse select parameter"`, `unsupported cast "${item.cast}"; allowed: ${Object.keys(CASTS).join(', ')}`);
          expr = `${expr}::${t}`;
        }
        cols.push(`${expr} AS ${q(item.alias ?? item.name)}`);
      } else {
        const child = item.node;
        const link = relate(viewName, child);
        const ca = this.nextAlias();
        const corr = `${ca}.${q(link.childCol)} = ${alias}.${q(link.parentCol)}`;
        const inner = this.select(child, child.relation, ca, [corr], false);
        const name = q(child.alias ?? child.relation);
        cols.push(link.toOne ? `(SELECT row_to_json(e) FROM (${inner} LIMIT 1) e) AS ${name}` : `coalesce((SELECT json_agg(e) FROM (${inner}) e), '[]'::json) AS ${name}`);
      }
    }
    if (cols.length === 0) cols.push(`NULL AS "_"`);
    const where = [...extraWhere, ...this.where(node, viewName, view, alias)];
    let sql = `SELECT ${cols.join(', ')} FROM public.${q(viewName)} ${alias}`;
    if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
    if (node.order.length > 0) {
      sql += ` ORDER BY ${node.order
        .map((o) => {
          columnOf(viewName, view, o.column);
          return `${alias}.${q(o.column)} ${o.dir.toUpperCase()}${o.nulls ? ` NULLS ${o.nulls.toUpperCase()}` : ''}`;
        })
        .join(', ')}`;
    }
    const limit = top ? Math.min(node.limit ?? this.maxRows, this.maxRows) : node.limit;
    if (limit !== null) sql += ` LIMIT ${this.params.add(limit, 'bigint')}`;
    if (node.offset !== null && node.offset > 0) sql += ` OFFSET ${this.params.add(node.offset, 'bigint')}`;
    return sql;
  }
}

export interface ReadPlan {
  /** One row: body (the JSON array as text) and n (rows in it). */
  rows: Sql;
  /** One row: n, every matching row (no limit or offset). */
  count: Sql;
  /** rows and count in one statement (one round trip): body, n and total. */
  rowsWithCount: Sql;
  /** For EXPLAIN: the same rows without limit (planned counts). */
  countProbe: Sql;
  /** Top-level output names (CSV header of an empty answer). */
  names: string[];
}

/** Plans a read; throws RestError for unknown names and relationships. */
export function planRead(root: ReadNode, opts: { maxRows: number; stripNulls?: boolean }): ReadPlan {
  const row = opts.stripNulls ? 'json_strip_nulls(row_to_json(r))' : 'r';
  const rowsOf = (params: Params) => {
    const p = new Planner(params, opts.maxRows);
    return `SELECT coalesce(json_agg(${row}), '[]'::json)::text AS body, count(*)::integer AS n FROM (${p.select(root, root.relation, p.nextAlias(), [], true)}) r`;
  };
  const fromOf = (params: Params) => {
    const c = new Planner(params, opts.maxRows);
    const alias = c.nextAlias();
    const where = c.where(root, root.relation, viewOf(root.relation), alias);
    return `FROM public.${q(root.relation)} ${alias}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
  };
  const rowsParams = new Params();
  const rows = { text: rowsOf(rowsParams), params: rowsParams.values };
  const countParams = new Params();
  const from = fromOf(countParams);
  // The count as an uncorrelated subquery beside the rows (run once), parameters numbered on.
  const bothParams = new Params();
  const bothRows = rowsOf(bothParams);
  const bothFrom = fromOf(bothParams);
  return {
    rows,
    count: { text: `SELECT count(*)::bigint AS n ${from}`, params: countParams.values },
    rowsWithCount: { text: `SELECT x.body, x.n, (SELECT count(*) ${bothFrom})::bigint AS total FROM (${bothRows}) x`, params: bothParams.values },
    countProbe: { text: `SELECT 1 ${from}`, params: countParams.values },
    names: Planner.names(root),
  };
}

/**
 * Defence in depth for the plain-English engine: every SQL text ask.sql.ts compiles is parsed
 * by PostgreSQL's own parser (libpg-query, the server's grammar compiled to WebAssembly) and
 * its tree checked before it runs. The compiler only assembles fixed fragments with values as
 * parameters, so a refusal here means the compiler has a bug; the service turns it into an
 * ordinary "not understood" answer and logs it as an error.
 *
 * Accepted: exactly one statement, a SELECT (set operations and WITH of SELECTs included) with
 * no INTO and no locking clause, no other statement kind anywhere in the tree (so no
 * data-modifying CTE), every node of the tree of a kind in NODE_KINDS, every relation one of
 * the tables below or a WITH name the statement itself gives (CTE_NAMES), never
 * schema-qualified, every function call in FUNCTIONS (unqualified), every cast to a type in
 * TYPES. The lists are what ask.sql.ts emits (sql-guard.test.ts compiles every intent's plan
 * and checks it passes).
 */
import { loadModule, parseSync } from 'libpg-query';

/** The tables ask.sql.ts reads (the warehouse's results tables and the timing tables). */
export const TABLES: ReadonlySet<string> = new Set([
  'results_events', 'races', 'entries', 'results', // warehouse
  'timing_reads', 'display_links', 'roster_events', 'participant_tags', 'participants', // timing
]);

/** The names ask.sql.ts gives its WITH queries (no table has them). */
export const CTE_NAMES: ReadonlySet<string> = new Set(['bound', 'rosters', 'scope', 'person_a', 'person_b', 'person_c']);

/**
 * The functions ask.sql.ts calls. coalesce and nullif are not function calls in the tree
 * (CoalesceExpr, A_Expr NULLIF); p88_ms_interval is ours (a migration's, milliseconds → interval).
 */
export const FUNCTIONS: ReadonlySet<string> = new Set([
  'count', 'min', 'max', 'avg', 'percentile_cont', 'string_agg', 'row_number', // aggregates and windows
  'round', 'floor', 'lower', 'upper', 'initcap', 'p88_ms_interval',
]);

/**
 * The parse-tree node kinds ask.sql.ts's SQL is made of: anything else (current_user's
 * SQLValueFunction, XMLTABLE, JSON_TABLE, a function in FROM, a locking clause, …) is refused.
 */
export const NODE_KINDS: ReadonlySet<string> = new Set([
  'SelectStmt', 'ResTarget', 'ColumnRef', 'A_Star', 'A_Const', 'A_Expr', 'BoolExpr', 'NullTest', 'CoalesceExpr', 'FuncCall', 'TypeCast', 'ParamRef',
  'SubLink', 'RangeVar', 'RangeSubselect', 'JoinExpr', 'CommonTableExpr', 'SortBy', 'List', 'String', 'CaseExpr', 'CaseWhen',
]);

/** The types ask.sql.ts casts to (the parser spells int, bigint, float8 as pg_catalog.int4, int8, float8). */
export const TYPES: ReadonlySet<string> = new Set(['text', 'int4', 'int8', 'numeric', 'date', 'float8']);

export class UnsafeSqlError extends Error {
  constructor(readonly reasons: string[]) {
    super(`the generated query did not pass the safety check: ${reasons.join('; ')}`);
    this.name = 'UnsafeSqlError';
  }
}

let loaded: Promise<void> | null = null;

/** Loads the parser's WebAssembly module once (the first check waits for it, ~tens of ms). */
export function loadSqlGuard(): Promise<void> {
  loaded ??= loadModule().catch((err: unknown) => {
    loaded = null;
    throw err;
  });
  return loaded;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The names of a list of String nodes ([{String: {sval}}]). */
function names(list: Json | undefined): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => (isObj(n) && isObj(n.String) && typeof n.String.sval === 'string' ? n.String.sval : '?'));
}

/** Throws UnsafeSqlError unless the SQL is one read-only SELECT over our tables and functions. */
export async function checkGeneratedSql(sql: string): Promise<void> {
  await loadSqlGuard();
  checkGeneratedSqlSync(sql);
}

/** The check, after loadSqlGuard() has resolved. */
export function checkGeneratedSqlSync(sql: string): void {
  let tree: Obj;
  try {
    tree = parseSync(sql) as unknown as Obj;
  } catch (err) {
    throw new UnsafeSqlError([`it does not parse: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const reasons: string[] = [];
  const stmts = Array.isArray(tree.stmts) ? tree.stmts : [];
  if (stmts.length !== 1) reasons.push(`${stmts.length} statements (one expected)`);
  const top = isObj(stmts[0]) && isObj(stmts[0].stmt) ? stmts[0].stmt : null;
  const topKind = top ? Object.keys(top)[0] : undefined;
  if (topKind !== 'SelectStmt') reasons.push(`a ${topKind ?? 'missing'} statement (SELECT expected)`);

  const ctes = new Set<string>();
  const relations: Array<{ schema: string | null; name: string }> = [];
  const seen = (what: string) => {
    if (!reasons.includes(what)) reasons.push(what);
  };
  const visit = (node: Json | undefined): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (!isObj(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (/Stmt$/.test(key) && key !== 'SelectStmt') seen(`a ${key} inside the query`);
      else if (/^[A-Z]/.test(key) && !NODE_KINDS.has(key)) seen(`a ${key} node is not allowed`);
      if (key === 'SelectStmt' && isObj(value)) {
        if (value.intoClause !== undefined) seen('SELECT … INTO');
        if (value.lockingClause !== undefined) seen('a locking clause (FOR UPDATE/SHARE)');
      }
      if (key === 'CommonTableExpr' && isObj(value) && typeof value.ctename === 'string') {
        if (CTE_NAMES.has(value.ctename)) ctes.add(value.ctename);
        else seen(`the WITH query name ${value.ctename} is not one the engine uses`);
      }
      if (key === 'RangeVar' && isObj(value)) {
        relations.push({ schema: typeof value.schemaname === 'string' ? value.schemaname : null, name: typeof value.relname === 'string' ? value.relname : '?' });
      }
      if (key === 'FuncCall' && isObj(value)) {
        const fn = names(value.funcname);
        if (fn.length !== 1 || !FUNCTIONS.has(fn[0]!)) seen(`the function ${fn.join('.')} is not allowed`);
      }
      if (key === 'TypeName' || key === 'typeName') {
        const t = isObj(value) ? names(value.names) : [];
        const plain = t.length === 2 && t[0] === 'pg_catalog' ? [t[1]!] : t;
        if (plain.length !== 1 || !TYPES.has(plain[0]!)) seen(`the type ${t.join('.')} is not allowed`);
      }
      visit(value);
    }
  };
  visit(tree.stmts);
  for (const r of relations) {
    if (r.schema !== null) seen(`the relation ${r.schema}.${r.name} is schema-qualified`);
    else if (!TABLES.has(r.name) && !ctes.has(r.name)) seen(`the relation ${r.name} is not one the engine reads`);
  }
  if (reasons.length > 0) throw new UnsafeSqlError(reasons);
}

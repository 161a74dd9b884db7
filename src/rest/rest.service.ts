/**
 * Runs a read of the PostgREST-compatible API: parse → plan → SQL, in one read-only
 * transaction in the caller's partner scope (row-level security decides which rows exist),
 * with a statement timeout and a row cap. Answers the body and the headers PostgREST sends.
 */
import type { Database, Queryable } from '../db/database.js';
import { sqlState } from '../db/errors.js';
import { GateRefused, gated, type SqlGate } from '../db/gate.js';
import { queryAsPartnerReadOnly, withPartnerReadOnly } from '../db/tenant.js';
import { RestError } from './rest.errors.js';
import { parseRequest, queryPairs, type ReadNode } from './rest.grammar.js';
import { planRead } from './rest.sql.js';

export type CountMode = 'exact' | 'planned' | 'estimated';
export type MediaType = 'json' | 'object' | 'csv';

export interface RestRequest {
  view: string;
  /** The raw query string (after '?'), parsed here so repeated keys and order survive. */
  query: string;
  /** Accept header. */
  accept?: string | undefined;
  /** Prefer header(s). */
  prefer?: string | undefined;
  /** Range header (`0-24`). */
  range?: string | undefined;
}

export interface RestAnswer {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

export interface RestOptions {
  /** Most rows one answer holds (PostgREST's db-max-rows). */
  maxRows: number;
  statementTimeoutMs: number;
  /** Below this planned count, `estimated` counts exactly. */
  estimateThreshold: number;
}

export const REST_DEFAULTS: RestOptions = { maxRows: 10_000, statementTimeoutMs: 5_000, estimateThreshold: 10_000 };

/** Which representation the Accept header asks for; 406 PGRST107 when none we have. */
export function negotiate(accept: string | undefined): { media: MediaType; stripNulls: boolean } {
  if (!accept || accept.trim() === '') return { media: 'json', stripNulls: false };
  for (const raw of accept.split(',')) {
    const [type = '', ...params] = raw.trim().toLowerCase().split(';').map((s) => s.trim());
    const stripNulls = params.includes('nulls=stripped');
    if (type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/vnd.pgrst.array+json') return { media: 'json', stripNulls };
    if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object') return { media: 'object', stripNulls };
    if (type === 'text/csv' || type === 'text/*') return { media: 'csv', stripNulls: false };
  }
  throw new RestError(406, 'PGRST107', `None of these media types are available: ${accept.slice(0, 200)}`);
}

export function countMode(prefer: string | undefined): CountMode | null {
  const m = /(?:^|[,\s])count=(exact|planned|estimated)\b/.exec(prefer ?? '');
  return m ? (m[1] as CountMode) : null;
}

/** `Range: 0-24` (items) → offset and limit; open end `10-`. */
export function parseRange(range: string | undefined): { offset: number; limit: number | null } | null {
  if (!range) return null;
  const m = /^(?:items=)?\s*(\d{1,9})-(\d{1,9})?$/.exec(range.trim());
  if (!m) return null; // PostgREST ignores a Range it cannot read
  const from = Number(m[1]);
  if (m[2] === undefined) return { offset: from, limit: null };
  const to = Number(m[2]);
  if (to < from) throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', `The lower boundary must be lower than or equal to the upper boundary in the Range header.`);
  return { offset: from, limit: to - from + 1 };
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: Record<string, unknown>[], names: string[]): string {
  const header = rows.length > 0 ? Object.keys(rows[0]!) : names;
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(header.map((h) => csvCell(r[h])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Database errors a caller caused (bad values for a type, a bad pattern) become PostgREST-style 400s; others say nothing. */
function fromDatabase(err: unknown): RestError {
  const state = sqlState(err);
  const message = err instanceof Error ? err.message.slice(0, 300) : 'error';
  if (state === '57014') return new RestError(500, '57014', 'canceling statement due to statement timeout', null, 'Narrow the query (filters on indexed columns, a smaller limit).');
  if (state !== undefined && (state.startsWith('22') || state === '42804' || state === '42883' || state === '2201B')) return new RestError(400, state, message);
  return new RestError(500, 'PGRST000', 'The query could not be run.');
}

export class RestApi {
  constructor(
    private readonly db: Database,
    private readonly opts: RestOptions = REST_DEFAULTS,
  ) {}

  /**
   * One read. `gate` (a token's, see accounts/auth.ts requireAuthOrGate) is checked inside the
   * read's first statement; GateRefused when it does not hold (nothing was read).
   */
  async read(partnerId: number, req: RestRequest, gate: SqlGate | null = null): Promise<RestAnswer> {
    const { media, stripNulls } = negotiate(req.accept);
    const root: ReadNode = parseRequest(req.view, queryPairs(req.query));
    const range = parseRange(req.range);
    if (range) {
      // The header and limit/offset together: the range inside the limited window.
      root.offset = (root.offset ?? 0) + range.offset;
      if (range.limit !== null) root.limit = root.limit === null ? range.limit : Math.min(root.limit, range.limit);
    }
    const count = countMode(req.prefer);
    const plan = planRead(root, { maxRows: this.opts.maxRows, stripNulls });
    const offset = root.offset ?? 0;
    const first = (sql: { text: string; params: unknown[] }) => (gate ? gated(sql.text, sql.params, gate) : sql);
    const firstRow = <T>(rows: T[]): T => {
      if (rows.length === 0) throw new GateRefused();
      return rows[0]!;
    };
    let result: { body: string; n: number; total: number | null };
    try {
      if (count === null || count === 'exact') {
        // The usual read: one statement (rows, and the exact count beside them when asked) in a
        // transaction of its own, sent with its BEGIN and COMMIT in one round trip.
        const sql = first(count === 'exact' ? plan.rowsWithCount : plan.rows);
        const r = firstRow((await queryAsPartnerReadOnly<{ body: string; n: number; total?: number | string }>(this.db, partnerId, this.opts.statementTimeoutMs, sql.text, sql.params)).rows);
        result = { body: r.body, n: r.n, total: r.total === undefined ? null : Number(r.total) };
        // A single object asked for and more rows found: the count is only for the error's
        // details, so it may come from a read of its own.
        if (media === 'object' && r.n > 1 && result.total === null) {
          const c = (await queryAsPartnerReadOnly<{ n: number }>(this.db, partnerId, this.opts.statementTimeoutMs, plan.count.text, plan.count.params)).rows[0]!;
          result.total = Number(c.n);
        }
      } else {
        // Planned or estimated counts ask EXPLAIN (and maybe count) in the same transaction.
        result = await withPartnerReadOnly(this.db, partnerId, this.opts.statementTimeoutMs, async (tx) => {
          const rows = first(plan.rows);
          const { body, n } = firstRow((await tx.query<{ body: string; n: number }>(rows.text, rows.params)).rows);
          let total = await this.planned(tx, plan.countProbe.text, plan.countProbe.params);
          if (count === 'estimated' && total < this.opts.estimateThreshold) total = await this.exact(tx, plan.count.text, plan.count.params);
          return { body, n, total };
        });
      }
    } catch (err) {
      if (err instanceof RestError || err instanceof GateRefused) throw err;
      throw fromDatabase(err);
    }
    const { body, n } = result;
    const total = count === null ? null : result.total;

    if (media === 'object') {
      if (n !== 1) {
        const rowsThere = n === 0 ? 0 : (result.total ?? n);
        throw new RestError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', `The result contains ${rowsThere} rows`);
      }
      const one = body.slice(1, -1);
      return { status: 200, contentType: 'application/vnd.pgrst.object+json; charset=utf-8', body: one, headers: { 'content-range': contentRange(offset, n, total) } };
    }
    if (total !== null && n === 0 && offset > 0 && offset >= total) {
      throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`);
    }
    const partial = total !== null && (offset > 0 || offset + n < total);
    const headers = { 'content-range': contentRange(offset, n, total) };
    const status = partial ? 206 : 200;
    if (media === 'csv') {
      return { status, contentType: 'text/csv; charset=utf-8', body: toCsv(JSON.parse(body) as Record<string, unknown>[], plan.names), headers };
    }
    return { status, contentType: 'application/json; charset=utf-8', body, headers };
  }

  private async exact(tx: Queryable, text: string, params: unknown[]): Promise<number> {
    const r = await tx.query<{ n: number }>(text, params);
    return Number(r.rows[0]!.n);
  }

  private async planned(tx: Queryable, text: string, params: unknown[]): Promise<number> {
    const r = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const raw = r.rows[0]!['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: { 'Plan Rows': number } }>;
    return Math.round(plan[0]!.Plan['Plan Rows']);
  }
}

function contentRange(offset: number, n: number, total: number | null): string {
  const t = total === null ? '*' : String(total);
  return n === 0 ? `*/${t}` : `${offset}-${offset + n - 1}/${t}`;
}

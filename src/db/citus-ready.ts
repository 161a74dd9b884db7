/**
 * Is the schema ready to be spread over a Citus cluster (issue 16, "Past one machine")?
 * Read off the catalog, so a new table is judged the day it is created:
 *
 *  - a tenant table (it has a partner_id column) is distributed by partner_id: its primary
 *    key and every unique index include partner_id, partner_id is NOT NULL, and a foreign key
 *    to another distributed table carries partner_id on both sides (colocated joins and keys);
 *  - every tenant table has row-level security enabled and forced;
 *  - no policy's expression holds a subquery (Citus plans a policy into every shard query);
 *  - the few tables that stay global are named in GLOBAL_TABLES with the reason.
 *
 * citusPlan() says which table becomes what; README "Scaling out" lists its answer.
 */
import type { Queryable } from './database.js';

export type CitusKind = 'reference' | 'local';

/**
 * Tables with a partner_id column (or partners itself) that are not distributed by it, each
 * with why. Their keys are not checked; row-level security and policies still are.
 */
export const GLOBAL_TABLES: Readonly<Record<string, { kind: CitusKind; reason: string }>> = {
  partners: { kind: 'reference', reason: 'the distribution key’s own table, keyed by id; every tenant table references it' },
  users: { kind: 'reference', reason: 'platform admins have no partner (partner_id NULL); sign-in asks for an email unique across partners' },
  user_sessions: { kind: 'reference', reason: 'sessions of platform admins have no partner; cookie lookup comes before the partner is known' },
  password_resets: { kind: 'reference', reason: 'resets of platform admins have no partner; follows users' },
  login_throttle: { kind: 'reference', reason: 'rows of platform admins have no partner; follows users' },
  timing_sources: { kind: 'reference', reason: 'CTP01 user ids are looked up before the partner is known and are unique across partners' },
  audit_log: { kind: 'local', reason: 'platform and anonymous entries have no partner; append-only, read by the platform' },
  connection_log: { kind: 'local', reason: 'a connection has no partner until its client is identified' },
  jobs: { kind: 'local', reason: 'the platform’s queue: workers claim across partners from one table (0070_jobs.sql)' },
};

export interface CitusPlan {
  distributed: string[];
  reference: string[];
  local: string[];
}

export interface CitusReport {
  problems: string[];
  plan: CitusPlan;
  /** Foreign keys as [referencing table, referenced table] (order of creation). */
  references: Array<[string, string]>;
}

/** Checks one schema (default public); `global` replaces GLOBAL_TABLES (tests). */
export async function citusReadiness(db: Queryable, schema = 'public', global = GLOBAL_TABLES): Promise<CitusReport> {
  const problems: string[] = [];
  const tables = (
    await db.query<{ name: string; rls: boolean; forced: boolean; has_partner: boolean; partner_not_null: boolean | null }>(
      `SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              a.attnum IS NOT NULL AS has_partner, a.attnotnull AS partner_not_null
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'partner_id' AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname`,
      [schema],
    )
  ).rows;
  const isTenant = (t: { name: string; has_partner: boolean }) => t.has_partner || t.name === 'partners';
  const distributed = new Set(tables.filter((t) => isTenant(t) && !global[t.name]).map((t) => t.name));

  for (const t of tables.filter(isTenant)) {
    if (!t.rls || !t.forced) problems.push(`${t.name}: row-level security is not enabled and forced`);
    if (distributed.has(t.name) && !t.partner_not_null) problems.push(`${t.name}: partner_id may be NULL (a distribution column may not)`);
  }

  const uniques = (
    await db.query<{ tbl: string; idx: string; primary: boolean; has_partner: boolean }>(
      `SELECT c.relname AS tbl, i.relname AS idx, x.indisprimary AS primary,
              EXISTS (SELECT 1 FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = 'partner_id' AND a.attnum = ANY (x.indkey::int2[])) AS has_partner
         FROM pg_index x
         JOIN pg_class c ON c.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND x.indisunique
        ORDER BY 1, 2`,
      [schema],
    )
  ).rows;
  for (const u of uniques) {
    if (distributed.has(u.tbl) && !u.has_partner) {
      problems.push(`${u.tbl}: ${u.primary ? 'primary key' : 'unique index'} ${u.idx} lacks partner_id`);
    }
  }

  const fks = (
    await db.query<{ tbl: string; con: string; ref: string; carries: boolean }>(
      `SELECT c.relname AS tbl, k.conname AS con, r.relname AS ref,
              EXISTS (SELECT 1
                        FROM generate_subscripts(k.conkey, 1) s
                        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[s]
                        JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[s]
                       WHERE a.attname = 'partner_id' AND b.attname IN ('partner_id', CASE WHEN r.relname = 'partners' THEN 'id' END)) AS carries
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_class r ON r.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND k.contype = 'f'
        ORDER BY 1, 2`,
      [schema],
    )
  ).rows;
  for (const f of fks) {
    if (distributed.has(f.tbl) && distributed.has(f.ref) && !f.carries) {
      problems.push(`${f.tbl}: foreign key ${f.con} to ${f.ref} does not carry partner_id`);
    }
    // Citus takes foreign keys into reference tables only: a reference or coordinator table
    // referencing a distributed one stops create_distributed_table.
    if (!distributed.has(f.tbl) && distributed.has(f.ref)) {
      problems.push(`${f.tbl}: foreign key ${f.con} from a table that is not distributed to distributed ${f.ref}`);
    }
  }

  const policies = (
    await db.query<{ tbl: string; policy: string; qual: string | null; with_check: string | null }>(
      `SELECT tablename AS tbl, policyname AS policy, qual, with_check FROM pg_policies WHERE schemaname = $1 ORDER BY 1, 2`,
      [schema],
    )
  ).rows;
  for (const p of policies) {
    if (/\bselect\b/i.test(`${p.qual ?? ''} ${p.with_check ?? ''}`)) problems.push(`${p.tbl}: policy ${p.policy} holds a subquery`);
  }

  const references: Array<[string, string]> = fks.filter((f) => f.tbl !== f.ref).map((f) => [f.tbl, f.ref]);
  const plan: CitusPlan = { distributed: [...distributed], reference: [], local: [] };
  for (const t of tables) {
    if (distributed.has(t.name)) continue;
    const g = global[t.name];
    if (g) plan[g.kind].push(t.name);
    else if (!isTenant(t)) plan.local.push(t.name);
  }
  return { problems, plan, references };
}

/** tables ordered so that each comes after the tables of the list it references. */
function referencedFirst(tables: string[], references: Array<[string, string]>): string[] {
  const left = new Set(tables);
  const out: string[] = [];
  while (left.size > 0) {
    const ready = [...left].filter((t) => !references.some(([from, to]) => from === t && left.has(to)));
    // A cycle (none today) would stall: take the rest as they are rather than loop.
    const next = ready.length > 0 ? ready : [...left];
    for (const t of next.sort()) {
      out.push(t);
      left.delete(t);
    }
  }
  return out;
}

/**
 * The statements that spread this schema over a Citus cluster, to run on the coordinator
 * (psql) once Citus is installed and the workers added: reference tables, then the tenant
 * tables distributed by partner_id and colocated with the first, each after the tables it
 * references. Coordinator-local tables need no statement (comments say which they are).
 */
export function citusStatements(report: CitusReport): string[] {
  const quote = (t: string) => `'${t.replaceAll("'", "''")}'`;
  const out: string[] = [];
  for (const t of referencedFirst(report.plan.reference, report.references)) out.push(`SELECT create_reference_table(${quote(t)});`);
  const distributed = referencedFirst(report.plan.distributed, report.references);
  const anchor = distributed[0];
  for (const t of distributed) {
    out.push(
      t === anchor
        ? `SELECT create_distributed_table(${quote(t)}, 'partner_id');`
        : `SELECT create_distributed_table(${quote(t)}, 'partner_id', colocate_with => ${quote(anchor!)});`,
    );
  }
  for (const t of report.plan.local) out.push(`-- ${t}: stays on the coordinator${GLOBAL_TABLES[t] ? ` (${GLOBAL_TABLES[t].reason})` : ' (platform table)'}`);
  return out;
}

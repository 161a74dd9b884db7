/**
 * A gate: a condition a statement must pass before it answers, checked inside the statement
 * itself (in its transaction, under the caller's row-level security) instead of in a round
 * trip of its own before it. The read API uses one for a bearer token it has already seen:
 * the token's current rights are checked in the read's own statement (accounts/api-tokens).
 */
export interface SqlGate {
  /** The SQL condition; its parameters are numbered from `first` ($first, $first+1, …). */
  condition(first: number): string;
  params: readonly unknown[];
}

/** The gate's condition was false: the statement answered nothing. */
export class GateRefused extends Error {
  constructor() {
    super('gate refused');
    this.name = 'GateRefused';
  }
}

/**
 * `sql` (a statement that always answers at least one row) answering only when the gate's
 * condition holds, else no row at all. The condition has no column of the statement in it: it
 * is a sub-select PostgreSQL runs once, before the statement's own scans (an InitPlan and a
 * One-Time Filter), and a false one stops the statement before it reads a row.
 */
export function gated(sql: string, params: readonly unknown[], gate: SqlGate): { text: string; params: unknown[] } {
  return { text: `SELECT g.* FROM (${sql}) g WHERE ${gate.condition(params.length + 1)}`, params: [...params, ...gate.params] };
}

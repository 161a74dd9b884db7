/**
 * Tenancy is enforced by PostgreSQL, not by each query remembering a filter: every tenant
 * table has row-level security enabled and forced, the application runs as the non-owner
 * role p88_app (no BYPASSRLS), and each unit of work sets its partner for its transaction.
 * Outside withPartner/asPlatform, a query sees no tenant rows at all.
 */
import type { Database, Queryable, QueryResult } from './database.js';

/** The role application connections run as (see migration 0002). */
export const APP_ROLE = 'p88_app';

/** Runs fn in a transaction that sees and writes only this partner's rows. */
export function withPartner<T>(db: Database, partnerId: number, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await setPartner(tx, partnerId);
    return fn(tx);
  });
}

/**
 * The statement that sets a transaction's partner. `SET LOCAL`, not `set_config()`: Citus
 * sends SET LOCAL on to the workers a distributed transaction touches, a function call it
 * does not. SET takes no parameters, so the id is checked (a positive safe integer) and inlined.
 */
export function setPartnerSql(partnerId: number): string {
  if (!Number.isSafeInteger(partnerId) || partnerId <= 0) throw new Error(`invalid partner id: ${partnerId}`);
  return `SET LOCAL app.partner_id = ${partnerId}`;
}

/** Switches an open transaction to another partner (the collector's mixed batches). */
export async function setPartner(tx: Queryable, partnerId: number): Promise<void> {
  await tx.query(setPartnerSql(partnerId));
}

/**
 * Runs fn in a transaction that sees every partner. Only for the platform's own work
 * (platform admins, retention, the collector's cross-partner batch bookkeeping): callers
 * must have decided that the actor may see everything.
 */
export function asPlatform<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL app.platform = 'on'`);
    return fn(tx);
  });
}

/**
 * Runs fn in a read-only transaction that sees only this partner's rows, each statement
 * limited to timeoutMs: the settings travel with BEGIN in one round trip (the read API's every
 * query). Both values are checked integers, inlined: statements sent with BEGIN take no
 * parameters.
 */
export function withPartnerReadOnly<T>(db: Database, partnerId: number, timeoutMs: number, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(fn, { setup: readOnlySetup(partnerId, timeoutMs) });
}

/**
 * One statement as withPartnerReadOnly would run it (same settings, same transaction of its
 * own), sent with its BEGIN and COMMIT in one round trip on a server (Database.statement).
 */
export function queryAsPartnerReadOnly<T>(db: Database, partnerId: number, timeoutMs: number, sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
  return db.statement<T>(sql, params, { setup: readOnlySetup(partnerId, timeoutMs) });
}

function readOnlySetup(partnerId: number, timeoutMs: number): string {
  const partner = setPartnerSql(partnerId);
  const ms = Math.max(1, Math.round(timeoutMs));
  if (!Number.isSafeInteger(ms)) throw new Error(`invalid statement timeout: ${timeoutMs}`);
  return `${partner}; SET LOCAL transaction_read_only = on; SET LOCAL statement_timeout = ${ms}`;
}

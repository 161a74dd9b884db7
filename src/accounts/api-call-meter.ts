/**
 * The plan's daily API-call count for token calls, kept in memory and written in batches: a
 * call used to cost a write transaction on one row per partner (every concurrent call of a
 * partner queued on that row's lock and a commit), the largest part of an API call's time.
 *
 * Per partner and day a process holds the database's count as it last read or wrote it
 * (`used`) and the calls it admitted since (`pending`). A call is admitted in memory while
 * `used + pending` stays more than `slack` below the limit and fewer than `slack` calls wait;
 * otherwise (near the cap, or `slack` calls waiting) the call writes them and itself in one
 * statement that checks the limit (usage.repo addUsage), as every call did before. Every
 * flushMs (5 s) and on close each process adds its own pending calls with
 * `used = used + $delta` and reads back the total (other processes' calls, plan changes).
 *
 * What that gives:
 *  - one process: no call past the cap (its own count is exact);
 *  - N processes: at most `slack` calls per process past the cap, slack = 1 % of the daily
 *    limit, at least 1 and at most 100 (free plan: 10), since a process never holds more
 *    than `slack` unwritten calls and near the cap every call checks the database;
 *  - a plan change reaches a running process within flushMs;
 *  - a graceful shutdown (app.close) writes everything; a crash loses at most the calls
 *    admitted since the last flush (≤ slack on a limited plan; ≤ flushMs of calls, at most
 *    10,000, on an unlimited one, where nothing is refused).
 */
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import type { Logger } from '../log.js';
import { effectivePlan, PLAN_LIMITS, periodStart } from './plans.js';
import { addUsage, findPlan, usedIn } from './usage.repo.js';
import { limitReached } from './usage.service.js';

const METRIC = 'api_calls_per_day';
export const API_CALL_FLUSH_MS = 5_000;
/** On an unlimited plan, a process writes its count once this many calls wait. */
const UNLIMITED_BATCH = 10_000;
/** A counter not called for this long is dropped after its last write. */
const IDLE_MS = 60_000;

/** Calls one process may admit past a plan's cap at most (see the module comment). */
export function apiCallSlack(limit: number): number {
  return Math.max(1, Math.min(100, Math.floor(limit / 100)));
}

interface Counter {
  partnerId: number;
  period: string;
  limit: number | null;
  /** The database's count as this process last read or wrote it. */
  used: number;
  /** Admitted here, not yet written. */
  pending: number;
  /** Being written now. */
  writing: number;
  lastCallAt: number;
  /** This counter's writes, one after another. */
  chain: Promise<unknown>;
}

async function limitIn(tx: Queryable, partnerId: number, now: Date): Promise<number | null> {
  const row = await findPlan(tx, partnerId);
  return PLAN_LIMITS[row ? effectivePlan(row, now) : 'free'][METRIC];
}

export class ApiCallMeter {
  private readonly counters = new Map<string, Counter>();
  private readonly loading = new Map<string, Promise<Counter>>();
  private readonly timer: NodeJS.Timeout | null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly opts: { flushMs?: number; log?: Logger; clock?: () => Date } = {},
  ) {
    const every = opts.flushMs ?? API_CALL_FLUSH_MS;
    this.timer = every > 0 ? setInterval(() => void this.flush(), every) : null;
    this.timer?.unref();
  }

  private now(): Date {
    return this.opts.clock?.() ?? new Date();
  }

  /** Counts one API call of the partner; throws 402 naming the limit when the plan's cap is reached. */
  async count(partnerId: number): Promise<void> {
    const now = this.now();
    const period = periodStart(METRIC, now);
    const key = `${partnerId}:${period}`;
    const c = this.counters.get(key) ?? (await this.load(key, partnerId, period, now));
    c.lastCallAt = now.getTime();
    if (c.limit === null) {
      c.pending++;
      if (c.pending >= UNLIMITED_BATCH) this.write(c).catch((err: unknown) => this.warn(err, c));
      return;
    }
    const headroom = c.limit - c.used - c.pending - c.writing;
    if (headroom <= 0) throw limitReached(METRIC, c.limit);
    const slack = apiCallSlack(c.limit);
    if (headroom > slack && c.pending < slack) {
      c.pending++;
      return;
    }
    await this.admitChecked(c);
  }

  /** What this process has admitted and not yet written, per partner (tests, diagnostics). */
  pendingOf(partnerId: number): number {
    let n = 0;
    for (const c of this.counters.values()) if (c.partnerId === partnerId) n += c.pending + c.writing;
    return n;
  }

  /** Writes every pending count and rereads totals and limits (every flushMs, and on close). */
  flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is pending (app.close: before the database closes). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.flushAll();
  }

  private async flushAll(): Promise<void> {
    const now = this.now();
    const today = periodStart(METRIC, now);
    await Promise.all(
      [...this.counters].map(async ([key, c]) => {
        const idle = c.period !== today || now.getTime() - c.lastCallAt > IDLE_MS;
        if (idle && c.pending === 0 && c.writing === 0) {
          this.counters.delete(key);
          return;
        }
        try {
          await this.write(c);
          if (idle || this.closed) this.counters.delete(key);
        } catch (err) {
          this.warn(err, c);
        }
      }),
    );
  }

  private load(key: string, partnerId: number, period: string, now: Date): Promise<Counter> {
    let p = this.loading.get(key);
    if (!p) {
      p = withPartner(this.db, partnerId, async (tx) => ({ limit: await limitIn(tx, partnerId, now), used: await usedIn(tx, partnerId, METRIC, period) }))
        .then(({ limit, used }) => {
          const c: Counter = { partnerId, period, limit, used, pending: 0, writing: 0, lastCallAt: now.getTime(), chain: Promise.resolve() };
          this.counters.set(key, c);
          return c;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  /** Runs fn after the counter's earlier writes. */
  private serial<T>(c: Counter, fn: () => Promise<T>): Promise<T> {
    const run = c.chain.then(fn);
    c.chain = run.catch(() => undefined);
    return run;
  }

  /** Adds the pending calls (no limit: they were admitted) and rereads the total and the limit. */
  private write(c: Counter): Promise<void> {
    return this.serial(c, async () => {
      const delta = c.pending;
      c.pending = 0;
      c.writing = delta;
      try {
        const now = this.now();
        const r = await withPartner(this.db, c.partnerId, async (tx) => ({
          limit: await limitIn(tx, c.partnerId, now),
          used: delta > 0
            ? (await addUsage(tx, { partnerId: c.partnerId, metric: METRIC, periodStart: c.period, amount: delta, limit: null }))!
            : await usedIn(tx, c.partnerId, METRIC, c.period),
        }));
        c.limit = r.limit;
        c.used = r.used;
      } catch (err) {
        c.pending += delta;
        throw err;
      } finally {
        c.writing = 0;
      }
    });
  }

  /** Near the cap: this call and the pending ones in one statement that checks the limit. */
  private admitChecked(c: Counter): Promise<void> {
    return this.serial(c, async () => {
      // Queued behind a write that found the cap: refuse without asking the database again.
      if (c.limit !== null && c.used + c.pending >= c.limit) throw limitReached(METRIC, c.limit);
      const delta = c.pending;
      c.pending = 0;
      c.writing = delta + 1;
      let r: { limit: number | null; used: number; admitted: boolean };
      try {
        const now = this.now();
        r = await withPartner(this.db, c.partnerId, async (tx) => {
          const limit = await limitIn(tx, c.partnerId, now);
          const base = { partnerId: c.partnerId, metric: METRIC, periodStart: c.period } as const;
          const used = await addUsage(tx, { ...base, amount: delta + 1, limit });
          if (used !== null) return { limit, used, admitted: true };
          // Refused: the calls admitted before still count.
          const recorded = delta > 0 ? (await addUsage(tx, { ...base, amount: delta, limit: null }))! : await usedIn(tx, c.partnerId, METRIC, c.period);
          return { limit, used: recorded, admitted: false };
        });
      } catch (err) {
        c.pending += delta;
        throw err;
      } finally {
        c.writing = 0;
      }
      c.limit = r.limit;
      c.used = r.used;
      if (!r.admitted) throw limitReached(METRIC, r.limit);
    });
  }

  private warn(err: unknown, c: Counter): void {
    this.opts.log?.warn({ err: String(err), partner_id: c.partnerId, pending: c.pending }, 'API-call count not written; retried at the next flush');
  }
}

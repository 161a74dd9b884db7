import type { Database } from '../db/database.js';
import { chunkJson, type Bus } from './bus.js';

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_500;
/**
 * One statement NOTIFYing n payloads in order. Each payload is its own text parameter, sent as
 * is: passed as one array, node-postgres escaped every quote of the JSON (a regex pass over
 * each payload, the collector's biggest allocation under a flood).
 */
function notifySql(n: number): string {
  const params = Array.from({ length: n }, (_, i) => `$${i + 2}`).join(',');
  return `SELECT pg_notify($1, payload) FROM unnest(ARRAY[${params}]::text[]) WITH ORDINALITY AS m(payload, n) ORDER BY n`;
}

/** Waits before each new attempt at a NOTIFY that failed. */
const RETRY_DELAYS_MS = [100, 500, 2_000];

/**
 * Across processes sharing one PostgreSQL server: NOTIFY to publish, LISTEN to subscribe.
 * One LISTEN per topic per process (all on the database's one listening connection, outside
 * its pool), fanned out here to every local handler: 200 screens on a link are one LISTEN,
 * not 200. Ordered per publisher; no replay for a subscriber that was not listening
 * (display streams replay from the database by read id).
 */
export function createPostgresBus(db: Database): Bus {
  interface Topic {
    handlers: Set<(items: unknown[]) => void>;
    /** Subscribers' onGap, by their handler. */
    gaps: Map<(items: unknown[]) => void, () => void>;
    /** Resolves once LISTEN is active; holds the function that ends it. */
    listening: Promise<() => Promise<void>>;
  }
  const topics = new Map<string, Topic>();
  let closed = false;

  /**
   * At most one NOTIFY statement per topic in flight; what is published meanwhile waits and
   * goes in the next one. Unbounded, concurrent NOTIFYs (one per ingest batch) took pooled
   * connections and server time from the collector's writers: ingest fell from about 30,000
   * to 25,000 reads/s under a flood. When reads trickle in, nothing waits.
   */
  interface Outgoing {
    items: unknown[];
    sending: Promise<void> | null;
  }
  const outgoing = new Map<string, Outgoing>();
  /** Items in NOTIFY statements on their way (for pending()). */
  let inFlight = 0;

  const send = async (topic: string, out: Outgoing): Promise<void> => {
    let failure: Error | null = null;
    try {
      while (out.items.length > 0) {
        const batch = out.items;
        out.items = [];
        inFlight += batch.length;
        try {
          failure = (await notifyWithRetries(topic, batch)) ?? failure;
        } finally {
          inFlight -= batch.length;
        }
      }
    } finally {
      out.sending = null;
      if (out.items.length === 0) outgoing.delete(topic);
    }
    if (failure !== null) throw failure;
  };

  /**
   * One statement, one round trip: its NOTIFYs arrive together, in array order, once it
   * commits. A failure (a connection reset, a pool briefly exhausted) is tried again after
   * 0.1, 0.5 and 2 s, so a committed read still reaches the screens, a little late; what
   * is published meanwhile waits behind it, keeping the order. Returns the error if the
   * batch was dropped in the end (screens that reconnect replay it from the database).
   */
  const notifyWithRetries = async (topic: string, batch: unknown[]): Promise<Error | null> => {
    const payloads = chunkJson(batch, MAX_PAYLOAD);
    for (let attempt = 0; ; attempt++) {
      try {
        await db.query(notifySql(payloads.length), [topic, ...payloads]);
        return null;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || closed) return err instanceof Error ? err : new Error('NOTIFY failed', { cause: err });
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  };

  return {
    kind: 'postgres',
    pending() {
      let n = inFlight;
      for (const out of outgoing.values()) n += out.items.length;
      return n;
    },
    publish(topic, items) {
      if (items.length === 0) return Promise.resolve();
      let out = outgoing.get(topic);
      if (!out) {
        out = { items: [], sending: null };
        outgoing.set(topic, out);
      }
      for (const item of items) out.items.push(item);
      out.sending ??= send(topic, out);
      return out.sending;
    },
    async subscribe<T>(topic: string, onItems: (items: T[]) => void, onGap?: () => void) {
      let entry = topics.get(topic);
      if (!entry) {
        const handlers = new Set<(items: unknown[]) => void>();
        const gaps = new Map<(items: unknown[]) => void, () => void>();
        const listening = db.listen(
          topic,
          (payload) => {
            const items = JSON.parse(payload) as unknown[];
            for (const h of handlers) h(items);
          },
          () => {
            for (const gap of gaps.values()) gap();
          },
        );
        entry = { handlers, gaps, listening };
        topics.set(topic, entry);
        listening.catch(() => topics.delete(topic));
      }
      const handler = onItems as (items: unknown[]) => void;
      entry.handlers.add(handler);
      if (onGap) entry.gaps.set(handler, onGap);
      await entry.listening;
      const current = entry;
      return async () => {
        current.handlers.delete(handler);
        current.gaps.delete(handler);
        if (current.handlers.size === 0 && topics.get(topic) === current) {
          topics.delete(topic);
          await (await current.listening)();
        }
      };
    },
    async close() {
      closed = true;
      const all = [...topics.values()];
      topics.clear();
      await Promise.all(all.map(async (t) => (await t.listening)().catch(() => {})));
    },
  };
}

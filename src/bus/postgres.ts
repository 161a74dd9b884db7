import type { Database } from '../db/database.js';
import { chunkJson, type Bus } from './bus.js';

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_500;

/**
 * Across processes sharing one PostgreSQL server: NOTIFY to publish, LISTEN to subscribe.
 * One LISTEN (one held connection) per topic per process, fanned out here to every local
 * handler: 200 screens on a link must not take 200 pooled connections. Ordered per
 * publisher; no replay for a subscriber that was not listening (display streams replay from
 * the database by read id).
 */
export function createPostgresBus(db: Database): Bus {
  interface Topic {
    handlers: Set<(items: unknown[]) => void>;
    /** Resolves once LISTEN is active; holds the function that ends it. */
    listening: Promise<() => Promise<void>>;
  }
  const topics = new Map<string, Topic>();

  return {
    kind: 'postgres',
    async publish(topic, items) {
      if (items.length === 0) return;
      const messages = chunkJson(items, MAX_PAYLOAD);
      // One transaction for all chunks: NOTIFYs of one transaction arrive together, in order.
      await db.transaction(async (tx) => {
        for (const payload of messages) await tx.query('SELECT pg_notify($1, $2)', [topic, payload]);
      });
    },
    async subscribe<T>(topic: string, onItems: (items: T[]) => void) {
      let entry = topics.get(topic);
      if (!entry) {
        const handlers = new Set<(items: unknown[]) => void>();
        const listening = db.listen(topic, (payload) => {
          const items = JSON.parse(payload) as unknown[];
          for (const h of handlers) h(items);
        });
        entry = { handlers, listening };
        topics.set(topic, entry);
        listening.catch(() => topics.delete(topic));
      }
      const handler = onItems as (items: unknown[]) => void;
      entry.handlers.add(handler);
      await entry.listening;
      const current = entry;
      return async () => {
        current.handlers.delete(handler);
        if (current.handlers.size === 0 && topics.get(topic) === current) {
          topics.delete(topic);
          await (await current.listening)();
        }
      };
    },
    async close() {
      const all = [...topics.values()];
      topics.clear();
      await Promise.all(all.map(async (t) => (await t.listening)().catch(() => {})));
    },
  };
}

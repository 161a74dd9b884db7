import type { Database } from '../db/database.js';
import { chunkJson, type Bus } from './bus.js';

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_500;

/**
 * Across processes sharing one PostgreSQL server: NOTIFY to publish, LISTEN (one held
 * connection per topic) to subscribe. Ordered per publisher; no replay for a subscriber that
 * was not listening (display streams replay from the database by read id).
 */
export function createPostgresBus(db: Database): Bus {
  const unsubscribers = new Set<() => Promise<void>>();
  return {
    kind: 'postgres',
    async publish(topic, items) {
      if (items.length === 0) return;
      const messages = chunkJson(items, MAX_PAYLOAD);
      // One round trip for all chunks; NOTIFYs of one transaction arrive in order.
      await db.transaction(async (tx) => {
        for (const payload of messages) await tx.query('SELECT pg_notify($1, $2)', [topic, payload]);
      });
    },
    async subscribe<T>(topic: string, onItems: (items: T[]) => void) {
      const stop = await db.listen(topic, (payload) => onItems(JSON.parse(payload) as T[]));
      const unsubscribe = async () => {
        unsubscribers.delete(unsubscribe);
        await stop();
      };
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    },
    async close() {
      await Promise.all([...unsubscribers].map((u) => u()));
    },
  };
}

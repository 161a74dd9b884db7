import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Bus } from './bus.js';

/** Many web nodes: Redis pub/sub (a publisher connection and one subscriber connection). */
export function createRedisBus(url: string, log: Logger): Bus {
  const options = { maxRetriesPerRequest: 3, lazyConnect: false, enableOfflineQueue: true };
  const pub = new Redis(url, options);
  const sub = new Redis(url, options);
  for (const c of [pub, sub]) c.on('error', (err: Error) => log.warn({ err: err.message }, 'redis bus connection error'));
  const handlers = new Map<string, Set<(items: unknown[]) => void>>();
  const gaps = new Map<(items: unknown[]) => void, () => void>();
  /** Topics whose SUBSCRIBE is on its way; every subscriber to one waits for it. */
  const subscribing = new Map<string, Promise<void>>();
  // ioredis reconnects and subscribes again by itself; what was published meanwhile is gone.
  let readyBefore = false;
  sub.on('ready', () => {
    if (readyBefore) for (const gap of gaps.values()) gap();
    readyBefore = true;
  });
  sub.on('message', (channel: string, message: string) => {
    const items = JSON.parse(message) as unknown[];
    for (const h of handlers.get(channel) ?? []) h(items);
  });
  return {
    kind: 'redis',
    async publish(topic, items) {
      if (items.length === 0) return;
      await pub.publish(topic, JSON.stringify(items));
    },
    async subscribe<T>(topic: string, onItems: (items: T[]) => void, onGap?: () => void) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
        const created = set;
        // A SUBSCRIBE that fails (Redis away) leaves nothing behind: the next subscribe tries again.
        subscribing.set(
          topic,
          sub.subscribe(topic).then(
            () => void subscribing.delete(topic),
            (err: unknown) => {
              subscribing.delete(topic);
              if (handlers.get(topic) === created) handlers.delete(topic);
              throw err;
            },
          ),
        );
      }
      await subscribing.get(topic);
      const handler = onItems as (items: unknown[]) => void;
      set.add(handler);
      if (onGap) gaps.set(handler, onGap);
      return async () => {
        set.delete(handler);
        gaps.delete(handler);
        if (set.size === 0) {
          handlers.delete(topic);
          await sub.unsubscribe(topic);
        }
      };
    },
    async close() {
      handlers.clear();
      gaps.clear();
      sub.disconnect();
      pub.disconnect();
    },
  };
}

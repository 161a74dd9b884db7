import { EventEmitter } from 'node:events';
import type { Bus } from './bus.js';

/** One process (p88 start): delivery on the next tick, so a slow subscriber never stalls ingest. */
export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'memory',
    async publish(topic, items) {
      if (items.length === 0 || emitter.listenerCount(topic) === 0) return;
      const copy = [...items];
      setImmediate(() => emitter.emit(topic, copy));
    },
    async subscribe<T>(topic: string, onItems: (items: T[]) => void) {
      emitter.on(topic, onItems);
      return async () => {
        emitter.off(topic, onItems);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

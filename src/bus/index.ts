import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import type { Bus } from './bus.js';
import { createMemoryBus } from './memory.js';
import { createPostgresBus } from './postgres.js';
import { createRedisBus } from './redis.js';

export * from './bus.js';
export type { LiveRead } from './live-read.js';

/**
 * Redis when REDIS_URL is set (many web nodes); in memory when the collector and the web
 * run in this one process (p88 start); else PostgreSQL LISTEN/NOTIFY (separate processes).
 */
export function createBus(opts: { redisUrl: string | undefined; db: Database; singleProcess: boolean; log: Logger }): Bus {
  if (opts.redisUrl) return createRedisBus(opts.redisUrl, opts.log);
  if (opts.singleProcess) return createMemoryBus();
  return createPostgresBus(opts.db);
}

import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import type { Bus } from './bus.js';

export * from './bus.js';
export type { LiveRead } from './live-read.js';

/**
 * Redis when REDIS_URL is set (many web nodes); in memory when the collector and the web
 * run in this one process (p88 start); else PostgreSQL LISTEN/NOTIFY (separate processes).
 * Each transport is loaded only when chosen: ioredis alone is about 24 MiB of a collector's
 * memory that never talks to Redis.
 */
export async function createBus(opts: { redisUrl: string | undefined; db: Database; singleProcess: boolean; log: Logger }): Promise<Bus> {
  if (opts.redisUrl) return (await import('./redis.js')).createRedisBus(opts.redisUrl, opts.log);
  if (opts.singleProcess) return (await import('./memory.js')).createMemoryBus();
  return (await import('./postgres.js')).createPostgresBus(opts.db);
}

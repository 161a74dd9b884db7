import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { chunkJson, readsTopic, type Bus } from './bus.js';
import { createMemoryBus } from './memory.js';
import { createPostgresBus } from './postgres.js';
import { Redis } from 'ioredis';
import { createRedisBus } from './redis.js';
import { freePort, TcpProxy } from '../../test/helpers/tcp-proxy.js';

const redisUrl = process.env.P88_TEST_REDIS_URL || undefined;

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The contract every transport keeps. */
function busContract(name: string, make: () => Promise<Bus>, done: (bus: Bus) => Promise<void>) {
  describe(`${name} bus`, () => {
    let bus: Bus;
    beforeAll(async () => {
      bus = await make();
    });
    afterAll(() => done(bus));

    it('delivers every item, in order, to every subscriber, even a batch that needs splitting', async () => {
      const topic = readsTopic(101);
      const a: number[] = [];
      const b: number[] = [];
      const stopA = await bus.subscribe<{ n: number; pad: string }>(topic, (items) => a.push(...items.map((i) => i.n)));
      const stopB = await bus.subscribe<{ n: number; pad: string }>(topic, (items) => b.push(...items.map((i) => i.n)));
      const batch = Array.from({ length: 1000 }, (_, n) => ({ n, pad: 'x'.repeat(40) }));
      await bus.publish(topic, batch.slice(0, 1));
      await bus.publish(topic, batch.slice(1));
      await waitFor(() => a.length === 1000 && b.length === 1000);
      expect(a).toEqual(batch.map((x) => x.n));
      expect(b).toEqual(a);
      await stopA();
      await stopB();
    });

    it('serves more subscribers on one topic than a connection pool holds (200 screens on one link)', async () => {
      const topic = readsTopic(301);
      const counts = Array.from({ length: 25 }, () => 0);
      const stops = await Promise.all(counts.map((_, i) => bus.subscribe<number>(topic, (items) => (counts[i]! += items.length))));
      await bus.publish(topic, [1, 2, 3]);
      await waitFor(() => counts.every((c) => c === 3));
      await Promise.all(stops.map((s) => s()));
    });

    it('keeps topics apart and stops delivering after unsubscribe', async () => {
      const mine: string[] = [];
      const stop = await bus.subscribe<string>(readsTopic(201), (items) => mine.push(...items));
      await bus.publish(readsTopic(202), ['not for me']);
      await bus.publish(readsTopic(201), ['for me']);
      await waitFor(() => mine.length === 1);
      await stop();
      await bus.publish(readsTopic(201), ['after unsubscribe']);
      await new Promise((r) => setTimeout(r, 200));
      expect(mine).toEqual(['for me']);
    });
  });
}

busContract('memory', async () => createMemoryBus(), (bus) => bus.close());

let t: TestDatabase;
busContract(
  'postgres (LISTEN/NOTIFY)',
  async () => {
    t = await createTestDatabase();
    return createPostgresBus(t.db);
  },
  async (bus) => {
    await bus.close();
    await t.drop();
  },
);

describe('postgres bus publishing', () => {
  it('sends what is published during a NOTIFY in the next one, in order; tries a failed NOTIFY again, and never wedges', async () => {
    const db = await createTestDatabase();
    try {
      const statements: string[] = [];
      let failures = 0;
      // The real database, watched: count the NOTIFY statements, fail some on demand.
      const watched: typeof db.db = {
        ...db.db,
        query: (sql: string, params?: readonly unknown[]) => {
          if (sql.includes('pg_notify')) {
            statements.push(sql);
            if (failures > 0) {
              failures--;
              return Promise.reject(new Error('connection terminated'));
            }
          }
          return db.db.query(sql, params);
        },
      };
      const bus = createPostgresBus(watched);
      const got: number[] = [];
      await bus.subscribe<number>(readsTopic(7), (items) => got.push(...items));
      // Five publishes at once: the first goes alone, the other four wait and go together.
      await Promise.all([1, 2, 3, 4, 5].map((n) => bus.publish(readsTopic(7), [n])));
      await waitFor(() => got.length === 5);
      expect(got).toEqual([1, 2, 3, 4, 5]);
      expect(statements).toHaveLength(2);

      // Two failures in a row: the read still arrives, and what was published meanwhile after it.
      failures = 2;
      const retried = bus.publish(readsTopic(7), [6]);
      const behind = bus.publish(readsTopic(7), [7]);
      await Promise.all([retried, behind]);
      await waitFor(() => got.length === 7);
      expect(got).toEqual([1, 2, 3, 4, 5, 6, 7]);

      // A NOTIFY that keeps failing is given up after three more tries; the next one goes.
      failures = 4;
      await expect(bus.publish(readsTopic(7), [8])).rejects.toThrow('connection terminated');
      await bus.publish(readsTopic(7), [9]);
      await waitFor(() => got.length === 8);
      expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 9]);
      await bus.close();
    } finally {
      await db.drop();
    }
  });
});

describe.runIf(redisUrl)('with a Redis server', () => {
  busContract('redis', async () => createRedisBus(redisUrl!, createLogger('silent')), (bus) => bus.close());
});

describe('chunkJson', () => {
  it('splits under the byte limit and loses nothing', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ i, s: 'é'.repeat(i % 30) }));
    const chunks = chunkJson(items, 1000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(1000);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
  });
});

describe.runIf(redisUrl)('redis bus after its subscriber connection is dropped', () => {
  it('subscribes again by itself and tells subscribers they may have missed messages', async () => {
    const bus = createRedisBus(redisUrl!, createLogger('silent'));
    const admin = new Redis(redisUrl!);
    try {
      const got: string[] = [];
      let gaps = 0;
      await bus.subscribe<string>(readsTopic(909), (items) => got.push(...items), () => gaps++);
      await bus.publish(readsTopic(909), ['before']);
      await waitFor(() => got.length === 1);
      expect(gaps).toBe(0);
      // The server drops every pub/sub client (a restart or failover would too).
      expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1);
      await waitFor(() => gaps === 1, 10_000);
      // Subscribed again: a message published now arrives (sent until it does: the
      // re-subscription may still be on its way when the gap is reported).
      const resend = setInterval(() => void bus.publish(readsTopic(909), ['after']), 100);
      try {
        await waitFor(() => got.includes('after'));
      } finally {
        clearInterval(resend);
      }
    } finally {
      admin.disconnect();
      await bus.close();
    }
  });
});

describe.runIf(redisUrl)('redis bus that cannot reach Redis at first', () => {
  it('refuses the subscribe, then subscribes for real once Redis is back', async () => {
    const target = new URL(redisUrl!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await freePort(); // nothing listens there yet: Redis is "down"
    const url = new URL(redisUrl!);
    url.port = String(port);
    const bus = createRedisBus(url.toString(), createLogger('silent'));
    try {
      const got: string[] = [];
      await expect(bus.subscribe<string>(readsTopic(910), (items) => got.push(...items))).rejects.toThrow();
      await proxy.start(port);
      await bus.subscribe<string>(readsTopic(910), (items) => got.push(...items));
      await bus.publish(readsTopic(910), ['now']);
      await waitFor(() => got.length === 1);
      expect(got).toEqual(['now']);
    } finally {
      await bus.close();
      await proxy.cut();
    }
  }, 20_000);
});

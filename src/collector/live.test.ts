import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readsTopic } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { RawClient } from '../../test/helpers/ctp-client.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { eventually } from '../../test/helpers/collector.js';
import { startCollector, type CollectorHandle } from './collector.js';
import type { LiveRead } from '../bus/live-read.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

let t: TestDatabase;
let collector: CollectorHandle;
const bus = createMemoryBus();

beforeAll(async () => {
  t = await createTestDatabase();
  const config = loadConfig({
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'live-')),
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_PORT: '0',
    COLLECTOR_STATUS_PORT: '0',
    COLLECTOR_AUTH: 'none',
    EVENT_TIMEZONE: 'UTC',
    LOG_LEVEL: 'silent',
    COLLECTOR_READ_WINDOW_DAYS: '36500', // its reads carry a fixed 2026-10-18 date
  });
  collector = await startCollector({ db: t.db, config, log: createLogger('silent'), bus });
});

afterAll(async () => {
  await collector.close();
  await bus.close();
  await t.drop();
});

describe('stored reads on the bus', () => {
  it('publishes each stored read once, after commit, on its partner’s topic only', async () => {
    const mine: LiveRead[] = [];
    const others: LiveRead[] = [];
    await bus.subscribe<LiveRead>(readsTopic(1), (items) => mine.push(...items));
    await bus.subscribe<LiveRead>(readsTopic(2), (items) => others.push(...items));
    const c = await RawClient.connect(collector.tcpPort);
    c.send('CT01_33~1~finish~1234~2026-10-18T09:30:00.50~1~0A0B0C~2', 'CT01_33~1~finish~1234~2026-10-18T09:30:00.50~1~0A0B0C~2');
    await eventually(() => mine.length >= 1 && collector.ingest.idle(500));
    await new Promise((r) => setTimeout(r, 100));
    expect(mine).toHaveLength(1); // the duplicate was absorbed, not published
    const stored = (await t.owner.query<{ id: number }>('SELECT id FROM timing_reads')).rows[0]!;
    expect(mine[0]).toMatchObject({
      id: stored.id,
      location: 'finish',
      tag: '1234',
      kind: 'tag',
      readTimeMs: Date.parse('2026-10-18T09:30:00.500Z'),
    });
    // Only what a display uses travels (src/bus/live-read.ts).
    expect(Object.keys(mine[0]!).sort()).toEqual(['id', 'kind', 'location', 'readTimeMs', 'receivedAt', 'sessionId', 'tag']);
    expect(others).toEqual([]);
    c.close();
  });
});

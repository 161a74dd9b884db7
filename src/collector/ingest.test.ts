import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeKind } from '../ctp01/index.js';
import { createLogger } from '../log.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { ResumeCursors } from './cursors.js';
import { withPartner } from '../db/tenant.js';
import { ensureStreams } from './collector.repo.js';
import { IngestPipeline, type IngestOptions } from './ingest.js';
import type { IngestRecord } from './ingest-record.js';
import { SessionResolver } from './sessions.js';
import { Spool } from './spool.js';

let t: TestDatabase;
let spool: Spool;
let dir: string;
const pipelines: IngestPipeline[] = [];

beforeEach(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'ingest-'));
  spool = new Spool(dir);
  await spool.open();
});

afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.close();
  await spool.close();
  await t.drop();
});

function pipeline(opts: Partial<IngestOptions>): IngestPipeline {
  const sessions = new SessionResolver(t.db, 'S_%Y', 'UTC');
  const p = new IngestPipeline(t.db, sessions, new ResumeCursors(t.db), spool, createLogger('silent'), { rejectDir: dir, ...opts });
  pipelines.push(p);
  return p;
}

function read(seq: number, location = 'finish', sourceKey = 'cid:X'): IngestRecord {
  return {
    partnerId: 1, sessionId: null, sourceKey, connectionLogId: '00000000-0000-0000-0000-000000000001',
    sequence: seq, location, tag: String(seq), kind: 'tag', timeKind: TimeKind.Epoch, timeMs: 1.7e12 + seq,
    timeText: 't', lap: 1, readerId: 'r', gator: 1, rawLine: `l${seq}`, receivedAt: Date.now(),
  };
}

async function stored(): Promise<number[]> {
  const r = await t.owner.query<{ s: number }>('SELECT sequence_number AS s FROM timing_reads ORDER BY 1');
  return r.rows.map((x) => x.s);
}

describe('IngestPipeline', () => {
  it('stores every read with two writers on the same new streams', async () => {
    const p = pipeline({ batchSize: 1, writers: 2 });
    for (let s = 1; s <= 40; s++) p.submit(read(s, `loc${s % 3}`));
    expect(await p.idle(20_000)).toBe(true);
    expect(await stored()).toHaveLength(40);
    expect(p.stats).toMatchObject({ stored: 40, spooled: 0, rejected: 0 });
  });

  it('ensureStreams returns a stream another transaction was creating at the same moment', async () => {
    // Regression: the loser of the race waited for the winner's commit, then returned
    // nothing for that stream (its snapshot predated the commit) and the batch failed.
    const session = await new SessionResolver(t.db, 'S', 'UTC').active(1);
    const key = { partnerId: 1, sessionId: session.id, sourceKey: 'cid:RACE', location: 'finish' };
    await withPartner(t.db, 1, (tx) => ensureStreams(tx, [{ ...key, sourceKey: 'cid:EARLIER' }])); // the location exists already
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstCreated!: () => void;
    const created = new Promise<void>((r) => (firstCreated = r));
    const first = withPartner(t.db, 1, async (tx) => {
      const rows = await ensureStreams(tx, [key]);
      firstCreated();
      await gate; // hold the new row uncommitted while the second transaction runs into it
      return rows;
    });
    await created;
    const second = withPartner(t.db, 1, (tx) => ensureStreams(tx, [key]));
    await new Promise((r) => setTimeout(r, 200));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(b).toHaveLength(1);
    expect(b[0]!.id).toBe(a[0]!.id);
  });

  it('writes a batch that holds a duplicate again absorbing it, with the streams the failed attempt had created', async () => {
    // Batches go in without ON CONFLICT first; a duplicate fails that attempt, whose new
    // streams roll back with it. Regression guard: the retry must not reuse their ids.
    const p = pipeline({ batchSize: 1000 });
    const stored: number[] = [];
    p.on('stored', (reads) => stored.push(...reads.map((r) => r.record.sequence)));
    for (let s = 1; s <= 5; s++) p.submit(read(s));
    expect(await p.idle()).toBe(true);
    // One batch: a new stream, a read stored before, and a read twice within the batch.
    for (let s = 1; s <= 3; s++) p.submit(read(s, 'new-loc'));
    p.submit(read(3));
    p.submit(read(6));
    p.submit(read(6));
    expect(await p.idle()).toBe(true);
    expect(p.stats).toMatchObject({ stored: 9, duplicates: 2, duplicateRetries: 1, rejected: 0, spooled: 0 });
    expect(stored.sort((a, b) => a - b)).toEqual([1, 1, 2, 2, 3, 3, 4, 5, 6]);
    const rows = await t.owner.query<{ location_name: string; s: number; stream_location: string | null }>(
      `SELECT r.location_name, r.sequence_number AS s, st.location_name AS stream_location
         FROM timing_reads r LEFT JOIN timing_streams st ON st.id = r.stream_id AND st.partner_id = r.partner_id
        ORDER BY 1, 2`,
    );
    expect(rows.rows).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((s) => ({ location_name: 'finish', s, stream_location: 'finish' })),
      ...[1, 2, 3].map((s) => ({ location_name: 'new-loc', s, stream_location: 'new-loc' })),
    ]);
  });

  it('spills to the spool past its high-water mark and drains back, in order, exactly once', async () => {
    const p = pipeline({ batchSize: 50, highWater: 100 });
    const modes: string[] = [];
    p.on('mode', (m) => modes.push(m));
    for (let s = 1; s <= 1000; s++) p.submit(read(s));
    p.submit(read(500)); // a duplicate on the way
    expect(await p.idle(30_000)).toBe(true);
    expect(modes).toEqual(['spool', 'memory']);
    expect(p.stats.spooled).toBeGreaterThan(0);
    expect(await stored()).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(spool.backlog).toBe(0);
  });

  it('asks for backpressure while reads pile up and lifts it once the writer caught up', async () => {
    const p = pipeline({ batchSize: 50, pauseAt: 200, highWater: 100_000 });
    const events: boolean[] = [];
    p.on('pressure', (paused) => events.push(paused));
    for (let s = 1; s <= 1000; s++) p.submit(read(s, 'bp'));
    expect(p.paused).toBe(true);
    expect(await p.idle(30_000)).toBe(true);
    expect(p.paused).toBe(false);
    expect(events[0]).toBe(true);
    expect(events.at(-1)).toBe(false);
    expect(p.stats).toMatchObject({ stored: 1000, spooled: 0 });
  });
});

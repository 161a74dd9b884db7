import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimeKind } from '../ctp01/index.js';
import type { IngestRecord } from './ingest-record.js';
import { Spool } from './spool.js';

function rec(seq: number): IngestRecord {
  return {
    partnerId: 1, sessionId: null, sourceKey: 'cid:S', connectionLogId: '00000000-0000-0000-0000-000000000000',
    sequence: seq, location: 'finish', tag: String(seq), kind: 'tag', timeKind: TimeKind.Epoch, timeMs: 1e12 + seq,
    timeText: 'x', lap: 1, readerId: 'r', gator: 1, rawLine: `line ${seq}`, receivedAt: 1e12,
  };
}

describe('Spool', () => {
  it('keeps records across a reopen and drains them in order from the committed offset', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spool-'));
    const a = new Spool(dir);
    await a.open();
    a.append([rec(1), rec(2), rec(3)]);
    await a.flush();
    const first = await a.read(2);
    expect(first.records.map((r) => r.sequence)).toEqual([1, 2]);
    await a.commitOffset(first.next);
    await a.close();

    const b = new Spool(dir);
    await b.open();
    const rest = await b.read(10);
    expect(rest.records.map((r) => r.sequence)).toEqual([3]);
    await b.commitOffset(rest.next);
    expect(b.backlog).toBe(0);
    await b.reset();
    expect(await readFile(path.join(dir, 'reads.ndjson'), 'utf8')).toBe('');
    await b.close();
  });

  it('cuts a torn last line left by a crash so later records stay intact', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spool-'));
    const a = new Spool(dir);
    await a.open();
    a.append([rec(1)]);
    await a.flush();
    await a.close();
    await appendFile(path.join(dir, 'reads.ndjson'), '{"partnerId":1,"seq'); // crash mid-write
    const b = new Spool(dir);
    await b.open();
    b.append([rec(2)]);
    await b.flush();
    const all = await b.read(10);
    expect(all.records.map((r) => r.sequence)).toEqual([1, 2]);
    await b.close();
  });
});

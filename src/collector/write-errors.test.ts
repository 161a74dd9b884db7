/**
 * Which write errors may set a read aside. The database itself raises each SQLSTATE (a trigger
 * on timing_reads, RAISE … USING ERRCODE), so the pipeline sees exactly what PostgreSQL sends
 * when it refuses connections, terminates a backend, fails authentication, and so on. Only
 * errors certainly about a row's content may reject a read; every other one spools and
 * retries, and the reads are all stored once the database is back.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TimeKind } from '../ctp01/index.js';
import { isRowContentError } from '../db/errors.js';
import { createLogger } from '../log.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { ResumeCursors } from './cursors.js';
import { IngestPipeline } from './ingest.js';
import type { IngestRecord } from './ingest-record.js';
import { SessionResolver } from './sessions.js';
import { Spool } from './spool.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.owner.exec(`
    CREATE TABLE test_fault (code text, only_tag text);
    GRANT SELECT ON test_fault TO p88_app;
    CREATE FUNCTION test_fault_raise() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE f record;
    BEGIN
      SELECT * INTO f FROM test_fault LIMIT 1;
      IF f.code IS NOT NULL AND (f.only_tag IS NULL OR f.only_tag = NEW.tag_code) THEN
        RAISE EXCEPTION 'injected fault %', f.code USING ERRCODE = f.code;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_fault BEFORE INSERT ON timing_reads FOR EACH ROW EXECUTE FUNCTION test_fault_raise();
  `);
});

afterAll(async () => {
  await t.drop();
});

beforeEach(async () => {
  await t.owner.query('DELETE FROM test_fault');
  await t.owner.query('DELETE FROM timing_reads');
});

function read(seq: number, sourceKey: string, tag = String(seq)): IngestRecord {
  return {
    partnerId: 1, sessionId: null, sourceKey, connectionLogId: '00000000-0000-0000-0000-000000000001',
    sequence: seq, location: 'finish', tag, kind: 'tag', timeKind: TimeKind.Epoch, timeMs: Date.now() + seq,
    timeText: 't', lap: 1, readerId: 'r', gator: 1, rawLine: `l${seq}`, receivedAt: Date.now(),
  };
}

async function pipeline(): Promise<{ p: IngestPipeline; spool: Spool; cursors: ResumeCursors; dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'write-errors-'));
  const spool = new Spool(dir);
  await spool.open();
  const cursors = new ResumeCursors(t.db);
  const p = new IngestPipeline(t.db, new SessionResolver(t.db, 'S_%Y', 'UTC'), cursors, spool, createLogger('silent'), { rejectDir: dir, batchSize: 50 });
  return {
    p, spool, cursors, dir,
    async close() {
      await p.close();
      await spool.close();
    },
  };
}

async function storedSequences(sourceKey: string): Promise<number[]> {
  const r = await t.owner.query<{ s: number }>('SELECT sequence_number AS s FROM timing_reads WHERE source_key = $1 ORDER BY 1', [sourceKey]);
  return r.rows.map((x) => x.s);
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('isRowContentError', () => {
  it.each([
    ['22P02', true], ['22001', true], ['22003', true], ['22007', true], ['22008', true], ['22021', true],
    ['23502', true], ['23503', true], ['23514', true], ['23P01', true],
    ['55000', false], ['57P01', false], ['57P02', false], ['57P03', false], ['57014', false], ['28P01', false], ['28000', false],
    ['3D000', false], ['08006', false], ['08001', false], ['53300', false], ['40001', false], ['40P01', false],
    ['42501', false], ['42P01', false], ['23505', false], ['XX000', false], ['25006', false],
  ])('%s → %s', (code, content) => {
    expect(isRowContentError(Object.assign(new Error('x'), { code }))).toBe(content);
  });

  it('is false for errors with no SQLSTATE: transport failures and timeouts', () => {
    expect(isRowContentError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isRowContentError(new Error('Query read timeout'))).toBe(false);
    expect(isRowContentError(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(isRowContentError(undefined)).toBe(false);
  });

  it('is true for what the database really raises on bad content', async () => {
    const err = await t.db.query(`SELECT 'x'::int`).catch((e: unknown) => e);
    expect(isRowContentError(err)).toBe(true);
  });
});

describe('a write error that is not about the content', () => {
  // 55000: ALTER DATABASE … ALLOW_CONNECTIONS false; 57P01: pg_terminate_backend; 28P01: the
  // password changed; 3D000: the database being restored; 08006: connection failure; 53300: too
  // many connections; 40001 serialization; 42501 a permission revoked; XX000 internal error.
  it.each(['55000', '57P01', '57P03', '28P01', '3D000', '08006', '53300', '40001', '42501', '57014', 'XX000'])(
    '%s spools every read, shows spool mode and the error, and stores them all when it clears',
    async (code) => {
      const source = `cid:E${code}`;
      const { p, spool, cursors, dir, close } = await pipeline();
      try {
        await t.owner.query('INSERT INTO test_fault (code) VALUES ($1)', [code]);
        for (let s = 1; s <= 120; s++) p.submit(read(s, source));
        await until('spool mode', () => p.mode === 'spool' && p.lastWriteError !== null && p.stats.spooled >= 120 && spool.idle);
        expect(p.lastWriteError).toContain(`injected fault ${code}`);
        expect(p.stats.rejected).toBe(0);
        // What the spool holds is durable: resuming after it is safe.
        expect(await cursors.last(1, null, source, 'finish')).toBe(120);
        await t.owner.query('DELETE FROM test_fault');
        expect(await p.idle(30_000)).toBe(true);
        expect(await storedSequences(source)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
        expect(p.stats.rejected).toBe(0);
        expect(p.mode).toBe('memory');
        expect(p.lastWriteError).toBeNull();
        await expect(readFile(path.join(dir, 'rejected.ndjson'), 'utf8')).rejects.toThrow();
      } finally {
        await close();
      }
    },
    60_000,
  );
});

describe('a write error about the content', () => {
  it.each(['22007', '23514'])('%s sets aside only the offending read and stores the rest', async (code) => {
    const source = `cid:C${code}`;
    const { p, dir, close } = await pipeline();
    try {
      await t.owner.query(`INSERT INTO test_fault (code, only_tag) VALUES ($1, 'BAD')`, [code]);
      for (let s = 1; s <= 100; s++) p.submit(read(s, source, s === 37 ? 'BAD' : String(s)));
      expect(await p.idle(30_000)).toBe(true);
      expect(await storedSequences(source)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1).filter((s) => s !== 37));
      expect(p.stats.rejected).toBe(1);
      expect(p.mode).toBe('memory');
      const rejected = (await readFile(path.join(dir, 'rejected.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { read: IngestRecord; error: string });
      expect(rejected.map((r) => r.read.sequence)).toEqual([37]);
      expect(rejected[0]!.error).toContain(code);
    } finally {
      await close();
    }
  });
});

describe('resume cursors', () => {
  it('never pass a read that is only in memory', async () => {
    const source = 'cid:MEM';
    const { p, cursors, close } = await pipeline();
    try {
      for (let s = 1; s <= 10; s++) p.submit(read(s, source));
      // Queued, neither committed nor spooled: a reconnecting client must re-send them.
      expect(await cursors.last(1, null, source, 'finish')).toBe(0);
      expect(await p.idle(10_000)).toBe(true);
      expect(await cursors.last(1, null, source, 'finish')).toBe(10);
    } finally {
      await close();
    }
  });
});

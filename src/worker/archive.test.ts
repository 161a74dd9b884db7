import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { testConfig } from '../../test/helpers/config.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { createLogger } from '../log.js';
import { archiveReads } from './archive.js';
import { startWorker } from './worker.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.owner.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES (1, 1, 's')`);
  await t.owner.query(`INSERT INTO timing_locations (id, partner_id, session_id, location_name) VALUES (1, 1, 1, 'finish')`);
  await t.owner.query(`INSERT INTO timing_streams (id, partner_id, session_id, location_id, source_key, location_name) VALUES (1, 1, 1, 1, 'cid:A', 'finish')`);
  // 25 reads 40 days old, 5 from today.
  await t.owner.query(
    `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
        read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
     SELECT 1, 1, 1, 1, 'cid:A', g, 'finish', g::text, now(), 't', 1, 'r', 1, 'line',
            CASE WHEN g <= 25 THEN now() - interval '40 days' ELSE now() END
       FROM generate_series(1, 30) g`,
  );
});

afterAll(() => t.drop());

describe('archiveReads', () => {
  it('moves exactly the reads older than the cutoff, with every column, in batches', async () => {
    const moved = await archiveReads(t.db, new Date(Date.now() - 30 * 86_400_000), 10);
    expect(moved).toBe(25);
    const live = await t.owner.query<{ seqs: number[] }>(`SELECT array_agg(sequence_number ORDER BY sequence_number) AS seqs FROM timing_reads`);
    expect(live.rows[0]!.seqs).toEqual([26, 27, 28, 29, 30]);
    const archived = await t.owner.query<{ n: number; tags: number; archived: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT tag_code)::int AS tags, count(archived_at)::int AS archived FROM timing_reads_archive WHERE source_key = 'cid:A'`,
    );
    expect(archived.rows[0]).toEqual({ n: 25, tags: 25, archived: 25 });
  });

  it('does nothing the second time', async () => {
    expect(await archiveReads(t.db, new Date(Date.now() - 30 * 86_400_000))).toBe(0);
    const n = await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads_archive');
    expect(n.rows[0]!.n).toBe(25);
  });
});

describe('the worker’s recurring archival', () => {
  it('archives on its interval, in this process as under p88 start, once per interval', async () => {
    const addOld = (from: number, to: number) =>
      t.owner.query(
        `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
            read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
         SELECT 1, 1, 1, 1, 'cid:A', g, 'finish', g::text, now(), 't', 1, 'r', 1, 'line', now() - interval '40 days'
           FROM generate_series($1::int, $2::int) g`,
        [from, to],
      );
    const archived = async () => (await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads_archive')).rows[0]!.n;
    const until = async (n: number) => {
      for (let i = 0; i < 100 && (await archived()) < n; i++) await sleep(50);
      return archived();
    };
    await addOld(101, 104);
    const config = testConfig({ ARCHIVE_INTERVAL_SECONDS: '0.3', JOBS_POLL_SECONDS: '0.05' });
    const worker = await startWorker({ db: t.db, log: createLogger('silent'), config });
    try {
      expect(await until(29)).toBe(29);
      await addOld(105, 106);
      expect(await until(31)).toBe(31);
      await sleep(700);
      const runs = await t.owner.query<{ n: number; results: Array<{ moved: number }> }>(
        `SELECT count(*)::int AS n, json_agg(result ORDER BY id) AS results FROM jobs WHERE queue = 'reads.archive' AND state = 'done'`,
      );
      // First run 0.3 s after start, then every 0.3 s: about five in 1.5 s, never two per slot.
      expect(runs.rows[0]!.n).toBeGreaterThanOrEqual(3);
      expect(runs.rows[0]!.results.map((r) => r.moved).reduce((x, y) => x + y, 0)).toBe(6);
      const live = await t.owner.query<{ seqs: number[] }>('SELECT array_agg(sequence_number ORDER BY sequence_number) AS seqs FROM timing_reads');
      expect(live.rows[0]!.seqs).toEqual([26, 27, 28, 29, 30]);
    } finally {
      await worker.close();
    }
  });
});

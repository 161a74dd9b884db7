/**
 * Workers as separate processes on a PostgreSQL server (P88_TEST_PG_URL or DATABASE_URL; the
 * embedded database admits one process): three processes claim each job exactly once, they
 * share one rate limit, a worker killed with SIGKILL mid-job has its job run by another after
 * the lease, and `p88 worker` itself archives on a short schedule until SIGTERM. The three
 * workers start once for the file (each start compiles TypeScript: seconds on a busy machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase } from '../../test/helpers/db.js';
import { TEST_SECRET_KEY } from '../../test/helpers/config.js';
import { hangJob, limitedJob, recordJob } from '../../test/helpers/job-types.js';
import { openDatabase, type Database } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { APP_ROLE, asPlatform } from '../db/tenant.js';
import { enqueueJob } from './queue.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = path.join(REPO, 'test/helpers/job-worker-child.ts');
const serverUrl = process.env.P88_TEST_PG_URL || process.env.DATABASE_URL || undefined;

interface Child {
  proc: ChildProcess;
  name: string;
  lines: string[];
  /** Resolves with the first stdout line matching. */
  line(re: RegExp, ms?: number): Promise<string>;
  exited: Promise<number | null>;
}

describe.skipIf(!serverUrl)('worker processes on a PostgreSQL server', () => {
  let url: string;
  let drop: () => Promise<void>;
  let owner: Database;
  let db: Database;
  const children: Child[] = [];
  let pool: Child[] = [];

  function spawnChild(command: string[], name: string, env: Record<string, string>): Child {
    const proc = spawn(process.execPath, command, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
    const onData = (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(l);
        for (const w of waiters.splice(0)) {
          if (w.re.test(l)) w.resolve(l);
          else waiters.push(w);
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const child: Child = {
      proc,
      name,
      lines,
      exited,
      line: (re, ms = 20_000) => {
        const seen = lines.find((l) => re.test(l));
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name}: no line ${re} in ${ms} ms; got:\n${lines.join('\n')}`)), ms);
          waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        });
      },
    };
    children.push(child);
    return child;
  }

  const startWorkerProcess = async (name: string, leaseMs = 1000) => {
    const child = spawnChild(['--import', 'tsx', CHILD], name, { CHILD_DB_URL: url, CHILD_NAME: name, CHILD_LEASE_MS: String(leaseMs) });
    await child.line(/^ready$/);
    return child;
  };

  const runs = async () =>
    (await owner.query<{ job_id: number; worker: string; attempt: number; at: Date }>('SELECT job_id, worker, attempt, at FROM job_runs ORDER BY at')).rows;

  beforeAll(async () => {
    ({ url, drop } = await createServerDatabase(serverUrl!));
    owner = await openDatabase({ url });
    await migrate(owner);
    await owner.query('CREATE TABLE job_runs (job_id bigint NOT NULL, worker text NOT NULL, attempt integer NOT NULL, at timestamptz NOT NULL)');
    db = owner.asRole(APP_ROLE);
    pool = await Promise.all(['p1', 'p2', 'p3'].map((n) => startWorkerProcess(n)));
  });
  afterEach(async () => {
    await owner.query('TRUNCATE job_runs');
  });
  afterAll(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGTERM');
        await Promise.race([c.exited, sleep(5000)]);
        c.proc.kill('SIGKILL');
      }
    }
    await db?.close();
    await owner?.close();
    await drop?.();
  });

  it('three worker processes run 200 jobs, each exactly once', async () => {
    const ids = await asPlatform(db, async (tx) => {
      const out: number[] = [];
      for (let i = 0; i < 200; i++) out.push((await enqueueJob(tx, recordJob, { n: i }, {})).id);
      return out;
    });
    for (let i = 0; i < 500 && (await runs()).length < 200; i++) await sleep(50);
    await sleep(300); // room for a second run of any job to show up
    const all = await runs();
    expect(all).toHaveLength(200);
    expect(new Set(all.map((r) => r.job_id))).toEqual(new Set(ids));
    const perWorker = new Map<string, number>();
    for (const r of all) perWorker.set(r.worker, (perWorker.get(r.worker) ?? 0) + 1);
    expect([...perWorker.keys()].sort()).toEqual(pool.map((w) => w.name));
    const states = await owner.query('SELECT state, attempts, count(*)::int AS n FROM jobs WHERE queue = $1 GROUP BY 1, 2', [recordJob.name]);
    expect(states.rows).toEqual([{ state: 'done', attempts: 1, n: 200 }]);
  });

  it('three worker processes hold a queue to its rate limit together', async () => {
    await asPlatform(db, async (tx) => {
      for (let i = 0; i < 10; i++) await enqueueJob(tx, limitedJob, { n: i }, {});
    });
    for (let i = 0; i < 200 && (await runs()).length < 10; i++) await sleep(50);
    const all = await runs();
    expect(all).toHaveLength(10);
    // When each was claimed (in the transaction that took its token), by the database's clock.
    const claimed = await owner.query<{ at: Date }>('SELECT started_at AS at FROM jobs WHERE queue = $1 ORDER BY started_at', [limitedJob.name]);
    const at = claimed.rows.map((r) => r.at.getTime());
    // 5 per second, burst 1, shared: the k-th start is at least k·200 ms after the first.
    at.forEach((time, k) => expect(time - at[0]!).toBeGreaterThanOrEqual(k * 200 - 20));
    expect(new Set(all.map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
  });

  it('a job whose worker process is killed with SIGKILL runs again on another process after the lease', async () => {
    const { id } = await asPlatform(db, (tx) => enqueueJob(tx, hangJob, { hangOnAttempt: 1 }, {}));
    const started = await Promise.race(pool.map((c) => c.line(new RegExp(`^started ${id} 1$`)).then(() => c)));
    started.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await started.exited;
    const held = await owner.query<{ state: string; locked_by: string }>('SELECT state, locked_by FROM jobs WHERE id = $1', [id]);
    expect(held.rows[0]).toMatchObject({ state: 'active', locked_by: `${started.name}:${started.proc.pid}` });

    let row: { state: string; attempts: number } | undefined;
    for (let i = 0; i < 200; i++) {
      row = (await owner.query<{ state: string; attempts: number }>('SELECT state, attempts FROM jobs WHERE id = $1', [id])).rows[0];
      if (row?.state === 'done') break;
      await sleep(50);
    }
    expect(row).toEqual({ state: 'done', attempts: 2 });
    const [run] = await runs();
    expect(run).toMatchObject({ job_id: id, attempt: 2 });
    expect(run!.worker).not.toBe(started.name);
    // Not before the dead worker's lease (1 s, renewed every 333 ms) ran out.
    expect(run!.at.getTime() - killedAt).toBeGreaterThanOrEqual(1000 - 340 - 50);
  });

  it('`p88 worker` archives old reads on its schedule, keeps running past 10 s, and stops on SIGTERM with 0', async () => {
    await owner.query(`INSERT INTO partners (id, slug, name) VALUES (500, 'arch', 'Arch') ON CONFLICT DO NOTHING`);
    await owner.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES (500, 500, 's')`);
    await owner.query(`INSERT INTO timing_locations (id, partner_id, session_id, location_name) VALUES (500, 500, 500, 'finish')`);
    await owner.query(`INSERT INTO timing_streams (id, partner_id, session_id, location_id, source_key, location_name) VALUES (500, 500, 500, 500, 'cid:W', 'finish')`);
    const addReads = (from: number, n: number, daysOld: number) =>
      owner.query(
        `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
            read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
         SELECT 500, 500, 500, 500, 'cid:W', g, 'finish', g::text, now(), 't', 1, 'r', 1, 'line', now() - $3 * interval '1 day'
           FROM generate_series($1::int, $2::int) g`,
        [from, from + n - 1, daysOld],
      );
    const archived = async () => (await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM timing_reads_archive WHERE source_key = 'cid:W'`)).rows[0]!.n;
    const waitArchived = async (n: number) => {
      for (let i = 0; i < 100 && (await archived()) < n; i++) await sleep(100);
      return archived();
    };
    await addReads(1, 5, 40);
    await addReads(6, 2, 1); // recent: stays

    const startedAt = Date.now();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-worker-'));
    const worker = spawnChild([path.join(REPO, 'bin/p88.js'), 'worker'], 'p88-worker', {
      DATABASE_URL: url,
      SECRET_KEY: TEST_SECRET_KEY,
      DATA_DIR: dataDir,
      ARCHIVE_INTERVAL_SECONDS: '1',
      WORKER_STATUS_PORT: '0',
      JOBS_POLL_SECONDS: '0.2',
      LOG_LEVEL: 'info',
    });
    expect(await waitArchived(5)).toBe(5);
    // Past pg's 10 s idle timeout, where the worker used to exit: still running, still archiving.
    await sleep(Math.max(0, 11_000 - (Date.now() - startedAt)));
    expect(worker.proc.exitCode).toBeNull();
    await addReads(100, 3, 40);
    expect(await waitArchived(8)).toBe(8);
    const live = await owner.query<{ seqs: number[] }>(`SELECT array_agg(sequence_number ORDER BY sequence_number) AS seqs FROM timing_reads WHERE source_key = 'cid:W'`);
    expect(live.rows[0]!.seqs).toEqual([6, 7]);
    const runsDone = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE queue = 'reads.archive' AND state = 'done'`);
    expect(runsDone.rows[0]!.n).toBeGreaterThanOrEqual(2);
    expect(worker.lines.filter((l) => l.includes('archived old reads')).length).toBeGreaterThanOrEqual(2);

    const stopAsked = Date.now();
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(8000);
  }, 40_000);
});

/**
 * bench/ingest — how fast reads go from CTP01 sockets to committed rows, against ceilings
 * and baselines measured in the same run on the same PostgreSQL server:
 *
 *   end-to-end        10 simulated clients → collector (its own process) → committed rows
 *   COPY ceiling      PostgreSQL's COPY FROM of the very same rows (same table, same indexes)
 *   row per commit    one INSERT + commit per read on one connection (the old collector's writer)
 *   conn per row      a new connection, one INSERT and a commit per read (the old collector exactly)
 *
 * Run: npm run bench:ingest  (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *      BENCH_READS total reads, default 500000; BENCH_CLIENTS, default 10;
 *      BENCH_NODE_FLAGS extra node flags for the collector; BENCH_PROFILE a directory for its CPU profile;
 *      BENCH_STEADY_SECONDS how long the steady phase runs first, default 60, 0 to skip)
 *
 *   steady            before the flood: 10 clients at 100 reads/s each (1,000 reads/s) for
 *                     BENCH_STEADY_SECONDS, the collector's RSS sampled every second
 *
 * For the flood it also prints CPU time per read of the collector, of its PostgreSQL backends
 * and of this process (the simulated clients), COPY's backend CPU per row, WAL bytes per row,
 * and how busy the machine was (bench/proc-cpu.ts; Linux /proc, PostgreSQL on this machine).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { runSimulation } from '../src/simulator/run.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { waitForHealthy } from '../test/helpers/collector.js';
import { freePort } from '../test/helpers/tcp-proxy.js';
import { copyIn, copyOut } from './copy.js';
import { cpuSeconds, machineCpu, PgCpuSampler } from './proc-cpu.js';
import { buildIsFresh, buildServer } from '../scripts/build-server.mjs';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const totalReads = Number(process.env.BENCH_READS ?? 500_000);
const clients = Number(process.env.BENCH_CLIENTS ?? 10);
const steadySeconds = Number(process.env.BENCH_STEADY_SECONDS ?? 60);
const COLUMNS = `partner_id, session_id, location_id, stream_id, source_key, connection_log_id, sequence_number, location_name,
  tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at`;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // The collector runs as it does in production: compiled (bin/p88.js picks build/ when fresh).
  const compiled = process.env.P88_RUN_SOURCES !== '1' && (buildIsFresh() || (await buildServer()));
  const server = await createServerDatabase(baseUrl);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-bench-'));
  const db = await openDatabase({ url: server.url });
  await migrate(db);
  try {
    // --- end to end -------------------------------------------------------------------
    const port = await freePort();
    const statusPort = await freePort();
    const nodeFlags = [
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    ];
    const child = spawn(process.execPath, [...nodeFlags, 'bin/p88.js', 'collector'], {
      env: {
        ...process.env,
        DATABASE_URL: server.url,
        SECRET_KEY: randomBytes(32).toString('hex'),
        DATA_DIR: dataDir,
        COLLECTOR_HOST: '127.0.0.1',
        COLLECTOR_PORT: String(port),
        COLLECTOR_STATUS_PORT: String(statusPort),
        COLLECTOR_AUTH: 'none',
        COLLECTOR_ALLOW_ANONYMOUS: 'true',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const status = async () =>
      (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as { total_reads: number; reads_received: number; backpressure_pauses: number; reads_spooled: number };
    await waitForHealthy(statusPort);
    await sleep(1000);
    const rssOf = (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const idleRss = rssOf('VmRSS');

    // --- steady: 1,000 reads/s -------------------------------------------------------------
    const steady = steadySeconds > 0 ? await steadyPhase(port, steadySeconds, () => rssOf('VmRSS')) : null;
    if (steady) while ((await status()).total_reads < steady.sent) await sleep(20);
    const before = steady?.sent ?? 0;

    // About 3 reads per crossing, 4 mats: runners per client to reach the total.
    const runners = Math.max(10, Math.round(totalReads / clients / 12));
    const course = [
      { name: 'start', distanceKm: 0 },
      { name: '10k', distanceKm: 10 },
      { name: 'half', distanceKm: 21.1 },
      { name: 'finish', distanceKm: 42.2 },
    ];
    // Where the flood's CPU goes: the collector process, its PostgreSQL backends, the shared
    // WAL writer/checkpointer/background writer, and this process (the simulated clients).
    const watcher = new pg.Client({ connectionString: server.url });
    await watcher.connect();
    const dbName = new URL(server.url).pathname.slice(1);
    const pgCpu = new PgCpuSampler(watcher, dbName);
    await pgCpu.start();
    const walAt = async () => (await watcher.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    const walBytes = async (from: string) =>
      Number((await watcher.query<{ n: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS n', [from])).rows[0]!.n);
    const walBefore = await walAt();
    const collectorCpuBefore = cpuSeconds(child.pid!) ?? 0;
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const started = performance.now();
    const report = await runSimulation({ host: '127.0.0.1', port, clients, runners, course, speed: Infinity, timeoutMs: 600_000 });
    const sentAt = performance.now();
    const expected = report.clients.reduce((s, c) => s + Object.values(c.observationsPerLocation).reduce((a, b) => a + b, 0), 0);
    while ((await status()).total_reads < before + expected) await sleep(20);
    const e2eSeconds = (performance.now() - started) / 1000;
    const collectorCpu = (cpuSeconds(child.pid!) ?? 0) - collectorCpuBefore;
    const benchCpuUsage = process.cpuUsage(benchCpuBefore);
    const benchCpu = (benchCpuUsage.user + benchCpuUsage.system) / 1e6;
    const machineAfter = machineCpu();
    const pgFlood = await pgCpu.stop();
    const floodWal = await walBytes(walBefore);
    await watcher.end();
    const peakRss = rssOf('VmHWM');
    const final = await status();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const stored = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads')).rows[0]!.n;

    // --- the same rows through COPY ---------------------------------------------------
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => {});
    await client.connect();
    const chunks = await copyOut(client, `SELECT ${COLUMNS} FROM timing_reads ORDER BY id`);
    // The ceiling is the best of three runs: this machine's speed varies from run to run, and a
    // lucky-slow ceiling would flatter the ratio.
    let copySeconds = Infinity;
    let copyCpu = 0;
    let copyWal = 0;
    const copyPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    for (let run = 0; run < 3; run++) {
      await client.query('TRUNCATE timing_reads');
      await client.query('CHECKPOINT');
      const cpuBefore = cpuSeconds(copyPid) ?? 0;
      const wal = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      const seconds = await copyIn(client, 'timing_reads', COLUMNS, chunks);
      if (seconds < copySeconds) {
        copySeconds = seconds;
        copyCpu = (cpuSeconds(copyPid) ?? 0) - cpuBefore;
        copyWal = Number((await client.query<{ n: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS n', [wal])).rows[0]!.n);
      }
    }

    // --- the old designs, on a sample of the same rows ---------------------------------
    const sample = (await client.query(`SELECT ${COLUMNS} FROM timing_reads ORDER BY id LIMIT 5000`)).rows as Record<string, unknown>[];
    await client.query('TRUNCATE timing_reads');
    const insertSql = `INSERT INTO timing_reads (${COLUMNS}) VALUES (${COLUMNS.split(',').map((_, i) => `$${i + 1}`).join(',')})`;
    const rowValues = (r: Record<string, unknown>) => Object.values(r);
    const perCommitRows = sample.slice(0, 3000);
    const perCommitStart = performance.now();
    for (const r of perCommitRows) await client.query(insertSql, rowValues(r));
    const perCommitRate = perCommitRows.length / ((performance.now() - perCommitStart) / 1000);

    const perConnRows = sample.slice(3000, 3300);
    const perConnStart = performance.now();
    for (const r of perConnRows) {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      await c.query(insertSql, rowValues(r));
      await c.end();
    }
    const perConnRate = perConnRows.length / ((performance.now() - perConnStart) / 1000);
    await client.end();

    const e2eRate = expected / e2eSeconds;
    const perRead = (seconds: number) => ((seconds / expected) * 1e6).toFixed(1);
    const copyRate = stored / copySeconds;
    const rows: Array<[string, string]> = [
      ['reads', `${fmt(expected)} from ${clients} concurrent CTP01 clients (${fmt(report.linesPerSecond)} lines/s sent; all sent after ${((sentAt - started) / 1000).toFixed(2)} s)`],
      ['stored rows', `${fmt(stored)} (${stored === before + expected ? 'all, no duplicates' : 'MISMATCH'}${steady ? `; ${fmt(before)} of them from the steady phase` : ''})`],
      ['end-to-end, committed', `${fmt(e2eRate)} reads/s (${e2eSeconds.toFixed(2)} s)`],
      ['COPY ceiling, same rows', `${fmt(copyRate)} rows/s (best of 3: ${copySeconds.toFixed(2)} s)`],
      ['one row per commit', `${fmt(perCommitRate)} rows/s (${perCommitRows.length} rows)`],
      ['connection + commit per row', `${fmt(perConnRate)} rows/s (${perConnRows.length} rows)`],
      ['end-to-end / COPY', `${(e2eRate / copyRate).toFixed(2)} (target ≥ 0.30)`],
      ['CPU per read, flood', `collector ${perRead(collectorCpu)} µs, its PostgreSQL backends ${perRead(pgFlood.database)} µs (${pgFlood.backends} backends), WAL writer/checkpointer/bgwriter ${perRead(pgFlood.background)} µs, simulated clients (this process) ${perRead(benchCpu)} µs`],
      ['CPU per row, COPY', `${((copyCpu / stored) * 1e6).toFixed(1)} µs (its backend, best run)`],
      ['machine during the flood', `${(((machineAfter.busy - machineBefore.busy) / e2eSeconds) * 100).toFixed(0)}% busy, ${(((machineAfter.idle - machineBefore.idle) / e2eSeconds) * 100).toFixed(0)}% idle, ${(((machineAfter.steal - machineBefore.steal) / e2eSeconds) * 100).toFixed(0)}% steal (of one core; ${os.cpus().length} cores)`],
      ['WAL per row', `flood ${(floodWal / expected).toFixed(0)} B, COPY ${(copyWal / stored).toFixed(0)} B`],
      ['end-to-end / row per commit', `${(e2eRate / perCommitRate).toFixed(1)}×`],
      ...(steady
        ? ([['steady 1,000 reads/s', `${fmt(steady.sent)} reads in ${steadySeconds} s; RSS after the first 10 s: mean ${steady.meanRss.toFixed(0)} MiB, max ${steady.maxRss.toFixed(0)} MiB (target ≤ 150 MiB)`]] as Array<[string, string]>)
        : []),
      ['collector peak RSS', `${peakRss.toFixed(0)} MiB under the flood (idle ${idleRss.toFixed(0)} MiB; target ≤ 200 MiB)`],
      ['backpressure', `${fmt(final.backpressure_pauses)} pauses of the client sockets; ${fmt(final.reads_spooled)} reads spilled to the spool`],
      ['target 100,000 reads/s', e2eRate >= 100_000 ? 'met' : 'NOT met'],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`\nbench/ingest on ${new URL(baseUrl).host}, collector ${compiled ? 'compiled (build/)' : 'from sources (tsx)'} ${process.env.BENCH_LABEL ?? ''}`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  } finally {
    await db.close();
    await server.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Ten anonymous CTP01 clients sending 100 reads a second each, in 10 ms ticks, for `seconds`;
 * the collector's RSS sampled every second (the first 10 s are its warm-up and not counted).
 */
async function steadyPhase(port: number, seconds: number, rss: () => number): Promise<{ sent: number; meanRss: number; maxRss: number }> {
  const sockets: Socket[] = await Promise.all(
    Array.from({ length: 10 }, () => new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
      s.on('data', () => {}); // the collector's acks and prompts
    })),
  );
  let sent = 0;
  const samples: number[] = [];
  const startedAt = Date.now();
  const sequences = sockets.map(() => 0);
  for (let tick = 0; Date.now() - startedAt < seconds * 1000; tick++) {
    const due = startedAt + tick * 10;
    if (due > Date.now()) await sleep(due - Date.now());
    sockets.forEach((socket, i) => {
      // One read per client per 10 ms: 100 a second each.
      const seq = ++sequences[i]!;
      const t = new Date();
      const time = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}:${String(t.getSeconds()).padStart(2, '0')}.${String(Math.floor(t.getMilliseconds() / 10)).padStart(2, '0')}`;
      socket.write(`CT01_33~${seq}~steady${i}~${10_000 + (seq % 5_000)}~${time}~1~0F2A38~1\r\n`);
      sent++;
    });
    if (tick % 100 === 0 && Date.now() - startedAt >= 10_000) samples.push(rss());
  }
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.end(() => r()))));
  const meanRss = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
  return { sent, meanRss, maxRss: Math.max(0, ...samples) };
}

await main();

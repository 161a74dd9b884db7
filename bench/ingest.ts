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
 *      BENCH_NODE_FLAGS extra node flags for the collector; BENCH_PROFILE a directory for its CPU profile)
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { runSimulation } from '../src/simulator/run.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { waitForHealthy } from '../test/helpers/collector.js';
import { freePort } from '../test/helpers/tcp-proxy.js';
import { copyIn, copyOut } from './copy.js';
import { buildIsFresh, buildServer } from '../scripts/build-server.mjs';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const totalReads = Number(process.env.BENCH_READS ?? 500_000);
const clients = Number(process.env.BENCH_CLIENTS ?? 10);
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
    const idleRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

    // About 3 reads per crossing, 4 mats: runners per client to reach the total.
    const runners = Math.max(10, Math.round(totalReads / clients / 12));
    const course = [
      { name: 'start', distanceKm: 0 },
      { name: '10k', distanceKm: 10 },
      { name: 'half', distanceKm: 21.1 },
      { name: 'finish', distanceKm: 42.2 },
    ];
    const started = performance.now();
    const report = await runSimulation({ host: '127.0.0.1', port, clients, runners, course, speed: Infinity, timeoutMs: 600_000 });
    const sentAt = performance.now();
    const expected = report.clients.reduce((s, c) => s + Object.values(c.observationsPerLocation).reduce((a, b) => a + b, 0), 0);
    while ((await status()).total_reads < expected) await sleep(20);
    const e2eSeconds = (performance.now() - started) / 1000;
    const peakRss = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
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
    for (let run = 0; run < 3; run++) {
      await client.query('TRUNCATE timing_reads');
      await client.query('CHECKPOINT');
      copySeconds = Math.min(copySeconds, await copyIn(client, 'timing_reads', COLUMNS, chunks));
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
    const copyRate = stored / copySeconds;
    const rows: Array<[string, string]> = [
      ['reads', `${fmt(expected)} from ${clients} concurrent CTP01 clients (${fmt(report.linesPerSecond)} lines/s sent; all sent after ${((sentAt - started) / 1000).toFixed(2)} s)`],
      ['stored rows', `${fmt(stored)} (${stored === expected ? 'all, no duplicates' : 'MISMATCH'})`],
      ['end-to-end, committed', `${fmt(e2eRate)} reads/s (${e2eSeconds.toFixed(2)} s)`],
      ['COPY ceiling, same rows', `${fmt(copyRate)} rows/s (best of 3: ${copySeconds.toFixed(2)} s)`],
      ['one row per commit', `${fmt(perCommitRate)} rows/s (${perCommitRows.length} rows)`],
      ['connection + commit per row', `${fmt(perConnRate)} rows/s (${perConnRows.length} rows)`],
      ['end-to-end / COPY', `${(e2eRate / copyRate).toFixed(2)} (target ≥ 0.30)`],
      ['end-to-end / row per commit', `${(e2eRate / perCommitRate).toFixed(1)}×`],
      ['collector peak RSS', `${peakRss.toFixed(0)} MiB (idle ${idleRss.toFixed(0)} MiB; target ≤ 200 MiB)`],
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

await main();

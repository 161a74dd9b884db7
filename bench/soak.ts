/**
 * bench/soak — the collector under faults for a few minutes, counting every read:
 *
 *   20 simulated timing clients (push mode, resuming after every drop) stream a race into
 *   `p88 collector` (its own process) on a PostgreSQL server, while:
 *     - every client's connection is dropped abruptly every N lines (N random per run, 300–700);
 *     - at 20 % of the run the collector is killed with SIGKILL and started again;
 *     - at 35 % and 85 % every backend of its database is terminated (57P01);
 *     - from 50 % the database refuses connections (ALLOW_CONNECTIONS false, 55000) for
 *       SOAK_REFUSAL_SECONDS, and at 55 % — during the refusal — the collector is killed
 *       with SIGKILL again and restarted while the database still refuses.
 *   Then it waits for the collector to settle and counts, per client: observations sent,
 *   stored, lost, duplicates; and prints the collector's RSS, open file descriptors, ingest
 *   mode and spool over time.
 *
 * Run: npm run bench:soak  (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *      SOAK_SECONDS about how long the race streams, default 180; SOAK_CLIENTS, default 20;
 *      SOAK_RUNNERS per client, default 400; SOAK_REFUSAL_SECONDS, default 30)
 * Not part of npm test: it takes minutes and a PostgreSQL server it may refuse connections to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { runSimulation } from '../src/simulator/run.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { freePort } from '../test/helpers/tcp-proxy.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(process.env.SOAK_SECONDS ?? 180);
const clients = Number(process.env.SOAK_CLIENTS ?? 20);
const runners = Number(process.env.SOAK_RUNNERS ?? 400);
const refusalSeconds = Number(process.env.SOAK_REFUSAL_SECONDS ?? 30);
const course = [
  { name: 'start', distanceKm: 0 },
  { name: '5k', distanceKm: 5 },
  { name: 'finish', distanceKm: 10 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const say = (what: string) => console.log(`${at()}  ${what}`);

interface Status {
  ingest_mode: string;
  spool_bytes: number;
  queue_depth: number;
  reads_received: number;
  total_reads: number;
  reads_rejected: number;
  connections: number;
  last_write_error: string | null;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const server = await createServerDatabase(baseUrl);
  const dbName = new URL(server.url).pathname.slice(1);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-soak-'));
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  await owner.close();
  const port = await freePort();
  const statusPort = await freePort();

  let child: ChildProcess | null = null;
  const startCollector = () => {
    child = spawn(process.execPath, ['bin/p88.js', 'collector'], {
      env: {
        ...process.env,
        DATABASE_URL: server.url,
        DATA_DIR: dataDir,
        COLLECTOR_HOST: '127.0.0.1',
        COLLECTOR_PORT: String(port),
        COLLECTOR_STATUS_PORT: String(statusPort),
        COLLECTOR_AUTH: 'none',
        COLLECTOR_ALLOW_ANONYMOUS: 'true',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  };
  const status = async (): Promise<Status | null> => {
    try {
      return (await (await fetch(`http://127.0.0.1:${statusPort}/status`, { signal: AbortSignal.timeout(3000) })).json()) as Status;
    } catch {
      return null;
    }
  };
  const waitUp = async () => {
    for (let i = 0; i < 600 && !(await status()); i++) await sleep(100);
  };
  const kill9 = async (why: string) => {
    const c = child!;
    say(`kill -9 the collector (${why})`);
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
    startCollector();
    await waitUp();
    say('collector restarted and listening');
  };
  const terminate = async () => {
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}' AND pid <> pg_backend_pid()`);
    say('terminated every backend of the database (57P01)');
  };

  // Samples: time, RSS, fds, mode, spool.
  const samples: string[] = [];
  let peakRss = 0;
  let peakFds = 0;
  const sampler = setInterval(() => {
    const pid = child?.pid;
    if (!pid) return;
    try {
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      const fds = readdirSync(`/proc/${pid}/fd`).length;
      peakRss = Math.max(peakRss, rss);
      peakFds = Math.max(peakFds, fds);
      void status().then((s) => {
        samples.push(
          `${at()}  rss ${rss.toFixed(0).padStart(4)} MiB  fds ${String(fds).padStart(4)}  ` +
            (s ? `mode ${s.ingest_mode.padEnd(6)} spool ${fmt(s.spool_bytes).padStart(11)} B  stored ${fmt(s.total_reads).padStart(9)}  conns ${s.connections}` : 'status unreachable'),
        );
      });
    } catch {
      // the process is between a kill and its restart
    }
  }, 5000);

  startCollector();
  await waitUp();
  say(`collector up; ${clients} clients × ${runners} runners, about ${seconds} s`);

  // About 70 minutes of race (the slowest 10k runners) in `seconds`.
  const speed = (70 * 60) / seconds;
  const run = runSimulation({
    host: '127.0.0.1',
    port,
    clients,
    runners,
    course,
    speed,
    reconnect: true,
    reconnectDelayMs: 300,
    dropMode: 'abrupt',
    dropEveryLines: 300 + Math.floor(Math.random() * 400),
    timeoutMs: (seconds + 600) * 1000,
    seed: Date.now() % 1000,
  });

  const ms = seconds * 1000;
  const faults = (async () => {
    await sleep(0.2 * ms);
    await kill9('1 of 2');
    await sleep(0.15 * ms);
    await terminate();
    await sleep(0.15 * ms);
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
    say(`database refuses connections (55000) for ${refusalSeconds} s`);
    await terminate();
    const refusalStarted = Date.now();
    await sleep(Math.min(0.05 * ms, (refusalSeconds * 1000) / 2));
    await kill9('2 of 2, during the refusal');
    const s = await status();
    say(`during the refusal: mode ${s?.ingest_mode}, last_write_error ${JSON.stringify(s?.last_write_error)}`);
    await sleep(Math.max(0, refusalSeconds * 1000 - (Date.now() - refusalStarted)));
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    say('database accepts connections again');
    await sleep(Math.max(0, 0.85 * ms - (Date.now() - t0)));
    await terminate();
  })();

  const report = await run;
  await faults;
  say(`simulation ${report.endedBy}; ${fmt(report.linesSent)} lines sent`);

  // Settle: nothing queued or spooled, received count stable.
  let last = -1;
  for (let i = 0; i < 600; i++) {
    const s = await status();
    if (s && s.queue_depth === 0 && s.spool_bytes === 0 && s.ingest_mode === 'memory' && s.reads_received === last) break;
    last = s?.reads_received ?? -1;
    await sleep(1000);
  }
  const finalStatus = await status();
  clearInterval(sampler);
  const c = child as ChildProcess | null;
  c?.kill('SIGTERM');
  if (c) await new Promise((r) => c.once('exit', r));

  const db = await openDatabase({ url: server.url });
  try {
    const rows = (
      await db.query<{ key: string; n: number; distinct_seq: number }>(
        `SELECT source_key AS key, count(*)::int AS n, count(DISTINCT (location_name, sequence_number))::int AS distinct_seq FROM timing_reads GROUP BY 1`,
      )
    ).rows;
    const byKey = new Map(rows.map((r) => [r.key, r]));
    let sent = 0;
    let stored = 0;
    let lost = 0;
    let duplicates = 0;
    console.log('\nper client            sent    stored    lost  duplicates  reconnects');
    for (const cl of report.clients) {
      const expected = Object.values(cl.observationsPerLocation).reduce((a, b) => a + b, 0);
      const got = byKey.get(`cid:${cl.connectionId}`);
      const n = got?.distinct_seq ?? 0;
      const dup = (got?.n ?? 0) - n;
      sent += expected;
      stored += n;
      lost += expected - n;
      duplicates += dup;
      console.log(`  ${cl.connectionId.padEnd(16)} ${fmt(expected).padStart(7)} ${fmt(n).padStart(9)} ${fmt(expected - n).padStart(7)} ${fmt(dup).padStart(11)} ${String(cl.reconnects).padStart(11)}`);
    }
    const strays = rows.filter((r) => !report.clients.some((cl) => `cid:${cl.connectionId}` === r.key)).reduce((a, r) => a + r.n, 0);
    const rejected = await readFile(path.join(dataDir, 'rejected.ndjson'), 'utf8').then((t) => t.split('\n').filter(Boolean).length, () => 0);
    console.log('\nover time');
    for (const line of samples) console.log(`  ${line}`);
    console.log(`\nbench/soak on ${new URL(baseUrl).host}: ${clients} clients, ${seconds} s, 2 × kill -9, backends terminated 3 ×, refusal ${refusalSeconds} s`);
    console.log(`  sent ${fmt(sent)}  stored ${fmt(stored)}  lost ${fmt(lost)}  duplicates ${fmt(duplicates)}  stray rows ${fmt(strays)}  rejected.ndjson ${fmt(rejected)}`);
    console.log(`  simulation complete: ${report.complete}; reconnects ${fmt(report.clients.reduce((a, cl) => a + cl.reconnects, 0))}`);
    console.log(`  collector peak RSS ${peakRss.toFixed(0)} MiB, peak fds ${peakFds}; final status ${JSON.stringify(finalStatus && { mode: finalStatus.ingest_mode, last_write_error: finalStatus.last_write_error, rejected: finalStatus.reads_rejected })}`);
    if (lost > 0 || duplicates > 0) process.exitCode = 1;
  } finally {
    await db.close();
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => {});
    await server.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

/**
 * bench/latency — from a read sent over CTP01 to the display event received over SSE.
 *
 * 200 screens (SSE clients) watch one display link while a CTP01 client sends reads at
 * 1,000 reads/s. Each read carries a unique tag, so every send time pairs with the event
 * every screen receives for it. Two setups, measured in one run:
 *   p88 start   collector + web in one process, in-memory bus
 *   split       `p88 collector` and `p88 web` as separate processes, PostgreSQL LISTEN/NOTIFY
 *
 * Run: npm run bench:latency (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *      BENCH_SCREENS default 200; BENCH_RATE reads/s default 1000; BENCH_SECONDS default 10;
 *      BENCH_PROFILE_DIR to write CPU profiles of the server processes; BENCH_SETUP=split or "p88 start")
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { waitForHealthy } from '../test/helpers/collector.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { freePort } from '../test/helpers/tcp-proxy.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const screens = Number(process.env.BENCH_SCREENS ?? 200);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const LINK = 'BenchLnk';
/** Reads sent (and not measured) before the measured run. */
const WARMUP_SECONDS = 1;
/** BENCH_SETUP=split or BENCH_SETUP="p88 start": run one setup only. */
const only = process.env.BENCH_SETUP;
/** BENCH_PROFILE_DIR=dir: the server processes write V8 CPU profiles there (chrome://inspect, speedscope). */
const profileArgs = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];

interface Setup {
  name: string;
  services: Array<'start' | 'collector' | 'web'>;
}

async function runSetup(
  setup: Setup,
): Promise<{ name: string; latencies: number[]; warmup: number[]; expected: number; received: number; unseen: number; partial: number; stages: Record<string, number[]>; cpu: string[] }> {
  const server = await createServerDatabase(baseUrl);
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  // Reads land in the local partner's active session; the link follows it, all locations.
  await owner.query(`INSERT INTO display_links (id, partner_id, settings) VALUES ($1, 1, '{"repeatWindowMs": 0}')`, [LINK]);
  await owner.close();

  const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-latency-'));
  const [tcpPort, statusPort, webPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    ...process.env,
    DATABASE_URL: server.url,
    SECRET_KEY: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_PORT: String(tcpPort),
    COLLECTOR_STATUS_PORT: String(statusPort),
    COLLECTOR_AUTH: 'none',
    COLLECTOR_ALLOW_ANONYMOUS: 'true',
    HOST: '127.0.0.1',
    PORT: String(webPort),
    LOG_LEVEL: 'warn',
  };
  const children: ChildProcess[] = setup.services.map((s) =>
    spawn(process.execPath, [...profileArgs, 'bin/p88.js', s], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  let unlisten: (() => Promise<void>) | undefined;
  try {
    await waitForHealthy(statusPort);
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${webPort}/health`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    // Screens: note the arrival time of each read's tag on each screen.
    const arrivals = new Map<string, number[]>();
    const closers = await Promise.all(
      Array.from({ length: screens }, () =>
        openScreen(webPort, (tag, now) => {
          const list = arrivals.get(tag);
          if (list) list.push(now);
          else arrivals.set(tag, [now]);
        }),
      ),
    );
    // Stages (split only): the bus message as any web process would receive it, and the
    // collector's own receive time carried in it, split the pipeline into its legs.
    const busAt = new Map<string, number>();
    const collectorAt = new Map<string, number>();
    if (setup.services.includes('web')) {
      const listener = new pg.Client({ connectionString: server.url });
      listener.on('error', () => undefined); // the database is dropped at the end
      await listener.connect();
      listener.on('notification', (msg) => {
        const now = performance.now();
        for (const r of JSON.parse(msg.payload ?? '[]') as Array<{ tag: string; receivedAt: number }>) {
          busAt.set(r.tag, now);
          collectorAt.set(r.tag, r.receivedAt - performance.timeOrigin);
        }
      });
      await listener.query('LISTEN p88_reads_1');
      unlisten = () => listener.end();
    }
    await new Promise((r) => setTimeout(r, 500));

    // One CTP01 client sending `rate` reads/s with unique tags, in 10 ms ticks.
    const socket = net.connect(tcpPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    // As a timing box (and p88 simulate) does: with Nagle's algorithm on, each small write
    // waits for the collector's delayed ACK of the previous one (up to 40 ms on Linux).
    socket.setNoDelay(true);
    const sentAt = new Map<string, number>();
    const total = rate * seconds;
    let seq = 0;
    const warmupSentAt = new Map<string, number>();
    /** Sends `count` reads at `rate` in 10 ms ticks, noting each tag's send time. */
    const send = async (count: number, prefix: string, sent: Map<string, number>) => {
      const perTick = rate / 100;
      const first = seq;
      const until = seq + count;
      const start = performance.now();
      while (seq < until) {
        const due = Math.min(until, first + Math.floor(((performance.now() - start) / 10) * perTick) + perTick);
        let lines = '';
        const now = performance.now();
        for (; seq < due; seq++) {
          const tag = `${prefix}${seq}`;
          sent.set(tag, now);
          lines += `CT01_33~${seq + 1}~finish~${tag}~2026-11-23T09:00:00.00~1~0A0B0C~1\r\n`;
        }
        socket.write(lines);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    // Warm-up, not measured: the first reads create the session's stream rows and run the
    // path cold (JIT); they took up to ~130 ms, about 1 % of a 10 s run, i.e. the whole p99.
    await send(rate * WARMUP_SECONDS, 'W', warmupSentAt);
    await new Promise((r) => setTimeout(r, 500));
    const cpuBefore = await cpuSnapshot(children);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    await send(total, 'T', sentAt);
    const cpu = cpuShares(cpuBefore, await cpuSnapshot(children), setup.services);
    lag.disable();
    cpu.push(`bench's own event loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`);
    await new Promise((r) => setTimeout(r, 2_000));
    socket.destroy();
    closers.forEach((close) => close());

    const latencies: number[] = [];
    const warmup: number[] = [];
    let received = 0;
    for (const [tag, times] of arrivals) {
      const sent = sentAt.get(tag);
      if (sent === undefined) {
        const warm = warmupSentAt.get(tag);
        if (warm !== undefined) for (const t of times) warmup.push(t - warm);
        continue;
      }
      received += times.length;
      for (const t of times) latencies.push(t - sent);
    }
    // Reads no screen received at all point at the pipeline; reads some screens missed, at delivery.
    let unseen = 0;
    let partial = 0;
    for (const tag of sentAt.keys()) {
      const n = arrivals.get(tag)?.length ?? 0;
      if (n === 0) unseen++;
      else if (n < screens) partial++;
    }
    const stages: Record<string, number[]> = {};
    if (busAt.size > 0) {
      const legs = { 'sent → collector': [] as number[], 'sent → bus': [] as number[], 'bus → screen': [] as number[] };
      for (const [tag, sent] of sentAt) {
        const bus = busAt.get(tag);
        const got = collectorAt.get(tag);
        if (got !== undefined) legs['sent → collector'].push(got - sent);
        if (bus === undefined) continue;
        legs['sent → bus'].push(bus - sent);
        for (const t of arrivals.get(tag) ?? []) legs['bus → screen'].push(t - bus);
      }
      Object.assign(stages, legs);
    }
    return { name: setup.name, latencies, warmup, expected: total * screens, received, unseen, partial, stages, cpu };
  } finally {
    await unlisten?.();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await server.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const TAG_KEY = Buffer.from('"tag":"');
const HEADERS_END = Buffer.from('\r\n\r\n');

/**
 * One screen: a raw socket speaking just enough HTTP/1.1 to open the stream, noting the
 * arrival time of each read event's tag. 200 screens × 1,000 reads/s is 200,000 events a
 * second into this process, on the same two cores as the servers: node:http's parser and
 * stream machinery, or decoding and parsing each event (test/helpers/sse.ts), would make the
 * bench, not the server, the bottleneck. This scans the bytes for the first "tag" key of
 * each event instead (chunked-encoding size lines fall between events, never inside one: the
 * server writes whole events); a chunk's unfinished event waits for the next chunk.
 * Resolves once the response headers said 200; returns the function that closes it.
 */
function openScreen(port: number, onTag: (tag: string, now: number) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.once('connect', () =>
      socket.write(`GET /api/display/${LINK}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`),
    );
    socket.once('error', reject);
    // A screen that hears nothing is a failure of the server, not a reason to wait forever.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('screen stream: no response in 10 s'));
    }, 10_000);
    let headers = true;
    let carry: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      if (headers) {
        const end = buf.indexOf(HEADERS_END);
        if (end === -1) {
          carry = Buffer.from(buf);
          return;
        }
        const status = buf.toString('latin1', 0, buf.indexOf('\r\n'));
        if (!status.startsWith('HTTP/1.1 200')) {
          socket.destroy();
          clearTimeout(timer);
          reject(new Error(`screen stream answered ${status}`));
          return;
        }
        headers = false;
        clearTimeout(timer);
        socket.removeListener('error', reject);
        socket.on('error', () => undefined); // destroyed at the end of the run
        resolve(() => socket.destroy());
        buf = buf.subarray(end + HEADERS_END.length);
      }
      const end = buf.lastIndexOf('\n\n');
      const complete = end === -1 ? 0 : end + 2; // events after this are unfinished
      let at = buf.indexOf(TAG_KEY);
      while (at !== -1 && at < complete) {
        const from = at + TAG_KEY.length;
        const to = buf.indexOf(34, from); // the closing quote
        onTag(buf.toString('latin1', from, to), now);
        // The next event: "tag" comes first among an event's keys; a runner's own keys follow.
        const next = buf.indexOf('\n\n', to);
        at = next === -1 ? -1 : buf.indexOf(TAG_KEY, next);
      }
      carry = complete >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(complete));
    });
  });
}

/** Cumulative CPU time (s) of the machine (busy, total) and of each process: /proc/stat, /proc/<pid>/stat. */
async function cpuSnapshot(children: ChildProcess[]): Promise<{ at: number; busy: number; total: number; procs: number[] }> {
  const TICK = 100; // USER_HZ on Linux
  const line = (await readFile('/proc/stat', 'latin1')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  const ofPid = async (pid: number | undefined) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
  };
  const own = process.cpuUsage();
  const procs = [(own.user + own.system) / 1e6, ...(await Promise.all(children.map((c) => ofPid(c.pid))))];
  return { at: performance.now(), busy: (total - idle) / TICK, total: total / TICK, procs };
}

/** Each process's share of one core, and the whole machine's busy share, between two snapshots. */
function cpuShares(a: Awaited<ReturnType<typeof cpuSnapshot>>, b: typeof a, services: readonly string[]): string[] {
  const wall = (b.at - a.at) / 1000;
  const names = ['bench (screens + sender)', ...services];
  const out = names.map((n, i) => `${n} ${Math.round((100 * ((b.procs[i] ?? 0) - (a.procs[i] ?? 0))) / wall)}%`);
  out.push(`machine ${Math.round((100 * (b.busy - a.busy)) / (b.total - a.total))}% of ${cpus().length} cores`);
  return out;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const results = [];
for (const setup of [
  { name: 'p88 start (one process, in-memory bus)', services: ['start'] },
  { name: 'split (collector + web processes, PostgreSQL NOTIFY)', services: ['collector', 'web'] },
] satisfies Setup[]) {
  if (only && !setup.name.startsWith(only)) continue;
  results.push(await runSetup(setup));
}
console.log(`\nbench/latency: ${rate} reads/s for ${seconds} s, ${screens} SSE screens on one link (loopback)`);
for (const r of results) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  console.log(
    `  ${r.name.padEnd(52)} p50 ${pct(sorted, 50).toFixed(1)} ms  p99 ${pct(sorted, 99).toFixed(1)} ms  max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms  ` +
      `delivered ${r.received.toLocaleString('en-US')}/${r.expected.toLocaleString('en-US')} (reads seen by no screen ${r.unseen}, by some ${r.partial})  target p99 ≤ 50 ms: ${pct(sorted, 99) <= 50 ? 'met' : 'NOT met'}`,
  );
  for (const [leg, values] of Object.entries(r.stages)) {
    const s = [...values].sort((a, b) => a - b);
    console.log(`      ${leg.padEnd(22)} p50 ${pct(s, 50).toFixed(1)} ms  p90 ${pct(s, 90).toFixed(1)} ms  p99 ${pct(s, 99).toFixed(1)} ms  max ${(s.at(-1) ?? NaN).toFixed(1)} ms`);
  }
  const warm = [...r.warmup].sort((a, b) => a - b);
  console.log(`      ${`warm-up (first ${WARMUP_SECONDS} s, not above)`.padEnd(22)} p50 ${pct(warm, 50).toFixed(1)} ms  p99 ${pct(warm, 99).toFixed(1)} ms  max ${(warm.at(-1) ?? NaN).toFixed(1)} ms`);
  console.log(`      CPU while sending:     ${r.cpu.join('; ')}`);
}

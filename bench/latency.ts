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
 *      BENCH_SCREENS default 200; BENCH_RATE reads/s default 1000; BENCH_SECONDS default 10)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { waitForHealthy } from '../test/helpers/collector.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { readSse } from '../test/helpers/sse.js';
import { freePort } from '../test/helpers/tcp-proxy.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const screens = Number(process.env.BENCH_SCREENS ?? 200);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const LINK = 'BenchLnk';

interface Setup {
  name: string;
  services: Array<'start' | 'collector' | 'web'>;
}

async function runSetup(setup: Setup): Promise<{ name: string; latencies: number[]; expected: number; received: number }> {
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
    spawn(process.execPath, ['bin/p88.js', s], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  try {
    await waitForHealthy(statusPort);
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${webPort}/health`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    // Screens: parse SSE, note the arrival time of each read id's tag.
    const arrivals = new Map<string, number[]>();
    const controllers: AbortController[] = [];
    await Promise.all(
      Array.from({ length: screens }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const res = await fetch(`http://127.0.0.1:${webPort}/api/display/${LINK}/stream`, { signal: controller.signal });
        readSse(res.body!, (fields, now) => {
          // 200 screens × 1,000 reads/s: a full JSON.parse of each runner event would make this
          // process, not the server, the bottleneck on two cores. The tag is the first "tag" key.
          const data = fields.data!;
          const at = data.indexOf('"tag":"') + 7;
          const tag = data.slice(at, data.indexOf('"', at));
          const list = arrivals.get(tag) ?? [];
          list.push(now);
          arrivals.set(tag, list);
        });
      }),
    );
    await new Promise((r) => setTimeout(r, 500));

    // One CTP01 client sending `rate` reads/s with unique tags, in 10 ms ticks.
    const socket = net.connect(tcpPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const sentAt = new Map<string, number>();
    const total = rate * seconds;
    const perTick = rate / 100;
    let seq = 0;
    const start = performance.now();
    while (seq < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 10) * perTick) + perTick);
      let lines = '';
      const now = performance.now();
      for (; seq < due; seq++) {
        const tag = `T${seq}`;
        sentAt.set(tag, now);
        lines += `CT01_33~${seq + 1}~finish~${tag}~2026-11-23T09:00:00.00~1~0A0B0C~1\r\n`;
      }
      socket.write(lines);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    socket.destroy();
    controllers.forEach((c) => c.abort());

    const latencies: number[] = [];
    let received = 0;
    for (const [tag, times] of arrivals) {
      const sent = sentAt.get(tag);
      if (sent === undefined) continue;
      received += times.length;
      for (const t of times) latencies.push(t - sent);
    }
    return { name: setup.name, latencies, expected: total * screens, received };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await server.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const results = [];
for (const setup of [
  { name: 'p88 start (one process, in-memory bus)', services: ['start'] },
  { name: 'split (collector + web processes, PostgreSQL NOTIFY)', services: ['collector', 'web'] },
] satisfies Setup[]) {
  results.push(await runSetup(setup));
}
console.log(`\nbench/latency: ${rate} reads/s for ${seconds} s, ${screens} SSE screens on one link (loopback)`);
for (const r of results) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  console.log(
    `  ${r.name.padEnd(52)} p50 ${pct(sorted, 50).toFixed(1)} ms  p99 ${pct(sorted, 99).toFixed(1)} ms  max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms  ` +
      `delivered ${r.received.toLocaleString('en-US')}/${r.expected.toLocaleString('en-US')}  target p99 ≤ 50 ms: ${pct(sorted, 99) <= 50 ? 'met' : 'NOT met'}`,
  );
}

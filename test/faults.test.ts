/**
 * Fault tests: every one ends by asserting that each observation the simulated timing
 * software holds is stored exactly once (0 lost, 0 duplicates).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Queryable } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { APP_ROLE } from '../src/db/tenant.js';
import { runSimulation, type SimulationReport } from '../src/simulator/run.js';
import { eventually, startTestCollector, waitForHealthy } from './helpers/collector.js';
import { TEST_SECRET_KEY } from './helpers/config.js';
import { createServerDatabase, createTestDatabase, serverUrl } from './helpers/db.js';
import { TcpProxy, freePort } from './helpers/tcp-proxy.js';

/** A server the tests may cut off; CI sets it for both the embedded and the server run. */
const cuttableServer = process.env.P88_TEST_PG_URL || serverUrl;

const course = [
  { name: 'start', distanceKm: 0 },
  { name: '5k', distanceKm: 5 },
  { name: 'finish', distanceKm: 10 },
];

/** Expected = every observation of every client; stored must match it row for row. */
async function assertExactlyOnce(db: Queryable, report: SimulationReport): Promise<void> {
  const expected = new Map<string, number>();
  for (const c of report.clients) {
    for (const [loc, n] of Object.entries(c.observationsPerLocation)) expected.set(`cid:${c.connectionId}|${loc}`, n);
  }
  const stored = await db.query<{ key: string; n: number; distinct_seq: number; max_seq: number }>(
    `SELECT source_key || '|' || location_name AS key, count(*)::int AS n,
            count(DISTINCT sequence_number)::int AS distinct_seq, max(sequence_number) AS max_seq
       FROM timing_reads GROUP BY 1`,
  );
  const got = new Map(stored.rows.map((r) => [r.key, r]));
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, n] of expected) {
    const row = got.get(key)!;
    expect({ key, stored: row.n, distinct: row.distinct_seq, max: row.max_seq }).toEqual({ key, stored: n, distinct: n, max: n });
  }
}

async function totalExpected(report: SimulationReport): Promise<number> {
  return report.clients.reduce((sum, c) => sum + Object.values(c.observationsPerLocation).reduce((a, b) => a + b, 0), 0);
}

async function countReads(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads')).rows[0]!.n;
}

describe('clients dropped and resumed', () => {
  it('stores every read exactly once through abrupt drops, resuming instead of replaying', async () => {
    const t = await createTestDatabase();
    const collector = await startTestCollector(t.db);
    const starts: string[][] = [[], [], []];
    try {
      const report = await runSimulation({
        onEvent: (client, e) => {
          if (e.type === 'command' && e.line.startsWith('start')) starts[client]!.push(e.line);
        },
        port: collector.tcpPort,
        host: '127.0.0.1',
        clients: 3,
        runners: 150,
        course,
        speed: Infinity,
        dropEveryLines: 400,
        dropMode: 'abrupt',
        reconnect: true,
        reconnectDelayMs: 50,
        timeoutMs: 60_000,
      });
      expect(report.complete).toBe(true);
      const expected = await totalExpected(report);
      await eventually(async () => (await countReads(t.owner)) >= expected && (await collector.ingest.idle(1000)), 30_000, 'all reads stored');
      await assertExactlyOnce(t.owner, report);
      // Resumed, not replayed: every client reconnected, was asked to resume mid-stream
      // (start~loc~N with N > 1), and once anything of it was stored was never sent a bare
      // `start` (replay everything) again: that is for a first connection only.
      expect(report.clients.every((c) => c.reconnects > 0)).toBe(true);
      for (const lines of starts) {
        const firstResume = lines.findIndex((l) => /^start~[^~]+~([2-9]|\d{2,})/.test(l));
        expect(firstResume).toBeGreaterThan(-1);
        expect(lines[0]).toBe('start');
        expect(lines.slice(firstResume)).not.toContain('start');
      }
    } finally {
      await collector.close();
      await t.drop();
    }
  }, 120000);
});

describe.runIf(cuttableServer)('database stopped mid-stream', () => {
  it('spools while PostgreSQL is unreachable and drains in order when it returns', async () => {
    const server = await createServerDatabase(cuttableServer!);
    const target = new URL(server.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(server.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const direct = await openDatabase({ url: server.url });
    await migrate(direct);
    const db = await openDatabase({ url: viaProxy.toString(), connectTimeoutMs: 500, role: APP_ROLE });
    const collector = await startTestCollector(db);
    try {
      const run = runSimulation({ port: collector.tcpPort, host: '127.0.0.1', clients: 2, runners: 300, course, speed: 600, timeoutMs: 60_000 });
      await eventually(async () => (await countReads(direct)) > 0, 10_000, 'first reads stored');
      await proxy.cut();
      await eventually(async () => (await collector.status()).ingest_mode === 'spool', 10_000, 'spool mode');
      await eventually(async () => Number((await collector.status()).reads_spooled) > 100, 20_000, 'reads spooled');
      const health = (await (await fetch(`http://127.0.0.1:${collector.statusPort}/health`)).json()) as { status: string };
      expect(health.status).toBe('degraded');
      expect((await collector.status()).last_write_error).toEqual(expect.any(String));
      await proxy.restore();
      const report = await run;
      expect(report.complete).toBe(true);
      const expected = await totalExpected(report);
      await eventually(async () => (await countReads(direct)) >= expected && (await collector.ingest.idle(1000)), 30_000, 'spool drained');
      expect(await collector.status()).toMatchObject({ ingest_mode: 'memory', last_write_error: null });
      await assertExactlyOnce(direct, report);
    } finally {
      await collector.close();
      await db.close();
      await direct.close();
      await proxy.cut();
      await server.drop();
    }
  }, 120000);
});

describe('collector killed and restarted', () => {
  let dataDir: string;
  let url: string | undefined;
  let dropServer: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'p88-kill-'));
    if (serverUrl) {
      const server = await createServerDatabase(serverUrl);
      url = server.url;
      dropServer = server.drop;
    }
  });

  afterAll(async () => {
    await dropServer?.();
  });

  function startChild(port: number, statusPort: number): ChildProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      COLLECTOR_HOST: '127.0.0.1',
      COLLECTOR_PORT: String(port),
      COLLECTOR_STATUS_PORT: String(statusPort),
      COLLECTOR_AUTH: 'none',
      COLLECTOR_ALLOW_ANONYMOUS: 'true',
      LOG_LEVEL: 'warn',
    };
    if (url) Object.assign(env, { DATABASE_URL: url, SECRET_KEY: TEST_SECRET_KEY });
    else delete env.DATABASE_URL;
    return spawn(process.execPath, ['bin/p88.js', 'collector'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  }

  interface Status {
    total_reads: number;
    queue_depth: number;
    spool_bytes: number;
    ingest_mode: string;
    reads_received: number;
  }

  async function status(statusPort: number): Promise<Status> {
    return (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as Status;
  }

  it('after kill -9 and a restart, reconnecting clients end with every read stored once', async () => {
    const port = await freePort();
    const statusPort = await freePort();
    let child = startChild(port, statusPort);
    await waitForHealthy(statusPort);
    const run = runSimulation({
      port,
      host: '127.0.0.1',
      clients: 2,
      runners: 300,
      course,
      speed: 400,
      reconnect: true,
      reconnectDelayMs: 100,
      timeoutMs: 120_000,
    });
    await eventually(async () => (await status(statusPort)).total_reads > 200, 30_000, 'reads flowing');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child = startChild(port, statusPort);
    await waitForHealthy(statusPort);
    const report = await run;
    expect(report.complete).toBe(true);
    expect(report.clients.every((c) => c.reconnects > 0)).toBe(true);
    // Let the restarted collector store everything it received, then stop it and count.
    let lastReceived = -1;
    await eventually(async () => {
      const s = await status(statusPort);
      const settled = s.queue_depth === 0 && s.spool_bytes === 0 && s.ingest_mode === 'memory' && s.reads_received === lastReceived;
      lastReceived = s.reads_received;
      return settled;
    }, 30_000, 'restarted collector settled');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    let db: Database;
    if (url) db = await openDatabase({ url });
    else db = await openDatabase({ dataDir: path.join(dataDir, 'pgdata') });
    try {
      await assertExactlyOnce(db, report);
    } finally {
      await db.close();
    }
  }, 240000);
});

/**
 * /metrics of the web process, the worker and the collector, scraped over real HTTP: route
 * labels are patterns (never raw URLs), display screens and the live delay are counted, the
 * queue's depth and job outcomes show, only loopback or the token may read them, and every
 * p88_* metric that deploy/prometheus/alerts.yml alerts on exists in what the processes serve.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readsTopic } from '../src/bus/bus.js';
import type { LiveRead } from '../src/bus/live-read.js';
import { createMemoryBus } from '../src/bus/memory.js';
import { enqueueJob } from '../src/jobs/queue.js';
import { defineJob } from '../src/jobs/registry.js';
import { asPlatform } from '../src/db/tenant.js';
import { createLogger } from '../src/log.js';
import { buildWebApp } from '../src/web/app.js';
import { startWorker, type WorkerHandle } from '../src/worker/worker.js';
import { startTestCollector, eventually, type TestCollector } from './helpers/collector.js';
import { testConfig } from './helpers/config.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { readSse } from './helpers/sse.js';

const TOKEN = 'metrics-token-for-this-test-0123';
let t: TestDatabase;
let web: FastifyInstance;
let webBase: string;
let guarded: FastifyInstance;
let guardedBase: string;
let worker: WorkerHandle;
let collector: TestCollector;
const bus = createMemoryBus();
const okJob = defineJob({ name: 'metrics.ok', scope: 'platform', payload: z.object({}) });
const badJob = defineJob({ name: 'metrics.bad', scope: 'platform', payload: z.object({}), maxAttempts: 1 });

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

/** One sample's value from exposition text (the metric and its labels exactly), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const scrape = async (url: string, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { headers });
  return { status: r.status, text: await r.text() };
};

beforeAll(async () => {
  t = await createTestDatabase();
  await t.owner.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES (1, 1, 's1')`);
  await t.owner.query(`INSERT INTO display_links (id, partner_id, session_id, locations, settings) VALUES ('Metric01', 1, 1, '{}', '{}')`);
  web = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig({}), bus, heartbeatMs: 200 });
  webBase = await listen(web);
  guarded = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig({ METRICS_TOKEN: TOKEN }) });
  guardedBase = await listen(guarded);
  worker = await startWorker({
    db: t.db,
    log: createLogger('silent'),
    config: testConfig({ WORKER_STATUS_HOST: '127.0.0.1', WORKER_STATUS_PORT: '0', JOBS_POLL_SECONDS: '0.1' }),
    extend: (registry) => {
      registry.handle(okJob, async () => undefined);
      registry.handle(badJob, async () => Promise.reject(new Error('boom')));
    },
  });
  collector = await startTestCollector(t.db);
});

afterAll(async () => {
  await Promise.all([web?.close(), guarded?.close(), worker?.close(), collector?.close()]);
  await t?.drop();
});

describe('web /metrics', () => {
  it('counts requests by route pattern, method and status class, never by raw URL', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${webBase}/health`)).status).toBe(200);
    expect((await fetch(`${webBase}/api/display/Nope1234/stream`)).status).toBe(404);
    await fetch(`${webBase}/no/such/page/4711`);
    const { status, text } = await scrape(`${webBase}/metrics`);
    expect(status).toBe(200);
    expect(sample(text, 'p88_web_http_request_duration_seconds_count{method="GET",route="/health",status="2xx"}')).toBe(3);
    expect(sample(text, 'p88_web_http_request_duration_seconds_count{method="GET",route="/api/display/:id/stream",status="4xx"}')).toBe(1);
    expect(text).not.toContain('Nope1234');
    expect(text).not.toContain('4711');
    // Node's own: event-loop delay and memory.
    expect(sample(text, 'p88_web_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'p88_web_process_resident_memory_bytes')).toBeGreaterThan(10e6);
  });

  it('counts display screens while connected and the delay of reads handed to them', async () => {
    const controller = new AbortController();
    const res = await fetch(`${webBase}/api/display/Metric01/stream`, { signal: controller.signal });
    const ids: string[] = [];
    readSse(res.body!, (f) => void (f.event === 'read' && ids.push(f.id!)));
    await eventually(async () => sample((await scrape(`${webBase}/metrics`)).text, 'p88_web_display_screens') === 1, 5_000, 'one screen');
    const read = (id: number, receivedAt: number): LiveRead => ({
      id, sessionId: 1, location: 'finish', tag: String(id), kind: 'tag', readTimeMs: receivedAt, receivedAt,
    });
    await bus.publish(readsTopic(1), [read(501, Date.now() - 1_500), read(502, Date.now() - 1_500)]);
    await eventually(() => ids.length === 2, 5_000, 'two reads on screen');
    const { text } = await scrape(`${webBase}/metrics`);
    expect(sample(text, 'p88_web_live_read_delay_seconds_count')).toBe(2);
    expect(sample(text, 'p88_web_live_read_delay_seconds_bucket{le="1"}')).toBe(0);
    expect(sample(text, 'p88_web_live_read_delay_seconds_bucket{le="2.5"}')).toBe(2);
    controller.abort();
    await eventually(async () => sample((await scrape(`${webBase}/metrics`)).text, 'p88_web_display_screens') === 0, 5_000, 'screen gone');
  });

  it('without METRICS_TOKEN answers loopback only, and not a request a proxy forwarded', async () => {
    expect((await scrape(`${webBase}/metrics`, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await scrape(`${webBase}/metrics`, { forwarded: 'for=203.0.113.9' })).status).toBe(403);
  });

  it('with METRICS_TOKEN answers the bearer token only', async () => {
    expect((await scrape(`${guardedBase}/metrics`)).status).toBe(403);
    expect((await scrape(`${guardedBase}/metrics`, { authorization: `Bearer ${TOKEN}x` })).status).toBe(403);
    const ok = await scrape(`${guardedBase}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('p88_web_display_screens');
  });
});

describe('worker /metrics', () => {
  it('shows the queue read from the database and this worker’s job outcomes by queue', async () => {
    const base = `http://127.0.0.1:${worker.statusPort}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // Far-future jobs stay queued: the depth gauge counts them.
    await asPlatform(t.db, async (tx) => {
      for (let i = 0; i < 3; i++) await enqueueJob(tx, okJob, {}, { runAt: new Date(Date.now() + 3_600_000) });
      await enqueueJob(tx, okJob, {}, {});
      await enqueueJob(tx, badJob, {}, {});
    });
    const text = await eventually(async () => {
      const s = (await scrape(`${base}/metrics`)).text;
      return sample(s, 'p88_worker_job_runs_total{queue="metrics.bad",outcome="failed"}') === 1 && sample(s, 'p88_worker_job_runs_total{queue="metrics.ok",outcome="done"}') === 1 ? s : null;
    }, 15_000, 'both jobs settled');
    await new Promise((r) => setTimeout(r, 600)); // past the scrape's shared queue read
    const again = (await scrape(`${base}/metrics`)).text;
    expect(sample(again, 'p88_worker_jobs_queued')).toBe(3);
    expect(sample(again, 'p88_worker_jobs_failed_last_day')).toBe(1);
    expect(sample(again, 'p88_worker_queue_read_ok')).toBe(1);
    expect(text).toContain('p88_worker_nodejs_eventloop_lag_p99_seconds');
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  it('alerts only on metrics the processes really serve', async () => {
    const rules = readFileSync(path.join(import.meta.dirname, '..', 'deploy', 'prometheus', 'alerts.yml'), 'utf8');
    const named = new Set([...rules.matchAll(/\b(p88_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, '')));
    expect(named.size).toBeGreaterThan(10);
    const served = [
      (await scrape(`${webBase}/metrics`)).text,
      (await scrape(`http://127.0.0.1:${worker.statusPort}/metrics`)).text,
      (await scrape(`http://127.0.0.1:${collector.statusPort}/metrics`)).text,
    ].join('\n');
    const names = new Set([...served.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    expect([...named].filter((n) => !names.has(n))).toEqual([]);
  });
});

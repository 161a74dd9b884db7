/**
 * Prometheus metrics shared by the web process and the worker: a registry with Node's default
 * metrics (event-loop delay, memory, CPU, handles) under a process prefix, HTTP request
 * latencies by route, database pool usage, and the `/metrics` route itself.
 *
 * Labels are bounded on purpose: the route is Fastify's pattern (`/api/db/:view`, never the raw
 * URL with its ids and query), the status is a class (2xx…5xx), and a request that matched no
 * route is `unmatched`, so a scanner cannot grow the registry one label value per URL.
 */
import { timingSafeEqual } from 'node:crypto';
import client from 'prom-client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';

export interface ProcessMetrics {
  registry: client.Registry;
  prefix: string;
}

export function createProcessMetrics(prefix: 'p88_web_' | 'p88_worker_'): ProcessMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: 20 });
  return { registry, prefix };
}

/** Times every request; observed once the response is sent (streams: when they end). */
export function installHttpMetrics(app: FastifyInstance, metrics: ProcessMetrics): void {
  const duration = new client.Histogram({
    name: `${metrics.prefix}http_request_duration_seconds`,
    help: 'HTTP requests by route pattern, method and status class (display streams count when they end)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: routeLabel(request), status: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });
}

function routeLabel(request: FastifyRequest): string {
  // The single-page app's catch-all answers every unknown GET: one label for all of them.
  const url = request.routeOptions.url;
  if (url === undefined || url === '*' || url === '/*') return 'unmatched';
  return url;
}

/** Gauges of a pool's connections, read at scrape time; a database without a pool adds none. */
export function registerPoolMetrics(metrics: ProcessMetrics, pools: Record<string, Database | undefined>): void {
  const gauge = (name: string, help: string, pick: (s: PoolStats) => number) =>
    new client.Gauge({
      name: `${metrics.prefix}${name}`,
      help,
      labelNames: ['pool'] as const,
      registers: [metrics.registry],
      collect() {
        for (const [pool, db] of Object.entries(pools)) {
          const stats = db?.poolStats?.();
          if (stats) this.set({ pool }, pick(stats));
        }
      },
    });
  gauge('db_pool_connections', 'Open connections of the database pool', (s) => s.total);
  gauge('db_pool_idle', 'Idle connections of the database pool', (s) => s.idle);
  gauge('db_pool_waiting', 'Queries waiting for a connection of the database pool', (s) => s.waiting);
  gauge('db_pool_max', 'Most connections the database pool opens', (s) => s.max);
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/**
 * Serves the registry at /metrics. With a token, only `Authorization: Bearer <token>` may read
 * it. Without one, only a client on this machine that came straight here: a request a reverse
 * proxy forwarded (it carries X-Forwarded-For) is refused even though it arrives from loopback.
 * The figures are aggregates (no partner's data), but they describe the service to anyone who
 * can read them.
 */
export function metricsRoute(app: FastifyInstance, metrics: ProcessMetrics, opts: { token?: string | undefined }): void {
  const expected = opts.token ? Buffer.from(`Bearer ${opts.token}`) : null;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!allowed(request, expected)) {
      return reply.code(403).type('text/plain').send(
        expected ? 'metrics: a valid bearer token (METRICS_TOKEN) is required\n' : 'metrics: set METRICS_TOKEN to scrape from another machine or through a proxy\n',
      );
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

function allowed(request: FastifyRequest, expected: Buffer | null): boolean {
  if (expected) {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  const peer = request.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  return loopback && request.headers['x-forwarded-for'] === undefined && request.headers.forwarded === undefined;
}

/**
 * The collector's status HTTP API (port 61612): /health with real checks, /status with the
 * seed's fields plus queue, spool and rate figures, and Prometheus /metrics.
 *
 * Three GETs on node:http rather than Fastify: the collector loads no web framework (Fastify
 * with its schema compiler is about 20 MiB of a process whose memory is bounded by design).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { IngestPipeline } from './ingest.js';
import type { CollectorMetrics } from './metrics.js';
import type { Spool } from './spool.js';

export interface StatusSnapshot {
  listening: boolean;
  tcpPort: number;
  connections: number;
  maxConnections: number;
  refused: { perAddress: number; full: number; evicted: number };
  totalReads: number;
  currentSession: number | null;
  ingest: IngestPipeline;
  spool: Spool;
  readsPerSecond: number;
  /** The last source (and when) whose stored secret SECRET_KEY could not open; null if none. */
  wrongSecretKey: { user_id: string; at: string } | null;
}

export interface StatusServerOptions {
  host: string;
  port: number;
  log: Logger;
  metrics: CollectorMetrics;
  snapshot: () => StatusSnapshot;
  pingDatabase: () => Promise<boolean>;
}

export async function startStatusServer(opts: StatusServerOptions): Promise<{ port: number; close: () => Promise<void> }> {
  /**
   * ok: listening and storing. degraded: listening, reads spooling safely to disk because the
   * database is away or writes fail (still 200: the collector is doing its job and must not
   * be taken out of rotation).
   * down (503): not listening.
   */
  const health = async (): Promise<[number, unknown]> => {
    const s = opts.snapshot();
    const database = await opts.pingDatabase();
    // Spooling while the database answers pings means writes fail for another reason: say so.
    // Slots nearly all taken: new timing laptops may be refused (or strangers are crowding in).
    const slotsShort = s.connections >= s.maxConnections * 0.9;
    const status = !s.listening ? 'down' : database && s.ingest.mode === 'memory' && !slotsShort ? 'ok' : 'degraded';
    return [
      status === 'down' ? 503 : 200,
      {
        status,
        checks: {
          listener: s.listening ? 'up' : 'down',
          database: database ? 'up' : 'down',
          spool: { mode: s.ingest.mode, backlog_bytes: s.spool.backlog },
          connections: { open: s.connections, max: s.maxConnections, status: slotsShort ? 'short' : 'ok' },
        },
        timestamp: new Date().toISOString(),
      },
    ];
  };

  const status = async (): Promise<[number, unknown]> => {
    const s = opts.snapshot();
    const stats = s.ingest.stats;
    return [
      200,
      {
        service: 'timing-collector',
        status: s.listening ? 'running' : 'stopped',
        tcp_port: s.tcpPort,
        connections: s.connections,
        max_connections: s.maxConnections,
        connections_refused_per_address: s.refused.perAddress,
        connections_refused_full: s.refused.full,
        connections_evicted: s.refused.evicted,
        total_reads: s.totalReads,
        current_session: s.currentSession,
        timestamp: new Date().toISOString(),
        database_connected: await opts.pingDatabase(),
        queue_depth: s.ingest.queueDepth,
        backpressure: s.ingest.paused,
        backpressure_pauses: s.ingest.pauses,
        ingest_mode: s.ingest.mode,
        spool_bytes: s.spool.backlog,
        reads_per_second: Math.round(s.readsPerSecond * 10) / 10,
        reads_received: stats.received,
        duplicates_absorbed: stats.duplicates,
        reads_rejected: stats.rejected,
        reads_spooled: stats.spooled,
        last_write_error: s.ingest.lastWriteError,
        secret_key_mismatch: s.wrongSecretKey,
      },
    ];
  };

  const metrics = async (): Promise<string> => {
    const s = opts.snapshot();
    const text = await opts.metrics.registry.metrics();
    // Gauges computed at scrape time from the live pipeline, appended in exposition format.
    const live = [
      gauge('p88_collector_connections_open', 'Open CTP01 connections', s.connections),
      gauge('p88_collector_queue_depth', 'Reads waiting in memory for the database', s.ingest.queueDepth),
      gauge('p88_collector_spool_bytes', 'Bytes waiting in the disk spool', s.spool.backlog),
      gauge('p88_collector_database_up', 'Whether the last write succeeded', s.ingest.dbConnected ? 1 : 0),
      gauge('p88_collector_spooling', 'Whether reads are going to the disk spool (database away or writes failing)', s.ingest.mode === 'memory' ? 0 : 1),
      gauge('p88_collector_connections_max', 'Most CTP01 connections the collector accepts', s.maxConnections),
      counter('p88_collector_reads_received_total', 'Reads accepted from clients', s.ingest.stats.received),
      counter('p88_collector_reads_stored_total', 'Reads committed to timing_reads', s.ingest.stats.stored),
      counter('p88_collector_reads_duplicate_total', 'Re-sent reads absorbed by the unique key', s.ingest.stats.duplicates),
      counter('p88_collector_reads_rejected_total', 'Reads the database refused as invalid', s.ingest.stats.rejected),
    ].join('');
    return text + live;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const known = path === '/health' || path === '/status' || path === '/metrics';
    if (!known) return send(res, 404, JSON_TYPE, JSON.stringify({ error: 'not_found', message: `no route ${path}` }));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, JSON_TYPE, JSON.stringify({ error: 'method_not_allowed', message: 'only GET' }));
    }
    if (path === '/metrics') return send(res, 200, opts.metrics.registry.contentType, await metrics());
    const [code, body] = await (path === '/health' ? health() : status());
    send(res, code, JSON_TYPE, JSON.stringify(body));
  };

  // Scrapes and health probes every few seconds would drown the log: no request logging here.
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'status request failed');
      if (!res.headersSent) send(res, 500, JSON_TYPE, JSON.stringify({ error: 'internal', message: 'status unavailable' }));
      else res.destroy();
    });
  });
  // A probe's keep-alive connection must not hold close() open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function gauge(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
}

function counter(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${value}\n`;
}

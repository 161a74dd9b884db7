/**
 * The web process's Prometheus metrics (GET /metrics): HTTP latencies by route, display
 * screens connected, the live delay of reads reaching screens, database pools, and Node's own
 * (event-loop delay, memory). See src/http/metrics.ts for the labels and who may read them.
 */
import client from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { DisplayFeeds } from '../display/display-stream.js';
import { createProcessMetrics, installHttpMetrics, metricsRoute, registerPoolMetrics } from '../http/metrics.js';

export interface WebMetrics {
  /** The display routes hand over their feeds (screens connected are counted at scrape time). */
  watchFeeds(feeds: DisplayFeeds): void;
  /** A read was handed to screens; receivedAtMs is when the collector received its line. */
  delivered(receivedAtMs: number): void;
  /** The pools to report (the public one exists only once the app made it). */
  watchPools(pools: Record<string, Database | undefined>): void;
}

export function installWebMetrics(app: FastifyInstance, opts: { token?: string | undefined }): WebMetrics {
  const metrics = createProcessMetrics('p88_web_');
  installHttpMetrics(app, metrics);
  metricsRoute(app, metrics, opts);
  let feeds: DisplayFeeds | undefined;
  new client.Gauge({
    name: 'p88_web_display_screens',
    help: 'Display screens (SSE streams) connected to this process',
    registers: [metrics.registry],
    collect() {
      this.set(feeds?.screenCount ?? 0);
    },
  });
  const delay = new client.Histogram({
    name: 'p88_web_live_read_delay_seconds',
    help: "From the collector receiving a read to this process handing it to screens (ingest commit + bus)",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metrics.registry],
  });
  return {
    watchFeeds: (f) => void (feeds = f),
    // Clocks of two hosts can disagree: a negative delay is counted as zero, not dropped.
    delivered: (receivedAtMs) => delay.observe(Math.max(0, Date.now() - receivedAtMs) / 1000),
    watchPools: (pools) => registerPoolMetrics(metrics, pools),
  };
}

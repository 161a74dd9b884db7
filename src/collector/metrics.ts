/** Prometheus metrics of the collector (served at /metrics on the status port). */
import client from 'prom-client';

export function createCollectorMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'p88_collector_' });
  const badLines = new client.Counter({
    name: 'p88_collector_bad_lines_total',
    help: 'Lines skipped as malformed, overlong or unknown commands',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const connectionsTotal = new client.Counter({
    name: 'p88_collector_connections_total',
    help: 'TCP connections accepted since start',
    registers: [registry],
  });
  return { registry, badLines, connectionsTotal };
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;

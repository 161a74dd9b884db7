/** Runs a real collector (TCP + status HTTP on free ports) against a test database. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCollector, type CollectorHandle } from '../../src/collector/collector.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Bus } from '../../src/bus/bus.js';
import type { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/log.js';

export interface TestCollector extends CollectorHandle {
  config: Config;
  dataDir: string;
  status(): Promise<Record<string, unknown>>;
}

export async function startTestCollector(db: Database, env: Record<string, string> = {}, dataDir?: string, bus?: Bus): Promise<TestCollector> {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), 'p88-collector-')));
  const config = loadConfig({
    DATA_DIR: dir,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_PORT: '0',
    COLLECTOR_STATUS_PORT: '0',
    COLLECTOR_AUTH: 'none',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const handle = await startCollector({ db, config, log: createLogger(config.LOG_LEVEL), ...(bus ? { bus } : {}) });
  return Object.assign(handle, {
    config,
    dataDir: dir,
    async status() {
      const r = await fetch(`http://127.0.0.1:${handle.statusPort}/status`);
      return (await r.json()) as Record<string, unknown>;
    },
  });
}

/** Polls until fn() is truthy (or throws after the timeout). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a collector's status port answers /health with 200 (a child process starting). */
export async function waitForHealthy(statusPort: number, timeoutMs = 60_000): Promise<void> {
  await eventually(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${statusPort}/health`)).ok;
      } catch {
        return false;
      }
    },
    timeoutMs,
    'collector up',
  );
}

/**
 * `p88 status` against real services: a collector and a web app listening on loopback, the
 * test database (on a server: its version, migrations and job queue), a backup folder.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { startTestCollector, type TestCollector } from '../../test/helpers/collector.js';
import { TEST_SECRET_KEY } from '../../test/helpers/config.js';
import { createServerDatabase, createTestDatabase, serverUrl, type TestDatabase } from '../../test/helpers/db.js';
import { freePort } from '../../test/helpers/tcp-proxy.js';
import { loadConfig, type Config } from '../config.js';
import { formatStatus, statusReport } from './status.js';

let t: TestDatabase;
let web: TestApp;
let collector: TestCollector;
let backupDir: string;
const NOW = new Date('2026-12-03T08:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  web = await startTestApp({ testDb: t, listen: true });
  collector = await startTestCollector(t.db);
  backupDir = await mkdtemp(path.join(tmpdir(), 'p88-status-backups-'));
});
afterAll(async () => {
  await collector?.close();
  await web?.close();
  await t?.drop();
});

function hostConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: backupDir,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: new URL(web.baseUrl).port,
    COLLECTOR_HOST: '0.0.0.0', // status asks 127.0.0.1, as on a host that binds every address
    COLLECTOR_STATUS_PORT: String(collector.statusPort),
    ...(t.url ? { DATABASE_URL: t.url, SECRET_KEY: TEST_SECRET_KEY } : {}),
    ...overrides,
  });
}

async function fakeBackup(name: string, createdAt: string): Promise<void> {
  await mkdir(path.join(backupDir, name), { recursive: true });
  await writeFile(path.join(backupDir, name, 'manifest.json'), JSON.stringify({ format: 1, created_at: createdAt, files: { 'database.dump': 2048, 'spool/reads.ndjson': 10 } }));
}

describe('p88 status', () => {
  it('shows every service up, the database’s migrations and queue, and the newest backup', async () => {
    await fakeBackup('p88-20261202T033000Z', '2026-12-02T03:30:00Z');
    await fakeBackup('p88-20261203T033000Z', '2026-12-03T03:30:00Z');
    if (t.url) await t.owner.query(`INSERT INTO jobs (queue, max_attempts, run_at) VALUES ('archive', 3, now() - interval '1 minute')`);
    const report = await statusReport(hostConfig(), backupDir, NOW);
    expect(report).toMatchObject({
      ok: true,
      collector: { ok: true, problem: null, url: `http://127.0.0.1:${collector.statusPort}/status`, details: { status: 'running', ingest_mode: 'memory' } },
      web: { ok: true, details: { status: 'ok', database: 'up' } },
      database: { ok: true, details: { pending_migrations: [] } },
      backup: { ok: true, details: { path: path.join(backupDir, 'p88-20261203T033000Z'), age_hours: 4.5, bytes: 2058 } },
    });
    if (t.url) {
      expect(report.database.details).toMatchObject({ backend: 'postgres', server_version: expect.stringMatching(/^\d+/), queue: { due: 1, active: 0 } });
      expect(report.database.details?.queue?.oldest_due_seconds).toBeGreaterThanOrEqual(60);
    } else {
      expect(report.database.details?.backend).toMatch(/^embedded \(not opened/);
    }
    const text = formatStatus(report);
    expect(text).toMatch(/^collector {2}ok {4}memory mode, \d+ connection\(s\), \d+ reads, spool \d+ B$/m);
    expect(text).toMatch(/^backup {5}ok {4}p88-20261203T033000Z \(4\.5 h ago, 2058 B\)$/m);
  });

  it('says what is down, and a backup that stopped running', async () => {
    const closed = await freePort(); // nothing listens there
    const report = await statusReport(hostConfig({ COLLECTOR_STATUS_PORT: String(closed) }), backupDir, new Date('2026-12-04T12:00:00Z'));
    expect(report.ok).toBe(false);
    expect(report.collector).toMatchObject({ ok: false, problem: 'ECONNREFUSED', details: null });
    expect(report.backup).toMatchObject({ ok: false, problem: 'the newest backup is 32.5 h old' });
    expect(report.web.ok).toBe(true);
    expect(formatStatus(report)).toContain(`collector  FAIL  ECONNREFUSED — http://127.0.0.1:${closed}/status\n`);
  });

  it.runIf(serverUrl)('reports migrations a server database has not applied', async () => {
    const empty = await createServerDatabase(serverUrl!);
    try {
      const report = await statusReport(hostConfig({ DATABASE_URL: empty.url }), backupDir, NOW);
      expect(report.database.ok).toBe(false);
      expect(report.database.problem).toMatch(/^\d+ migration\(s\) pending: p88 migrate$/);
      expect(report.database.details?.pending_migrations[0]).toBe('0001_timing.sql');
    } finally {
      await empty.drop();
    }
  });
});

/**
 * A real PostgreSQL server refusing connections (ALTER DATABASE … ALLOW_CONNECTIONS false,
 * SQLSTATE 55000, with the existing backends terminated, 57P01): what a maintenance window, a
 * failover or a restore looks like. The collector must spool, say so, and store every read
 * once the database is back; none may end in rejected.ndjson.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { APP_ROLE } from '../db/tenant.js';
import { RawClient } from '../../test/helpers/ctp-client.js';
import { eventually, startTestCollector } from '../../test/helpers/collector.js';
import { createServerDatabase } from '../../test/helpers/db.js';

const server = process.env.P88_TEST_PG_URL || process.env.DATABASE_URL || undefined;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe.runIf(server)('PostgreSQL refusing connections', () => {
  it('spools through a refusal and terminated backends, shows it, and stores every read once', async () => {
    const created = await createServerDatabase(server!);
    const name = new URL(created.url).pathname.slice(1);
    const owner = await openDatabase({ url: created.url });
    await migrate(owner);
    const db = await openDatabase({ url: created.url, role: APP_ROLE, connectTimeoutMs: 1000 });
    const collector = await startTestCollector(db, { EVENT_TIMEZONE: 'UTC', COLLECTOR_ALLOW_ANONYMOUS: 'true' });
    const line = (s: number) => `CT01_33~${s}~finish~${1000 + s}~${new Date(Date.now() + s).toISOString().slice(0, 22)}~1~0A0B0C~1`;
    let reader = owner;
    const count = async () => (await reader.query<{ n: number; d: number }>('SELECT count(*)::int AS n, count(DISTINCT sequence_number)::int AS d FROM timing_reads')).rows[0]!;
    try {
      const c = await RawClient.connect(collector.tcpPort);
      c.send(...Array.from({ length: 50 }, (_, i) => line(i + 1)));
      await eventually(async () => (await count()).n === 50, 15_000, 'first reads stored');

      await owner.close();
      await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
      c.send(...Array.from({ length: 200 }, (_, i) => line(i + 51)));
      const during = await eventually(async () => {
        const s = await collector.status();
        return s.ingest_mode === 'spool' && s.last_write_error !== null && Number(s.reads_spooled) >= 200 ? s : null;
      }, 20_000, 'spool mode with the error shown');
      expect(String(during.last_write_error)).toMatch(/not currently accepting connections|terminat/);
      expect(during.reads_rejected).toBe(0);
      const health = (await (await fetch(`http://127.0.0.1:${collector.statusPort}/health`)).json()) as { status: string; checks: { database: string } };
      expect(health).toMatchObject({ status: 'degraded', checks: { database: 'down' } });
      // Still refused a few retries later: nothing is set aside while it lasts.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await collector.status()).reads_rejected).toBe(0);

      await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      const back = await openDatabase({ url: created.url });
      reader = back;
      try {
        await eventually(async () => (await count()).n === 250 && (await collector.ingest.idle(500)), 30_000, 'spool drained');
        expect(await count()).toEqual({ n: 250, d: 250 });
        expect(await collector.status()).toMatchObject({ ingest_mode: 'memory', last_write_error: null, reads_rejected: 0 });
        await expect(readFile(path.join(collector.dataDir, 'rejected.ndjson'), 'utf8')).rejects.toThrow();
      } finally {
        await back.close();
      }
      c.close();
    } finally {
      await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
      await collector.close();
      await db.close();
      await created.drop();
    }
  }, 90_000);
});

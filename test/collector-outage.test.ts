/**
 * The collector process (`p88 collector`, a child) killed with -9 during a database outage and
 * started again while the database is still unreachable: it must listen, recognise a timing
 * source that authenticated before (from the sealed cache in DATA_DIR), spool its reads, and
 * once the database answers, check migrations and drain the spool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecretKey, SecretBox } from '../src/accounts/secret-box.js';
import { TimingSources } from '../src/accounts/timing-sources.service.js';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { APP_ROLE } from '../src/db/tenant.js';
import { RawClient } from './helpers/ctp-client.js';
import { eventually, waitForHealthy } from './helpers/collector.js';
import { createServerDatabase } from './helpers/db.js';
import { TcpProxy, freePort } from './helpers/tcp-proxy.js';

const server = process.env.P88_TEST_PG_URL || process.env.DATABASE_URL || undefined;

describe.runIf(server)('collector started while the database is away', () => {
  it('listens, authenticates a known source from the sealed cache, spools, and drains when the database returns', async () => {
    const created = await createServerDatabase(server!);
    const target = new URL(created.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(created.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'p88-outage-'));
    const owner = await openDatabase({ url: created.url });
    await migrate(owner);
    const app = owner.asRole(APP_ROLE);
    const box = new SecretBox(await loadSecretKey(null, dataDir));
    const source = await new TimingSources(app, box).create(1, 'Finish laptop', 'finish-laptop');
    const port = await freePort();
    const statusPort = await freePort();
    const start = (): ChildProcess =>
      spawn(process.execPath, ['bin/p88.js', 'collector'], {
        env: {
          ...process.env,
          DATABASE_URL: viaProxy.toString(),
          DATA_DIR: dataDir,
          COLLECTOR_HOST: '127.0.0.1',
          COLLECTOR_PORT: String(port),
          COLLECTOR_STATUS_PORT: String(statusPort),
          COLLECTOR_AUTH: 'hmac-sha1',
          COLLECTOR_ALLOW_ANONYMOUS: 'false',
          EVENT_TIMEZONE: 'UTC',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    const status = async () => (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as Record<string, unknown>;
    const line = (s: number) => `CT01_33~${s}~finish~${500 + s}~${new Date(Date.now() + s).toISOString().slice(0, 22)}~1~0A0B0C~1`;
    let child = start();
    try {
      await waitForHealthy(statusPort);
      const first = await RawClient.signedIn(port, source.userId, source.secret, { connectionId: 'OUTAGE-1' });
      first.send(line(1), line(2), line(3));
      await eventually(async () => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads')).rows[0]!.n === 3, 15_000, 'first reads stored');
      const sealed = await readFile(path.join(dataDir, 'collector-auth.sealed'), 'utf8');
      expect(sealed).toMatch(/^v1:/);
      expect(sealed).not.toContain(source.secret);

      // The outage, then kill -9 in the middle of it, then a restart with the database still away.
      await proxy.cut();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      child = start();
      await waitForHealthy(statusPort);
      const health = (await (await fetch(`http://127.0.0.1:${statusPort}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'degraded', checks: { listener: 'up', database: 'down', spool: { mode: 'spool' } } });

      const again = await RawClient.signedIn(port, source.userId, source.secret, { connectionId: 'OUTAGE-1' });
      // The database is away: the collector resumes from what it knows (nothing durable of this
      // stream in its spool), so the client is asked to start over; duplicates are absorbed.
      again.send(line(1), line(2), line(3), line(4), line(5), line(6));
      const during = await eventually(async () => {
        const s = await status();
        return Number(s.reads_spooled) >= 6 ? s : null;
      }, 15_000, 'reads spooled');
      expect(during).toMatchObject({ ingest_mode: 'spool', reads_rejected: 0 });
      expect(during.last_write_error).toEqual(expect.any(String));

      await proxy.restore();
      await eventually(async () => {
        const s = await status();
        return s.ingest_mode === 'memory' && s.spool_bytes === 0;
      }, 60_000, 'spool drained');
      const rows = (await owner.query<{ s: number; partner_id: number }>('SELECT sequence_number AS s, partner_id FROM timing_reads ORDER BY 1')).rows;
      expect(rows.map((r) => r.s)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(rows.every((r) => r.partner_id === 1)).toBe(true);
      expect(await status()).toMatchObject({ last_write_error: null, reads_rejected: 0 });
      first.close();
      again.close();
    } finally {
      child.kill('SIGKILL');
      await proxy.cut();
      await app.close();
      await owner.close();
      await created.drop();
    }
  }, 120_000);
});

/** p88 sync run in this process against its own database and a loopback fake RunSignUp: progress, counts, exit codes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerDatabase, serverUrl } from '../../test/helpers/db.js';
import { loadSecretKey, SecretBox } from '../accounts/secret-box.js';
import { runCli } from '../cli.js';
import { asPlatform } from '../db/tenant.js';
import { DEFAULT_BASE_URLS } from '../providers/index.js';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRunSignUp } from '../providers/runsignup/fake-server.js';
import { openRuntime } from '../runtime.js';
import { ProviderConnections } from '../sync/provider-connections.service.js';
import type { Output } from './context.js';
import { TEST_SECRET_KEY } from '../../test/helpers/config.js';

function capture(): Output & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}
async function p88(...args: string[]) {
  const io = capture();
  const code = await runCli(args, { io });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

let dir: string;
let dropServer: (() => Promise<void>) | undefined;
let rsu: FakeRunSignUp;
let connectionId: number;
beforeAll(async () => {
  rsu = await startFakeRunSignUp({
    apiKey: 'k',
    apiSecret: 's',
    races: [{ race_id: 4242, name: 'CLI 10K', next_date: '05/01/2026', timezone: 'America/Denver', address: { city: 'Golden', state: 'CO', country_code: 'US' }, events: [{ event_id: 7, name: '10K', start_time: '5/1/2026 08:00', distance: '10 K', participants: fakeRsuParticipants(4), result_sets: [] }] }],
  });
  dir = await mkdtemp(path.join(tmpdir(), 'p88-sync-cli-'));
  vi.stubEnv('DATA_DIR', dir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('RUNSIGNUP_BASE_URL', rsu.baseUrl);
  if (serverUrl) {
    const server = await createServerDatabase(serverUrl);
    vi.stubEnv('DATABASE_URL', server.url);
    vi.stubEnv('SECRET_KEY', TEST_SECRET_KEY); // a server deployment must have one
    dropServer = server.drop;
  } else vi.stubEnv('DATABASE_URL', '');
  expect((await p88('partner', 'create', '--slug', 'acme', '--name', 'Acme')).code).toBe(0);
  const rt = await openRuntime({ command: {} });
  try {
    const box = new SecretBox(await loadSecretKey(rt.config.secretKey, rt.config.dataDir));
    const id = (await asPlatform(rt.db, (tx) => tx.query<{ id: number }>(`SELECT id FROM partners WHERE slug = 'acme'`))).rows[0]!.id;
    connectionId = (await new ProviderConnections(rt.db, box, { ...DEFAULT_BASE_URLS, runsignup: rsu.baseUrl }).create(id, 'runsignup', { apiKey: 'k', apiSecret: 's' })).id;
  } finally {
    await rt.close();
  }
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await rsu?.close();
  await dropServer?.();
  await rm(dir, { recursive: true, force: true });
});

describe('p88 sync run', () => {
  it('pulls the event, prints progress and counts, exits 0; a second run updates', async () => {
    const first = await p88('sync', 'run', '--partner', 'acme', '--connection', String(connectionId), '--event', '4242');
    expect(first.stderr).toMatch(/sync runsignup 4242: /);
    expect(first.stdout).toMatch(/^done: 4 new, 0 updated, 0 failed/);
    expect(first.code).toBe(0);
    const second = await p88('sync', 'run', '--partner', 'acme', '--connection', String(connectionId), '--event', '4242', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ state: 'done', run: { count_new: 0, count_updated: 4, status: 'done' } });
  }, 60_000);

  it('exits 1 when the sync fails (unknown event) and on an unknown connection', async () => {
    const bad = await p88('sync', 'run', '--partner', 'acme', '--connection', String(connectionId), '--event', '999');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^failed: /);
    const none = await p88('sync', 'run', '--partner', 'acme', '--connection', '9999', '--event', '4242');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/not found/);
  }, 60_000);
});

/** p88 sync run in this process against its own database and a loopback fake RunSignUp: progress, counts, exit codes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerDatabase, serverUrl } from '../../test/helpers/db.js';
import { loadSecretKey, SecretBox } from '../accounts/secret-box.js';
import { CREDENTIAL_FLAGS, PROVIDER_NAMES } from './provider.command.js';
import { credentialOptions } from './provider-fields.js';
import { asPlatform } from '../db/tenant.js';
import { DEFAULT_BASE_URLS, PROVIDERS } from '../providers/index.js';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRunSignUp } from '../providers/runsignup/fake-server.js';
import { openRuntime } from '../runtime.js';
import { ProviderConnections } from '../sync/provider-connections.service.js';
import { TEST_SECRET_KEY } from '../../test/helpers/config.js';
import { p88InProcess as p88 } from '../../test/helpers/cli.js';

let dir: string;
let dropServer: (() => Promise<void>) | undefined;
let rsu: FakeRunSignUp;
let connectionId: number;
beforeAll(async () => {
  rsu = await startFakeRunSignUp({
    apiKey: 'k',
    apiSecret: 's',
    races: [{ race_id: 4242, name: 'CLI 10K', next_date: '05/01/2026', timezone: 'America/Denver', address: { city: 'Golden', state: 'CO', country_code: 'US' }, events: [{ event_id: 7, name: '10K', start_time: '5/1/2026 08:00', distance: '10 K', participants: fakeRsuParticipants(4), result_sets: [{ individual_result_set_id: 31, individual_result_set_name: 'Overall', results_headers: {}, results: [{ result_id: 1, registration_id: 1000, place: 1, bib: '1', first_name: 'First0', last_name: 'Last0', gender: 'F', age: 20, clock_time: '40:00.0', chip_time: '39:58.0' }] }] }] }],
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
    expect(first.stdout).toMatch(/^done: 5 new, 0 updated, 0 unchanged, 0 failed, 0 removed, 0 hand edits kept/);
    expect(first.code).toBe(0);
    // By provider name; incremental from the stored cursor (inclusive: the 4 come again, unchanged; the result too).
    const second = await p88('sync', 'run', '--partner', 'acme', '--provider', 'runsignup', '--event', '4242', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ state: 'done', run: { count_new: 0, count_updated: 0, count_unchanged: 4 + 1, status: 'done', mode: 'incremental' } });
  }, 60_000);

  it('exits 1 when the sync fails (unknown event) and on an unknown connection', async () => {
    const bad = await p88('sync', 'run', '--partner', 'acme', '--connection', String(connectionId), '--event', '999');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^failed: /);
    const none = await p88('sync', 'run', '--partner', 'acme', '--connection', '9999', '--event', '4242');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/not found/);
  }, 60_000);

  it('needs --provider or --connection', async () => {
    const r = await p88('sync', 'run', '--partner', 'acme', '--event', '4242');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give --provider <name> or --connection <id>/);
  });
});

describe('p88 sync push', () => {
  it('pushes the warehouse event’s results to a RunSignUp result set, printing the counts', async () => {
    const rt = await openRuntime({ command: {} });
    let eventId: number;
    try {
      eventId = Number((await asPlatform(rt.db, (tx) => tx.query<{ id: string }>(`SELECT id FROM results_events WHERE provider = 'runsignup' AND external_id = '4242'`))).rows[0]!.id);
    } finally {
      await rt.close();
    }
    const noSet = await p88('sync', 'push', '--partner', 'acme', '--provider', 'runsignup', '--event', '4242', '--race', '7', '--warehouse-event', String(eventId));
    expect(noSet.code).toBe(1);
    expect(noSet.stderr).toMatch(/RunSignUp needs the result set/);
    const r = await p88('sync', 'push', '--partner', 'acme', '--provider', 'runsignup', '--event', '4242', '--race', '7', '--warehouse-event', String(eventId), '--result-set', '31');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: 1 new, 0 updated/);
    expect(rsu.posted.get('31')).toEqual([expect.objectContaining({ bib_num: '1', registration_id: '1000', clock_time: '0:40:00.0' })]);
  }, 60_000);
});

describe('p88 sync history', () => {
  it('lists the runs newest first with counts, errors and mode', async () => {
    const r = await p88('sync', 'history', '--partner', 'acme', '--provider', 'runsignup');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/ runsignup 4242 pull full manual done: 5 new, 0 updated, 0 unchanged, 0 failed, 0 removed, 0 hand edits kept \(\d+ ms\)$/);
    expect(r.stdout).toMatch(/runsignup 999 pull full manual failed: [^\n]+\n {2}error: RunSignUp refused the request: Race not found.*Nothing was written: the previous data is kept/);
    const json = await p88('sync', 'history', '--partner', 'acme', '--event', '4242', '--limit', '1', '--json');
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ external_event_id: '4242', direction: 'push', count_new: 1 })]);
    expect((await p88('sync', 'history', '--partner', 'nobody')).code).toBe(1);
  }, 60_000);
});

describe('p88 provider', () => {
  it('offers exactly the providers’ credential fields as options (written out for a light --help)', () => {
    expect(CREDENTIAL_FLAGS).toEqual(credentialOptions());
    expect([...PROVIDER_NAMES]).toEqual([...PROVIDERS]);
  });

  it('adds (secrets sealed, never printed), lists, tests and removes a connection', async () => {
    expect((await p88('partner', 'create', '--slug', 'beta', '--name', 'Beta')).code).toBe(0);
    const wrongField = await p88('provider', 'add', '--partner', 'beta', '--provider', 'runsignup', '--api-key', 'k', '--api-secret', 's', '--token', 'x');
    expect(wrongField.code).toBe(2);
    expect(wrongField.stderr).toMatch(/RunSignUp takes no --token/);
    const missing = await p88('provider', 'add', '--partner', 'beta', '--provider', 'runsignup', '--api-key', 'k');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/RunSignUp needs --api-secret/);

    const add = await p88('provider', 'add', '--partner', 'beta', '--provider', 'runsignup', '--api-key', 'k', '--api-secret', 's', '--test');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^connected RunSignUp: connection \d+\ntest: ok\n$/);
    const list = await p88('provider', 'list', '--partner', 'beta');
    expect(list.stdout).toMatch(/^\d+\trunsignup\tapiKey=k\ttest ok /);
    const listJson = await p88('provider', 'list', '--partner', 'beta', '--json');
    expect(listJson.stdout).not.toMatch(/"s"|apiSecret|sealed/);
    expect(add.stdout + list.stdout).not.toContain('--api-secret');

    // A second RunSignUp connection is refused; a wrong secret is said by the test.
    expect((await p88('provider', 'add', '--partner', 'beta', '--provider', 'runsignup', '--api-key', 'k', '--api-secret', 's')).stderr).toMatch(/connected already/);
    const ok = await p88('provider', 'test', '--partner', 'beta', '--provider', 'runsignup');
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/: ok\n$/) });
    expect((await p88('provider', 'remove', '--partner', 'beta', '--provider', 'runsignup')).stdout).toMatch(/^removed runsignup connection \d+/);
    const bad = await p88('provider', 'add', '--partner', 'beta', '--provider', 'runsignup', '--api-key', 'k', '--api-secret', 'nope', '--test');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/test failed \(auth\): /);
    expect(bad.stdout + bad.stderr).not.toContain('nope');
    const test = await p88('provider', 'test', '--partner', 'beta', '--provider', 'runsignup', '--json');
    expect(test.code).toBe(1);
    expect(JSON.parse(test.stdout)).toMatchObject({ ok: false, kind: 'auth' });
    // Copernico's list field, comma-separated; the other partner's connections are not beta's.
    expect((await p88('provider', 'add', '--partner', 'beta', '--provider', 'copernico', '--api-key', 'c', '--login', 'timer1', '--race-slugs', 'a-2025, b-2025')).code).toBe(0);
    expect((await p88('provider', 'list', '--partner', 'beta')).stdout).toMatch(/copernico\tlogin=timer1 raceSlugs=a-2025, b-2025/);
    expect((await p88('provider', 'remove', '--partner', 'beta', '--connection', String(connectionId))).stderr).toMatch(/not found/);
    expect((await p88('provider', 'list', '--partner', 'acme')).stdout).toMatch(new RegExp(`^${connectionId}\trunsignup`));
  }, 90_000);
});

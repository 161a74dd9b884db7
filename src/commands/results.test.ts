/**
 * p88 results import, p88 token create|list|revoke and p88 warehouse seed, run in this process
 * against their own database (a PGlite data directory, or a new database on the server run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerDatabase, serverUrl } from '../../test/helpers/db.js';
import { openRuntime } from '../runtime.js';
import { withPartner } from '../db/tenant.js';
import { TEST_SECRET_KEY } from '../../test/helpers/config.js';
import { p88InProcess as p88 } from '../../test/helpers/cli.js';

async function withRuntime<T>(fn: (rt: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ command: {} });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

let dir: string;
let dropServer: (() => Promise<void>) | undefined;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p88-results-cli-'));
  vi.stubEnv('DATA_DIR', dir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  if (serverUrl) {
    const server = await createServerDatabase(serverUrl);
    vi.stubEnv('DATABASE_URL', server.url);
    vi.stubEnv('SECRET_KEY', TEST_SECRET_KEY); // a server deployment must have one
    dropServer = server.drop;
  } else vi.stubEnv('DATABASE_URL', '');
  expect((await p88('partner', 'create', '--slug', 'acme', '--name', 'Acme')).code).toBe(0);
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await dropServer?.();
  await rm(dir, { recursive: true, force: true });
});

describe('p88 results and token commands', () => {
  it('imports the example file, then reports bad rows by line with exit 1', async () => {
    const file = path.join(import.meta.dirname, '../../examples/results.csv');
    const ok = await p88('results', 'import', '--partner', 'acme', file, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ events: 2, races: 3, inserted: 6, updated: 0, splits: 5, errors: [] });
    const again = await p88('results', 'import', '--partner', 'acme', file);
    expect(again.stdout).toBe(`imported ${file}: 0 new, 6 updated results in 3 race(s) of 2 event(s); 5 splits\n`);
    const bad = path.join(dir, 'bad.csv');
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, 'event,race,bib,chip_time\nX,5K,1,abc\nX,5K,2,20:00\n'));
    const r = await p88('results', 'import', '--partner', 'acme', bad);
    expect(r).toMatchObject({ code: 1 });
    expect(r.stdout).toContain('line 2: chip_time "abc" is not a time');
    expect((await p88('results', 'import', '--partner', 'nobody', file)).stderr).toBe('p88: no partner "nobody"\n');
  }, 120_000);

  it('creates a token once, lists it without its secret, revokes it; the token authenticates until revoked', async () => {
    const created = await p88('token', 'create', '--partner', 'acme', '--name', 'OpenWebUI', '--scopes', 'results:read', '--json');
    expect(created.code).toBe(0);
    const { id, token } = JSON.parse(created.stdout) as { id: number; token: string };
    expect(token).toMatch(/^p88_/);
    const list = await p88('token', 'list', '--partner', 'acme');
    expect(list.stdout).toMatch(new RegExp(`^${id}\\tOpenWebUI\\tp88_[\\w-]{6}…\\tresults:read\\tactive\\n$`));
    expect(list.stdout).not.toContain(token);
    const { ApiTokens } = await import('../accounts/api-tokens.service.js');
    // One runtime at a time: a PGlite data directory has one opener.
    const check = () => withRuntime((rt) => new ApiTokens(rt.db).authenticate(token));
    expect(await check()).toMatchObject({ scopes: ['results:read'], via: 'token' });
    expect((await p88('token', 'revoke', '--partner', 'acme', '--id', String(id))).stdout).toBe(`token ${id} revoked\n`);
    expect(await check()).toBeNull();
    const bad = await p88('token', 'create', '--partner', 'acme', '--name', 'x', '--scopes', 'results:read,users:manage');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown scope users:manage');
  }, 120_000);

  it('seeds synthetic data reproducibly across partners, each seeing only its own', async () => {
    const seeded = await p88('warehouse', 'seed', '--scale', '0.0005', '--partners', '2', '--seed', '7', '--json');
    expect(seeded.code).toBe(0);
    const r = JSON.parse(seeded.stdout) as { partners: string[]; events: number; races: number; entries: number; results: number; splits: number };
    expect(r.partners).toEqual(['warehouse-1', 'warehouse-2']);
    expect(r.events).toBe(6);
    expect(r.races).toBeGreaterThanOrEqual(6);
    expect(r.results).toBe(r.entries);
    const fingerprint = () =>
      withRuntime(async (rt) => (await rt.owner.query<{ f: string }>(`SELECT md5(string_agg(e.last_name || r.chip_time_ms || r.status, ',' ORDER BY r.id)) AS f FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.provider = 'synthetic'`)).rows[0]!.f);
    const first = await fingerprint();
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    await withRuntime(async (rt) => {
      const ids = (await rt.owner.query<{ id: number }>(`SELECT id FROM partners WHERE slug LIKE 'warehouse-%' ORDER BY slug`)).rows.map((x) => x.id);
      const seen = await Promise.all(ids.map((p) => withPartner(rt.db, p, async (tx) => (await tx.query<{ n: number; others: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE partner_id <> $1)::int AS others FROM results`, [p])).rows[0]!)));
      expect(seen.reduce((s, x) => s + x.n, 0)).toBe(r.results);
      expect(seen.every((x) => x.others === 0 && x.n > 0)).toBe(true);
      // Every finished result has a place; winners exist in each race that has finishers.
      const places = (await rt.owner.query<{ bad: number }>(`SELECT count(*)::int AS bad FROM results WHERE provider = 'synthetic' AND (status = 'finished') <> (overall_place IS NOT NULL)`)).rows[0]!;
      expect(places.bad).toBe(0);
      // Same seed, same data: delete and seed again.
      for (const t of ['splits', 'results', 'entries', 'races', 'results_events']) await rt.owner.query(`DELETE FROM ${t} WHERE provider = 'synthetic'`);
    });
    expect((await p88('warehouse', 'seed', '--scale', '0.0005', '--partners', '2', '--seed', '7', '--json')).code).toBe(0);
    expect(await fingerprint()).toBe(first);
  }, 180_000);
});

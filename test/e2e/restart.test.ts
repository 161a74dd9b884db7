/**
 * Nothing lost on the screen: `p88 start` (its own process, embedded database) is killed with
 * kill -9 twice at random moments of a simulated finish and started again on the same data
 * directory, while a screen in Chromium watches a finisher-list link. Every finisher read the
 * database committed must reach the screen exactly once and in order (the screen reconnects
 * with the id of the last read it took and the server replays the rest from the database);
 * reads the timing software sent into a dead server are simply not committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { RawClient } from '../helpers/ctp-client.js';
import { createOwner, embeddedEnv, startP88, type P88Server } from '../helpers/p88-process.js';
import { raceTime } from '../helpers/race-day.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks run in the browser; this project compiles without DOM types */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const PASSWORD = 'correct horse battery staple';
const RUNNERS = 150;
const GAP_MS = 40;

describe.skipIf(!browserTestsEnabled())('kill -9 of p88 start during a finish, with a screen open', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: P88Server | undefined;
  let browser: Browser;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    env = await embeddedEnv('p88-restart');
    dataDir = env.DATA_DIR!;
    await createOwner(env, { slug: 'restart-timing', partnerName: 'Restart Timing', email: 'owner@restart.example', name: 'Owner', password: PASSWORD });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await server?.kill9().catch(() => undefined);
    await browser?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const url = (p: string) => `http://127.0.0.1:${env.PORT}${p}`;

  async function api(headers: Record<string, string>, method: string, p: string, body?: object) {
    const res = await fetch(url(p), { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  }

  it('every committed finisher reaches the screen exactly once, in order', async () => {
    server = await startP88(env);
    const login = await fetch(url('/api/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@restart.example', password: PASSWORD }),
    });
    const { csrf_token } = (await login.json()) as { csrf_token: string };
    const headers = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': csrf_token, 'content-type': 'application/json' };
    const source = await api(headers, 'POST', '/api/sources', { name: 'finish laptop' });
    const list = {
      html: '<div data-p88-list="recent" data-p88-rows="15"><div data-p88-row=""><span data-p88-field="bib">1</span> <span data-p88-field="name">x</span></div></div>',
      css: 'body{background:#111;color:#fff;font-size:48px}',
    };
    const template = await api(headers, 'POST', '/api/templates', { name: 'List', runner: list, idle: list });
    const link = await api(headers, 'POST', '/api/display-links', { name: 'Finish list', template_id: template.template.id, locations: ['finish'], settings: { repeatWindowMs: 0 } });

    const page: Page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.addInitScript(() => {
      const w = globalThis as any;
      w.__taken = [];
      w.addEventListener('p88:read', (e: any) => w.__taken.push(e.detail.id));
    });
    await page.goto(url(`/d/${link.id}`));
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 20_000 });

    // Two kills at random moments of the finish (seeded by the clock; printed for a re-run).
    const seed = Date.now() % 1000;
    const kills = [Math.floor(RUNNERS * (0.2 + (seed % 300) / 1000)), Math.floor(RUNNERS * (0.6 + (seed % 250) / 1000))];
    let ctp = await RawClient.signedIn(Number(env.COLLECTOR_PORT), source.user_id, source.secret, { locations: ['finish'], connectionId: 'RESTART1' });
    let sent = 0;
    const restarts: number[] = [];
    for (let i = 0; i < RUNNERS; i++) {
      if (kills.includes(i)) {
        // A burst, and the kill right behind it: some of these may be in flight, uncommitted.
        for (let j = 0; j < 5; j++) {
          const t = new Date(raceTime(11, 0, 0) + (i * 10 + j) * 100).toISOString().slice(0, 22);
          ctp.send(`CT01_33~${RUNNERS + i * 10 + j}~finish~X${i}_${j}~${t}~1~0A0B0C~1`);
          sent++;
        }
        await server.kill9();
        ctp.close();
        const down = Date.now();
        server = await startP88(env);
        restarts.push(Date.now() - down);
        ctp = await RawClient.signedIn(Number(env.COLLECTOR_PORT), source.user_id, source.secret, { locations: ['finish'], connectionId: `RESTART${i}` });
      }
      const time = new Date(raceTime(10, 0, 0) + i * 1000).toISOString().slice(0, 22);
      ctp.send(`CT01_33~${i + 1}~finish~B${1000 + i}~${time}~1~0A0B0C~1`);
      sent++;
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    ctp.close();
    // A SIGTERM with a screen connected ends its stream and exits (it used to wait for ever).
    const stopping = Date.now();
    expect(await server.stop()).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000);
    server = undefined;

    // What the database committed (opened here once the server is stopped).
    const db = await openPglite(path.join(dataDir, 'pgdata'));
    const committed = (await db.query<{ id: number }>(`SELECT id FROM timing_reads WHERE read_kind = 'tag' AND location_name = 'finish' ORDER BY id`)).rows.map((r) => r.id);
    const perKill = (await db.query<{ n: number; first: number; last: number; src: string }>(
      `SELECT count(*)::int AS n, min(sequence_number) AS first, max(sequence_number) AS last, source_key AS src FROM timing_reads GROUP BY source_key ORDER BY min(id)`,
    )).rows;
    await db.close();
    console.log(`[restart diagnostics] kills before reads ${kills.join(', ')}; committed per connection: ${JSON.stringify(perKill)}`);
    // Reads in flight at a kill (sent, not yet committed) are not committed: the timing software resends unacknowledged ones.
    expect(committed.length).toBeGreaterThan(RUNNERS * 0.5);

    // The screen keeps reconnecting while the server is away; by now it has everything.
    server = await startP88(env);
    await expect.poll(() => page.evaluate(() => ((globalThis as any).__taken as number[]).length), { timeout: 30_000 }).toBeGreaterThanOrEqual(committed.length);
    const taken = await page.evaluate(() => (globalThis as any).__taken as number[]);
    expect(taken).toEqual(committed);
    await page.screenshot({ path: join(RESULTS, 'restart-list.png') });
    console.log(
      `[restart figures] ${sent} finisher reads sent, kill -9 before reads ${kills.join(' and ')} (restarts took ${restarts.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}); ` +
        `${committed.length} committed, ${taken.length} reached the screen, ${new Set(taken).size} distinct, in order: ${taken.every((id, i) => i === 0 || id > taken[i - 1]!)}`,
    );
  }, 300_000);
});

/**
 * The Providers screen in Debian's Chromium against the REAL backend and worker, with
 * RunSignUp played by the loopback fake (RUNSIGNUP_BASE_URL): the owner connects RunSignUp,
 * opens "Sync an event…", picks the provider's event from its list and a roster, syncs now;
 * the history shows the run (a progress bar while it runs, then its counts), the roster holds
 * the participants; then the event goes on a schedule, is paused, and a failing sync shows its
 * error in the history.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRunSignUp } from '../../src/providers/runsignup/fake-server.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { createPartnerWithUsers, startWebStack, type WebStack } from '../helpers/web-stack.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const PASSWORD = 'correct horse battery staple';
const OWNER = { email: 'pia@provider-timing.example', name: 'Pia Provider', role: 'owner' };
const PARTNER = { slug: 'provider-timing', name: 'Provider Timing Co' };

describe.skipIf(!browserTestsEnabled())('the Providers screen on the real backend, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let rsu: FakeRunSignUp;
  let page: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    rsu = await startFakeRunSignUp({
      apiKey: 'rsu-key',
      apiSecret: 'rsu-secret-value',
      races: [{
        race_id: 7070, name: 'Lakeside 10K', next_date: '09/20/2031', timezone: 'America/Chicago', address: { city: 'Madison', state: 'WI', country_code: 'US' },
        events: [{ event_id: 71, name: '10K', start_time: '9/20/2031 08:00', distance: '10 K', participants: fakeRsuParticipants(40, { idBase: 500 }), result_sets: [] }],
      }],
    });
    [stack, browser] = await Promise.all([startWebStack({ env: { RUNSIGNUP_BASE_URL: rsu.baseUrl, JOBS_POLL_SECONDS: '0.1' } }), launchBrowser()]);
    await createPartnerWithUsers(stack, PARTNER, [OWNER], PASSWORD);
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await page.goto(`${stack.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await rsu?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    page.evaluate(
      async ([m, p, b]) => {
        const me = (await (await fetch('/api/auth/me')).json()) as { csrf_token: string };
        const r = await fetch(p as string, { method: m as string, headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token }, body: b === undefined ? undefined : JSON.stringify(b) });
        return r.status === 204 ? null : ((await r.json()) as unknown);
      },
      [method, path, body] as const,
    );

  it('connects RunSignUp, syncs a listed event into a chosen roster now, and shows the run in the history', async () => {
    const roster = (await api('POST', '/api/rosters', { name: 'Lakeside screen' })) as { id: number };
    await page.goto(`${stack.baseUrl}/providers`);
    await page.getByTestId('provider-select').selectOption('runsignup');
    await page.getByLabel('API key').fill('rsu-key');
    await page.getByLabel('API secret').fill('rsu-secret-value');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('provider-notice').getByText('RunSignUp connected.').waitFor({ timeout: 5_000 });
    expect(await page.content()).not.toContain('rsu-secret-value');

    await page.locator('tr[data-provider="runsignup"]').getByTestId('sync-this-event').click();
    const panel = page.getByTestId('sync-event-panel');
    await panel.getByTestId('sync-event-select').locator('option', { hasText: 'Lakeside 10K' }).waitFor({ state: 'attached', timeout: 10_000 });
    await panel.getByTestId('sync-event-select').selectOption('7070');
    expect(await panel.getByTestId('sync-event-id').inputValue()).toBe('7070');
    await panel.getByTestId('sync-roster').locator('option', { hasText: 'Lakeside screen' }).waitFor({ state: 'attached', timeout: 10_000 });
    await panel.getByTestId('sync-roster').selectOption(String(roster.id));
    await panel.getByTestId('sync-now').click();
    await page.getByTestId('provider-notice').getByText(/Sync of event 7070 queued/).waitFor({ timeout: 5_000 });

    const run = page.locator('.sync-run[data-status="done"]').first();
    await run.waitFor({ timeout: 20_000 });
    expect(await run.textContent()).toMatch(/RunSignUp.*7070.*pull · full · manual[\s\S]*40 new · 0 updated/);
    const participants = (await api('GET', `/api/rosters/${roster.id}/participants?limit=100`)) as { participants?: unknown[]; total?: number };
    expect(JSON.stringify(participants)).toContain('"bib":"40"');
    // The connection's last sync.
    await page.locator('tr[data-provider="runsignup"]').getByText(/^OK /).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(RESULTS, 'providers-synced.png'), fullPage: true });
  });

  it('puts the event on a schedule, pauses it, and shows a failing sync’s error', async () => {
    const panel = page.getByTestId('sync-event-panel');
    await panel.getByTestId('sync-starts-at').fill('2031-09-20T08:00');
    await panel.getByTestId('sync-schedule').click();
    const row = page.getByTestId('sync-schedules').locator('tr[data-schedule="7070"]');
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByText('Paused').waitFor({ timeout: 5_000 });

    // The provider goes down: the next sync's error is in the history (the job retries later).
    rsu.faults.failNext = 100;
    await panel.getByTestId('sync-event-id').fill('7070');
    await panel.getByTestId('sync-now').click();
    const failed = page.locator('.sync-run[data-status="failed"]').first();
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.getByTestId('sync-errors').textContent()).toMatch(/RunSignUp .*unavailable|HTTP 503/i);
    // Whether the outage hit the first page or a later one, nothing of this pull was written.
    expect(await failed.getByTestId('sync-errors').textContent()).toMatch(/nothing was written: the previous data is kept/i);
    rsu.faults.failNext = 0;
    await page.screenshot({ path: join(RESULTS, 'providers-history.png'), fullPage: true });
  });
});

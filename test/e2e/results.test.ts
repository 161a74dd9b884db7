/**
 * The Results screen in Debian's Chromium against the real backend: the owner imports the
 * example CSV (and a file with bad rows) through the file input, walks events → races →
 * results (sort, search), opens a runner's splits and downloads the race's CSV; a viewer reads
 * the same results with no import.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { createPartnerWithUsers, startWebStack, type WebStack } from '../helpers/web-stack.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const PASSWORD = 'correct horse battery staple';
const OWNER = { email: 'olga@results-timing.example', role: 'owner' };
const VIEWER = { email: 'vic@results-timing.example', role: 'viewer' };

describe.skipIf(!browserTestsEnabled())('the Results screen on the real backend, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let owner: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    await createPartnerWithUsers(stack, { slug: 'results-timing', name: 'Results Timing' }, [OWNER, VIEWER].map((u) => ({ ...u, name: u.role })), PASSWORD);
    owner = await signIn(OWNER.email);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true })).newPage();
    await page.goto(`${stack.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
    return page;
  }

  const rowTexts = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr').allInnerTexts();

  it('imports a CSV with per-row errors, then walks events → races → results, sorts and searches', async () => {
    const page = owner;
    await page.locator('.topnav').getByRole('link', { name: 'Results', exact: true }).click();
    await page.waitForURL(`${stack.baseUrl}/results`);
    await page.getByText('No results yet').waitFor({ timeout: 5_000 });

    const bad = 'event,race,distance,bib,chip_time\nSpring 5K,5K,5K,1,20:00\nSpring 5K,5K,5K,2,soon\n';
    await page.getByTestId('results-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    const summary = page.getByTestId('results-import-summary');
    await summary.waitFor({ timeout: 10_000 });
    expect(await summary.innerText()).toContain('1 new and 0 updated results in 1 race(s) of 1 event(s).');
    expect(await page.getByTestId('row-errors').locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^3\s+chip_time "soon" is not a time/)]);

    await page.getByTestId('results-file').setInputFiles({ name: 'results.csv', mimeType: 'text/csv', buffer: readFileSync(join(REPO, 'examples', 'results.csv')) });
    await page.getByText('6 new and 0 updated results in 3 race(s) of 2 event(s).').waitFor({ timeout: 10_000 });
    await page.getByTestId('results-events').getByText('Riverside Marathon 2026').waitFor({ timeout: 5_000 });
    expect((await rowTexts(page, 'results-events')).map((r) => r.split('\t')[0])).toEqual(['Mountain 100', 'Riverside Marathon 2026', 'Spring 5K']);

    await page.getByRole('button', { name: 'Riverside Marathon 2026' }).click();
    const races = page.getByTestId('results-races');
    await races.waitFor({ timeout: 5_000 });
    expect(await races.locator('li').allInnerTexts()).toEqual(['Marathon 26.2 mi', '5K 5 km']);
    await races.getByRole('button', { name: 'Marathon' }).click();

    const table = page.getByTestId('race-results');
    await table.waitFor({ timeout: 5_000 });
    const bibs = async () => (await rowTexts(page, 'race-results')).map((r) => r.split('\t')[1] ?? '');
    /** The table's bibs once they are these (each sort or search is a new request). */
    const bibsBecome = async (expected: string[]) => {
      const until = Date.now() + 10_000;
      let last: string[] = [];
      while (Date.now() < until) {
        last = await bibs();
        if (JSON.stringify(last) === JSON.stringify(expected)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      return last;
    };
    expect(await bibs()).toEqual(['102', '101', '103']);
    expect(await page.getByTestId('results-range').innerText()).toBe('1–3 of 3');
    await table.getByRole('button', { name: 'Name' }).click();
    expect(await bibsBecome(['103', '101', '102'])).toEqual(['103', '101', '102']); // Hopper, Lovelace, Turing
    await page.getByTestId('results-search').fill('turing');
    expect(await bibsBecome(['102'])).toEqual(['102']);
    await page.getByTestId('results-search').fill('101');
    expect(await bibsBecome(['101'])).toEqual(['101']);
  }, 60_000);

  it('shows a runner’s page with splits, and downloads the race as CSV', async () => {
    const page = owner;
    await page.getByRole('button', { name: 'Ada Lovelace' }).click();
    const splits = page.getByTestId('runner-splits');
    await splits.waitFor({ timeout: 5_000 });
    expect(await splits.locator('tbody tr').allInnerTexts()).toEqual(['10K\t0:43:10', 'Half\t1:31:02']);
    expect(await page.getByTestId('runner-facts').innerText()).toMatch(/Chip time\s+3:05:12\s+Gun time\s+3:05:40\s+Pace \/km\s+4:23\s+Place\s+2 overall · 1 F · 1 in F35-39/);
    await page.screenshot({ path: join(RESULTS, 'results-runner.png') });
    await page.getByRole('button', { name: '← Results' }).click();
    await page.getByTestId('results-search').fill('');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^id,entry_id,results_rank,results_bib,/);
    expect(csv.slice(1).map((l) => l.split(',')[3])).toEqual(['102', '101', '103']);
  }, 60_000);

  it('lets a viewer read the results but not import', async () => {
    const viewer = await signIn(VIEWER.email);
    await viewer.locator('.topnav').getByRole('link', { name: 'Results', exact: true }).click();
    await viewer.getByTestId('results-events').getByText('Mountain 100').waitFor({ timeout: 5_000 });
    expect(await viewer.getByTestId('results-file').count()).toBe(0);
    expect(await viewer.getByText('Import results (CSV)').count()).toBe(0);
    const refused = await viewer.evaluate(async () => (await fetch('/api/results/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'event,race,bib\nX,5K,1\n' })).status);
    expect(refused).toBe(403);
  }, 60_000);
});

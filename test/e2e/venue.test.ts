/**
 * Screens at a venue, in Debian's Chromium against the REAL backend: the display and the
 * dashboard opened by the machine's own non-loopback address over plain http (as a TV on the
 * venue network reaches the laptop: no asset may be upgraded to https), and the display on a
 * phone (mobile emulation, 390×844 portrait and 844×390 landscape) showing the whole 16:9
 * stage, letterboxed, inside the viewport. Screenshots are kept in test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { RawClient } from '../helpers/ctp-client.js';
import { lanAddress, p88, startWebStack, type WebStack } from '../helpers/web-stack.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks run in the browser; this project compiles without DOM types */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const PASSWORD = 'correct horse battery staple';
const LAN = lanAddress();

describe.skipIf(!browserTestsEnabled() || LAN === null)('screens at a venue, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let owner: SignedIn;
  let lanUrl = '';
  let linkId = '';
  let ctp: RawClient;
  let seq = 0;
  const contexts: BrowserContext[] = [];

  async function api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
    const res = await stack.app.inject({ method, url, headers: owner.headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack({ host: '0.0.0.0' }), launchBrowser()]);
    lanUrl = stack.baseUrl.replace('127.0.0.1', LAN!);
    const partner = await stack.accounts.partners.create({ slug: 'venue-timing', name: 'Venue Timing' });
    owner = await signIn(stack.app, partner.id, 'owner');
    await p88(stack, 'user', ['create', '--email', 'lan@venue.example', '--name', 'Lan Owner', '--partner', 'venue-timing', '--role', 'owner', '--password', PASSWORD]);
    const source = await api('POST', '/api/sources', { name: 'finish laptop' });
    const event = await api('POST', '/api/rosters', { name: 'Venue 10K' });
    for (const bib of ['1054', '1055', '1056']) {
      await api('POST', `/api/rosters/${event.id}/participants`, { bib, first_name: 'Ada', last_name: 'Lovelace', city: 'London', tags: [`TAG${bib}`] });
    }
    const link = await api('POST', '/api/display-links', {
      name: 'Finish TV',
      roster_event_id: event.id,
      locations: ['finish'],
      settings: { minDisplayMs: 60_000, animation: 'none' },
    });
    linkId = link.id;
    ctp = await RawClient.signedIn(stack.collector.tcpPort, source.user_id, source.secret, { locations: ['finish'] });
  });

  afterAll(async () => {
    ctp?.close();
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  /** A page that records every failed request and console error. */
  async function pageWith(options: Parameters<Browser['newContext']>[0]): Promise<{ page: Page; failures: string[] }> {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    const failures: string[] = [];
    // ERR_ABORTED: a fetch of the page being left (sign-in navigates away), not a failure.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`${r.url()} ${r.failure()?.errorText ?? ''}`);
    });
    page.on('response', (r) => {
      if (r.url().startsWith('https:')) failures.push(`upgraded: ${r.url()}`);
    });
    page.on('console', (m) => {
      // The signed-out check before sign-in answers 401 by design.
      if (m.type() === 'error' && !m.text().includes('status of 401')) failures.push(`console: ${m.text()}`);
    });
    return { page, failures };
  }

  function cross(tag: string): void {
    seq++;
    const time = new Date(Date.UTC(2026, 10, 23, 10, 0, seq)).toISOString().slice(0, 22);
    ctp.send(`CT01_33~${seq}~finish~${tag}~${time}~1~0A0B0C~1`);
  }

  it('the display opened by the LAN address over http loads every asset and shows the runner', async () => {
    expect(lanUrl).not.toContain('127.0.0.1');
    const csp = (await fetch(`${lanUrl}/d/${linkId}`)).headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('upgrade-insecure-requests');

    const { page, failures } = await pageWith({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${lanUrl}/d/${linkId}`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 15_000 });
    cross('TAG1054');
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.bib === '1054', undefined, { timeout: 15_000 });
    const name = await page.frameLocator('.p88-frame-runner').locator('[data-p88-field="name"]').textContent();
    expect(name).toBe('Ada Lovelace');
    // The built-in design shows a short name at its design size (180 px), bigger than the city.
    const sizes = await page.frameLocator('.p88-frame-runner').locator('body').evaluate((body: any) => {
      const size = (f: string) => parseFloat(body.ownerDocument.defaultView.getComputedStyle(body.querySelector(`[data-p88-field="${f}"]`)).fontSize);
      return { name: size('name'), city: size('city_state') };
    });
    expect(sizes.name).toBe(180);
    expect(sizes.name).toBeGreaterThan(sizes.city);
    await page.screenshot({ path: join(RESULTS, 'venue-lan-display.png') });
    expect(failures).toEqual([]);
  });

  it('the dashboard opened by the LAN address over http signs in and works', async () => {
    const { page, failures } = await pageWith({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${lanUrl}/sign-in`);
    await page.getByLabel('Email').fill('lan@venue.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 15_000 });
    await page.getByTestId('status-bar').getByText('Database connected').waitFor({ timeout: 10_000 });
    await page.locator('.topnav').getByRole('link', { name: 'Displays', exact: true }).click();
    await page.getByText('Finish TV').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(RESULTS, 'venue-lan-dashboard.png') });
    expect(failures).toEqual([]);
  });

  for (const [label, viewport, bib] of [
    ['portrait', { width: 390, height: 844 }, '1055'],
    ['landscape', { width: 844, height: 390 }, '1056'],
  ] as const) {
    it(`on a phone (${label}, ${viewport.width}×${viewport.height}) the whole stage is visible, letterboxed`, async () => {
      const { page, failures } = await pageWith({ viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
      await page.goto(`${lanUrl}/d/${linkId}`);
      await page.waitForFunction(() => (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 15_000 });
      cross(`TAG${bib}`);
      await page.waitForFunction((b) => (globalThis as any).document.body.dataset.bib === b, bib, { timeout: 15_000 });
      const geometry = await page.evaluate(() => {
        const w = globalThis as any;
        const r = w.document.querySelector('.p88-canvas').getBoundingClientRect();
        return {
          box: { x: r.x, y: r.y, width: r.width, height: r.height },
          inner: { width: w.innerWidth, height: w.innerHeight },
          layout: { width: w.document.documentElement.clientWidth, height: w.document.documentElement.clientHeight },
          scrollWidth: w.document.documentElement.scrollWidth,
        };
      });
      // The layout viewport is the device's: the 1920 px design must not widen it.
      expect(geometry.inner).toEqual(viewport);
      expect(geometry.scrollWidth).toBeLessThanOrEqual(viewport.width);
      const { box } = geometry;
      expect(box.x).toBeGreaterThanOrEqual(-0.5);
      expect(box.y).toBeGreaterThanOrEqual(-0.5);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 0.5);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + 0.5);
      // Letterboxed: fills one dimension, keeps 16:9, centred in the other.
      expect(Math.max(box.width / viewport.width, box.height / viewport.height)).toBeGreaterThan(0.99);
      expect(box.width / box.height).toBeCloseTo(16 / 9, 2);
      if (box.width / viewport.width > 0.99) expect(Math.abs(box.y - (viewport.height - box.height) / 2)).toBeLessThan(1);
      else expect(Math.abs(box.x - (viewport.width - box.width) / 2)).toBeLessThan(1);
      // Fully visible: the runner's name is on screen and painted (not off-canvas).
      const nameBox = await page.frameLocator('.p88-frame-runner').locator('[data-p88-field="name"]').boundingBox();
      expect(nameBox).not.toBeNull();
      expect(nameBox!.x).toBeGreaterThanOrEqual(box.x - 0.5);
      expect(nameBox!.x + nameBox!.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
      await page.screenshot({ path: join(RESULTS, `venue-phone-${label}.png`) });
      expect(failures).toEqual([]);
    });
  }
});

/**
 * The template builder (GrapesJS) in Debian's Chromium against the REAL backend: templates,
 * versions, assets and fetch-styles routes over a test database, under the app's real CSP.
 * Blocks are dragged from the block panel into the canvas with the mouse (native drag and
 * drop), every save goes through the Save button, and what was saved is checked through the
 * API. The tests run in order and build on each other (one staff user, one page: the server
 * allows 10 sign-ins per minute from one address).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_FIELDS } from '../../src/shared/template-fields.js';
import { signIn } from '../helpers/auth.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { RawClient } from '../helpers/ctp-client.js';
import { createPartnerWithUsers, startWebStack, type WebStack } from '../helpers/web-stack.js';
import { raceTimeField } from '../helpers/race-day.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks run in the browser; this project compiles without DOM types */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts');

const PASSWORD = 'correct horse battery staple';
const PARTNER = { slug: 'builder-timing', name: 'Builder Timing Co' };
const STAFF = { email: 'stella@builder-timing.example', name: 'Stella Staff', role: 'staff' };
const VIEWER = { email: 'vic@builder-timing.example', name: 'Vic Viewer', role: 'viewer' };

interface Design {
  html: string;
  css: string;
}
interface VersionBody {
  version: { version: number; runner: Design; idle: Design; project: Record<string, unknown> | null };
}

describe.skipIf(!browserTestsEnabled())('template builder on the real backend, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let templateId = 0;
  /** Console errors, page errors and CSP reports of the whole run. */
  const problems: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(ARTIFACTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    await createPartnerWithUsers(stack, PARTNER, [STAFF, VIEWER], PASSWORD);
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    page.on('console', (m) => {
      // The refusals this test provokes (a fake image, a private address, a bound template)
      // are logged by Chromium as failed loads: expected, and checked where they happen.
      // So is the 401 of /api/auth/me on the sign-in page, before anyone is signed in.
      if (/^Failed to load resource: the server responded with a status of 4(00|01|09|13|15)/.test(m.text())) return;
      if (m.type() === 'error' || /content security policy|refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${stack.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(STAFF.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await stack?.close();
  });

  const canvas = () => page.frameLocator('.gjs-frame');
  const field = (name: string) => canvas().locator(`[data-p88-field="${name}"]`);

  async function api<T>(path: string): Promise<T> {
    const res = await page.request.get(`${stack.baseUrl}${path}`);
    expect(res.status(), `GET ${path}`).toBe(200);
    return (await res.json()) as T;
  }

  /**
   * Drags a block of the block panel onto the canvas with the mouse (Chromium turns it into a
   * native drag and drop), to (x, y) of the frame as it shows on the page (zoomed out).
   */
  async function dragBlock(block: string, x: number, y: number): Promise<void> {
    const from = (await page.locator(`[data-block="${block}"]`).boundingBox())!;
    const frame = (await page.locator('.gjs-frame').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 2 });
    await page.mouse.move(frame.x + x / 2, frame.y + y / 2, { steps: 5 });
    await page.waitForTimeout(50);
    await page.mouse.move(frame.x + x, frame.y + y, { steps: 5 });
    await page.waitForTimeout(50);
    await page.mouse.up();
  }

  /** Where an element of the design sits, in design pixels (its CSS left/top). */
  async function placeOf(name: string): Promise<{ left: number; top: number }> {
    return field(name).evaluate((el) => {
      const style = el.ownerDocument.defaultView!.getComputedStyle(el);
      return { left: parseFloat(style.left), top: parseFloat(style.top) };
    });
  }

  async function save(expectedVersion: number): Promise<void> {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('builder-notice').getByText(`Saved as version ${expectedVersion}.`).waitFor({ timeout: 10_000 });
  }

  it('creates a template from the Templates screen and opens it in the builder', async () => {
    await page.locator('.topnav').getByRole('link', { name: 'Templates' }).click();
    await page.waitForURL(`${stack.baseUrl}/templates`);
    await page.getByText('No templates yet').waitFor({ timeout: 5_000 });
    await page.getByLabel('Template name').fill('Finish line');
    // Built from nothing here (the starter designs have their own test, race-day-venue).
    await page.getByTestId('starter-gallery').locator('label[data-starter="blank-landscape"]').click();
    await page.getByRole('button', { name: 'Create and open' }).click();
    await page.waitForURL(/\/templates\/\d+$/, { timeout: 10_000 });
    templateId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(templateId).toBeGreaterThan(0);

    await page.locator('[data-block="field-name"]').waitFor({ timeout: 20_000 });
    // A block for every field a template can show (the idle design's own on the idle page).
    const blockIds = await page.locator('[data-block^="field-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-block')));
    expect(blockIds.sort()).toEqual(TEMPLATE_FIELDS.map((f) => `field-${f}`).sort());
    await canvas().locator('body').waitFor({ timeout: 10_000 });
    // The 1920×1080 screen is zoomed to fit the canvas panel, whole.
    const panel = (await page.getByTestId('builder-canvas').boundingBox())!;
    await expect.poll(async () => {
      const frame = (await page.locator('.gjs-frame').boundingBox())!;
      return frame.width <= panel.width + 1 && frame.height <= panel.height + 1 && Math.abs(frame.width / frame.height - 16 / 9) < 0.02;
    }, { timeout: 5_000 }).toBe(true);
    // The frame's own (unzoomed) size is the design resolution.
    // (Polled: while the editor settles the frame can be a few pixels short for a moment; seen once on CI.)
    const frameSize = () =>
      page.locator('.gjs-frame').evaluate((el) => {
        const frame = el as unknown as { offsetWidth: number; offsetHeight: number };
        return [frame.offsetWidth, frame.offsetHeight];
      });
    await expect.poll(frameSize, { timeout: 5_000 }).toEqual([1920, 1080]);
    expect(await page.getByTestId('builder-status').textContent()).toBe('Version 1');
  });

  it('drags the name and message blocks onto the screen and saves a version that has them', async () => {
    await dragBlock('field-name', 120, 80);
    await field('name').waitFor({ timeout: 5_000 });
    expect(await field('name').textContent()).toBe('Alexandra Montgomery');
    // Dropped where the pointer was, in design pixels: 120 px into a frame zoomed to fit.
    const zoom = (await page.locator('.gjs-frame').boundingBox())!.width / 1920;
    const place = await placeOf('name');
    expect(Math.abs(place.left - 120 / zoom)).toBeLessThan(4);
    expect(Math.abs(place.top - 80 / zoom)).toBeLessThan(4);
    await dragBlock('field-message', 120, 260);
    await field('message').waitFor({ timeout: 5_000 });
    await page.getByTestId('builder-status').getByText('Unsaved changes').waitFor();

    await save(2);
    const { version } = await api<VersionBody>(`/api/templates/${templateId}`);
    expect(version.version).toBe(2);
    expect(version.runner.html).toContain('data-p88-field="name"');
    expect(version.runner.html).toContain('data-p88-field="message"');
    expect(version.runner.html).toContain('data-p88-fit');
    expect(version.runner.css).toContain('width:1920px');
    expect(version.project).not.toBeNull();
  });

  it('saves again (a new version) and restores the earlier one into the editor', async () => {
    await dragBlock('field-bib', 900, 400);
    await field('bib').waitFor({ timeout: 5_000 });
    await save(3);
    const { versions } = await api<{ versions: Array<{ version: number }> }>(`/api/templates/${templateId}/versions`);
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await api<VersionBody>(`/api/templates/${templateId}`)).version.runner.html).toContain('data-p88-field="bib"');

    await page.getByRole('tab', { name: 'Versions' }).click();
    const row = page.locator('[data-testid="versions"] li[data-version="2"]');
    await row.getByRole('button', { name: 'Restore' }).click();
    await row.getByRole('button', { name: 'Restore v2' }).click();
    await page.getByTestId('builder-notice').getByText('Version 2 restored as version 4.').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="versions"] li[data-version="4"]').getByText('Current').waitFor({ timeout: 5_000 });

    const v2 = await api<VersionBody>(`/api/templates/${templateId}/versions/2`);
    const v4 = await api<VersionBody>(`/api/templates/${templateId}/versions/4`);
    expect(v4.version.runner).toEqual(v2.version.runner);
    expect(v4.version.idle).toEqual(v2.version.idle);
    // The editor shows the restored design: the bib added in version 3 is gone.
    await field('bib').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await field('name').count()).toBe(1);
    expect(await page.getByTestId('builder-status').textContent()).toBe('Version 4');
  });

  it('undoes and redoes with the buttons and the keyboard', async () => {
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
    await dragBlock('field-team', 200, 500);
    await field('team').waitFor({ timeout: 5_000 });
    const placed = await placeOf('team');

    // One undo takes the whole drop back.
    await page.getByRole('button', { name: 'Undo' }).click();
    await field('team').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await field('name').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
    // Redo brings it back where it was, styled.
    await page.getByRole('button', { name: 'Redo' }).click();
    await field('team').waitFor({ timeout: 5_000 });
    expect(await placeOf('team')).toEqual(placed);
    expect(await field('team').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).position)).toBe('absolute');

    await page.locator('.builder-blocks h2').click(); // focus outside any input
    await page.keyboard.press('Control+z');
    await field('team').waitFor({ state: 'detached', timeout: 5_000 });
    await page.keyboard.press('Control+Shift+z');
    await field('team').waitFor({ timeout: 5_000 });
  });

  it('uploads an image through the asset manager (and shows the server refusing a fake one), then places it', async () => {
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#d03030' } }).png().toBuffer();
    await page.getByRole('button', { name: 'Images' }).click();
    const modal = page.locator('.gjs-mdl-container');
    await modal.waitFor({ timeout: 5_000 });
    const input = modal.locator('input[type=file]');
    expect(await input.getAttribute('accept')).toContain('image/png');

    // Not an image, whatever its name says: the server checks the bytes and the message shows.
    await input.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
    const status = page.getByTestId('asset-status');
    await status.and(page.locator('.p88-am-error')).waitFor({ timeout: 10_000 });
    expect(await status.textContent()).toMatch(/^fake\.png: .+/);

    await input.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await status.getByText('Uploaded').waitFor({ timeout: 10_000 });
    const { assets } = await api<{ assets: Array<{ url: string; name: string }> }>('/api/assets');
    expect(assets).toHaveLength(1);
    expect(assets[0]!.name).toBe('logo.png');
    const thumb = modal.locator(`.gjs-am-assets [style*="${assets[0]!.url}"], .gjs-am-assets img[src="${assets[0]!.url}"]`);
    await thumb.first().waitFor({ timeout: 5_000 });
    await modal.locator('.gjs-mdl-btn-close').click();
    await modal.waitFor({ state: 'hidden' });

    // The image block asks for its image at once: choosing the upload puts it on the screen.
    await dragBlock('image', 700, 60);
    await modal.waitFor({ timeout: 5_000 });
    await modal.locator('.gjs-am-asset-image').first().dblclick();
    await canvas().locator(`img[src="${assets[0]!.url}"]`).waitFor({ timeout: 5_000 });
    const loaded = await canvas()
      .locator(`img[src="${assets[0]!.url}"]`)
      .evaluate((el) => {
        const img = el as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth;
      });
    expect(loaded).toBe(64);
  });

  it('keeps a separate idle design with the idle-message block, saved with the runner design', async () => {
    await page.getByRole('button', { name: 'Idle', exact: true }).click();
    await page.locator('[data-block="field-idle_message"]').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await page.locator('[data-block="field-name"]').isVisible()).toBe(false);
    await expect.poll(() => field('name').count(), { timeout: 5_000 }).toBe(0);
    await dragBlock('field-idle_message', 300, 400);
    await field('idle_message').waitFor({ timeout: 5_000 });
    expect(await field('idle_message').textContent()).toBe('Welcome to Race Display');

    // A full-screen background image: it asks for its image at once, and stays under the text.
    await dragBlock('background', 400, 300);
    const modal = page.locator('.gjs-mdl-container');
    await modal.waitFor({ timeout: 5_000 });
    await modal.locator('.gjs-am-asset-image').first().dblclick();
    await modal.waitFor({ state: 'hidden', timeout: 5_000 });
    const background = canvas().locator('[data-p88-background]');
    expect(await background.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundImage)).toContain('/assets/');
    const box = (await background.boundingBox())!;
    const frame = (await page.locator('.gjs-frame').boundingBox())!;
    expect(Math.abs(box.x - frame.x) + Math.abs(box.width - frame.width)).toBeLessThan(2);
    await field('idle_message').click(); // on top of the background, so it gets the click
    await page.getByRole('tab', { name: 'Settings' }).click();
    expect(await page.getByTestId('builder-settings').locator('select').inputValue()).toBe('idle_message');
    await save(5);

    const { version } = await api<VersionBody>(`/api/templates/${templateId}`);
    expect(version.idle.html).toContain('data-p88-field="idle_message"');
    expect(version.idle.html).not.toContain('data-p88-field="name"');
    expect(version.idle.css).toMatch(/background-image:url\(["']?\/assets\/[0-9a-f]{32}["']?\)/);
    expect(version.runner.html).toContain('data-p88-field="name"');
    expect(version.runner.html).toContain('data-p88-field="team"');
    expect(version.runner.html).toMatch(/<img [^>]*src="\/assets\/[0-9a-f]{32}"/);
    expect(version.runner.html).not.toContain('idle_message');

    await page.getByRole('button', { name: 'Runner', exact: true }).click();
    await field('name').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'builder.png') });
  });

  it('reloads the saved template as it was', async () => {
    await page.reload();
    await field('name').waitFor({ timeout: 20_000 });
    expect(await field('team').count()).toBe(1);
    await page.getByRole('button', { name: 'Idle', exact: true }).click();
    await field('idle_message').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('builder-status').textContent()).toBe('Version 5');
  });

  it('deletes an unused image from the library, and shows the server refusing one a template shows', async () => {
    await page.getByRole('button', { name: 'Images' }).click();
    const modal = page.locator('.gjs-mdl-container');
    await modal.waitFor({ timeout: 5_000 });
    const spare = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#30d030' } }).png().toBuffer();
    await modal.locator('input[type=file]').setInputFiles({ name: 'spare.png', mimeType: 'image/png', buffer: spare });
    const status = page.getByTestId('asset-status');
    await status.getByText('Uploaded').waitFor({ timeout: 10_000 });
    const library = async () => (await api<{ assets: Array<{ url: string; name: string }> }>('/api/assets')).assets;
    const before = await library();
    expect(before.map((a) => a.name).sort()).toEqual(['logo.png', 'spare.png']);
    const tile = (name: string) => modal.locator('.gjs-am-asset', { hasText: name });
    // The × shows when the pointer is over the image, as for a person.
    const removeButton = async (name: string) => {
      await tile(name).hover();
      return tile(name).locator('[data-toggle="asset-remove"]');
    };

    // Confirmed: the unused one goes, for good.
    page.once('dialog', (d) => void d.accept());
    await (await removeButton('spare.png')).click();
    await status.getByText('Deleted spare.png').waitFor({ timeout: 10_000 });
    expect((await library()).map((a) => a.name)).toEqual(['logo.png']);
    expect(await tile('spare.png').count()).toBe(0);

    // The logo is in the saved template: the server refuses, says where, and it stays listed.
    page.once('dialog', (d) => void d.accept());
    await (await removeButton('logo.png')).click();
    await status.and(page.locator('.p88-am-error')).waitFor({ timeout: 10_000 });
    expect(await status.textContent()).toContain('“Finish line”');
    await tile('logo.png').waitFor({ timeout: 5_000 });
    expect((await library()).map((a) => a.name)).toEqual(['logo.png']);
    await modal.locator('.gjs-mdl-btn-close').click();
    await modal.waitFor({ state: 'hidden' });
  });

  it('shows the server refusing a website the styles import may not fetch', async () => {
    await page.getByRole('tab', { name: 'Website styles' }).click();
    await page.getByLabel('Website address').fill('http://127.0.0.1/');
    await page.getByRole('button', { name: 'Import styles' }).click();
    const error = page.getByTestId('fetch-styles-error');
    await error.waitFor({ timeout: 10_000 });
    expect((await error.textContent())!.length).toBeGreaterThan(5);
  });

  it('lists, duplicates and deletes templates; a template a live link shows cannot be deleted', async () => {
    await page.getByRole('link', { name: '← Templates' }).click();
    await page.waitForURL(`${stack.baseUrl}/templates`);
    const original = page.locator(`tr[data-template="${templateId}"]`);
    await original.getByText('v5').waitFor({ timeout: 5_000 });

    await original.getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(() => page.locator('[data-testid="templates"] tbody tr').count(), { timeout: 5_000 }).toBe(2);
    const copyId = Number(await page.locator(`[data-testid="templates"] tbody tr:not([data-template="${templateId}"])`).getAttribute('data-template'));
    const copy = await api<VersionBody>(`/api/templates/${copyId}`);
    expect(copy.version.runner.html).toContain('data-p88-field="name"');

    const copyRow = page.locator(`tr[data-template="${copyId}"]`);
    await copyRow.getByRole('button', { name: 'Delete' }).click();
    await copyRow.getByRole('button', { name: 'Delete for good' }).click();
    await copyRow.waitFor({ state: 'detached', timeout: 5_000 });

    // A live display link bound to the template: the server refuses the delete, the screen says why.
    const csrf = ((await (await page.request.get(`${stack.baseUrl}/api/auth/me`)).json()) as { csrf_token: string }).csrf_token;
    const link = await page.request.post(`${stack.baseUrl}/api/display-links`, {
      headers: { 'x-csrf-token': csrf },
      data: { name: 'Finish screen', template_id: templateId },
    });
    expect(link.status()).toBe(201);
    await original.getByRole('button', { name: 'Delete' }).click();
    await original.getByRole('button', { name: 'Delete for good' }).click();
    const refusal = page.getByTestId('template-error');
    await refusal.waitFor({ timeout: 5_000 });
    expect(await refusal.textContent()).toMatch(/link|display/i);
    expect(await original.count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'templates.png'), fullPage: true });
  });

  it('shows a runner in the template built here, on a display link opened in a second browser, from a CTP01 read', async () => {
    // The partner's owner (through the API) adds what the builder does not: a timing source, a roster, a link.
    const partner = (await stack.accounts.partners.findBySlug(PARTNER.slug))!;
    const owner = await signIn(stack.app, partner.id, 'owner');
    const call = async (method: 'POST', url: string, payload: object) => {
      const res = await stack.app.inject({ method, url, headers: owner.headers, payload });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };
    const source = await call('POST', '/api/sources', { name: 'Finish laptop' });
    const event = await call('POST', '/api/rosters', { name: 'Builder 10K' });
    await call('POST', `/api/rosters/${event.id}/participants`, { bib: '4242', first_name: 'Grace', last_name: 'Hopper', custom_message: 'Amazing Grace!' });
    const link = await call('POST', '/api/display-links', { name: 'Built finish', template_id: templateId, roster_event_id: event.id, locations: ['finish'] });

    const screen = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    try {
      await screen.goto(`${stack.baseUrl}/d/${link.id}`);
      // Idle is drawn before the stream opens; a read sent before it opens is not this screen's.
      await screen.waitForFunction(() => (globalThis as any).document.body.dataset.state === 'idle' && (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 10_000 });
      const ctp = await RawClient.signedIn(stack.collector.tcpPort, source.user_id, source.secret, { locations: ['finish'] });
      ctp.send(`CT01_33~1~finish~4242~${raceTimeField(10)}~1~0A0B0C~1`);
      await screen.waitForFunction(() => (globalThis as any).document.body.dataset.bib === '4242', undefined, { timeout: 10_000 });
      ctp.close();
      const runner = await (await screen.locator('.p88-frame-runner').elementHandle()).contentFrame();
      const text = (f: string) => runner!.evaluate((name) => (globalThis as any).document.querySelector(`[data-p88-field="${name}"]`)?.textContent as string, f);
      expect(await text('name')).toBe('Grace Hopper');
      expect(await text('message')).toBe('Amazing Grace!');
      expect(await text('team')).toBe(''); // a field the runner has no value for stays empty, never sample text
      await screen.screenshot({ path: join(ARTIFACTS, 'display-from-builder.png') });
    } finally {
      await screen.context().close();
    }
  });

  it('shows a viewer the designs and versions, with nothing that edits them', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const view = await context.newPage();
    try {
      await view.goto(`${stack.baseUrl}/sign-in`);
      await view.getByLabel('Email').fill(VIEWER.email);
      await view.getByLabel('Password').fill(PASSWORD);
      await view.getByRole('button', { name: 'Sign in' }).click();
      await view.locator('.topbar').waitFor({ timeout: 10_000 });
      await view.goto(`${stack.baseUrl}/templates/${templateId}`);
      const name = view.frameLocator('.gjs-frame').locator('[data-p88-field="name"]');
      await name.waitFor({ timeout: 20_000 });
      await view.getByTestId('builder-view-only').waitFor({ timeout: 5_000 });
      expect(await view.getByText('View only').isVisible()).toBe(true);
      expect(await view.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
      expect(await view.getByRole('button', { name: 'Undo' }).isVisible()).toBe(false);
      expect(await view.locator('[data-block="field-name"]').isVisible()).toBe(false);
      expect(await view.getByRole('tab').allTextContents()).toEqual(['Versions']);

      // Clicking a field selects nothing, and Delete removes nothing.
      await name.click();
      await view.keyboard.press('Delete');
      await view.waitForTimeout(300);
      expect(await view.locator('.gjs-toolbar:visible').count()).toBe(0);
      expect(await name.count()).toBe(1);
      expect(await view.getByTestId('builder-status').textContent()).toMatch(/^Version \d+$/);
    } finally {
      await context.close();
    }
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});

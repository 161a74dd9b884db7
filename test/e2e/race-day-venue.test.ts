/**
 * Race day at the venue (issue 17), in Debian's Chromium against the REAL backend and collector
 * (reads arrive over CTP01): templates made from each starter design of the gallery showing
 * runners on a display link (portrait ones on a portrait stage); a screen named from the
 * operator console keeping its name when it reconnects, and leaving the console within
 * seconds of being closed; the new-link form's race filter (a 5K and a 10K on one finish mat:
 * the 10K screen shows only 10K runners); the console's "dropped runners" warning for a
 * spotlight whose queue overflows; a list block placed in the builder showing rows. The tests
 * run in order and share one stack; the owner signs in once.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STARTER_DESIGNS } from '../../src/shared/starter-designs.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { RawClient } from '../helpers/ctp-client.js';
import { raceTimeField } from '../helpers/race-day.js';
import { createPartnerWithUsers, startWebStack, type WebStack } from '../helpers/web-stack.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks run in the browser; this project compiles without DOM types */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const PASSWORD = 'correct horse battery staple';
const PARTNER = { slug: 'race-day-venue', name: 'Race Day Venue' };
const OWNER = { email: 'olga@race-day-venue.example', name: 'Olga Owner', role: 'owner' };

/** 5K runners are bibs 500–549, 10K runners 1000–1049; even bibs start in wave 1, odd ones in wave 2. */
const bibOf = (race: '5K' | '10K', i: number) => String((race === '5K' ? 500 : 1000) + i);
const waveOf = (bib: string) => (Number(bib) % 2 === 0 ? 'Wave 1' : 'Wave 2');

describe.skipIf(!browserTestsEnabled())('race day at the venue, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let owner: SignedIn;
  let rosterId = 0;
  let ctp: RawClient;
  let seq = 0;
  let crossingS = 0;
  const used = { '5K': 0, '10K': 0 };
  const contexts: BrowserContext[] = [];

  async function api<T = any>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object): Promise<T> {
    const res = await stack.app.inject({ method, url, headers: owner.headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  }

  /** A runner of the race crosses the finish mat (a new one each time); their bib. */
  function cross(race: '5K' | '10K'): string {
    const bib = bibOf(race, used[race]++);
    seq++;
    crossingS++;
    ctp.send(`CT01_33~${seq}~finish~TAG${bib}~${raceTimeField(10, 0, crossingS)}~1~0A0B0C~1`);
    return bib;
  }

  /** A display page in its own context (a TV), open and subscribed. */
  async function openDisplay(linkId: string, viewport = { width: 1280, height: 720 }): Promise<Page> {
    const c = await browser.newContext({ viewport });
    contexts.push(c);
    const p = await c.newPage();
    await p.goto(`${stack.baseUrl}/d/${linkId}`);
    await p.waitForFunction(() => (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 15_000 });
    return p;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    await createPartnerWithUsers(stack, PARTNER, [OWNER], PASSWORD);
    const partnerId = (await stack.t.owner.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [PARTNER.slug])).rows[0]!.id;
    owner = await signIn(stack.app, partnerId, 'owner');
    const source = await api('POST', '/api/sources', { name: 'finish laptop' });
    rosterId = (await api('POST', '/api/rosters', { name: 'Venue 5K and 10K' })).id;
    for (const race of ['5K', '10K'] as const) {
      for (let i = 0; i < 50; i++) {
        const bib = bibOf(race, i);
        await api('POST', `/api/rosters/${rosterId}/participants`, { bib, first_name: `Runner${bib}`, last_name: race, city: 'Boulder', state: 'CO', race, wave: waveOf(bib), tags: [`TAG${bib}`] });
      }
    }
    ctp = await RawClient.signedIn(stack.collector.tcpPort, source.user_id, source.secret, { locations: ['finish'] });
    // The gun: finishers get an elapsed time (the leaderboard ranks by it).
    ctp.send(`CT01_33~${++seq}~finish~guntime~${raceTimeField(9, 0, 0)}~1~0A0B0C~1`);

    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    await page.goto(`${stack.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    ctp?.close();
    for (const c of contexts) await c.close().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  it('a template made from each starter design of the gallery shows runners on a display link', async () => {
    for (const starter of STARTER_DESIGNS) {
      await page.goto(`${stack.baseUrl}/templates`);
      const gallery = page.getByTestId('starter-gallery');
      await gallery.waitFor({ timeout: 10_000 });
      await page.getByLabel('Template name').fill(`Finish ${starter.id}`);
      await gallery.locator(`label[data-starter="${starter.id}"]`).click();
      await page.getByRole('button', { name: 'Create and open' }).click();
      await page.waitForURL(/\/templates\/\d+$/, { timeout: 10_000 });
      const templateId = Number(/\/templates\/(\d+)$/.exec(page.url())![1]);

      // The builder opens it on a screen of its shape, with the starter's blocks on it.
      const canvas = page.frameLocator('.gjs-frame');
      await canvas.locator('[data-p88-field="name"]').first().waitFor({ timeout: 20_000 });
      const screen = await canvas.locator('body').evaluate((b: any) => {
        const s = b.ownerDocument.defaultView.getComputedStyle(b);
        return { width: s.width, height: s.height };
      });
      expect(screen).toEqual(starter.format === 'portrait' ? { width: '1080px', height: '1920px' } : { width: '1920px', height: '1080px' });
      const saved = await api('GET', `/api/templates/${templateId}`);
      expect(saved.template.format).toBe(starter.format);
      expect(saved.version.runner).toEqual(starter.runner);

      const link = await api('POST', '/api/display-links', {
        name: `TV ${starter.id}`,
        roster_event_id: rosterId,
        template_id: templateId,
        locations: ['finish'],
        settings: { minDisplayMs: 1000, animation: 'none' },
      });
      const tv = starter.format === 'portrait' ? { width: 540, height: 960 } : { width: 1280, height: 720 };
      const display = await openDisplay(link.id, tv);
      const bib = cross('10K');
      const frame = display.frameLocator('.p88-frame-runner');
      if (starter.layout === 'spotlight') {
        await display.waitForFunction((b) => (globalThis as any).document.body.dataset.bib === b, bib, { timeout: 15_000 });
        expect(await frame.locator('[data-p88-field="name"]').textContent()).toBe(`Runner${bib} 10K`);
      } else {
        const row = frame.locator(`[data-p88-row-of="${bib}"]`);
        await row.waitFor({ timeout: 15_000 });
        expect(await row.locator('[data-p88-field="name"]').textContent()).toBe(`Runner${bib} 10K`);
        expect(await row.locator('[data-p88-field="rank"]').textContent()).toBe('1');
        expect(await row.locator('[data-p88-field="elapsed"]').textContent()).not.toBe('');
      }
      // The stage has the design's shape, filling the TV.
      expect(await display.evaluate(() => (globalThis as any).document.body.dataset.format)).toBe(starter.format);
      const box = (await display.locator('.p88-canvas').boundingBox())!;
      expect(box.width).toBeCloseTo(tv.width, 0);
      expect(box.height).toBeCloseTo(tv.height, 0);
      await display.screenshot({ path: join(RESULTS, `starter-${starter.id}.png`) });
      await display.context().close();
    }
    await page.goto(`${stack.baseUrl}/templates`);
    // Each choice is a radio named by its label, the spotlight chosen to begin with.
    const gallery = page.getByTestId('starter-gallery');
    expect(await gallery.getByRole('radio', { name: /^Spotlight · 16:9/ }).isChecked()).toBe(true);
    await gallery.getByRole('radio', { name: /^Leaderboard · Portrait/ }).check();
    expect(await gallery.getByRole('radio', { name: /^Spotlight · 16:9/ }).isChecked()).toBe(false);
    await gallery.screenshot({ path: join(RESULTS, 'starter-gallery.png') });
  });

  it('an operator names a screen in the console; it keeps the name when it reconnects and leaves the console when closed', async () => {
    const link = await api('POST', '/api/display-links', { name: 'Named screens', roster_event_id: rosterId, locations: ['finish'], settings: { animation: 'none', idleMessages: ['Welcome'] } });
    const display = await openDisplay(link.id);
    await page.goto(`${stack.baseUrl}/displays/${link.id}/console`);
    const card = page.getByTestId('screens').locator('li.screen-card');
    await card.waitFor({ timeout: 10_000 });
    const screenId = await card.getAttribute('data-screen');
    await expect.poll(() => card.getByTestId('screen-name').textContent()).toBe('Unnamed screen');
    await card.getByRole('button', { name: 'Name this screen' }).click();
    await card.getByLabel('Screen name').fill('Finish TV left');
    await card.getByRole('button', { name: 'Save name' }).click();
    await card.getByTestId('screen-name').getByText('Finish TV left', { exact: true }).waitFor({ timeout: 5_000 });
    // The id is no longer the screen's title.
    expect(await card.getByRole('heading').textContent()).toBe('Finish TV left');

    // A change to the link makes the screen reconnect (new stream, same page): still named.
    await api('PATCH', `/api/display-links/${link.id}`, { settings: { animation: 'none', idleMessages: ['Reconnected'] } });
    await display.frameLocator('.p88-frame-idle').getByText('Reconnected').waitFor({ timeout: 15_000 });
    await display.waitForFunction(() => (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 15_000 });
    await page.reload();
    await page.getByTestId('screens').locator(`li.screen-card[data-screen="${screenId}"]`).getByTestId('screen-name').getByText('Finish TV left').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(RESULTS, 'console-named-screen.png') });

    // Its pagehide listener sends the close beacon, which the server honours even while the
    // stream is still open (a proxy may hold a dead screen's stream): dispatched by hand here,
    // the screen leaves until its next report (every 3 s) brings it back.
    const listed = async () => (await api<{ screens: Array<{ screen_id: string }> }>('GET', `/api/display-links/${link.id}/screens`)).screens.length;
    expect(await listed()).toBe(1);
    await display.evaluate(() => (globalThis as any).dispatchEvent(new (globalThis as any).PageTransitionEvent('pagehide')));
    await expect.poll(listed, { timeout: 2_000, interval: 50 }).toBe(0);
    await expect.poll(listed, { timeout: 6_000 }).toBe(1);

    // The kiosk leaves the page: off the console in seconds (the console polls every 2 s).
    const closedAt = Date.now();
    await display.goto('about:blank');
    await page.getByText('No screen has this link open').waitFor({ timeout: 6_000 });
    const gone = Date.now() - closedAt;
    console.info(`console: a closed screen left the console ${gone} ms after its page was left`);
    expect(gone).toBeLessThan(6_000);
  });

  /**
   * Drags a block of the builder's panel onto the canvas with the mouse (Chromium makes it a
   * native drag and drop), to (x, y) of the frame as it shows on the page (zoomed out).
   */
  async function dragBlock(name: string, x: number, y: number): Promise<void> {
    const block = page.locator(`[data-block="${name}"]`);
    await block.scrollIntoViewIfNeeded();
    const from = (await block.boundingBox())!;
    const frame = (await page.locator('.gjs-frame').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 2 });
    await page.mouse.move(frame.x + x - 20, frame.y + y - 20, { steps: 5 });
    await page.waitForTimeout(50);
    await page.mouse.move(frame.x + x, frame.y + y, { steps: 5 });
    await page.waitForTimeout(50);
    await page.mouse.up();
  }

  it('counts one of a thing in the singular: "1 event"', async () => {
    await page.goto(`${stack.baseUrl}/rosters`);
    await page.getByText('Venue 5K and 10K').first().waitFor({ timeout: 10_000 });
    expect(await page.getByText('1 event', { exact: true }).count()).toBe(1);
    expect(await page.getByText('1 events').count()).toBe(0);
  });

  /** The id of the partner's link of this name. */
  async function linkNamed(name: string): Promise<string> {
    const { links } = await api<{ links: Array<{ id: string; name: string }> }>('GET', '/api/display-links');
    const found = links.find((l) => l.name === name);
    if (!found) throw new Error(`no link named ${name}`);
    return found.id;
  }

  it('the new-link form filters by race and wave: on one finish mat, a 10K wave 1 link shows only those runners', async () => {
    await page.goto(`${stack.baseUrl}/displays`);
    await page.getByRole('button', { name: 'New display link' }).click();
    const form = page.getByTestId('display-form');
    await form.waitFor();
    await form.getByLabel('Name', { exact: true }).fill('10K finish');
    await form.locator('select[name="template"]').selectOption({ label: 'Finish recent-landscape' });
    // The label names the select by itself (a wrapping label added every option to its name).
    await form.getByRole('combobox', { name: 'Roster', exact: true }).selectOption(String(rosterId));
    // The active session's finish is ticked by itself once its locations are known.
    await page.getByTestId('display-locations').getByLabel('finish').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('display-locations').getByLabel('finish').isChecked()).toBe(true);
    await form.getByLabel(/^Only races/).fill('10K');
    await form.getByLabel(/^Only waves/).fill('Wave 1');
    await form.getByRole('button', { name: 'Create display link' }).click();
    await page.getByTestId('display-saved').waitFor({ timeout: 5_000 });
    const linkId = await linkNamed('10K finish');
    expect((await api('GET', '/api/display-links')).links.find((l: { id: string }) => l.id === linkId).settings).toMatchObject({ races: ['10K'], waves: ['Wave 1'] });

    const display = await openDisplay(linkId);
    const sent = { '5K': [] as string[], '10K': [] as string[] };
    for (const race of ['5K', '10K', '5K', '10K', '5K', '10K', '10K', '5K'] as const) sent[race].push(cross(race));
    const wanted = sent['10K'].filter((b) => waveOf(b) === 'Wave 1');
    expect(wanted.length).toBe(2);
    expect(sent['5K'].some((b) => waveOf(b) === 'Wave 1')).toBe(true); // a 5K wave 1 runner too: the race filter holds
    const frame = display.frameLocator('.p88-frame-runner');
    await frame.locator(`[data-p88-row-of="${wanted.at(-1)}"]`).waitFor({ timeout: 15_000 });
    // The last read was a 5K runner's, sent after the last 10K one: give it time to (not) arrive.
    await display.waitForTimeout(1_500);
    const rows = await frame.locator('[data-p88-row-of]').evaluateAll((els: any[]) => els.map((e) => e.getAttribute('data-p88-row-of')));
    expect(rows).toEqual([...wanted].reverse());
    await display.screenshot({ path: join(RESULTS, 'race-filter-10k.png') });
    await display.context().close();
  });

  it('the console warns that a spotlight screen whose queue overflowed dropped runners', async () => {
    const link = await api('POST', '/api/display-links', {
      name: 'Spotlight overflow',
      roster_event_id: rosterId,
      locations: ['finish'],
      settings: { minDisplayMs: 60_000, maxQueue: 2, dropPolicy: 'oldest', animation: 'none' },
    });
    const display = await openDisplay(link.id);
    // One on screen for a minute, two waiting, three more than the queue holds.
    const bibs = Array.from({ length: 6 }, () => cross('5K'));
    await display.waitForFunction((b) => (globalThis as any).document.body.dataset.bib === b, bibs[0], { timeout: 15_000 });
    await page.goto(`${stack.baseUrl}/displays/${link.id}/console`);
    const warning = page.getByTestId('screens').locator('li.screen-card').getByTestId('screen-overflow');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.textContent()).toContain('3 runners were never shown because its queue was full');
    expect(await page.getByTestId('queue-length').textContent()).toBe('2');
    await page.screenshot({ path: join(RESULTS, 'console-dropped.png') });
    await display.context().close();
  });

  it('a finisher list block placed in the builder and saved shows rows on a display', async () => {
    await page.goto(`${stack.baseUrl}/templates`);
    await page.getByLabel('Template name').fill('Built list');
    await page.getByTestId('starter-gallery').locator('label[data-starter="blank-landscape"]').click();
    await page.getByRole('button', { name: 'Create and open' }).click();
    await page.waitForURL(/\/templates\/\d+$/, { timeout: 10_000 });
    const templateId = Number(/\/templates\/(\d+)$/.exec(page.url())![1]);
    const block = page.locator('[data-block="list-recent"]');
    await block.waitFor({ timeout: 20_000 });
    await block.scrollIntoViewIfNeeded();
    const canvas = page.frameLocator('.gjs-frame');
    await canvas.locator('body').waitFor({ timeout: 10_000 });
    await dragBlock('list-recent', 80, 80);
    await canvas.locator('[data-p88-list="recent"]').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('builder-notice').getByText('Saved as version 2.').waitFor({ timeout: 10_000 });
    const saved = await api('GET', `/api/templates/${templateId}`);
    expect(saved.version.runner.html).toContain('data-p88-list="recent"');

    const link = await api('POST', '/api/display-links', { name: 'Built list TV', roster_event_id: rosterId, template_id: templateId, locations: ['finish'], settings: { animation: 'none' } });
    const display = await openDisplay(link.id);
    const bibs = [cross('10K'), cross('5K'), cross('10K')];
    const rows = display.frameLocator('.p88-frame-runner').locator('[data-p88-row-of]');
    await expect.poll(() => rows.evaluateAll((els: any[]) => els.map((e) => e.getAttribute('data-p88-row-of'))), { timeout: 15_000 }).toEqual([...bibs].reverse());
    expect(await display.frameLocator('.p88-frame-runner').locator(`[data-p88-row-of="${bibs[2]}"] [data-p88-field="name"]`).textContent()).toBe(`Runner${bibs[2]} 10K`);
    await display.screenshot({ path: join(RESULTS, 'builder-list-display.png') });
    await display.context().close();
  });

  it('the builder: a field dropped at the right edge stays on the screen, a design switch leaves nothing selected, "Saved" does not move it', async () => {
    await page.goto(`${stack.baseUrl}/templates`);
    await page.getByLabel('Template name').fill('Edge drops');
    await page.getByTestId('starter-gallery').locator('label[data-starter="blank-landscape"]').click();
    await page.getByRole('button', { name: 'Create and open' }).click();
    await page.waitForURL(/\/templates\/\d+$/, { timeout: 10_000 });
    await page.locator('[data-block="field-name"]').waitFor({ timeout: 20_000 });
    const canvas = page.frameLocator('.gjs-frame');
    await canvas.locator('body').waitFor({ timeout: 10_000 });
    const frame = (await page.locator('.gjs-frame').boundingBox())!;
    const zoom = frame.width / 1920;

    // Dropped 10 design px from the right edge: the whole box is on the 1920 px screen.
    await dragBlock('field-name', frame.width - 10 * zoom, 100 * zoom);
    const name = canvas.locator('[data-p88-field="name"]');
    await name.waitFor({ timeout: 5_000 });
    const box = await name.evaluate((el: any) => ({ left: el.offsetLeft, width: el.offsetWidth, right: el.offsetLeft + el.offsetWidth }));
    expect(box.width).toBeGreaterThan(100);
    expect(box.right).toBeLessThanOrEqual(1920);

    // Selected on the runner design, its settings and styles show; on the idle design nothing
    // is selected, and the style panel shows nothing to style.
    const traits = page.getByTestId('builder-settings').locator('.gjs-trt-trait');
    const styles = page.getByTestId('builder-styles');
    expect(await styles.isVisible()).toBe(false);
    await name.click();
    await styles.waitFor({ state: 'visible', timeout: 5_000 });
    await page.getByRole('tab', { name: 'Settings', exact: true }).click();
    await expect.poll(() => traits.count(), { timeout: 5_000 }).toBeGreaterThan(0);
    await page.getByRole('group', { name: 'Design' }).getByRole('button', { name: 'Idle' }).click();
    await expect.poll(() => traits.count(), { timeout: 5_000 }).toBe(0);
    await page.getByRole('tab', { name: 'Style', exact: true }).click();
    expect(await styles.isVisible()).toBe(false);
    await page.getByRole('group', { name: 'Design' }).getByRole('button', { name: 'Runner' }).click();

    // The "Saved" message floats over the canvas: the builder stays where it was.
    const before = (await page.locator('.gjs-frame').boundingBox())!;
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('builder-notice').getByText('Saved as version 2.').waitFor({ timeout: 10_000 });
    const after = (await page.locator('.gjs-frame').boundingBox())!;
    expect(after.y).toBeCloseTo(before.y, 0);
    expect(after.height).toBeCloseTo(before.height, 0);
    // And the builder fills the window under the top bar, without a page scroll bar.
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollHeight <= (globalThis as any).innerHeight + 1)).toBe(true);
    await page.screenshot({ path: join(RESULTS, 'builder-saved.png') });
  });

  /**
   * What sticks out at this width: the page wider than the window, or an element past the
   * right edge of its panel or of the window (outside any scrolling box, such as a wide table's).
   */
  async function overflowAt(width: number, url: string, prepare?: (p: Page) => Promise<void>): Promise<string[]> {
    const c = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(c);
    await c.addCookies(await context.cookies());
    const p = await c.newPage();
    await p.goto(`${stack.baseUrl}${url}`);
    await p.locator('.topbar').waitFor({ timeout: 10_000 });
    await p.waitForLoadState('networkidle');
    if (prepare) await prepare(p);
    const found = await p.evaluate(() => {
      const w = globalThis as any;
      const out: string[] = [];
      const doc = w.document.documentElement;
      if (doc.scrollWidth > doc.clientWidth + 1) out.push(`page ${doc.scrollWidth} px wide`);
      for (const el of w.document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        let limit = w.innerWidth;
        let what = 'window';
        let scrolled = false;
        for (let a = el.parentElement; a; a = a.parentElement) {
          const ox = w.getComputedStyle(a).overflowX;
          if (ox === 'auto' || ox === 'scroll') {
            scrolled = true;
            break;
          }
          if (a.classList.contains('panel') || a.classList.contains('topbar')) {
            limit = Math.min(limit, a.getBoundingClientRect().right);
            what = a.className;
            break;
          }
        }
        if (scrolled) continue;
        if (r.right > limit + 1 || r.left < -1) {
          const name = `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
          out.push(`${name} "${(el.textContent ?? '').trim().slice(0, 30)}" ends at ${Math.round(r.right)} past ${what} ${Math.round(limit)}`);
        }
      }
      // Every tab of the main navigation is on screen, its label on one line.
      for (const a of w.document.querySelectorAll('.topnav a')) {
        const r = a.getBoundingClientRect();
        if (r.right > w.innerWidth + 1 || r.left < -1) out.push(`nav "${a.textContent}" off screen`);
        const range = w.document.createRange();
        range.selectNodeContents(a);
        const lines = new Set([...range.getClientRects()].map((x: any) => Math.round(x.top)));
        if (lines.size > 1) out.push(`nav "${a.textContent}" wraps`);
      }
      return out;
    });
    await p.screenshot({ path: join(RESULTS, `layout-${width}${url.replace(/\//g, '-')}.png`), fullPage: true });
    await c.close();
    return found;
  }

  for (const width of [390, 1024, 1366, 1920]) {
    it(`at ${width} px nothing sticks out: navigation, dashboard, templates, rosters, the new-link form with its session picker`, async () => {
      const problems: string[] = [];
      for (const url of ['/dashboard', '/templates', '/rosters', '/results', '/plan', '/users']) problems.push(...(await overflowAt(width, url)).map((x) => `${url}: ${x}`));
      const form = async (p: Page) => {
        await p.getByRole('button', { name: 'New display link' }).click();
        await p.getByTestId('session-picker').locator('li[data-session]').first().waitFor({ timeout: 10_000 });
      };
      problems.push(...(await overflowAt(width, '/displays', form)).map((x) => `/displays form: ${x}`));
      expect(problems).toEqual([]);
    });
  }
});

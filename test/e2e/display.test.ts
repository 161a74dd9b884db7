/**
 * The display screen in Chromium, on the real backend: two partners' links open in separate
 * browser contexts, reads sent over real CTP01 connections, and each screen shows its own
 * partner's runner (name and message from its own roster), idle design between runners, no
 * sample text ever, long names fitted, the minimum display time kept, and nothing in a
 * hostile template able to run. The screenshot is kept in test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { RawClient } from '../helpers/ctp-client.js';
import { startWebStack, type WebStack } from '../helpers/web-stack.js';
import { raceTime } from '../helpers/race-day.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks run in the browser; this project compiles without DOM types */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const LONG_NAME = 'Maximiliana Wolfeschlegelsteinhausenbergerdorff-Montgomery';

interface Partner {
  owner: SignedIn;
  source: { user_id: string; secret: string };
  linkId: string;
  ctp: RawClient;
  seq: number;
}

describe.skipIf(!browserTestsEnabled())('display screens in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const dialogs: string[] = [];
  let a: Partner;
  let b: Partner;
  let pageA: Page;
  let pageB: Page;

  async function api(who: SignedIn, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
    const res = await stack.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  }

  async function setUpPartner(slug: string, people: Array<Record<string, string>>, template: { runner: object; idle: object }): Promise<Partner> {
    const partner = await stack.accounts.partners.create({ slug, name: slug });
    const owner = await signIn(stack.app, partner.id, 'owner');
    const source = await api(owner, 'POST', '/api/sources', { name: `${slug} laptop` });
    const event = await api(owner, 'POST', '/api/rosters', { name: `${slug} 10K` });
    for (const p of people) await api(owner, 'POST', `/api/rosters/${event.id}/participants`, p);
    const t = await api(owner, 'POST', '/api/templates', { name: `${slug} finish`, ...template });
    const link = await api(owner, 'POST', '/api/display-links', {
      name: `${slug} finish`,
      template_id: t.template.id,
      roster_event_id: event.id,
      locations: ['finish'],
      settings: { minDisplayMs: 1_500, idleMessages: [`${slug} idle`], animation: 'none' },
    });
    const ctp = await RawClient.signedIn(stack.collector.tcpPort, source.user_id, source.secret, { locations: ['finish'] });
    return { owner, source, linkId: link.id, ctp, seq: 0 };
  }

  /** A chip read at the finish, as the timing software sends it. */
  function cross(p: Partner, tag: string): void {
    p.seq++;
    const time = new Date(raceTime(10, 0, p.seq)).toISOString().slice(0, 22);
    p.ctp.send(`CT01_33~${p.seq}~finish~${tag}~${time}~1~0A0B0C~1`);
  }

  async function openScreen(linkId: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${stack.baseUrl}/d/${linkId}`);
    // Idle is drawn before the stream opens; a read sent before it opens is not this screen's.
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.state === 'idle' && (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 10_000 });
    return page;
  }

  async function frame(page: Page, role: 'runner' | 'idle'): Promise<Frame> {
    const f = await (await page.locator(`.p88-frame-${role}`).elementHandle())?.contentFrame();
    if (!f) throw new Error(`no ${role} frame`);
    return f;
  }
  const fieldText = async (page: Page, role: 'runner' | 'idle', field: string) =>
    (await frame(page, role)).evaluate((f) => ((globalThis as any).document.querySelector(`[data-p88-field="${f}"]`)?.textContent ?? null) as string | null, field);
  const waitForBib = (page: Page, bib: string) => page.waitForFunction((x) => (globalThis as any).document.body.dataset.bib === x, bib, { timeout: 10_000 });

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    const runner = {
      html:
        '<div class="name" data-p88-field="name" data-p88-fit>Runner Name</div><div class="msg" data-p88-field="message">Message</div>' +
        '<img src="x" onerror="alert(\'xss\')"><script>alert("xss")</script><div onclick="alert(1)" data-p88-field="bib">0000</div>',
      css:
        'body { background: #0b1d3a; color: #fff; font-family: sans-serif; } ' +
        '.name { margin: 200px 160px 0; width: 1600px; height: 220px; font-size: 180px; font-weight: 700; white-space: nowrap; overflow: hidden; } ' +
        '.msg { margin: 40px 160px; font-size: 72px; color: #9fe3b8; }',
    };
    const idle = { html: '<div class="idle" data-p88-field="idle_message">Idle sample</div>', css: '.idle { font-size: 100px; }' };
    a = await setUpPartner('alpha', [
      { bib: '101', first_name: 'Ada', last_name: 'Lovelace', custom_message: 'Go Ada!' },
      { bib: '102', first_name: LONG_NAME.split(' ')[0]!, last_name: LONG_NAME.split(' ')[1]!, custom_message: 'Long way home' },
      { bib: '103', first_name: 'Alan', last_name: 'Turing', custom_message: 'Codebreaker' },
    ], { runner, idle });
    b = await setUpPartner('beta', [{ bib: '101', first_name: 'Bea', last_name: 'Rival', custom_message: 'Beta only' }], { runner, idle });
    [pageA, pageB] = await Promise.all([openScreen(a.linkId), openScreen(b.linkId)]);
  });

  afterAll(async () => {
    a?.ctp.close();
    b?.ctp.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await stack?.close();
  });

  it('starts idle, with the idle message and no sample text anywhere', async () => {
    expect(await fieldText(pageA, 'idle', 'idle_message')).toBe('alpha idle');
    expect(await fieldText(pageA, 'runner', 'name')).toBe('');
    expect(await pageA.locator('.p88-frame-runner').evaluate((el) => (globalThis as any).getComputedStyle(el).visibility)).toBe('hidden');
    const visibleText = await pageA.evaluate(() => (globalThis as any).document.body.innerText as string);
    expect(visibleText).not.toMatch(/Runner Name|Idle sample|\{\{/);
    // The template's frames cannot run scripts: sandboxed without allow-scripts.
    const sandboxes = await pageA.locator('iframe').evaluateAll((els) => els.map((e) => e.getAttribute('sandbox')));
    expect(sandboxes).toEqual(['allow-same-origin', 'allow-same-origin']);
  });

  it("shows each partner's runner on its own screens only, with the roster's name and message", async () => {
    cross(a, '101');
    await waitForBib(pageA, '101');
    expect(await fieldText(pageA, 'runner', 'name')).toBe('Ada Lovelace');
    expect(await fieldText(pageA, 'runner', 'message')).toBe('Go Ada!');
    // Partner B's screen saw nothing of A's read.
    await pageB.waitForTimeout(500);
    expect(await pageB.evaluate(() => [(globalThis as any).document.body.dataset.state, (globalThis as any).document.body.dataset.bib])).toEqual(['idle', '']);

    cross(b, '101'); // the same bib at B is B's own runner
    await waitForBib(pageB, '101');
    expect(await fieldText(pageB, 'runner', 'name')).toBe('Bea Rival');
    expect(await fieldText(pageB, 'runner', 'message')).toBe('Beta only');
    expect(await fieldText(pageA, 'runner', 'name')).toBe('Ada Lovelace');
    await pageA.screenshot({ path: join(RESULTS, 'display-finish.png') });
  });

  it('keeps each runner on screen for the minimum time, in order, then goes idle', async () => {
    await pageA.waitForFunction(() => (globalThis as any).document.body.dataset.state === 'idle', undefined, { timeout: 10_000 });
    cross(a, '102');
    cross(a, '103');
    await waitForBib(pageA, '102');
    const shownAt = Date.now();
    // A long name is shrunk to fit its box instead of overflowing it.
    const fit = await (await frame(pageA, 'runner')).evaluate(() => {
      const g = globalThis as any;
      const el = g.document.querySelector('[data-p88-field="name"]');
      return { text: el.textContent as string, size: parseFloat(g.getComputedStyle(el).fontSize), fits: el.scrollWidth <= el.clientWidth + 1 };
    });
    expect(fit).toMatchObject({ text: LONG_NAME, fits: true });
    expect(fit.size).toBeLessThan(180);
    await waitForBib(pageA, '103');
    expect(Date.now() - shownAt).toBeGreaterThanOrEqual(1_300);
    expect(await fieldText(pageA, 'runner', 'name')).toBe('Alan Turing');
    await pageA.waitForFunction(() => (globalThis as any).document.body.dataset.state === 'idle', undefined, { timeout: 10_000 });
  });

  it('ran nothing from the hostile template', async () => {
    expect(dialogs).toEqual([]);
    const html = await (await frame(pageA, 'runner')).evaluate(() => (globalThis as any).document.body.innerHTML as string);
    expect(html).not.toMatch(/onerror|onclick|<script/i);
  });
});

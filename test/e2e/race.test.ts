/**
 * Many finishers at once, in Debian's Chromium against the REAL backend: a 200-runner finish
 * (a read every 60 ms over real CTP01, about 16 finishers a second) watched by three screens of
 * the same session: the one-runner spotlight (the built-in design), a "last N finishers" list
 * and a women's leaderboard (top 12 by elapsed time), the latter two built from list blocks.
 * Every finisher must appear in the list layout's rows; the leaderboard must end on exactly
 * the 10 fastest women; the spotlight shows what it can and its report says how many it had to
 * drop. The figures (finishers shown / crossing, per layout) are printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { RawClient } from '../helpers/ctp-client.js';
import { startWebStack, type WebStack } from '../helpers/web-stack.js';
import { raceTime } from '../helpers/race-day.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks run in the browser; this project compiles without DOM types */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');
const RUNNERS = 200;
const GAP_MS = 60;

/** A list block as the builder writes it: a heading, and one row the screen repeats. */
function listDesign(kind: 'recent' | 'leaderboard', extra = ''): { html: string; css: string } {
  return {
    html: `<div class="board" data-p88-list="${kind}" data-p88-rows="12"${extra}><div class="title">${kind === 'recent' ? 'Latest finishers' : 'Fastest women'}</div>
<div class="row" data-p88-row=""><span class="rank" data-p88-field="rank">1</span><span class="bib" data-p88-field="bib">1234</span><span class="name" data-p88-field="name" data-p88-fit="">Alexandra Montgomery</span><span class="city" data-p88-field="city_state">Boulder, CO</span><span class="time" data-p88-field="elapsed">3:12:45</span></div></div>`,
    css: `body{background:#0b1d3a;color:#fff}
.board{position:absolute;left:120px;top:60px;width:1680px;height:960px}
.title{font-size:64px;font-weight:700;margin-bottom:16px}
.row{display:flex;gap:32px;align-items:center;height:64px;margin-bottom:6px;padding:0 24px;background:rgba(255,255,255,.08);font-size:40px}
.rank{width:70px;color:#fc0}.bib{width:120px;color:#fc0}.name{flex:1;font-weight:700;white-space:nowrap;overflow:hidden}.city{width:360px}.time{width:200px;text-align:right}`,
  };
}

interface Finisher {
  bib: string;
  gender: 'F' | 'M';
  elapsedS: number;
}

describe.skipIf(!browserTestsEnabled())('a 200-runner finish on three layouts, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let owner: SignedIn;
  let ctp: RawClient;
  const links: Record<'spotlight' | 'list' | 'leaderboard', string> = { spotlight: '', list: '', leaderboard: '' };
  const finishers: Finisher[] = [];

  async function api(method: 'GET' | 'POST', url: string, payload?: object) {
    const res = await stack.app.inject({ method, url, headers: owner.headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    const partner = await stack.accounts.partners.create({ slug: 'big-race', name: 'Big Race Timing' });
    // The plan's limits are not what this test is about.
    await stack.app.usage.setPlan(partner.id, 'professional');
    owner = await signIn(stack.app, partner.id, 'owner');
    const source = await api('POST', '/api/sources', { name: 'finish laptop' });
    const event = await api('POST', '/api/rosters', { name: 'City 10K' });
    // Bibs shuffled against the order of crossing; the mat sees runners in the order they cross
    // (read time = gun + elapsed rises with every read sent), as at a real finish.
    const times = Array.from({ length: RUNNERS }, (_, i) => 1800 + ((i * 7919) % 1997)).sort((a, b) => a - b);
    for (let i = 0; i < RUNNERS; i++) {
      const f: Finisher = { bib: String(1001 + ((i * 37) % RUNNERS)), gender: i % 3 === 0 ? 'M' : 'F', elapsedS: times[i]! };
      finishers.push(f);
      await api('POST', `/api/rosters/${event.id}/participants`, {
        bib: f.bib, first_name: `Runner`, last_name: `No${f.bib}`, gender: f.gender, city: 'Springfield', tags: [`T${f.bib}`],
      });
    }
    const list = await api('POST', '/api/templates', { name: 'Finisher list', runner: listDesign('recent'), idle: listDesign('recent') });
    const board = await api('POST', '/api/templates', { name: 'Women', runner: listDesign('leaderboard', ' data-p88-gender="F"'), idle: listDesign('leaderboard') });
    const common = { roster_event_id: event.id, locations: ['finish'] };
    links.spotlight = (await api('POST', '/api/display-links', { ...common, name: 'Spotlight', settings: { minDisplayMs: 3_000, animation: 'none' } })).id;
    links.list = (await api('POST', '/api/display-links', { ...common, name: 'List', template_id: list.template.id })).id;
    links.leaderboard = (await api('POST', '/api/display-links', { ...common, name: 'Leaderboard', template_id: board.template.id })).id;
    ctp = await RawClient.signedIn(stack.collector.tcpPort, source.user_id, source.secret, { locations: ['finish'] });
  });

  afterAll(async () => {
    ctp?.close();
    await browser?.close();
    await stack?.close();
  });

  async function openScreen(linkId: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.goto(`${stack.baseUrl}/d/${linkId}`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.stream === 'open', undefined, { timeout: 20_000 });
    // Every bib that ever appears: rows added to the runner frame, or the spotlight's bib attribute.
    await page.evaluate(() => {
      const w = globalThis as any;
      w.__seen = new Set();
      const frame = w.document.querySelector('.p88-frame-runner').contentDocument;
      new w.MutationObserver((records: any[]) => {
        for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.hasAttribute('data-p88-row-of')) w.__seen.add(n.getAttribute('data-p88-row-of'));
      }).observe(frame.body, { childList: true, subtree: true });
      new w.MutationObserver(() => {
        if (w.document.body.dataset.bib) w.__seen.add(w.document.body.dataset.bib);
      }).observe(w.document.body, { attributes: true, attributeFilter: ['data-bib'] });
    });
    return page;
  }

  const seen = (page: Page): Promise<string[]> => page.evaluate(() => [...(globalThis as any).__seen] as string[]);

  it('shows every finisher on the list layout and the 12 fastest women on the leaderboard', async () => {
    const spotlight = await openScreen(links.spotlight);
    const list = await openScreen(links.list);
    const leaderboard = await openScreen(links.leaderboard);

    const gun = raceTime(9, 0, 0);
    const ts = (ms: number) => new Date(ms).toISOString().slice(0, 22);
    let seq = 1;
    ctp.send(`CT01_33~${seq++}~finish~guntime~${ts(gun)}~1~0A0B0C~1`);
    const started = Date.now();
    for (const f of finishers) {
      ctp.send(`CT01_33~${seq++}~finish~T${f.bib}~${ts(gun + f.elapsedS * 1000)}~1~0A0B0C~1`);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const sentIn = Date.now() - started;

    await list.waitForFunction((n) => Number((globalThis as any).document.body.dataset.listed) >= n, RUNNERS, { timeout: 30_000 });
    const fastestWomen = finishers.filter((f) => f.gender === 'F').sort((a, b) => a.elapsedS - b.elapsedS).slice(0, 12).map((f) => f.bib);
    const rowsOf = (page: Page) =>
      page.frameLocator('.p88-frame-runner').locator('[data-p88-row-of] [data-p88-field="bib"]').allTextContents();
    await expect.poll(() => rowsOf(leaderboard), { timeout: 15_000 }).toEqual(fastestWomen);

    const listSeen = await seen(list);
    const boardSeen = await seen(leaderboard);
    const spotSeen = await seen(spotlight);
    const all = finishers.map((f) => f.bib);
    expect(new Set(listSeen)).toEqual(new Set(all));
    // Newest on top: the last 12 to cross, in reverse order, with their places.
    const lastTwelve = all.slice(-12).reverse();
    expect(await rowsOf(list)).toEqual(lastTwelve);
    expect(await list.frameLocator('.p88-frame-runner').locator('[data-p88-row-of] [data-p88-field="rank"]').allTextContents()).toEqual(
      lastTwelve.map((_, i) => String(i + 1)),
    );
    const firstRowName = await list.frameLocator('.p88-frame-runner').locator('[data-p88-row-of] [data-p88-field="name"]').first().textContent();
    expect(firstRowName).toBe(`Runner No${all.at(-1)}`);
    // Every woman on the leaderboard at some moment was a woman; the spotlight kept up with few.
    expect(boardSeen.every((b) => finishers.find((f) => f.bib === b)?.gender === 'F')).toBe(true);
    expect(spotSeen.length).toBeGreaterThan(0);
    expect(spotSeen.length).toBeLessThan(RUNNERS);

    await list.screenshot({ path: join(RESULTS, 'race-list.png') });
    await leaderboard.screenshot({ path: join(RESULTS, 'race-leaderboard.png') });
    await spotlight.screenshot({ path: join(RESULTS, 'race-spotlight.png') });
    console.log(
      `[race figures] ${RUNNERS} finishers crossing in ${(sentIn / 1000).toFixed(1)} s: ` +
        `list layout showed ${listSeen.length}/${RUNNERS}; leaderboard (women, top 12) showed ${boardSeen.length} distinct women, ending on the 12 fastest; ` +
        `spotlight (3 s each) showed ${spotSeen.length}/${RUNNERS} so far`,
    );
  });
});

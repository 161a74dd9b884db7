/**
 * Display links and the operator console in Debian's Chromium against the REAL backend
 * (buildWebApp over a test database): a link is created through the form, its session chosen
 * in the session picker (whose live preview must show a read inserted while it is open), its
 * address copied to the clipboard; the console sees a real display page (/d/<id>) open in a
 * second tab, drives it (test read, show bib of the bound roster) and the link is revoked,
 * which the display page must announce. The plan's display limit (402) and a viewer's
 * read-only screen are checked too. The tests run in order and build on each other; the owner
 * signs in once (the server allows 10 sign-ins per minute from one address).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { createPartnerWithUsers, startWebStack, type WebStack } from '../helpers/web-stack.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts');

const PASSWORD = 'correct horse battery staple';
const PARTNER = { slug: 'display-timing', name: 'Display Timing Co' };
const OWNER = { email: 'otto@display-timing.example', name: 'Otto Owner', role: 'owner' };
const VIEWER = { email: 'vera@display-timing.example', name: 'Vera Viewer', role: 'viewer' };
const RUNNER = { bib: '4242', first_name: 'Ada', last_name: 'Lovelace', tags: ['TAG4242'] };

interface LinkBody {
  links: Array<{
    id: string;
    name: string;
    session_id: number | null;
    locations: string[];
    settings: Record<string, unknown>;
    template_id: number | null;
    template_version: number | null;
    roster_event_id: number | null;
    revoked_at: string | null;
  }>;
}

describe.skipIf(!browserTestsEnabled())('display links and the operator console, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let display: Page | undefined;
  let partnerId = 0;
  let sessionId = 0;
  let finishLocation = 0;
  let rosterId = 0;
  let templateId = 0;
  let linkId = '';
  let nextSeq = 1;
  const problems: string[] = [];

  async function insertSession(name: string, event: string, status: 'active' | 'closed'): Promise<number> {
    const r = await stack.t.owner.query<{ id: number }>(
      `INSERT INTO timing_sessions (partner_id, session_name, event_name, status, created_at, start_time, end_time)
       VALUES ($1, $2, $3, $4, now(), now(), CASE WHEN $4 = 'closed' THEN now() END) RETURNING id`,
      [partnerId, name, event, status],
    );
    return r.rows[0]!.id;
  }

  async function insertLocation(session: number, name: string): Promise<number> {
    const r = await stack.t.owner.query<{ id: number }>(
      'INSERT INTO timing_locations (partner_id, session_id, location_name) VALUES ($1, $2, $3) RETURNING id',
      [partnerId, session, name],
    );
    return r.rows[0]!.id;
  }

  /** A read as the collector stores a CT01_33 line. */
  async function insertRead(session: number, location: number, locationName: string, tag: string): Promise<void> {
    const seq = nextSeq++;
    const received = new Date().toISOString();
    const time = received.slice(11, 22);
    await stack.t.owner.query(
      `WITH stream AS (
         INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name)
         VALUES ($1, $2, $3, 'conn:e2e', $5)
         ON CONFLICT (session_id, source_key, location_name, partner_id) DO UPDATE SET source_key = EXCLUDED.source_key
         RETURNING id
       )
       INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name,
         tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
       SELECT $1, $2, $3, stream.id, 'conn:e2e', $4, $5, $6, 'tag', $7, $8, 1, '0', 0, $9, $7 FROM stream`,
      [partnerId, session, location, seq, locationName, tag, received, time, `CT01_33~${seq}~${locationName}~9478~${time}~0~${tag}~1`],
    );
  }

  /** A request as the signed-in page makes it (its cookie and CSRF token). */
  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    return page.evaluate(
      async ({ method, path, body }) => {
        const me = (await (await fetch('/api/auth/me')).json()) as { csrf_token: string };
        const r = await fetch(path, {
          method,
          headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await r.text();
        return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
      },
      { method, path, body },
    );
  }

  async function links(): Promise<LinkBody['links']> {
    const r = await call<LinkBody>('GET', '/api/display-links');
    expect(r.status).toBe(200);
    return r.body.links;
  }

  async function signIn(p: Page, email: string): Promise<void> {
    await p.goto(`${stack.baseUrl}/sign-in`);
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.locator('.topbar').waitFor({ timeout: 10_000 });
  }

  const card = () => page.locator(`li[data-link="${linkId}"]`);
  const screenCard = () => page.getByTestId('screens').locator('li.screen-card');

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(ARTIFACTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    await createPartnerWithUsers(stack, PARTNER, [OWNER, VIEWER], PASSWORD);
    partnerId = (await stack.t.owner.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [PARTNER.slug])).rows[0]!.id;

    // Two sessions: yesterday's closed one (with start and finish reads) and today's active one.
    sessionId = await insertSession('Session_20250601_080000', 'Spring 10K', 'closed');
    const start = await insertLocation(sessionId, 'start');
    finishLocation = await insertLocation(sessionId, 'finish');
    for (const tag of ['TAG1001', 'TAG1002']) await insertRead(sessionId, start, 'start', tag);
    for (const tag of ['TAG1001', 'TAG1002', 'TAG1003']) await insertRead(sessionId, finishLocation, 'finish', tag);
    const today = await insertSession('Session_20250602_080000', 'Summer 5K', 'active');
    await insertRead(today, await insertLocation(today, 'mile1'), 'mile1', 'TAG9001');

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.baseUrl });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // The signed-out check before sign-in (401) and the refusals this test provokes (the plan
      // limit, an unknown bib, a revoked link's console) are logged by Chromium as failed loads:
      // expected, and checked where they happen.
      if (/^Failed to load resource: the server responded with a status of 40[124]/.test(m.text())) return;
      if (m.type() === 'error' || /content security policy|refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await signIn(page, OWNER.email);

    // A roster with one participant, and a template with two versions (to bind version 1).
    const roster = await call<{ id: number }>('POST', '/api/rosters', { name: 'Spring 10K roster' });
    expect(roster.status).toBe(201);
    rosterId = roster.body.id;
    expect((await call('POST', `/api/rosters/${rosterId}/participants`, RUNNER)).status).toBe(201);
    const design = {
      html: '<div class="board"><div data-p88-field="bib"></div><div data-p88-field="name"></div><div data-p88-field="idle_message"></div></div>',
      css: 'body{background:#0b3d91;color:#fff;font-family:sans-serif}.board{padding:200px;font-size:120px;font-weight:700}',
    };
    const template = await call<{ template: { id: number } }>('POST', '/api/templates', { name: 'Finish board', runner: design, idle: design });
    expect(template.status).toBe(201);
    templateId = template.body.template.id;
    // Version 2 (current) differs: the link binds version 1, which the screen must draw.
    const v2 = { html: '<div class="v2"><div data-p88-field="name"></div></div>', css: 'body{background:#900}' };
    expect((await call('PUT', `/api/templates/${templateId}`, { runner: v2, idle: v2 })).status).toBe(200);
  });

  afterAll(async () => {
    await display?.close();
    await page?.context().close();
    await browser?.close();
    await stack?.close();
  });

  it('creates a link through the form, the session chosen in the picker with a live preview', async () => {
    await page.locator('.topnav').getByRole('link', { name: 'Displays', exact: true }).click();
    await page.waitForURL(`${stack.baseUrl}/displays`);
    await page.getByText('No display links yet').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'New display link' }).click();
    const form = page.getByTestId('display-form');
    await form.waitFor();

    await form.getByLabel('Name', { exact: true }).fill('Finish screen');
    await form.locator('select[name="template"]').selectOption({ label: 'Finish board' });
    const version = form.locator('select[name="template_version"]');
    await version.locator('option', { hasText: 'Version 1 ·' }).waitFor({ state: 'attached', timeout: 5_000 });
    await version.selectOption('1');
    await form.locator('select[name="roster"]').selectOption(String(rosterId));

    // The picker: both sessions with their read counts; following the active one by default.
    const picker = page.getByTestId('session-picker');
    const option = picker.locator(`li[data-session="${sessionId}"]`);
    await option.waitFor({ timeout: 5_000 });
    expect(await option.textContent()).toContain('5 reads');
    expect(await picker.getByRole('radio', { name: /Follow the active session/ }).isChecked()).toBe(true);
    const preview = page.getByTestId('session-preview');
    await preview.locator('tr[data-tag="TAG9001"]').waitFor({ timeout: 5_000 });

    // Preview the closed session: its reads show; a new read shows within a poll or two.
    await option.getByRole('button', { name: 'Preview' }).click();
    await preview.locator('tr[data-tag="TAG1003"]').waitFor({ timeout: 5_000 });
    expect(await preview.locator('tr[data-tag="TAG9001"]').count()).toBe(0);
    await insertRead(sessionId, finishLocation, 'finish', 'TAG1004');
    await preview.locator('tr[data-tag="TAG1004"]').waitFor({ timeout: 6_000 });
    await preview.getByRole('button', { name: 'Use this session' }).click();
    expect(await option.getByRole('radio').isChecked()).toBe(true);

    // Locations: those of the picked session.
    const locations = page.getByTestId('display-locations');
    await locations.getByLabel('finish').check();
    expect(await locations.getByRole('checkbox').count()).toBe(2);

    await form.getByLabel('Minimum display time (seconds)').fill('6');
    await form.getByLabel('Idle messages (one per line)').fill('Welcome to the Spring 10K\nGo runners!');
    await form.locator('select[name="drop_policy"]').selectOption('newest');
    await page.screenshot({ path: join(ARTIFACTS, 'displays-form.png'), fullPage: true });
    await form.getByRole('button', { name: 'Create display link' }).click();

    await page.getByTestId('display-saved').waitFor({ timeout: 5_000 });
    const all = await links();
    expect(all).toHaveLength(1);
    const link = all[0]!;
    linkId = link.id;
    expect(linkId).toMatch(/^[0-9A-Za-z]{8}$/);
    expect(link).toMatchObject({
      name: 'Finish screen',
      session_id: sessionId,
      locations: ['finish'],
      template_id: templateId,
      template_version: 1,
      roster_event_id: rosterId,
    });
    expect(link.settings).toMatchObject({ minDisplayMs: 6_000, dropPolicy: 'newest', idleMessages: ['Welcome to the Spring 10K', 'Go runners!'], maxQueue: 50 });

    // Listed with what it binds.
    const text = (await card().textContent()) ?? '';
    for (const part of ['Finish screen', 'Live', 'Finish board · version 1', 'Spring 10K (Session_20250601_080000)', 'finish', 'Spring 10K roster', 'Never']) {
      expect(text, part).toContain(part);
    }
  });

  it('opens the link form from the dashboard (session chosen) and from the builder (template, and a session from its picker)', async () => {
    await page.locator('.topnav').getByRole('link', { name: 'Dashboard', exact: true }).click();
    const sessionsPanel = page.getByTestId('sessions');
    await sessionsPanel.waitFor({ timeout: 10_000 });
    await sessionsPanel.locator('li', { hasText: 'Spring 10K' }).getByRole('link', { name: /Show on a display/ }).click();
    await page.waitForURL(`${stack.baseUrl}/displays?session=${sessionId}`);
    const picker = page.getByTestId('session-picker');
    await picker.locator(`li[data-session="${sessionId}"]`).waitFor({ timeout: 10_000 });
    expect(await picker.locator(`li[data-session="${sessionId}"]`).getByRole('radio').isChecked()).toBe(true);
    await page.getByTestId('display-form').getByRole('button', { name: 'Cancel' }).click();

    await page.goto(`${stack.baseUrl}/templates/${templateId}`);
    await page.getByRole('link', { name: 'Show on a display' }).click();
    await page.waitForURL(`${stack.baseUrl}/displays?template=${templateId}`);
    const form = page.getByTestId('display-form');
    await form.waitFor({ timeout: 10_000 });
    // (Polled: the select shows the choice once the template list has loaded.)
    await expect.poll(() => form.locator('select[name="template"]').inputValue(), { timeout: 10_000 }).toBe(String(templateId));
    await form.getByRole('button', { name: 'Cancel' }).click();

    // The builder's own session picker: sessions with their reads and a live preview; the
    // chosen session goes with the template into a new link.
    await page.goto(`${stack.baseUrl}/templates/${templateId}`);
    await page.getByRole('tab', { name: 'Session' }).click();
    const inBuilder = page.getByTestId('builder-session');
    const option = inBuilder.locator(`li[data-session="${sessionId}"]`);
    await option.waitFor({ timeout: 10_000 });
    expect(await option.textContent()).toMatch(/\d+ reads/);
    await inBuilder.getByTestId('session-preview').locator('tr[data-tag="TAG9001"]').waitFor({ timeout: 5_000 }); // the active session's
    await option.getByRole('radio').check();
    await page.screenshot({ path: join(ARTIFACTS, 'builder-session.png') });
    await inBuilder.getByRole('link', { name: 'Show on a display with this session' }).click();
    await page.waitForURL(`${stack.baseUrl}/displays?template=${templateId}&session=${sessionId}`);
    const bound = page.getByTestId('display-form');
    await expect.poll(() => bound.locator('select[name="template"]').inputValue(), { timeout: 10_000 }).toBe(String(templateId));
    await page.getByTestId('session-picker').locator(`li[data-session="${sessionId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('session-picker').locator(`li[data-session="${sessionId}"]`).getByRole('radio').isChecked()).toBe(true);
    await bound.getByRole('button', { name: 'Cancel' }).click();
  });

  it('copies the full display address to the clipboard', async () => {
    const expected = `${stack.baseUrl}/d/${linkId}`;
    expect(await card().getByTestId('display-url').inputValue()).toBe(expected);
    await page.evaluate("navigator.clipboard.writeText('something else')");
    await card().getByRole('button', { name: 'Copy display url' }).click();
    await card().getByRole('button', { name: 'Copy display url' }).getByText('Copied').waitFor({ timeout: 2_000 });
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(expected);
    expect(await card().getByRole('link', { name: 'Open' }).getAttribute('href')).toBe(expected);
    await page.screenshot({ path: join(ARTIFACTS, 'displays-list.png'), fullPage: true });
  });

  it('edits a link (PATCH) and shows the plan’s display limit (402) clearly', async () => {
    await card().getByRole('button', { name: 'Edit' }).click();
    const form = page.getByTestId('display-form');
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('Finish screen');
    expect(await form.getByLabel('Minimum display time (seconds)').inputValue()).toBe('6');
    expect(await page.getByTestId('display-locations').getByLabel('finish').isChecked()).toBe(true);
    await form.getByLabel('Name', { exact: true }).fill('Finish line');
    await form.getByLabel('Maximum queue (runners waiting)').fill('25');
    await form.getByLabel('Repeat window (seconds)').fill('0');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('display-saved').getByText('Saved “Finish line”').waitFor({ timeout: 5_000 });
    const [edited] = await links();
    expect(edited).toMatchObject({ id: linkId, name: 'Finish line', session_id: sessionId, locations: ['finish'], template_version: 1 });
    expect(edited!.settings).toMatchObject({ minDisplayMs: 6_000, maxQueue: 25, repeatWindowMs: 0 });

    // The trial ends: the free plan allows one display link, which exists already.
    await stack.t.owner.query('UPDATE partner_plans SET trial_plan = NULL, trial_ends_at = NULL WHERE partner_id = $1', [partnerId]);
    await page.getByRole('button', { name: 'New display link' }).click();
    await page.getByTestId('display-form').getByLabel('Name', { exact: true }).fill('Second screen');
    await page.getByTestId('display-form').getByRole('button', { name: 'Create display link' }).click();
    const limit = page.getByTestId('display-limit');
    await limit.waitFor({ timeout: 5_000 });
    expect(await limit.textContent()).toMatch(/display limit is reached.*Plan limit reached: displays \(1\)/);
    expect(await limit.getByRole('link', { name: 'See Plan & usage' }).getAttribute('href')).toBe('/plan');
    await page.screenshot({ path: join(ARTIFACTS, 'displays-limit.png'), fullPage: true });
    await page.getByTestId('display-form').getByRole('button', { name: 'Cancel' }).click();
    expect(await links()).toHaveLength(1);
    await stack.t.owner.query(`UPDATE partner_plans SET trial_plan = 'professional', trial_ends_at = now() + interval '14 days' WHERE partner_id = $1`, [partnerId]);
  });

  it('a viewer sees the links read-only', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    try {
      const viewer = await context.newPage();
      await signIn(viewer, VIEWER.email);
      await viewer.locator('.topnav').getByRole('link', { name: 'Displays', exact: true }).click();
      const row = viewer.locator(`li[data-link="${linkId}"]`);
      await row.waitFor({ timeout: 5_000 });
      expect(await row.textContent()).toContain('Finish line');
      for (const name of ['New display link', 'Edit', 'Revoke']) expect(await viewer.getByRole('button', { name }).count(), name).toBe(0);
      await viewer.getByText('Only staff, admins and owners can create').waitFor();
      await row.getByRole('link', { name: 'Console' }).click();
      await viewer.getByText('No screen has this link open').waitFor({ timeout: 5_000 });
      for (const name of ['Send test read', 'Clear queue', 'Show bib']) expect(await viewer.getByRole('button', { name }).count(), name).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the console sees an open display page, sends it a test read and shows a bib of the roster', async () => {
    await card().getByRole('link', { name: 'Console' }).click();
    await page.waitForURL(`${stack.baseUrl}/displays/${linkId}/console`);
    await page.getByRole('heading', { name: 'Console · Finish line' }).waitFor({ timeout: 5_000 });
    await page.getByText('No screen has this link open').waitFor({ timeout: 5_000 });

    display = await page.context().newPage();
    display.on('pageerror', (e) => problems.push(`display pageerror: ${e.message}`));
    await display.goto(`${stack.baseUrl}/d/${linkId}`);
    await display.locator('body[data-state="idle"][data-stream="open"]').waitFor({ timeout: 10_000 });

    // The display reports itself; the console (polling every 2 s) lists it as idle.
    await screenCard().first().waitFor({ timeout: 8_000 });
    expect(await screenCard().count()).toBe(1);
    expect(await screenCard().getByTestId('on-screen').textContent()).toContain('Idle');

    const started = Date.now();
    await page.getByRole('button', { name: 'Send test read' }).click();
    await page.getByTestId('console-done').getByText('Sent a test read').waitFor({ timeout: 5_000 });
    await display.locator('body[data-bib="TEST"]').waitFor({ timeout: 5_000 });
    await screenCard().getByTestId('on-screen').getByText('Test Runner').waitFor({ timeout: 6_000 });
    expect(await screenCard().getByTestId('on-screen').textContent()).toContain('TEST');
    console.info(`console: test runner reported ${Date.now() - started} ms after "Send test read"`);

    await page.getByRole('textbox', { name: 'Bib' }).fill(RUNNER.bib);
    await page.getByRole('button', { name: 'Show bib' }).click();
    await page.getByTestId('console-done').getByText(`Showing bib ${RUNNER.bib}: Ada Lovelace.`).waitFor({ timeout: 5_000 });
    await display.locator(`body[data-bib="${RUNNER.bib}"]`).waitFor({ timeout: 5_000 });
    await display.waitForTimeout(450); // the 0.4 s fade-in (the runner stays 6 s)
    await display.screenshot({ path: join(ARTIFACTS, 'displays-screen.png') });
    await screenCard().getByTestId('on-screen').getByText('Ada Lovelace').waitFor({ timeout: 6_000 });
    // The screen draws the roster's name in the bound template (version 1).
    const runnerFrame = display.frameLocator('.p88-frame-runner');
    expect(await runnerFrame.locator('[data-p88-field="name"]').textContent()).toBe('Ada Lovelace');
    expect(await runnerFrame.locator('[data-p88-field="bib"]').textContent()).toBe(RUNNER.bib);
    expect(await runnerFrame.locator('.board').count()).toBe(1);
    expect(await runnerFrame.locator('.v2').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'displays-console.png'), fullPage: true });

    // A bib nobody on the roster wears: the server's message, nothing shown.
    await page.getByRole('textbox', { name: 'Bib' }).fill('99999');
    await page.getByRole('button', { name: 'Show bib' }).click();
    await page.getByTestId('console-error').getByText('No participant with bib 99999').waitFor({ timeout: 5_000 });

    await page.getByRole('button', { name: 'Clear queue' }).click();
    await display.locator('body[data-state="idle"]').waitFor({ timeout: 5_000 });
    await screenCard().getByTestId('on-screen').getByText('Idle').waitFor({ timeout: 6_000 });
  });

  it('revoking the link ends its display page', async () => {
    expect(display, 'the console test opens the display').toBeDefined();
    await page.getByRole('link', { name: '← All displays' }).click();
    await card().getByRole('button', { name: 'Revoke' }).click();
    await card().getByRole('button', { name: 'Revoke now' }).click();
    await card().locator('.badge', { hasText: 'Revoked' }).waitFor({ timeout: 5_000 });
    expect(await card().getByRole('button').count()).toBe(0);
    expect((await links())[0]!.revoked_at).not.toBeNull();

    const notice = display!.locator('#notice');
    await notice.getByText('This display link has ended').waitFor({ timeout: 10_000 });
    expect(await notice.isVisible()).toBe(true);
    expect(await display!.evaluate(() => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.stream)).toBe('ended');
    await display!.screenshot({ path: join(ARTIFACTS, 'displays-ended.png') });

    // The console of a revoked link says so.
    await page.goto(`${stack.baseUrl}/displays/${linkId}/console`);
    await page.getByText('does not exist or has been revoked').waitFor({ timeout: 5_000 });
    expect(problems).toEqual([]);
  });
});

/**
 * Rosters in Debian's Chromium against the REAL backend (buildWebApp over a test database),
 * with ChronoTrack Live played by the loopback fake the web app is pointed at
 * (CTLIVE_BASE_URL, CTLIVE_CLIENT_ID). The fake holds entry pages back until the test has
 * seen the progress bar at each step, so "the bar moves" is checked, not hoped for.
 *
 * The tests run in order and build on each other: the CSV event of the first is edited in
 * the third; the owner signs in once and keeps that page.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack } from '../../src/providers/chronotrack/fake-server.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { createPartnerWithUsers, startWebStack, type WebStack } from '../helpers/web-stack.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');

const PASSWORD = 'correct horse battery staple';
const OWNER = { email: 'rita@roster-timing.example', name: 'Rita Roster', role: 'owner' };
const VIEWER = { email: 'vince@roster-timing.example', name: 'Vince Viewer', role: 'viewer' };
const PARTNER = { slug: 'roster-timing', name: 'Roster Timing Co' };
const CT = { clientId: 'p88-platform-client', userId: 'rita@chronotrack.example', password: 'ct-secret-pass', eventId: '5150' };
const CT_ENTRIES = 600;

/** "Given" is no known spelling of a first-name header: the user maps it by hand. */
const CSV = [
  'Bib,Given,Surname,Chip,Sex,Age,Note',
  '101,Ada,Lovelace,A101,F,36,Go Ada!',
  '102,Alan,Turing,A102,M,41,',
  ',No,Bib,A999,M,20,', // line 4: missing bib
  '104,Grace,Hopper,A104,F,ancient,', // line 5: bad age
  '105,Katherine,Johnson,A105,F,50,<b>Stars</b>',
].join('\n');

describe.skipIf(!browserTestsEnabled())('rosters on the real backend, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  let fake: FakeChronoTrack;
  let owner: Page;
  let csvEventPath: string;
  let ctEventPath: string;
  /** Entry pages the fake holds back, and the releases of those it is holding. */
  const hold = new Set<number>();
  const held = new Map<number, () => void>();

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    fake = await startFakeChronoTrack({
      clientId: CT.clientId,
      userId: CT.userId,
      password: CT.password,
      events: [{ event_id: CT.eventId, event_name: 'Harbor Marathon 2026', entries: fakeEntries(CT_ENTRIES) }],
      beforeEntryPage: (page) => (hold.has(page) ? new Promise<void>((resolve) => held.set(page, resolve)) : undefined),
    });
    [stack, browser] = await Promise.all([
      startWebStack({ env: { CTLIVE_BASE_URL: fake.baseUrl, CTLIVE_CLIENT_ID: CT.clientId } }),
      launchBrowser(),
    ]);
    await createPartnerWithUsers(stack, PARTNER, [OWNER, VIEWER], PASSWORD);
    owner = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await signIn(owner, OWNER.email);
  });

  afterAll(async () => {
    for (const release of held.values()) release();
    await browser?.close();
    await stack?.close();
    await fake?.close();
  });

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${stack.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
  }

  async function waitHeld(page: number): Promise<void> {
    const until = Date.now() + 10_000;
    while (!held.has(page)) {
      if (Date.now() > until) throw new Error(`the import never asked for entry page ${page}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The progress bar's value and max, once it shows `value`. */
  async function barAt(page: Page, value: number): Promise<{ value: number; max: number }> {
    const bar = page.getByTestId('ctlive-progress').locator('progress');
    const until = Date.now() + 10_000;
    for (;;) {
      const last = await bar
        .evaluate((el) => {
          const p = el as unknown as { value: number; max: number };
          return { value: p.value, max: p.max };
        })
        .catch(() => null);
      if (last?.value === value) return last;
      if (Date.now() > until) throw new Error(`the progress bar never showed ${value} (last: ${JSON.stringify(last)})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The API as the page's own session sees it. */
  function apiGet<T>(page: Page, url: string): Promise<T> {
    return page.evaluate(async (u) => (await (await fetch(u)).json()) as T, url);
  }

  it('uploads a CSV through the file input, maps a column by hand, previews, imports and lists the participants', async () => {
    const page = owner;
    await page.locator('.topnav').getByRole('link', { name: 'Rosters', exact: true }).click();
    await page.waitForURL(`${stack.baseUrl}/rosters`);
    await page.getByText('No roster events yet').waitFor({ timeout: 5_000 });

    await page.getByLabel('Event name').fill('City 10K');
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.waitForURL(/\/rosters\/\d+$/);
    csvEventPath = new URL(page.url()).pathname;
    await page.getByText('No participants yet').waitFor({ timeout: 5_000 });

    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'runners.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    const mapping = page.getByTestId('csv-mapping');
    await mapping.waitFor({ timeout: 5_000 });
    // Suggested by the server from the headers; "Given" is not known, so first names are not mapped yet.
    expect(await mapping.getByLabel('Bib (required)').inputValue()).toBe('Bib');
    expect(await mapping.getByLabel('Last name').inputValue()).toBe('Surname');
    expect(await mapping.getByLabel('Message').inputValue()).toBe('Note');
    expect(await mapping.getByLabel('First name').inputValue()).toBe('');
    expect(await mapping.getByRole('checkbox', { name: 'Chip' }).isChecked()).toBe(true);
    const preview = page.getByTestId('csv-preview');
    expect(await preview.locator('thead').textContent()).not.toContain('First name');

    await mapping.getByLabel('First name').selectOption('Given');
    await preview.locator('thead').getByText('First name').waitFor();
    expect(await preview.locator('tbody tr').first().textContent()).toContain('Ada');
    // Hostile cells are shown as text.
    expect(await preview.locator('tbody').textContent()).toContain('<b>Stars</b>');
    // Before anything is stored, every row is checked as the import would take it: the bad ones are flagged.
    const check = page.getByTestId('csv-check');
    await check.getByText('3 new participants, 0 updated, 0 unchanged').waitFor({ timeout: 10_000 });
    expect(await check.locator('tr[data-row="4"]').textContent()).toContain('missing bib');
    expect(await check.locator('tr[data-row="5"]').textContent()).toContain('bad age');
    expect(await check.getByTestId('row-errors').textContent()).toContain('2 rows will not be imported');
    expect(await page.getByText('No participants yet').count()).toBe(1);
    await page.screenshot({ path: join(RESULTS, 'rosters-csv-mapping.png'), fullPage: true });

    await page.getByRole('button', { name: 'Import 5 rows' }).click();
    const result = page.getByTestId('csv-result');
    await result.waitFor({ timeout: 10_000 });
    expect(await result.locator('.notice').textContent()).toContain('3 new, 0 updated, 0 unchanged');
    const errors = page.getByTestId('row-errors');
    expect(await errors.locator('tr[data-row="4"]').textContent()).toContain('missing bib');
    expect(await errors.locator('tr[data-row="5"]').textContent()).toContain('bad age');

    const table = page.getByTestId('participants');
    await table.locator('tr[data-bib="105"]').waitFor({ timeout: 5_000 });
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-bib')))).toEqual(['101', '102', '105']);
    expect(await table.locator('tr[data-bib="101"]').textContent()).toContain('Ada Lovelace');
    // Where each runner is from, as the screens show it.
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(expect.arrayContaining(['City', 'State']));
    expect(await table.locator('tr[data-bib="105"]').getByTestId('message').textContent()).toBe('<b>Stars</b>');
    expect(await page.getByTestId('event-count').textContent()).toBe('3');

    await page.getByLabel('Search by bib or name').fill('turing');
    await page.getByTestId('participants-total').getByText('1 matching').waitFor({ timeout: 5_000 });
    expect(await table.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Search by bib or name').fill('');
    await page.getByTestId('participants-total').getByText('3 in all').waitFor({ timeout: 5_000 });
  });

  it('imports from ChronoTrack Live with a progress bar that moves with the rows received', async () => {
    const page = owner;
    await page.getByRole('link', { name: '← Rosters' }).click();
    await page.waitForURL(`${stack.baseUrl}/rosters`);
    hold.add(2);
    hold.add(4);

    const form = page.getByTestId('ctlive-import');
    await form.getByLabel('ChronoTrack user id').fill(CT.userId);
    await form.getByLabel('ChronoTrack password').fill(CT.password);
    await form.getByLabel('Event id').fill(CT.eventId);
    await form.getByRole('button', { name: 'Import roster' }).click();

    await waitHeld(2);
    expect(await barAt(page, 100)).toEqual({ value: 100, max: CT_ENTRIES });
    expect(await page.getByTestId('ctlive-progress').textContent()).toContain(`Received 100 of ${CT_ENTRIES} entries`);
    await page.screenshot({ path: join(RESULTS, 'rosters-ctlive-progress.png'), fullPage: true });
    held.get(2)!();

    await waitHeld(4);
    expect(await barAt(page, 300)).toEqual({ value: 300, max: CT_ENTRIES });
    hold.clear();
    held.get(4)!();

    const done = page.getByTestId('ctlive-result');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.textContent()).toContain(`${CT_ENTRIES} participants in Harbor Marathon 2026`);
    expect(await barAt(page, CT_ENTRIES)).toEqual({ value: CT_ENTRIES, max: CT_ENTRIES });
    expect(await page.getByTestId('ctlive-progress').getAttribute('data-status')).toBe('done');
    // The events list follows: the imported event with its count.
    const row = page.getByTestId('roster-events').locator('tr', { hasText: 'Harbor Marathon 2026' });
    await row.getByTestId('participant-count').getByText('600').waitFor({ timeout: 5_000 });
    expect(await page.content()).not.toContain(CT.password);
    await page.screenshot({ path: join(RESULTS, 'rosters-ctlive-done.png'), fullPage: true });

    await done.getByRole('link', { name: 'Harbor Marathon 2026' }).click();
    await page.waitForURL(/\/rosters\/\d+$/);
    ctEventPath = new URL(page.url()).pathname;
    await page.getByTestId('participants-total').getByText('600 in all').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('participants').locator('tbody tr').count()).toBe(100);
    await page.getByRole('button', { name: /Show more/ }).click();
    await page.getByTestId('participants').locator('tbody tr').nth(199).waitFor({ timeout: 5_000 });
  });

  it('shows a refused ChronoTrack login as a failed import with the reason', async () => {
    const page = owner;
    await page.goto(`${stack.baseUrl}/rosters`);
    const form = page.getByTestId('ctlive-import');
    await form.getByLabel('ChronoTrack user id').fill(CT.userId);
    await form.getByLabel('ChronoTrack password').fill('not-the-password');
    await form.getByLabel('Event id').fill(CT.eventId);
    await form.getByRole('button', { name: 'Import roster' }).click();
    const error = page.getByTestId('ctlive-error');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toBe('ChronoTrack Live rejected the client id, user id or password.');
  });

  it('edits a participant’s message by hand, and the server keeps it', async () => {
    const page = owner;
    await page.goto(`${stack.baseUrl}${csvEventPath}`);
    const row = page.getByTestId('participants').locator('tr[data-bib="102"]');
    await row.getByRole('button', { name: 'Edit bib 102' }).click();
    const editor = page.getByTestId('participant-editor');
    await editor.getByLabel('Message').fill('Crack the finish line!');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await row.getByTestId('message').textContent()).toBe('Crack the finish line!');

    const id = Number(csvEventPath.split('/').pop());
    const api = await apiGet<{ participants: Array<{ bib: string; custom_message: string | null; first_name: string }> }>(
      page,
      `/api/rosters/${id}/participants?q=102`,
    );
    expect(api.participants[0]).toMatchObject({ bib: '102', first_name: 'Alan', custom_message: 'Crack the finish line!' });
    await page.reload();
    await page.getByTestId('participants').locator('tr[data-bib="102"]').getByText('Crack the finish line!').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(RESULTS, 'rosters-event.png'), fullPage: true });
  });

  it('a viewer reads the rosters without any way to change them', async () => {
    const context = await browser.newContext({ viewport: { width: 820, height: 1180 } });
    try {
      const page = await context.newPage();
      await signIn(page, VIEWER.email);
      await page.locator('.topnav').getByRole('link', { name: 'Rosters', exact: true }).click();
      await page.getByTestId('roster-events').locator('tr', { hasText: 'City 10K' }).waitFor({ timeout: 5_000 });
      for (const name of ['Create event', 'Import roster']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
      await page.goto(`${stack.baseUrl}${ctEventPath}`);
      await page.getByTestId('participants-total').getByText('600 in all').waitFor({ timeout: 5_000 });
      expect(await page.getByRole('button', { name: /^Edit bib/ }).count()).toBe(0);
      expect(await page.getByLabel('CSV file', { exact: true }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Delete event' }).count()).toBe(0);
      await page.getByText('You can look at this roster').waitFor();
    } finally {
      await context.close();
    }
  });
});

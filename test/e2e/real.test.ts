/**
 * The partner dashboard in Debian's Chromium against the REAL backend: buildWebApp over a test
 * database (PGlite, or a fresh database on DATABASE_URL's server) and a real collector that
 * authenticates CTP01 clients with the partner's timing sources. Nothing is faked: sign-in sets
 * the real session cookie, every state-changing request carries the real CSRF token, the
 * simulator streams a race over TCP, and the permission table decides what a viewer may do.
 *
 * The tests run in order and build on each other (the source created in the first one is what
 * the simulator connects with in the second). The owner signs in once and keeps that page: the
 * server allows 10 sign-ins per minute from one address, and every test comes from 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { asPlatform } from '../../src/db/tenant.js';
import { buildControllers, runSimulation } from '../../src/simulator/run.js';
import { browserTestsEnabled, launchBrowser } from '../helpers/browser.js';
import { p88, startWebStack, type WebStack } from '../helpers/web-stack.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = join(REPO, 'test-results');

const PASSWORD = 'correct horse battery staple';
const OWNER = { email: 'olivia@fast-timing.example', name: 'Olivia Owner', role: 'owner' };
const VIEWER = { email: 'victor@fast-timing.example', name: 'Victor Viewer', role: 'viewer' };
const ADMIN = { email: 'ada@fast-timing.example', name: 'Ada Admin', role: 'admin' };
const PLATFORM = { email: 'root@project88hub.example', name: 'Platform Owner' };
const PARTNER = { slug: 'fast-timing', name: 'Fast Timing Co' };
const REFUSED = 'You are not allowed to do that.';

/** The simulated race: a few runners over start, 5k and finish, bibs from 4201. */
const RACE = { clients: 1, runners: 6, firstBib: 4201, seed: 88, connectionIdPrefix: 'E2E' } as const;

describe.skipIf(!browserTestsEnabled())('partner dashboard on the real backend, in Chromium', () => {
  let stack: WebStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The owner's signed-in page, shared by the tests (signed out by the last one). */
  let owner: Page;
  /** The credentials the owner creates in the first test. */
  let source: { userId: string; secret: string } | undefined;

  beforeAll(async () => {
    // Builds ui/dist only when it is missing or older than ui/src (about a second).
    execFileSync(process.execPath, [join(REPO, 'ui', 'build-if-stale.mjs')], { cwd: REPO, stdio: 'inherit' });
    mkdirSync(RESULTS, { recursive: true });
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
    await p88(stack, 'partner', ['create', '--slug', PARTNER.slug, '--name', PARTNER.name]);
    await Promise.all([
      ...[OWNER, VIEWER, ADMIN].map((u) =>
        p88(stack, 'user', ['create', '--email', u.email, '--name', u.name, '--partner', PARTNER.slug, '--role', u.role, '--password', PASSWORD]),
      ),
      p88(stack, 'user', ['create', '--email', PLATFORM.email, '--name', PLATFORM.name, '--platform', '--role', 'platform_admin', '--password', PASSWORD]),
    ]);
  });

  afterAll(async () => {
    await owner?.context().close();
    await browser?.close();
    await stack?.close();
  });

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  async function newPage(viewport = { width: 1366, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
    await page.goto(`${stack.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
  }

  const tabs = (page: Page) => page.locator('.topnav a').allTextContents();

  /** The owner's page at a screen, through its tab (no reload, no new sign-in). */
  async function ownerAt(tab: string, viewport = { width: 1366, height: 900 }): Promise<Page> {
    await owner.setViewportSize(viewport);
    await owner.locator('.topnav').getByRole('link', { name: tab, exact: true }).click();
    return owner;
  }

  it('owner signs in to the dashboard and creates a timing source whose secret is shown once', async () => {
    const page = (owner = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage());
    await signIn(page, OWNER.email);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByTestId('status-bar').getByText('Database connected').waitFor({ timeout: 10_000 });
    expect(await page.locator('.topbar').textContent()).toContain(PARTNER.name);
    expect(await tabs(page)).toEqual(['Dashboard', 'Timing sources', 'Providers', 'Templates', 'Rosters', 'Displays', 'Results', 'Ask', 'Users', 'Plan & usage']);

    await page.getByRole('link', { name: 'Timing sources' }).click();
    await page.waitForURL(`${stack.baseUrl}/sources`);
    await page.getByText('No timing sources yet').waitFor({ timeout: 5_000 });

    await page.getByLabel('Name').fill('Finish laptop');
    await page.getByRole('button', { name: 'Create source' }).click();
    const panel = page.getByTestId('source-secret');
    await panel.waitFor({ timeout: 5_000 });
    const userId = await page.getByTestId('secret-user-id').inputValue();
    const secret = await page.getByTestId('secret-value').inputValue();
    expect(userId).toMatch(/^src-[0-9a-f]{8}$/);
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(await panel.textContent()).toContain('shown only this once');
    source = { userId, secret };
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.baseUrl });
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByRole('button', { name: 'Copy secret' }).getByText('Copied').waitFor({ timeout: 2_000 });
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await page.screenshot({ path: join(RESULTS, 'real-source-secret.png'), fullPage: true });

    await page.getByRole('button', { name: 'I have saved it' }).click();
    await panel.waitFor({ state: 'detached' });
    const row = page.locator(`tr[data-source="${userId}"]`);
    expect(await row.textContent()).toContain('Never connected');
    // Gone for good: a reload shows the source, never its secret.
    await page.reload();
    await row.waitFor({ timeout: 5_000 });
    expect(await page.content()).not.toContain(secret);
  });

  it("shows the simulator's reads live on the dashboard, and the source as connected", async () => {
    expect(source, 'the first test creates the source').toBeDefined();
    const page = await ownerAt('Dashboard');
    await page.getByText('No reads yet').waitFor({ timeout: 10_000 });

    // The last runner over the finish mat is the newest read: it must reach the top of the list.
    const race = buildControllers({ ...RACE })[0]!.race;
    const finish = race.locations.at(-1)!;
    const lastBib = finish.observations.reduce((a, b) => (b.raceMs > a.raceMs ? b : a)).tag;
    const sentBibs = new Set(race.locations.flatMap((l) => l.observations.map((o) => o.tag)));
    expect(sentBibs.has(lastBib)).toBe(true);

    // The simulator stays connected until the sources page has shown it as connected (a fixed settle
    // raced the page on a loaded CI machine: the source had gone before the page looked).
    const seenConnected = new AbortController();
    onTestFinished(() => seenConnected.abort());
    const simulation = runSimulation({
      ...RACE,
      host: '127.0.0.1',
      port: stack.collector.tcpPort,
      user: source!.userId,
      password: source!.secret,
      // ~55 race minutes in about two seconds, then stay connected so the status shows.
      speed: 2_000,
      settleMs: 60_000,
      timeoutMs: 60_000,
      signal: seenConnected.signal,
    });
    const started = Date.now();
    await page.locator(`tr[data-tag="${lastBib}"]`, { hasText: 'finish' }).first().waitFor({ timeout: 15_000 });
    const waited = Date.now() - started;
    const shown = await page.getByTestId('live-reads').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')));
    expect(shown.filter((t) => t && t !== 'guntime').every((t) => sentBibs.has(t))).toBe(true);
    expect(await page.getByTestId('mats').textContent()).toContain('finish');
    // The race's session (started by the collector) shows as active without waiting for a poll.
    await page.getByTestId('sessions').getByText('Active').waitFor({ timeout: 3_000 });
    await page.screenshot({ path: join(RESULTS, 'real-dashboard.png'), fullPage: true });

    await page.getByRole('link', { name: 'Timing sources' }).click();
    await page.locator(`tr[data-source="${source!.userId}"]`).getByText('Connected').waitFor({ timeout: 10_000 });
    seenConnected.abort();

    const report = await simulation;
    expect(report.endedBy).toBe('all-sent');
    expect(report.clients[0]!.authError).toBeNull();
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator(`tr[data-tag="${lastBib}"]`).first().waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(RESULTS, 'real-dashboard-tablet.png'), fullPage: true });
    console.info(`live reads: last bib on screen ${waited} ms after the simulator started`);
  });

  it('owner rotates a secret (shown once, different) and revokes a source', async () => {
    const page = await ownerAt('Timing sources', { width: 820, height: 1180 });
    await page.getByLabel('Name').fill('Spare reader');
    await page.getByRole('button', { name: 'Create source' }).click();
    const first = await page.getByTestId('secret-value').inputValue();
    const spareId = await page.getByTestId('secret-user-id').inputValue();
    await page.getByRole('button', { name: 'I have saved it' }).click();

    const row = page.locator(`tr[data-source="${spareId}"]`);
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    await row.getByRole('button', { name: 'New secret' }).click();
    await page.getByTestId('source-secret').getByText('New secret for').waitFor({ timeout: 5_000 });
    const rotated = await page.getByTestId('secret-value').inputValue();
    expect(rotated).not.toBe(first);
    expect(await page.getByTestId('secret-user-id').inputValue()).toBe(spareId);
    await page.getByRole('button', { name: 'I have saved it' }).click();

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke now' }).click();
    await row.getByText('Revoked', { exact: true }).waitFor({ timeout: 5_000 });
    expect(await row.getByRole('button').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'real-sources-tablet.png'), fullPage: true });
  });

  it('a viewer sees the sources without any way to change them, and the server refuses them', async () => {
    const page = await newPage({ width: 820, height: 1180 });
    await signIn(page, VIEWER.email);
    expect(await tabs(page)).toEqual(['Dashboard', 'Timing sources', 'Providers', 'Templates', 'Rosters', 'Displays', 'Results', 'Ask']);

    await page.getByRole('link', { name: 'Timing sources' }).click();
    await page.locator(`tr[data-source="${source!.userId}"]`).waitFor({ timeout: 5_000 });
    for (const name of ['Create source', 'Rotate secret', 'Revoke']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }
    await page.getByText('Only owners and admins can create').waitFor();
    await page.screenshot({ path: join(RESULTS, 'real-sources-viewer.png'), fullPage: true });

    // The server decides, whatever the screen shows: the same request made by hand is refused.
    const direct = await page.evaluate(async () => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrf_token: string };
      const r = await fetch('/api/sources', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ name: 'sneaky' }),
      });
      return { status: r.status, body: (await r.json()) as { error: { message: string } } };
    });
    expect(direct.status).toBe(403);
    expect(direct.body.error.message).toBe(REFUSED);

    // A screen outside the role (a typed or old link) shows the server's refusal.
    await page.goto(`${stack.baseUrl}/users`);
    await page.getByRole('alert').getByText(REFUSED).waitFor({ timeout: 5_000 });
  });

  it("an admin demoted while the page is open gets the server's 403 message on their next change", async () => {
    const page = await newPage();
    await signIn(page, ADMIN.email);
    await page.goto(`${stack.baseUrl}/sources`);
    await page.getByLabel('Name').fill('Start laptop');
    await asPlatform(stack.t.owner, (tx) => tx.query(`UPDATE users SET role = 'viewer' WHERE email = $1`, [ADMIN.email]));
    await page.getByRole('button', { name: 'Create source' }).click();
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor({ timeout: 5_000 });
    expect(await refusal.textContent()).toContain(REFUSED);
    expect(await page.getByTestId('source-secret').count()).toBe(0);
    // The app asked the server again what this user may do: the screen follows the new role,
    // and the message stays.
    await page.getByRole('button', { name: 'Create source' }).waitFor({ state: 'detached', timeout: 5_000 });
    expect(await tabs(page)).toEqual(['Dashboard', 'Timing sources', 'Providers', 'Templates', 'Rosters', 'Displays', 'Results', 'Ask']);
    expect(await refusal.textContent()).toContain(REFUSED);
    await page.screenshot({ path: join(RESULTS, 'real-sources-refused.png') });
  });

  it('owner invites a colleague who accepts from the link; a role change and disabling apply at once', async () => {
    const page = await ownerAt('Users');
    await page.locator(`tr[data-user="${VIEWER.email}"]`).waitFor({ timeout: 5_000 });
    const invitee = 'sam@fast-timing.example';
    await page.getByLabel('Email').fill(invitee);
    await page.locator('select[name="role"]').selectOption('staff');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByTestId('invitation-sent').waitFor({ timeout: 5_000 });
    const link = await page.getByTestId('invitation-link').inputValue();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(link)?.[1];
    expect(token).toBeTruthy();
    expect(stack.mails().some((m) => m.to === invitee && m.text.includes(token!))).toBe(true);
    await page.locator(`tr[data-invitation="${invitee}"]`).getByText('Pending').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(RESULTS, 'real-users.png'), fullPage: true });

    const guest = await newPage({ width: 820, height: 1180 });
    await guest.goto(`${stack.baseUrl}/accept-invitation#token=${token}`);
    // The token leaves the address bar once read.
    await guest.waitForFunction('window.location.hash === ""');
    await guest.getByLabel('Your name').fill('Sam Staff');
    await guest.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await guest.getByLabel('Repeat the new password').fill('a brand new passphrase');
    await guest.getByRole('button', { name: 'Create my account' }).click();
    await guest.getByTestId('invitation-accepted').waitFor({ timeout: 10_000 });
    await guest.getByRole('link', { name: 'Sign in' }).click();
    await signIn(guest, invitee, 'a brand new passphrase');
    expect(await tabs(guest)).toEqual(['Dashboard', 'Timing sources', 'Providers', 'Templates', 'Rosters', 'Displays', 'Results', 'Ask', 'Users', 'Plan & usage']);

    // The owner's list shows the invitation accepted, and the new user.
    await page.reload();
    await page.locator(`tr[data-invitation="${invitee}"]`).getByText('Accepted').waitFor({ timeout: 5_000 });
    const sam = page.locator(`tr[data-user="${invitee}"]`);

    // A role change applies at Sam's next request: the tabs follow after a reload.
    await sam.getByLabel(`Role of ${invitee}`).selectOption('viewer');
    await expect.poll(() => sam.getByLabel(`Role of ${invitee}`).inputValue(), { timeout: 5_000 }).toBe('viewer');
    await guest.reload();
    await guest.locator('.topbar').waitFor({ timeout: 5_000 });
    expect(await tabs(guest)).toEqual(['Dashboard', 'Timing sources', 'Providers', 'Templates', 'Rosters', 'Displays', 'Results', 'Ask']);

    // Disabling signs Sam out everywhere: the open page falls back to sign-in with a notice.
    await sam.getByRole('button', { name: 'Disable' }).click();
    await sam.getByRole('button', { name: 'Disable and sign out' }).click();
    await sam.getByText('Disabled').waitFor({ timeout: 5_000 });
    await guest.waitForURL(`${stack.baseUrl}/sign-in`, { timeout: 5_000 });
    await guest.getByText('Your session has ended').waitFor({ timeout: 2_000 });
  });

  it('owner connects a provider on the Providers screen: secret fields are password inputs, never shown again', async () => {
    const page = await ownerAt('Providers');
    await page.getByTestId('provider-select').selectOption('eventbrite');
    const token = page.getByLabel('Private token');
    expect(await token.getAttribute('type')).toBe('password');
    await token.fill('E2E-EB-SECRET');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByTestId('provider-notice').getByText('Eventbrite connected.').waitFor({ timeout: 5_000 });
    await page.locator('tr[data-provider="eventbrite"]').waitFor({ timeout: 5_000 });
    expect(await page.content()).not.toContain('E2E-EB-SECRET');
    await page.screenshot({ path: join(RESULTS, 'real-providers.png'), fullPage: true });
  });

  it('owner sees the plan, its trial and usage, and the payment history', async () => {
    const page = await ownerAt('Plan & usage');
    const plan = page.getByTestId('plan');
    await plan.waitFor({ timeout: 5_000 });
    expect(await plan.textContent()).toMatch(/Trial of/);
    expect(await page.getByTestId('usage').locator('li').count()).toBeGreaterThanOrEqual(3);
    await page.getByText('No payments yet').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(RESULTS, 'real-plan.png'), fullPage: true });
  });

  it('resets a forgotten password with the mailed link', async () => {
    const page = await newPage();
    await page.goto(`${stack.baseUrl}/forgot-password`);
    await page.getByLabel('Email').fill(VIEWER.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByTestId('reset-confirmation').waitFor({ timeout: 5_000 });
    // No SMTP here: the page does not claim a mail was sent (nor shows the link: anyone may ask).
    const said = await page.getByTestId('reset-confirmation').textContent();
    expect(said).toContain('This server sends no mail');
    expect(said).not.toContain('we have sent');
    const mail = stack.mails().find((m) => m.to === VIEWER.email);
    const token = mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
    expect(token, 'a reset mail with a link').toBeTruthy();

    await page.goto(`${stack.baseUrl}/reset-password#token=${token}`);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    expect(await page.getByTestId('reset-error').textContent()).toContain('at least 10 characters');
    await page.getByLabel('New password', { exact: true }).fill('victor has a new passphrase');
    await page.getByLabel('Repeat the new password').fill('victor has a new passphrase');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByTestId('reset-done').waitFor({ timeout: 10_000 });

    await signIn(page, VIEWER.email, 'victor has a new passphrase');
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('a platform admin lands on the partner list and adds a partner', async () => {
    const page = await newPage();
    await signIn(page, PLATFORM.email);
    await page.waitForURL(`${stack.baseUrl}/platform`);
    expect(await tabs(page)).toEqual(['Partners']);
    await page.locator(`tr[data-partner="${PARTNER.slug}"]`).waitFor({ timeout: 5_000 });
    await page.getByLabel('Name').fill('Acme Timing');
    await page.getByLabel('Slug').fill('acme');
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.getByTestId('partner-created').waitFor({ timeout: 5_000 });
    await page.locator('tr[data-partner="acme"]').waitFor({ timeout: 5_000 });
  });

  it('signs out: the session ends on the server and the app returns to sign-in', async () => {
    const page = await ownerAt('Dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${stack.baseUrl}/sign-in`, { timeout: 5_000 });
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    expect(me).toBe(401);
    await page.goto(`${stack.baseUrl}/sources`);
    await page.waitForURL(`${stack.baseUrl}/sign-in`, { timeout: 5_000 });
    expect(stack.problems().filter((l) => l.msg !== 'request errored')).toEqual([]);
  });
});

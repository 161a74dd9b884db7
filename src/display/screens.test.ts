/**
 * Screens' reports reach the operator console whichever web process they were posted to:
 * two web apps ("processes") on one database, each with its own PostgreSQL bus.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { signIn, type SignedIn } from '../../test/helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { newDisplayLink, newPartner } from '../../test/helpers/factories.js';
import type { Bus } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import { createPostgresBus } from '../bus/postgres.js';
import { createLogger } from '../log.js';
import { ScreenPresence, ScreenReportRelay } from './screens.js';

let t: TestDatabase;
let apps: TestApp[];
let buses: Bus[];
let webA: FastifyInstance;
let webB: FastifyInstance;
let ownerOnB: SignedIn;
let linkId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  buses = [createPostgresBus(t.db), createPostgresBus(t.db)];
  apps = await Promise.all(buses.map((bus) => startTestApp({ testDb: t, bus, listen: true })));
  [webA, webB] = apps.map((a) => a.app) as [FastifyInstance, FastifyInstance];
  const partner = await newPartner(webA, { slug: 'acme' });
  ownerOnB = await signIn(webB, partner.id, 'owner');
  linkId = await newDisplayLink(webB, ownerOnB);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await Promise.all(buses.map((b) => b.close()));
  await t.drop();
});

const report = (bib: string) => ({ on_screen: { bib, name: `Runner ${bib}` }, queue: [], queue_length: 0, dropped: 0, shown: 1 });

async function screensOnB(): Promise<Array<{ screen_id: string; on_screen: { bib: string } | null }>> {
  return (await webB.inject({ method: 'GET', url: `/api/display-links/${linkId}/screens`, headers: ownerOnB.headers })).json().screens;
}

describe('screen reports across web processes', () => {
  it('shows on one process a screen that reports to another, and its latest state', async () => {
    const post = (app: FastifyInstance, screen: string, bib: string) =>
      app.inject({ method: 'POST', url: `/api/display/${linkId}/screens/${screen}`, payload: report(bib) });
    // Screens' streams: screenOnA1's on B, screenOnB1's on A (a balancer spreads them so).
    const controller = new AbortController();
    onTestFinished(() => controller.abort());
    const streams = await Promise.all([
      fetch(`${apps[1]!.baseUrl}/api/display/${linkId}/stream?screen=screenOnA1`, { signal: controller.signal }),
      fetch(`${apps[0]!.baseUrl}/api/display/${linkId}/stream?screen=screenOnB1`, { signal: controller.signal }),
    ]);
    expect(streams.map((r) => r.status)).toEqual([200, 200]);
    // Until B's announcement reaches A, A refuses screenOnA1's reports; then takes them.
    await expect.poll(async () => (await post(webA, 'screenOnA1', '101')).statusCode, { timeout: 5_000 }).toBe(204);
    // A screen nobody has a stream of is refused on either process.
    expect((await post(webA, 'fakeScreen9', '666')).statusCode).toBe(404);
    expect((await post(webB, 'fakeScreen9', '666')).statusCode).toBe(404);
    // Likewise B, once A's announcement of screenOnB1's stream has reached it.
    await expect.poll(async () => (await post(webB, 'screenOnB1', '202')).statusCode, { timeout: 5_000 }).toBe(204);
    await expect.poll(async () => (await screensOnB()).map((s) => [s.screen_id, s.on_screen?.bib]), { timeout: 5_000 }).toEqual([
      ['screenOnA1', '101'],
      ['screenOnB1', '202'],
    ]);
    expect((await post(webA, 'screenOnA1', '103')).statusCode).toBe(204);
    await expect.poll(async () => (await screensOnB()).find((s) => s.screen_id === 'screenOnA1')?.on_screen?.bib, { timeout: 5_000 }).toBe('103');
    // Their streams closed, both screens leave the console of every process.
    controller.abort();
    await expect.poll(async () => (await screensOnB()).length, { timeout: 5_000 }).toBe(0);
  });
});

describe('named screens', () => {
  it('names a screen on every process, keeps the name while it reconnects, and a closing screen leaves every console at once', async () => {
    const controller = new AbortController();
    onTestFinished(() => controller.abort());
    const open = () => fetch(`${apps[0]!.baseUrl}/api/display/${linkId}/stream?screen=finishTvLeft`, { signal: controller.signal });
    expect((await open()).status).toBe(200);
    const post = () => webA.inject({ method: 'POST', url: `/api/display/${linkId}/screens/finishTvLeft`, payload: report('7') });
    expect((await post()).statusCode).toBe(204);
    await expect.poll(async () => (await screensOnB()).map((s) => s.screen_id), { timeout: 5_000 }).toEqual(['finishTvLeft']);

    const named = await webB.inject({ method: 'PUT', url: `/api/display-links/${linkId}/screens/finishTvLeft/name`, headers: ownerOnB.headers, payload: { name: '  Finish TV left ' } });
    expect(named.statusCode).toBe(200);
    expect(named.json().screen).toMatchObject({ screen_id: 'finishTvLeft', name: 'Finish TV left' });
    // Process A (where the screen reports) learns the name from the bus.
    const ownerOnA = await signIn(webA, (await t.owner.query<{ id: number }>(`SELECT id FROM partners WHERE slug = 'acme'`)).rows[0]!.id, 'owner');
    const onA = async () => (await webA.inject({ method: 'GET', url: `/api/display-links/${linkId}/screens`, headers: ownerOnA.headers })).json().screens as Array<{ name: string | null }>;
    // (the screen keeps reporting, as a real one does every few seconds: on a loaded machine the sign-in above can
    // take longer than SCREEN_TTL_MS after the one report, and the screen would have gone quiet, not unnamed)
    await expect.poll(async () => {
      expect((await post()).statusCode).toBe(204);
      return (await onA()).map((s) => s.name);
    }, { timeout: 5_000 }).toEqual(['Finish TV left']);

    // The screen's stream drops and it reconnects under the same id: still named.
    controller.abort();
    await expect.poll(async () => (await screensOnB()).length, { timeout: 5_000 }).toBe(0);
    const again = new AbortController();
    onTestFinished(() => again.abort());
    expect((await fetch(`${apps[0]!.baseUrl}/api/display/${linkId}/stream?screen=finishTvLeft`, { signal: again.signal })).status).toBe(200);
    expect((await post()).statusCode).toBe(204);
    await expect.poll(async () => (await screensOnB()).map((s) => (s as { name?: string | null }).name), { timeout: 5_000 }).toEqual(['Finish TV left']);

    // Its pagehide beacon (to either process) takes it off both consoles, though its stream is still open.
    expect((await webB.inject({ method: 'POST', url: `/api/display/${linkId}/screens/finishTvLeft/close` })).statusCode).toBe(204);
    expect(await screensOnB()).toEqual([]);
    await expect.poll(async () => (await onA()).length, { timeout: 5_000 }).toBe(0);

    // Naming needs an open, listed screen, the right to manage displays, and a short name.
    expect((await webB.inject({ method: 'PUT', url: `/api/display-links/${linkId}/screens/nobodyHere/name`, headers: ownerOnB.headers, payload: { name: 'x' } })).statusCode).toBe(404);
    const viewer = await signIn(webB, (await t.owner.query<{ id: number }>(`SELECT id FROM partners WHERE slug = 'acme'`)).rows[0]!.id, 'viewer');
    expect((await webB.inject({ method: 'PUT', url: `/api/display-links/${linkId}/screens/finishTvLeft/name`, headers: viewer.headers, payload: { name: 'x' } })).statusCode).toBe(403);
    expect((await webB.inject({ method: 'PUT', url: `/api/display-links/${linkId}/screens/finishTvLeft/name`, headers: ownerOnB.headers, payload: { name: 'x'.repeat(61) } })).statusCode).toBe(400);
  });
});

describe('ScreenReportRelay', () => {
  it('does not stop a web process from starting while the bus is away, and joins it later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const shared = createMemoryBus();
      let refusals = 1;
      // The bus of a process that starts while Redis (or PostgreSQL) is not reachable yet.
      const flaky: Bus = {
        ...shared,
        subscribe: (topic, onItems, onGap) => (refusals-- > 0 ? Promise.reject(new Error('connect ECONNREFUSED')) : shared.subscribe(topic, onItems, onGap)),
      };
      const late = new ScreenPresence();
      const lateRelay = new ScreenReportRelay(flaky, late, createLogger('silent'));
      await lateRelay.start(); // resolves: nothing thrown at start
      const other = new ScreenReportRelay(shared, new ScreenPresence(), createLogger('silent'));
      await other.start();

      await vi.advanceTimersByTimeAsync(5_000); // the retry
      other.streamOpened('Link0001', 'screen09');
      other.report('Link0001', 'screen09', report('9'));
      await vi.advanceTimersByTimeAsync(500); // the relay's batch
      await vi.waitFor(() => expect(late.list('Link0001').map((s) => s.screen_id)).toEqual(['screen09']));
      await lateRelay.close();
      await other.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('ScreenPresence', () => {
  it('forgets a screen not heard from for 10 s', () => {
    let now = 1_000_000;
    const presence = new ScreenPresence(() => now);
    presence.streamOpened('Link0001', 'screen01');
    presence.streamOpened('Link0001', 'screen02');
    presence.report('Link0001', 'screen01', report('1'));
    now += 9_000;
    presence.report('Link0001', 'screen02', report('2'));
    expect(presence.list('Link0001').map((s) => s.screen_id)).toEqual(['screen01', 'screen02']);
    now += 2_000;
    expect(presence.list('Link0001').map((s) => s.screen_id)).toEqual(['screen02']);
  });

  it('takes reports only for screens with an open stream, here or announced by another process', () => {
    let now = 1_000_000;
    const presence = new ScreenPresence(() => now);
    expect(presence.report('Link0001', 'fake0001', report('1'))).toBe(false);
    expect(presence.list('Link0001')).toEqual([]);
    presence.streamOpened('Link0001', 'screen01');
    presence.streamOpened('Link0001', 'screen01'); // a reconnect before the old stream closed
    expect(presence.report('Link0001', 'screen01', report('1'))).toBe(true);
    presence.streamClosed('Link0001', 'screen01');
    expect(presence.list('Link0001').map((s) => s.screen_id)).toEqual(['screen01']);
    presence.streamClosed('Link0001', 'screen01');
    expect(presence.list('Link0001')).toEqual([]);
    expect(presence.report('Link0001', 'screen01', report('1'))).toBe(false);
    presence.remoteOpened('Link0001', 'screen02');
    expect(presence.report('Link0001', 'screen02', report('2'))).toBe(true);
    now += 11_000; // not announced again: that process is gone
    expect(presence.report('Link0001', 'screen02', report('2'))).toBe(false);
  });
});

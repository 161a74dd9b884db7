/**
 * What a screen is sent: runners matched on the link's roster (tag, then bib), elapsed time
 * from the session's gun, server messages, unknown bibs; and the operator console's commands
 * (clear, show a bib, test read), screens' reports, and reloads when the link changes.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { SignedIn } from '../../test/helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { newPartner, newRoster, newSession } from '../../test/helpers/factories.js';
import { readSse } from '../../test/helpers/sse.js';
import { readsTopic } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import type { LiveRead } from '../bus/live-read.js';

let test: TestApp;
let t: TestDatabase;
let app: FastifyInstance;
let base: string;
let owner: SignedIn;
let partnerId: number;
let sessionId: number;
let eventId: number;
const bus = createMemoryBus();
const GUN = Date.UTC(2026, 10, 23, 8, 0, 0);

beforeAll(async () => {
  test = await startTestApp({ listen: true, bus, heartbeatMs: 200 });
  ({ t, app, baseUrl: base } = test);
  const partner = await newPartner(app, { slug: 'acme' });
  partnerId = partner.id;
  owner = partner.owner;
  sessionId = await newSession(t.owner, partnerId, { name: 'race' });
  eventId = await newRoster(app, owner, {
    name: 'Marathon',
    csv: 'Bib,Chip,First,Last,City,State,Message\n101,TAG101,Ada,Lovelace,London,,Go Ada!\n102,,Alan,Turing,Wilmslow,UK,\n',
    mapping: { bib: 'Bib', tags: ['Chip'], first_name: 'First', last_name: 'Last', city: 'City', state: 'State', custom_message: 'Message' },
  });
  expect((await t.owner.query('SELECT count(*)::int AS n FROM participants WHERE event_id = $1', [eventId])).rows[0]).toEqual({ n: 2 });
});
afterAll(() => test.close());

interface Frame {
  id?: string;
  event: string;
  data: Record<string, unknown> & { runner?: Record<string, unknown> | null };
}

async function openStream(linkId: string, screen?: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/display/${linkId}/stream${screen ? `?screen=${screen}` : ''}`, { signal: controller.signal });
  const events: Frame[] = [];
  readSse(res.body!, (f) => events.push({ ...(f.id ? { id: f.id } : {}), event: f.event!, data: JSON.parse(f.data!) }));
  await new Promise((r) => setTimeout(r, 100)); // subscribed
  return { events, close: () => controller.abort() };
}

function live(id: number, tag: string, readTimeMs: number, kind: 'tag' | 'gun' = 'tag'): LiveRead {
  return { id, sessionId, location: 'finish', tag, kind, readTimeMs, receivedAt: readTimeMs };
}

async function until(cond: () => boolean, what = 'condition') {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

async function createLink(payload: Record<string, unknown>): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/display-links', headers: owner.headers, payload });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

describe('runners on display streams', () => {
  it('matches reads by tag then bib, gives elapsed time from the gun, and a server message', async () => {
    const linkId = await createLink({ roster_event_id: eventId, session_id: sessionId, settings: { serverMessages: ['Bravo!'], repeatWindowMs: 0 } });
    const s = await openStream(linkId);
    await bus.publish(readsTopic(partnerId), [
      live(1, 'guntime', GUN, 'gun'),
      live(2, 'TAG101', GUN + 3_723_000), // Ada by chip
      live(3, '102', GUN + 3_800_000), // Alan by bib
      live(4, '999', GUN + 3_900_000), // nobody
    ]);
    await until(() => s.events.length >= 4, 'four events');
    expect(s.events.map((e) => e.event)).toEqual(['gun', 'read', 'read', 'read']);
    expect(s.events[1]!.data.runner).toMatchObject({
      bib: '101', name: 'Ada Lovelace', city_state: 'London', message: 'Go Ada!', server_message: 'Bravo!', elapsedMs: 3_723_000, unknown: false,
    });
    expect(s.events[2]!.data.runner).toMatchObject({ bib: '102', name: 'Alan Turing', city_state: 'Wilmslow, UK', message: '', elapsedMs: 3_800_000 });
    expect(s.events[3]!.data.runner).toMatchObject({ bib: '999', name: '', unknown: true });
    s.close();
  });

  it('delivers batches that arrive out of id order (concurrent commits), each read once', async () => {
    const linkId = await createLink({ settings: { repeatWindowMs: 0 } });
    const s = await openStream(linkId);
    await bus.publish(readsTopic(partnerId), [live(9_050, 'A', GUN + 5), live(9_051, 'B', GUN + 6)]);
    await bus.publish(readsTopic(partnerId), [live(9_048, 'C', GUN + 3), live(9_049, 'D', GUN + 4)]);
    await until(() => s.events.length >= 4, 'four reads');
    await new Promise((r) => setTimeout(r, 100));
    expect(s.events.map((e) => e.id)).toEqual(['9050', '9051', '9048', '9049']);
    s.close();
  });

  it('replays missed finishers with their elapsed time, from a gun fired at a location the link does not show', async () => {
    const o = t.owner;
    const s2 = (await o.query<{ id: number }>(`INSERT INTO timing_sessions (partner_id, session_name, status) VALUES ($1, 'replay', 'closed') RETURNING id`, [partnerId])).rows[0]!.id;
    const loc = async (name: string) => {
      const l = (await o.query<{ id: number }>(`INSERT INTO timing_locations (partner_id, session_id, location_name) VALUES ($1, $2, $3) RETURNING id`, [partnerId, s2, name])).rows[0]!.id;
      return (await o.query<{ id: number }>(
        `INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name) VALUES ($1, $2, $3, 'cid:R', $4) RETURNING id`,
        [partnerId, s2, l, name],
      )).rows[0]!.id;
    };
    const [start, finish] = [await loc('start'), await loc('finish')];
    const read = (id: number, stream: number, location: string, tag: string, kind: string, at: number) =>
      o.query(
        `INSERT INTO timing_reads (id, partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code, read_kind,
            read_time, time_raw, lap_count, reader_id, gator_number, raw_line)
         VALUES ($1::bigint, $2, $3, (SELECT location_id FROM timing_streams WHERE id = $4), $4, 'cid:R', $1::bigint, $5, $6, $7, to_timestamp($8 / 1000.0), 't', 1, 'R', 1, 'l')`,
        [id, partnerId, s2, stream, location, tag, kind, at],
      );
    await read(70_001, start, 'start', 'guntime', 'gun', GUN);
    await read(70_002, finish, 'finish', 'TAG101', 'tag', GUN + 2_000_000);
    await read(70_003, finish, 'finish', '102', 'tag', GUN + 2_100_000);
    // The link follows the active session (nothing preloaded for it): make this one active.
    await o.query(`UPDATE timing_sessions SET status = 'closed' WHERE id = $1`, [sessionId]);
    await o.query(`UPDATE timing_sessions SET status = 'active' WHERE id = $1`, [s2]);
    const linkId = await createLink({ roster_event_id: eventId, locations: ['finish'] });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/display/${linkId}/stream`, { headers: { 'last-event-id': '70001' }, signal: controller.signal });
    const got: Frame[] = [];
    readSse(res.body!, (f) => got.push({ event: f.event!, data: JSON.parse(f.data!) }));
    await until(() => got.length >= 2, 'two replayed runners');
    controller.abort();
    expect(got.map((e) => [e.data.runner?.name, e.data.runner?.elapsedMs])).toEqual([
      ['Ada Lovelace', 2_000_000],
      ['Alan Turing', 2_100_000],
    ]);
    await o.query(`UPDATE timing_sessions SET status = 'closed' WHERE id = $1`, [s2]);
    await o.query(`UPDATE timing_sessions SET status = 'active' WHERE id = $1`, [sessionId]);
  });

  it('hides unknown bibs when the link says so', async () => {
    const linkId = await createLink({ roster_event_id: eventId, settings: { unknownBib: 'hide', repeatWindowMs: 0 } });
    const s = await openStream(linkId);
    await bus.publish(readsTopic(partnerId), [live(10, '999', GUN + 1), live(11, '101', GUN + 2)]);
    await until(() => s.events.length >= 1, 'one event');
    await new Promise((r) => setTimeout(r, 100));
    expect(s.events.map((e) => e.data.runner?.bib)).toEqual(['101']);
    s.close();
  });

  it('filters on race and wave: a 5K screen and a 10K screen on the same finish mat', async () => {
    await app.usage.setPlan(partnerId, 'professional');
    const races = await newRoster(app, owner, {
      name: 'Two races',
      csv: 'Bib,Chip,First,Last,Race,Wave\n501,T501,Five,One,5K,A\n502,T502,Five,Two,5K,B\n1001,T1001,Ten,One,10K,A\n',
      mapping: { bib: 'Bib', tags: ['Chip'], first_name: 'First', last_name: 'Last', race: 'Race', wave: 'Wave' },
    });
    const fiveK = await createLink({ roster_event_id: races, settings: { races: ['5K'], repeatWindowMs: 0 } });
    const waveA = await createLink({ roster_event_id: races, settings: { waves: ['A'], repeatWindowMs: 0 } });
    const [s5, sA] = await Promise.all([openStream(fiveK), openStream(waveA)]);
    await bus.publish(readsTopic(partnerId), [live(40, 'T501', GUN + 1), live(41, 'T1001', GUN + 2), live(42, 'T502', GUN + 3), live(43, 'NOBODY', GUN + 4)]);
    await until(() => s5.events.length >= 2 && sA.events.length >= 2, 'filtered events');
    await new Promise((r) => setTimeout(r, 100));
    expect(s5.events.map((e) => e.data.runner?.bib)).toEqual(['501', '502']);
    expect(sA.events.map((e) => e.data.runner?.bib)).toEqual(['501', '1001']);
    s5.close();
    sA.close();
  });

  it('sees a roster edit on the next reads without a restart', async () => {
    const linkId = await createLink({ roster_event_id: eventId, settings: { repeatWindowMs: 0 } });
    const s = await openStream(linkId);
    const p = (await app.inject({ method: 'GET', url: `/api/rosters/${eventId}/participants`, headers: owner.headers })).json().participants[1];
    await app.inject({ method: 'PATCH', url: `/api/participants/${p.id}`, headers: owner.headers, payload: { custom_message: 'Codebreaker!' } });
    let n = 20;
    await until(() => {
      void bus.publish(readsTopic(partnerId), [live(n++, '102', GUN + n)]);
      return s.events.some((e) => e.data.runner?.message === 'Codebreaker!');
    }, 'the edited message');
    s.close();
  });

  it("runs the operator console: screens' reports, clear, show a bib, test read; a link change reloads its screens", async () => {
    const linkId = await createLink({ roster_event_id: eventId });
    const other = await createLink({ roster_event_id: eventId });
    const s = await openStream(linkId, 'screenA1b2');
    const bystander = await openStream(other);

    const report = { on_screen: { bib: '101', name: 'Ada Lovelace' }, queue: [{ bib: '102', name: 'Alan Turing' }], queue_length: 1, dropped: 0, shown: 3 };
    const posted = await fetch(`${base}/api/display/${linkId}/screens/screenA1b2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    expect(posted.status).toBe(204);
    const screens = (await app.inject({ method: 'GET', url: `/api/display-links/${linkId}/screens`, headers: owner.headers })).json().screens;
    expect(screens).toMatchObject([{ screen_id: 'screenA1b2', ...report }]);
    const none = (await app.inject({ method: 'GET', url: `/api/display-links/${other}/screens`, headers: owner.headers })).json().screens;
    expect(none).toEqual([]);
    // A report for a screen without an open stream (anyone can post one) is refused and never listed.
    const fake = await fetch(`${base}/api/display/${linkId}/screens/fakeScreen1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    expect(fake.status).toBe(404);
    const wrongLink = await fetch(`${base}/api/display/${other}/screens/screenA1b2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    expect(wrongLink.status).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/display-links/${linkId}/screens`, headers: owner.headers })).json().screens.map((x: { screen_id: string }) => x.screen_id)).toEqual(['screenA1b2']);

    expect((await app.inject({ method: 'POST', url: `/api/display-links/${linkId}/clear`, headers: owner.headers })).statusCode).toBe(204);
    const shown = await app.inject({ method: 'POST', url: `/api/display-links/${linkId}/show`, headers: owner.headers, payload: { bib: '102' } });
    expect(shown.json().runner).toMatchObject({ bib: '102', name: 'Alan Turing' });
    const missing = await app.inject({ method: 'POST', url: `/api/display-links/${linkId}/show`, headers: owner.headers, payload: { bib: '4242' } });
    expect(missing.statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/display-links/${linkId}/test-read`, headers: owner.headers })).statusCode).toBe(204);
    const patched = await app.inject({ method: 'PATCH', url: `/api/display-links/${linkId}`, headers: owner.headers, payload: { locations: ['finish'] } });
    expect(patched.json().link).toMatchObject({ locations: ['finish'], roster_event_id: eventId });

    await until(() => s.events.length >= 4, 'four control events');
    expect(s.events.map((e) => [e.event, e.id, e.data.runner?.bib ?? null])).toEqual([
      ['clear', undefined, null],
      ['show', undefined, '102'],
      ['show', undefined, 'TEST'],
      ['reload', undefined, null],
    ]);
    expect(s.events[2]!.data.test).toBe(true);
    expect(bystander.events).toEqual([]); // commands go to their own link's screens only
    s.close();
    bystander.close();
    // Its stream closed, the screen leaves the console at once.
    await expect
      .poll(async () => (await app.inject({ method: 'GET', url: `/api/display-links/${linkId}/screens`, headers: owner.headers })).json().screens.length, { timeout: 3000 })
      .toBe(0);
  });

  it('refuses malformed screen reports and unknown links', async () => {
    const linkId = await createLink({});
    const bad = await fetch(`${base}/api/display/${linkId}/screens/screenA1b2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queue: 'x' }) });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${base}/api/display/Nope1234/screens/screenA1b2`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ on_screen: null, queue: [], queue_length: 0, dropped: 0, shown: 0 }),
    });
    expect(unknown.status).toBe(404);
    const huge = await fetch(`${base}/api/display/${linkId}/screens/screenA1b2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
  });

  it('gives a screen its template designs with the link, the current version unless a version is fixed', async () => {
    const runner = { html: '<div data-p88-field="name">N</div>', css: '' };
    const idle = { html: '<div data-p88-field="idle_message">I</div>', css: '' };
    const created = (await app.inject({ method: 'POST', url: '/api/templates', headers: owner.headers, payload: { name: 'T', runner, idle } })).json();
    await app.inject({ method: 'PUT', url: `/api/templates/${created.template.id}`, headers: owner.headers, payload: { runner: { html: '<div data-p88-field="bib">B</div>', css: '' }, idle } });
    const following = await createLink({ template_id: created.template.id });
    const pinned = await createLink({ template_id: created.template.id, template_version: 1 });
    type Info = { template: { runner: { html: string } } | null };
    const a = (await (await fetch(`${base}/api/display/${following}`)).json()) as Info;
    const b = (await (await fetch(`${base}/api/display/${pinned}`)).json()) as Info;
    expect(a.template!.runner.html).toContain('data-p88-field="bib"');
    expect(b.template!.runner.html).toContain('data-p88-field="name"');
    const plain = (await (await fetch(`${base}/api/display/${await createLink({})}`)).json()) as Info;
    expect(plain.template).toBeNull();
  });
});

describe('runner resolver when the database is away', () => {
  it('answers without gun times or roster, and never leaves a rejected promise behind (it would end the process)', async () => {
    const gone = await createTestDatabase();
    await gone.drop();
    const { RunnerResolver } = await import('./runner.js');
    const resolver = new RunnerResolver(gone.db);
    expect(resolver.elapsed(1, 1, 1_000)).toBeNull();
    expect(resolver.match(1, 1, '101')).toBeUndefined();
    await resolver.prepare(1, 1, 1); // settles despite the failures
    await new Promise((r) => setTimeout(r, 100));
    expect(resolver.elapsed(1, 1, 1_000)).toBeNull();
  });
});

/**
 * ChronoTrack Live roster import against a loopback fake of the provider, on a real database
 * as the application role: paging and progress, re-import in place, refused credentials,
 * HTML error pages, transient failures, timeouts, and isolation between partners.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { Rosters } from '../rosters/roster.service.js';
import { AppError } from '../errors.js';
import { ChronoTrackClient, sha1Hex, type Progress } from '../providers/chronotrack/client.js';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack, type FakeChronoTrackOptions } from '../providers/chronotrack/fake-server.js';
import { importFromChronoTrackLive, type ChronoTrackImportOptions } from './ctlive-roster.js';
import { entryToParticipant } from '../providers/chronotrack/mapping.js';

const PASSWORD = 'correct horse battery staple';
const CREDS = { clientId: 'p88-client', userId: 'timer@example.com', password: PASSWORD };

let t: TestDatabase;
let roster: Rosters;
let current: FakeChronoTrack | undefined;
const logLines: string[] = [];
const log = {
  debug: (...args: unknown[]) => void logLines.push(JSON.stringify(args)),
  warn: (...args: unknown[]) => void logLines.push(JSON.stringify(args)),
};

function baseOptions(): FakeChronoTrackOptions {
  return {
    ...CREDS,
    events: [
      { event_id: '4242', event_name: 'Boise Half Marathon 2026', entries: fakeEntries(250) },
      { event_id: '77', event_name: 'Tiny 5K', entries: fakeEntries(3, { idBase: 100, bibBase: 900 }) },
      // Only the failure tests ask for this one: after them, nothing of it may be stored.
      { event_id: '808', event_name: 'Never Stored 10K', entries: fakeEntries(120) },
    ],
  };
}

function opts(eventId: string, extra: Partial<ChronoTrackImportOptions> = {}): ChronoTrackImportOptions {
  return { ...CREDS, baseUrl: current!.baseUrl, eventId, retryBaseMs: 5, log: log, ...extra };
}

async function ctliveEvents(partnerId: number, externalId: string) {
  const r = await t.owner.query<{ id: number; n: number }>(
    `SELECT e.id, (SELECT count(*)::int FROM participants p WHERE p.event_id = e.id) AS n
       FROM roster_events e WHERE e.partner_id = $1 AND e.source = 'ctlive' AND e.external_id = $2`,
    [partnerId, externalId],
  );
  return r.rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  roster = new Rosters(t.db);
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival Timing') ON CONFLICT DO NOTHING`);
});
afterAll(() => t.drop());
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function start(change: (o: FakeChronoTrackOptions) => void = () => {}): Promise<FakeChronoTrack> {
  const o = baseOptions();
  change(o);
  current = await startFakeChronoTrack(o);
  logLines.length = 0;
  return current;
}

describe('importFromChronoTrackLive', () => {
  it('loads every page with auth on each request and progress driven by the row count', async () => {
    const fake = await start();
    const progress: Progress[] = [];
    const r = await importFromChronoTrackLive(roster, 1, opts('4242'), (p) => progress.push(p));

    expect(progress).toEqual([
      { loaded: 100, total: 250 },
      { loaded: 200, total: 250 },
      { loaded: 250, total: 250 },
    ]);
    expect(r).toMatchObject({ entries: 250, inserted: 250, updated: 0, unchanged: 0, removed: 0, errors: [] });
    expect(r.event).toMatchObject({ name: 'Boise Half Marathon 2026', source: 'ctlive', external_id: '4242' });

    expect(fake.requests.map((q) => `${q.path}?page=${q.query.get('page')}`)).toEqual([
      '/api/event/4242?page=null',
      '/api/event/4242/entry?page=1',
      '/api/event/4242/entry?page=2',
      '/api/event/4242/entry?page=3',
    ]);
    for (const q of fake.requests) {
      expect(q.query.get('format')).toBe('json');
      expect(q.query.get('client_id')).toBe(CREDS.clientId);
      expect(q.query.get('user_id')).toBe(CREDS.userId);
      expect(q.query.get('user_pass')).toBe(sha1Hex(PASSWORD));
      expect(q.query.get('user_pass')).toMatch(/^[0-9a-f]{40}$/);
    }
    const entryQuery = fake.requests[1]!.query;
    expect([entryQuery.get('size'), entryQuery.get('include_test_entries'), entryQuery.get('elide_json')]).toEqual(['100', 'true', 'false']);

    const people = await roster.listParticipants(1, r.event.id);
    expect(people).toHaveLength(250);
    const first = people.find((p) => p.bib === '1')!;
    expect(first).toMatchObject({
      external_id: '9000000',
      first_name: 'Runner0',
      last_name: 'Test',
      gender: 'F',
      age: 20,
      city: 'Boise',
      state: 'ID',
      country: 'USA',
      division: 'F 20-29',
      race: 'Half Marathon',
      wave: 'Wave 1',
      team: 'Blue Crew',
      tags: [],
    });
    expect((await roster.getParticipant(1, first.id)).raw).toEqual(fakeEntries(1)[0]);
    // The password and its hash never reach a log line.
    expect(logLines.join('\n')).not.toContain(PASSWORD);
    expect(logLines.join('\n')).not.toContain(sha1Hex(PASSWORD));
  });

  it('re-imports in place: same event, counts, hand-typed messages kept, dropped entries removed', async () => {
    const fake = await start();
    const first = await importFromChronoTrackLive(roster, 1, opts('77'));
    const before = await roster.listParticipants(1, first.event.id);
    const runner = before.find((p) => p.bib === '900')!;
    await roster.updateParticipant(1, runner.id, { custom_message: 'Go go go' });

    const entries = fake.options.events[1]!.entries;
    entries[0] = { ...entries[0], athlete_first_name: 'Renamed', entry_race_age: 61 };
    entries.splice(2, 1);
    entries.push({ ...fakeEntries(1, { idBase: 200, bibBase: 950 })[0] });
    const again = await importFromChronoTrackLive(roster, 1, opts('77'));

    expect(again.event.id).toBe(first.event.id);
    expect(again).toMatchObject({ entries: 3, inserted: 1, updated: 1, unchanged: 1, removed: 1, errors: [] });
    const after = await roster.listParticipants(1, first.event.id);
    expect(after.map((p) => p.bib)).toEqual(['900', '901', '950']);
    expect(after[0]).toMatchObject({ id: runner.id, first_name: 'Renamed', age: 61, custom_message: 'Go go go' });
    expect(await ctliveEvents(1, '77')).toHaveLength(1);
  });

  it('refuses a wrong password with a clear error, stores nothing and leaks no secret', async () => {
    const fake = await start();
    const bad = 'not-the-password';
    const err = await importFromChronoTrackLive(roster, 1, opts('808', { password: bad })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'bad_request', status: 400, message: 'ChronoTrack Live rejected the client id, user id or password.' });
    expect(fake.requests).toHaveLength(1);
    expect(await ctliveEvents(1, '808')).toEqual([]);
    const text = `${(err as Error).message} ${JSON.stringify(err)} ${logLines.join('\n')}`;
    for (const secret of [bad, sha1Hex(bad), PASSWORD, sha1Hex(PASSWORD)]) expect(text).not.toContain(secret);
  });

  it('turns an HTML error page into a clear error, at 200 and after retries at 500', async () => {
    const fake = await start((o) => (o.htmlEventIds = ['808']));
    await expect(importFromChronoTrackLive(roster, 1, opts('808'))).rejects.toThrow(
      'ChronoTrack Live answered with an HTML page instead of data (HTTP 200: ChronoTrack - Error).',
    );
    expect(fake.requests).toHaveLength(1);
    fake.options.htmlStatus = 500;
    fake.requests.length = 0;
    await expect(importFromChronoTrackLive(roster, 1, opts('808', { maxAttempts: 2 }))).rejects.toThrow(/HTML page instead of data \(HTTP 500/);
    expect(fake.requests).toHaveLength(2);
    expect(await ctliveEvents(1, '808')).toEqual([]);
  });

  it('stores nothing when a later page fails', async () => {
    await start((o) => (o.failEntryPage = 2));
    const progress: Progress[] = [];
    await expect(importFromChronoTrackLive(roster, 1, opts('808', { maxAttempts: 2 }), (p) => progress.push(p))).rejects.toThrow(
      'ChronoTrack Live answered HTTP 500.',
    );
    expect(progress).toEqual([{ loaded: 100, total: 120 }]);
    expect(await ctliveEvents(1, '808')).toEqual([]);
  });

  it('retries a 503 with backoff and succeeds; gives up after the bounded attempts', async () => {
    const fake = await start((o) => (o.failNext = 2));
    const r = await importFromChronoTrackLive(roster, 2, opts('77'));
    expect(r).toMatchObject({ entries: 3, inserted: 3 });
    expect(fake.requests.map((q) => q.path)).toEqual(['/api/event/77', '/api/event/77', '/api/event/77', '/api/event/77/entry']);
    expect(logLines.filter((l) => l.includes('retrying'))).toHaveLength(2);

    fake.options.failNext = 100;
    fake.options.failStatus = 429;
    fake.requests.length = 0;
    const err = await importFromChronoTrackLive(roster, 2, opts('77', { maxAttempts: 3 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'upstream_error', message: 'ChronoTrack Live answered HTTP 429.' });
    expect(fake.requests).toHaveLength(3);
  });

  it('fails a page that never comes within the timeout', async () => {
    await start((o) => (o.delayMs = 300));
    const started = Date.now();
    await expect(importFromChronoTrackLive(roster, 1, opts('77', { timeoutMs: 50, maxAttempts: 2 }))).rejects.toThrow(
      'ChronoTrack Live did not answer within 50 ms.',
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports an unknown event as not found and a bad event id as a bad request', async () => {
    const fake = await start();
    await expect(importFromChronoTrackLive(roster, 1, opts('31337'))).rejects.toMatchObject({ code: 'not_found' });
    await expect(importFromChronoTrackLive(roster, 1, opts('../admin'))).rejects.toMatchObject({ code: 'bad_request' });
    expect(fake.requests.map((q) => q.path)).toEqual(['/api/event/31337']);
  });

  it('keeps each partner’s import of the same event apart', async () => {
    const fake = await start();
    const mine = await importFromChronoTrackLive(roster, 1, opts('4242'));
    fake.options.events[0]!.entries = fakeEntries(5, { idBase: 1 });
    const theirs = await importFromChronoTrackLive(roster, 2, opts('4242'));
    expect(theirs.event.id).not.toBe(mine.event.id);
    expect(theirs).toMatchObject({ inserted: 5, removed: 0 });
    expect((await roster.listParticipants(1, mine.event.id)).length).toBe(250);
    await expect(roster.listParticipants(2, mine.event.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reports entries without a bib as row errors and stores the rest', async () => {
    await start((o) => {
      o.events[1]!.entries[1]!.entry_bib = '';
    });
    const r = await importFromChronoTrackLive(roster, 1, opts('77'));
    expect(r).toMatchObject({ errors: [{ row: 2, reason: 'missing bib' }] });
    expect(r.inserted + r.updated + r.unchanged).toBe(2);
  });
});

describe('client paging without a page count', () => {
  it('pages until a short page when the headers are missing', async () => {
    const fake = await start();
    const client = new ChronoTrackClient({ ...CREDS, baseUrl: fake.baseUrl });
    fake.options.pagingHeaders = false;
    const progress: Progress[] = [];
    const entries = await client.listEventEntries('4242', (p) => progress.push(p));
    expect(entries).toHaveLength(250);
    expect(progress.map((p) => [p.loaded, p.total])).toEqual([
      [100, null],
      [200, null],
      [250, null],
    ]);
    expect(entries.map((e) => e.entry_bib)).toEqual(fakeEntries(250).map((e) => e.entry_bib));
  });
});

describe('entryToParticipant', () => {
  it('reads numbers sent as numbers or strings and splits entry_name when athlete names are absent', () => {
    const p = entryToParticipant({ entry_id: 12, entry_bib: 7, entry_name: 'Ana Maria Lopez', entry_race_age: '33', athlete_sex: 'f', reg_choice_name: '10K', extra: { x: 1 } });
    expect(p).toMatchObject({ external_id: '12', bib: '7', first_name: 'Ana', last_name: 'Maria Lopez', age: 33, gender: 'F', race: '10K', team: null });
    expect(p.raw).toEqual({ entry_id: 12, entry_bib: 7, entry_name: 'Ana Maria Lopez', entry_race_age: '33', athlete_sex: 'f', reg_choice_name: '10K', extra: { x: 1 } });
    expect(entryToParticipant({ entry_bib: { bad: true }, athlete_sex: '' })).toMatchObject({ bib: '', gender: 'U', external_id: null });
  });
});

/** RunSignUp adapter against its loopback fake: shapes, quirks, paging, 429s, outages, push. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { ProviderError } from '../http.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema, providerResultSchema } from '../records.js';
import { RunSignUpAdapter } from './client.js';
import { fakeRsuParticipants, startFakeRunSignUp, type FakeRsuRace, type FakeRunSignUp } from './fake-server.js';

const CREDS = { apiKey: 'key-1', apiSecret: 'sekrit-1' };
let fake: FakeRunSignUp | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function race(participants = fakeRsuParticipants(3)): FakeRsuRace {
  return {
    race_id: 98765,
    name: 'Boise Half',
    next_date: '07/26/2025',
    timezone: 'America/Boise',
    is_registration_open: 'F',
    address: { city: 'Boise', state: 'ID', country_code: 'US' },
    events: [
      {
        event_id: 111,
        name: 'Half Marathon',
        start_time: '7/26/2025 07:30',
        distance: '13.1 Miles',
        registration_periods: [{ race_fee: '$45.00' }, { race_fee: '$55.00' }],
        participants,
        result_sets: [
          {
            individual_result_set_id: 555,
            individual_result_set_name: 'Overall',
            results_headers: { place: 'Place', clock_time: 'Clock Time', 'split-8841': 'Mile 1' },
            results: [
              { result_id: 1, place: 1, bib: '7', first_name: 'Ann', last_name: 'Fast', gender: 'F', age: 31, clock_time: '16:05.3', chip_time: '16:04.9', 'split-8841': '5:09.8' },
              { result_id: 2, place: 2, bib: '8', first_name: 'Ulla', last_name: 'Tra', gender: 'M', age: 45, clock_time: '25:13:07.2', chip_time: '25:13:01', 'split-8841': '' },
              { result_id: 3, place: '', bib: '9', first_name: 'Dee', last_name: 'Nef', gender: 'Female', age: 50, clock_time: 'DNF', chip_time: '', 'split-8841': '6:00' },
            ],
          },
        ],
      },
    ],
  };
}

async function start(r = race()): Promise<RunSignUpAdapter> {
  fake = await startFakeRunSignUp({ ...CREDS, races: [r] });
  return new RunSignUpAdapter(CREDS, { baseUrl: fake.baseUrl, retryBaseMs: 1, maxRetryDelayMs: 2000 });
}

describe('RunSignUp adapter', () => {
  it('lists races as events and events as races: T/F booleans, money as strings, times in the race’s zone', async () => {
    const a = await start();
    const [event] = await a.listEvents();
    expect(providerEventSchema.parse(event)).toMatchObject({ externalId: '98765', name: 'Boise Half', startDate: '2025-07-26', timezone: 'America/Boise', status: 'registration_closed', city: 'Boise' });
    const [r] = await a.listRaces('98765');
    // 07:30 in Boise (MDT, UTC-6) = 13:30Z; the latest period's fee "$55.00".
    expect(providerRaceSchema.parse(r)).toMatchObject({ externalId: '111', eventExternalId: '98765', startsAt: '2025-07-26T13:30:00.000Z', distanceMeters: 21082.406, feeCents: 5500 });
    // The secret travels as a header, never in the URL.
    expect(fake!.requests.every((q) => q.query.get('format') === 'json' && !q.query.toString().includes('sekrit'))).toBe(true);
  });

  it('turns HTTP-200 {"error":…} answers into errors: refused credentials, unknown race', async () => {
    await start();
    const bad = new RunSignUpAdapter({ apiKey: 'key-1', apiSecret: 'wrong' }, { baseUrl: fake!.baseUrl });
    await expect(bad.testConnection()).rejects.toMatchObject({ kind: 'auth', message: 'RunSignUp refused the request: Invalid API key or secret. (error 6).' });
    const good = new RunSignUpAdapter(CREDS, { baseUrl: fake!.baseUrl });
    await good.testConnection();
    await expect(good.listRaces('4040')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(good.listRaces('../x')).rejects.toMatchObject({ kind: 'invalid_request' });
  });

  it('pages participants 2,500 at a time sorted by registration id, and maps them', async () => {
    const a = await start(race(fakeRsuParticipants(5001)));
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: '98765', raceExternalId: '111' })) pages.push(p);
    expect(pages.map((p) => p.items.length)).toEqual([2500, 2500, 1]);
    const calls = fake!.requests.filter((r) => r.path.endsWith('/participants'));
    expect(calls.map((c) => [c.query.get('page'), c.query.get('results_per_page'), c.query.get('sort')])).toEqual([
      ['1', '2500', 'registration_id ASC'],
      ['2', '2500', 'registration_id ASC'],
      ['3', '2500', 'registration_id ASC'],
    ]);
    const first = providerParticipantSchema.parse(pages[0]!.items[0]);
    expect(first).toMatchObject({ externalId: '1000', eventExternalId: '98765', raceExternalId: '111', bib: '1', chip: 'C1', gender: 'F', birthDate: '1986-01-06', email: 'r0@example.com', team: 'Harriers', registeredAt: '2021-09-07T19:15:00.000Z', updatedAt: '2023-11-14T22:13:20.000Z' });
    expect(pages[0]!.items[2]!.gender).toBe('X');
    expect((first.raw as { amount_paid: string }).amount_paid).toBe('$55.00');
  });

  it('pulls incrementally: modified_after_timestamp is inclusive, so the watermark is the newest last_modified itself (that second comes again)', async () => {
    const rows = [...fakeRsuParticipants(2, { modified: 1000 }), ...fakeRsuParticipants(1, { idBase: 5000, modified: 2000 })];
    const a = await start(race(rows));
    const full = [];
    for await (const p of a.pullParticipants({ eventExternalId: '98765' })) full.push(p);
    expect(full.at(-1)!.nextSince).toBe('2000');
    // Nothing changed since: the inclusive filter at 2000 repeats the newest second only.
    const again = await collectPages(a.pullParticipants({ eventExternalId: '98765', since: '2000' }));
    expect(again.map((p) => p.externalId)).toEqual(['5000']);
    // A registration changed later in that same second is not missed (a watermark of 2001 would miss it).
    rows.push(...fakeRsuParticipants(1, { idBase: 6000, modified: 2000 }), ...fakeRsuParticipants(1, { idBase: 7000, modified: 2005 }));
    const next = [];
    for await (const p of a.pullParticipants({ eventExternalId: '98765', since: '2000' })) next.push(p);
    expect(next.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['5000', '6000', '7000']);
    expect(next.at(-1)!.nextSince).toBe('2005');
    expect(fake!.requests.filter((r) => r.path.endsWith('/participants')).map((r) => r.query.get('modified_after_timestamp'))).toEqual([null, '2000', '2000']);
  });

  it('pulls results with splits, times past 24 h and DNF', async () => {
    const a = await start();
    const results = await collectPages(a.pullResults({ eventExternalId: '98765', raceExternalId: '111' }));
    results.forEach((r) => providerResultSchema.parse(r));
    expect(results[0]).toMatchObject({ externalId: '1', status: 'finished', gunTimeMs: 965_300, chipTimeMs: 964_900, overallPlace: 1, gender: 'F' });
    expect(results[0]!.splits).toEqual([{ externalId: '8841', label: 'Mile 1', distanceMeters: 1609.344, timeMs: 309_800 }]);
    expect(results[1]).toMatchObject({ status: 'finished', gunTimeMs: (25 * 3600 + 13 * 60 + 7.2) * 1000, chipTimeMs: (25 * 3600 + 13 * 60 + 1) * 1000 });
    expect(results[2]).toMatchObject({ status: 'DNF', gunTimeMs: null, overallPlace: null, gender: 'F' });
  });

  it('waits out a 429 with Retry-After and retries an outage, then fails clearly when it lasts', async () => {
    const a = await start();
    fake!.faults.rateLimitNext = 1;
    fake!.faults.retryAfter = '1';
    const t0 = Date.now();
    expect(await a.listEvents()).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    fake!.faults.failNext = 2;
    expect(await a.listEvents()).toHaveLength(1);
    fake!.faults.failNext = 10;
    const err = await a.listEvents().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'unavailable', message: 'RunSignUp answered HTTP 503.' });
    // A Retry-After longer than we wait is not waited: rate_limited, for the queue to retry later.
    fake!.faults.failNext = 0;
    fake!.faults.rateLimitNext = 1;
    fake!.faults.retryAfter = '3600';
    await expect(a.listEvents()).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 3_600_000 });
  });

  it('retries a page that fails mid-sync and goes on; a page that keeps failing ends the pull after the pages already given', async () => {
    const a = await start(race(fakeRsuParticipants(5001)));
    const sizes: number[] = [];
    for await (const p of a.pullParticipants({ eventExternalId: '98765', raceExternalId: '111' })) {
      sizes.push(p.items.length);
      if (p.page === 1) fake!.faults.failNext = 2; // page 2's first two tries
    }
    expect(sizes).toEqual([2500, 2500, 1]);
    expect(fake!.requests.filter((r) => r.path.endsWith('/participants')).map((r) => r.query.get('page'))).toEqual(['1', '2', '2', '2', '3']);
    fake!.faults.failMatching = /participants\?.*page=2&/;
    const got: number[] = [];
    const err = await (async () => {
      for await (const p of a.pullParticipants({ eventExternalId: '98765', raceExternalId: '111' })) got.push(p.items.length);
    })().catch((e: unknown) => e);
    // The caller has page 1 only and an error saying why: it must not treat the pull as complete.
    expect(got).toEqual([2500]);
    expect(err).toMatchObject({ kind: 'unavailable', message: 'RunSignUp answered HTTP 500.' });
  });

  it('pushes results to full-results: registration id, bib, times, splits, DNF', async () => {
    const a = await start();
    const out = await a.pushResults({ eventExternalId: '98765', raceExternalId: '111', resultSetId: '555' }, [
      { bib: '7', participantExternalId: '1000', status: 'finished', chipTimeMs: 964_900, gunTimeMs: 965_300, overallPlace: 1, splits: [{ externalId: '8841', timeMs: 309_800 }] },
      { bib: '9', participantExternalId: null, status: 'DNF', chipTimeMs: null, gunTimeMs: null, overallPlace: null, splits: [] },
    ]);
    expect(out).toMatchObject({ sent: 2, accepted: 2 });
    expect(fake!.posted.get('555')).toEqual([
      { bib_num: '7', registration_id: '1000', place: 1, clock_time: '0:16:05.3', chip_time: '0:16:04.9', 'split-8841': '0:05:09.8' },
      { bib_num: '9', clock_time: 'DNF' },
    ]);
    await expect(a.pushResults({ eventExternalId: '98765', raceExternalId: '111' }, [])).rejects.toMatchObject({ kind: 'invalid_request' });
  });
});

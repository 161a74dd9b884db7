/** The CTLive sync adapter against the loopback fake: numbers as strings, page-count headers, SHA-1 auth, results, push. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { ProviderError } from '../http.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema, providerResultSchema } from '../records.js';
import { CtLiveAdapter } from './adapter.js';
import { sha1Hex } from './client.js';
import { fakeEntries, startFakeChronoTrack, type FakeChronoTrack } from './fake-server.js';

const CREDS = { clientId: 'client-1', userId: 'timer@example.com', password: 'pässword' };
let fake: FakeChronoTrack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function result(entry: string, bib: string, sex: string, interval: string, time: string, extra: Record<string, string> = {}) {
  return { results_entry_id: entry, results_race_id: '301', results_bib: bib, results_first_name: `A${bib}`, results_last_name: 'Z', results_sex: sex, results_age: '40', results_city: 'Bend', results_state: 'OR', results_country: 'USA', results_time: time, results_gun_time: time, results_rank: '', results_primary_bracket_name: `${sex} 40-49`, results_race_name: '100 Miler', results_interval_name: interval, ...extra };
}

async function start(): Promise<CtLiveAdapter> {
  const entries = fakeEntries(250).map((e, i) => ({ ...e, race_id: i < 150 ? '301' : '302', entry_status: i === 3 ? 'CANCELLED' : 'ACTIVE' }));
  fake = await startFakeChronoTrack({
    ...CREDS,
    events: [
      {
        event_id: '4242',
        event_name: 'Cascade 100',
        extra: { event_timezone: 'America/Los_Angeles', location_city: 'Bend', location_region: 'OR', location_country: 'USA' },
        entries,
        races: [
          { race_id: '301', race_name: '100 Miler', race_course_distance: '160934.4', race_pref_distance_unit: 'm', race_planned_start_time: '1767196800' },
          { race_id: '302', race_name: '50K', race_course_distance: '', race_planned_start_time: '1767200400' },
        ],
        waves: [
          { wave_id: '1', wave_name: 'Elite', wave_race_id: '301' },
          { wave_id: '2', wave_name: 'Open', wave_race_id: '301' },
        ],
        results: [
          result('9000000', '1', 'F', 'Mile 50', '9:01:02'),
          result('9000000', '1', 'F', 'Full Course', '25:13:07.4', { results_rank: '1' }),
          result('9000001', '2', 'M', 'Full Course', '26:00:00', { results_rank: '2' }),
          result('9000002', '3', 'F', 'Full Course', '27:30:00', { results_rank: '3' }),
          result('9000003', '4', 'M', 'Mile 50', '11:00:00'),
          result('9000003', '4', 'M', 'Full Course', 'DNF'),
        ],
      },
    ],
  });
  return new CtLiveAdapter({ ...CREDS, baseUrl: fake.baseUrl, retryBaseMs: 1 });
}

describe('CTLive adapter', () => {
  it('sends the password as lowercase SHA-1 hex, never in clear, and says when it is refused', async () => {
    const a = await start();
    await a.testConnection();
    const q = fake!.requests[0]!.query;
    expect(q.get('user_pass')).toBe(sha1Hex('pässword'));
    expect(q.get('user_pass')).toMatch(/^[0-9a-f]{40}$/);
    expect(fake!.requests.some((r) => r.query.toString().includes('p%C3%A4ssword'))).toBe(false);
    const bad = new CtLiveAdapter({ ...CREDS, password: 'nope', baseUrl: fake!.baseUrl });
    const err = await bad.testConnection().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'auth', reason: 'auth' });
  });

  it('lists events and races with numbers sent as strings, and waves per race', async () => {
    const a = await start();
    const [e] = await a.listEvents();
    expect(providerEventSchema.parse(e)).toMatchObject({ externalId: '4242', name: 'Cascade 100', startDate: '2025-12-31', timezone: 'America/Los_Angeles', city: 'Bend' });
    const races = (await a.listRaces('4242')).map((r) => providerRaceSchema.parse(r));
    expect(races).toMatchObject([
      { externalId: '301', distanceMeters: 160934.4, startsAt: '2025-12-31T16:00:00.000Z', waves: ['Elite', 'Open'] },
      { externalId: '302', distanceMeters: 50000, waves: [] },
    ]);
  });

  it('pages entries by the page-count header, maps statuses and ages sent as strings', async () => {
    const a = await start();
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: '4242' })) pages.push(p);
    expect(pages.map((p) => [p.page, p.items.length, p.totalPages, p.totalItems])).toEqual([
      [1, 100, 3, 250],
      [2, 100, 3, 250],
      [3, 50, 3, 250],
    ]);
    const all = pages.flatMap((p) => p.items).map((p) => providerParticipantSchema.parse(p));
    expect(all[0]).toMatchObject({ externalId: '9000000', raceExternalId: '301', bib: '1', age: 20, gender: 'F', birthDate: '1990-01-01', wave: 'Wave 1', status: 'active' });
    expect(all[3]!.status).toBe('cancelled');
    expect(all[220]!.raceExternalId).toBe('302');
    // A full page that the page-count header says is the last: no request for an empty page 2.
    fake!.requests.length = 0;
    const race = await collectPages(a.pullParticipants({ eventExternalId: '4242', raceExternalId: '302' }));
    expect(race).toHaveLength(100);
    expect(fake!.requests.filter((r) => r.path.endsWith('/race/302/entry'))).toHaveLength(1);
    // Without the headers it has to ask for page 2 to find the end.
    fake!.options.pagingHeaders = false;
    expect(await collectPages(a.pullParticipants({ eventExternalId: '4242', raceExternalId: '302' }))).toHaveLength(100);
    expect(fake!.requests.filter((r) => r.path.endsWith('/race/302/entry'))).toHaveLength(3);
  });

  it('pulls results: finish past 24 h, splits from the other intervals, places by bracket, DNF', async () => {
    const a = await start();
    const results = (await collectPages(a.pullResults({ eventExternalId: '4242', raceExternalId: '301' }))).map((r) => providerResultSchema.parse(r));
    const byBib = new Map(results.map((r) => [r.bib, r]));
    expect(byBib.get('1')).toMatchObject({ participantExternalId: '9000000', status: 'finished', chipTimeMs: (25 * 3600 + 13 * 60 + 7.4) * 1000, overallPlace: 1, genderPlace: 1, divisionPlace: 1, division: 'F 40-49' });
    expect(byBib.get('1')!.splits).toEqual([{ externalId: null, label: 'Mile 50', distanceMeters: 80467.2, timeMs: (9 * 3600 + 62) * 1000 }]);
    expect(byBib.get('3')).toMatchObject({ genderPlace: 2, overallPlace: 3 });
    expect(byBib.get('4')).toMatchObject({ status: 'DNF', chipTimeMs: null, overallPlace: null, genderPlace: null });
    expect(fake!.requests.filter((r) => r.path.endsWith('/results')).map((r) => r.query.get('bracket'))).toEqual([null, 'SEX', 'AGE']);
  });

  it('retries a 429 and an outage, and pushes results back once', async () => {
    const a = await start();
    fake!.options.failNext = 2;
    fake!.options.failStatus = 429;
    expect(await a.listEvents()).toHaveLength(1);
    const out = await a.pushResults({ eventExternalId: '4242', raceExternalId: '301' }, [
      { bib: '1', participantExternalId: '9000000', status: 'finished', chipTimeMs: 90_787_400, gunTimeMs: 90_790_000, overallPlace: 1, splits: [] },
      { bib: '4', participantExternalId: null, status: 'DNF', chipTimeMs: null, gunTimeMs: null, overallPlace: null, splits: [] },
    ]);
    expect(out).toMatchObject({ sent: 2, accepted: 2 });
    expect(fake!.pushed).toEqual([
      { raceId: '301', row: { results_bib: '1', results_entry_id: '9000000', results_time: '25:13:07.4', results_gun_time: '25:13:10.0', results_rank: '1', results_interval_name: 'Full Course' } },
      { raceId: '301', row: { results_bib: '4', results_time: 'DNF', results_interval_name: 'Full Course' } },
    ]);
  });
});

/** UltraSignup adapter against its loopback fake: /Date(ms)/ dates, ms-string times past 24 h, status codes. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema, providerResultSchema } from '../records.js';
import { UltraSignupAdapter } from './client.js';
import { startFakeUltraSignup, type FakeUltraSignup } from './fake-server.js';

let fake: FakeUltraSignup | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const row = (id: number, status: number, time: string, extra: Record<string, unknown> = {}) => ({
  participant_id: id, place: status === 1 ? id : 0, gender_place: status === 1 ? 1 : 0, age_rank: status === 1 ? 1 : 0, runner_rank: 88.2, age: 44, agegroup: 'M 40-49',
  bib: String(id), firstname: `U${id}`, lastname: 'Runner', gender: 'M', city: 'Leadville', state: 'CO', status, time, formattime: '', ...extra,
});

async function start(): Promise<UltraSignupAdapter> {
  fake = await startFakeUltraSignup({
    editions: [
      {
        edition: { EventId: 12, EventDateId: 104512, EventName: 'Leadville 100', EventDate: '/Date(1755302400000)/', City: 'Leadville', State: 'CO', Distances: [{ DistanceId: 9001, DistanceName: '100 Miler', StartTime: '/Date(1755327600000-0600)/' }, { DistanceId: 9002, DistanceName: '50K' }] },
        entrants: { '9001': [{ participant_id: 1, bib: '1', firstname: 'Ann', lastname: 'Ultra', gender: 'F', age: '39', city: 'Leadville', state: 'CO', registered: '/Date(1735689600000)/' }], '9002': [] },
        results: {
          '9001': [
            row(1, 1, '90787400'), // 25:13:07.4
            row(2, 1, '', { formattime: '29:59:59' }),
            row(3, 2, '0'),
            row(4, 3, ''),
            row(5, 5, '80000000'),
            row(6, 4, ''),
          ],
        },
      },
    ],
  });
  return new UltraSignupAdapter({ baseUrl: fake.baseUrl, retryBaseMs: 1 });
}

describe('UltraSignup adapter', () => {
  it('reads /Date(ms)/ dates and lists distances as races', async () => {
    const a = await start();
    const [e] = await a.listEvents();
    expect(providerEventSchema.parse(e)).toMatchObject({ externalId: '104512', startDate: '2025-08-16', city: 'Leadville' });
    const races = (await a.listRaces('104512')).map((r) => providerRaceSchema.parse(r));
    expect(races).toMatchObject([{ externalId: '9001', distanceMeters: 160934.4, startsAt: '2025-08-16T07:00:00.000Z' }, { externalId: '9002', distanceMeters: 50000, startsAt: null }]);
    await expect(a.listRaces('1')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('pulls entrants per distance', async () => {
    const a = await start();
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: '104512' })) pages.push(p);
    expect(pages.map((p) => [p.page, p.totalPages, p.items.length])).toEqual([[1, 2, 1], [2, 2, 0]]);
    expect(providerParticipantSchema.parse(pages[0]!.items[0])).toMatchObject({ externalId: '1', raceExternalId: '9001', gender: 'F', age: 39, registeredAt: '2025-01-01T00:00:00.000Z' });
  });

  it('maps ms-string times past 24 h and status codes 1/2/3/5 (others unknown)', async () => {
    const a = await start();
    const r = (await collectPages(a.pullResults({ eventExternalId: '104512', raceExternalId: '9001' }))).map((x) => providerResultSchema.parse(x));
    expect(r.map((x) => [x.bib, x.status, x.chipTimeMs, x.overallPlace])).toEqual([
      ['1', 'finished', 90_787_400, 1],
      ['2', 'finished', 107_999_000, 2],
      ['3', 'DNF', null, null],
      ['4', 'DNS', null, null],
      ['5', 'DQ', null, null],
      ['6', 'unknown', null, null],
    ]);
    expect(r[0]).toMatchObject({ externalId: '9001:1', genderPlace: 1, division: 'M 40-49', divisionPlace: 1 });
  });

  it('retries a 429 and an outage, and fails clearly on HTML', async () => {
    const a = await start();
    fake!.faults.rateLimitNext = 1;
    fake!.faults.failNext = 1;
    expect(await a.listEvents()).toHaveLength(1);
    fake!.faults.failMatching = /results/;
    await expect(collectPages(a.pullResults({ eventExternalId: '104512', raceExternalId: '9001' }))).rejects.toMatchObject({ kind: 'unavailable', message: 'UltraSignup answered HTTP 500.' });
  });
});

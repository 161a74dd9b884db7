/** Race Roster adapter against its loopback fake: OAuth grant and refresh, {"data":[…]}, paging, gender codes, results. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema, providerResultSchema } from '../records.js';
import { RaceRosterAdapter } from './client.js';
import { startFakeRaceRoster, type FakeRaceRoster } from './fake-server.js';

const CREDS = { clientId: 'cid', clientSecret: 'csecret', username: 'timer@example.com', password: 'pw' };
let fake: FakeRaceRoster | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const participants = Array.from({ length: 1203 }, (_, i) => ({
  participantId: 50_000 + i,
  registrationId: 90_000 + i,
  subEventId: i % 2 === 0 ? 11 : 12,
  bibNumber: String(i + 1),
  firstName: 'Zoë',
  lastName: `Runner${i}`,
  gender: [0, 1, 2, 8, 9][i % 5],
  dateOfBirth: '1990-05-04',
  city: 'Toronto',
  region: { code: 'ON' },
  country: { code: 'CA' },
  teamName: '',
  registrationDate: '2025-03-01T10:00:00-05:00',
  lastModifiedDate: '2025-03-02T10:00:00-05:00',
  isActive: i !== 1,
}));

async function start(): Promise<{ a: RaceRosterAdapter; fake: FakeRaceRoster }> {
  fake = await startFakeRaceRoster({
    ...CREDS,
    events: [
      {
        event: {
          eventId: 777,
          name: 'Toronto 10K',
          city: 'Toronto',
          region: { code: 'ON' },
          country: { code: 'CA' },
          startDate: '2025-09-14T08:00:00-04:00',
          timeZone: 'America/Toronto',
          lastModifiedDate: '2025-03-02T10:00:00-05:00',
          subEvents: { data: [{ subEventId: 11, name: '10K', subEventDistance: { inMeters: 10000 } }, { subEventId: 12, name: '5K Walk', subEventDistance: { inMeters: 5000 } }] },
        },
        participants,
        results: {
          '11': [
            { id: 1, overallPlace: 1, name: 'Ann Marie Fast', gunTime: '31:02.4', division: 'F 30-39', divisionPlace: 1, fromCity: 'Toronto', fromProvState: 'ON' },
            { id: 2, overallPlace: null, name: 'Dee Nef', gunTime: 'DNF', division: 'M 40-49', divisionPlace: null, fromCity: 'Ajax', fromProvState: 'ON' },
          ],
        },
      },
    ],
  });
  return { a: new RaceRosterAdapter(CREDS, { baseUrl: fake.baseUrl, resultsBaseUrl: fake.resultsBaseUrl, retryBaseMs: 1 }), fake };
}

describe('Race Roster adapter', () => {
  it('gets a token with the password grant, unwraps {"data":[…]} token answers, and lists events and sub-events', async () => {
    const { a, fake } = await start();
    fake.wrapTokens = true;
    const [e] = await a.listEvents();
    expect(providerEventSchema.parse(e)).toMatchObject({ externalId: '777', startDate: '2025-09-14', timezone: 'America/Toronto', region: 'ON', country: 'CA', updatedAt: '2025-03-02T15:00:00.000Z' });
    const races = (await a.listRaces('777')).map((r) => providerRaceSchema.parse(r));
    expect(races.map((r) => [r.externalId, r.distanceMeters])).toEqual([['11', 10000], ['12', 5000]]);
    expect(a.tokenCalls).toEqual({ grant: 1, refresh: 0 });
    const grant = fake.requests.find((r) => r.path === '/api/oauth/authorize')!;
    expect(grant.form?.get('grant_type')).toBe('access_token');
  });

  it('refreshes before expiry and on a 401, and falls back to a new grant when the refresh is refused', async () => {
    let now = 1_000_000;
    const { fake } = await start();
    const a = new RaceRosterAdapter(CREDS, { baseUrl: fake.baseUrl, resultsBaseUrl: fake.resultsBaseUrl, now: () => now });
    await a.testConnection();
    now += 3_600_000; // past expires_in
    await a.testConnection();
    expect(a.tokenCalls).toEqual({ grant: 1, refresh: 1 });
    fake.revokeAccessTokens(); // the provider drops our token early: a 401
    await a.testConnection();
    expect(a.tokenCalls).toEqual({ grant: 1, refresh: 2 });
    fake.revokeAccessTokens();
    fake.revokeRefreshTokens();
    await a.testConnection();
    expect(a.tokenCalls).toEqual({ grant: 2, refresh: 3 });
    const bad = new RaceRosterAdapter({ ...CREDS, password: 'wrong' }, { baseUrl: fake.baseUrl });
    await expect(bad.testConnection()).rejects.toMatchObject({ kind: 'auth' });
  });

  it('pages participants by offset and totalCount, with gender integers normalized', async () => {
    const { a } = await start();
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: '777' })) pages.push(p);
    expect(pages.map((p) => [p.items.length, p.totalPages, p.totalItems])).toEqual([[500, 3, 1203], [500, 3, 1203], [203, 3, 1203]]);
    const all = pages.flatMap((p) => p.items).map((p) => providerParticipantSchema.parse(p));
    expect(all.slice(0, 5).map((p) => p.gender)).toEqual(['U', 'M', 'F', 'U', 'X']);
    expect(all[0]).toMatchObject({ externalId: '50000', raceExternalId: '11', bib: '1', firstName: 'Zoë', region: 'ON', country: 'CA', birthDate: '1990-05-04', registeredAt: '2025-03-01T15:00:00.000Z' });
    expect(all[1]!.status).toBe('cancelled');
    const walk = await collectPages(a.pullParticipants({ eventExternalId: '777', raceExternalId: '12' }));
    expect(walk).toHaveLength(601);
  });

  it('pulls public results without a token: names split, DNF, gender from the division', async () => {
    const { a, fake } = await start();
    const results = (await collectPages(a.pullResults({ eventExternalId: '777', raceExternalId: '11' }))).map((r) => providerResultSchema.parse(r));
    expect(results[0]).toMatchObject({ firstName: 'Ann', lastName: 'Marie Fast', gunTimeMs: 1_862_400, status: 'finished', gender: 'F', overallPlace: 1, divisionPlace: 1 });
    expect(results[1]).toMatchObject({ status: 'DNF', gunTimeMs: null, gender: 'M' });
    const pub = fake.requests.filter((r) => r.path.startsWith('/v2/api'));
    expect(pub.length).toBe(2);
    expect(pub.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('waits out a 429 and retries an outage', async () => {
    const { a, fake } = await start();
    await a.testConnection();
    fake.faults.rateLimitNext = 2;
    fake.faults.failNext = 1;
    expect(await a.listEvents()).toHaveLength(1);
  });
});

/** ACTIVE.com adapter against its loopback fake: search paging, components as races, registrations by token. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema } from '../records.js';
import { ActiveAdapter } from './client.js';
import { startFakeActive, type FakeActive } from './fake-server.js';

const CREDS = { apiKey: 'k', accountToken: 't', organizationGuid: 'org-1' };
const GUID = 'a1b2c3d4-0000-4000-8000-000000000001';
let fake: FakeActive | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(): Promise<FakeActive> {
  const other = Array.from({ length: 60 }, (_, i) => ({ organizationGuid: 'org-2', registrations: [], asset: { assetGuid: `other-${i}`, assetName: `Other ${i}` } }));
  const mine = Array.from({ length: 51 }, (_, i) => ({
    organizationGuid: 'org-1',
    registrations: [],
    asset: { assetGuid: i === 0 ? GUID : `mine-${i}`, assetName: i === 0 ? 'Spring Classic' : `Mine ${i}`, activityStartDate: '2025-04-12T08:00:00', place: { cityName: 'Denver', stateProvinceCode: 'CO', countryCode: 'US' }, assetComponents: [] as unknown[] },
  }));
  mine[0]!.asset.assetComponents = [
    { assetGuid: 'comp-10k', assetName: '10K Run', activityStartDate: '2025-04-12T08:00:00-06:00' },
    { assetGuid: 'comp-half', assetName: 'Half Marathon' },
  ];
  (mine[0]! as { registrations: unknown[] }).registrations = Array.from({ length: 230 }, (_, i) => ({
    registrationId: `R${i}`, categoryName: i % 2 ? 'Half Marathon' : '10K run', firstName: 'Al', lastName: `Active${i}`, gender: i % 2 ? 'Male' : 'Female', dateOfBirth: '1980-12-31T00:00:00', bib: String(i + 100), city: 'Denver', state: 'CO', country: 'USA', createdDate: '2025-01-05T12:00:00Z', status: i === 5 ? 'Cancelled' : 'Active',
  }));
  fake = await startFakeActive({ apiKey: 'k', accountToken: 't', assets: [...other, ...mine] });
  return fake;
}

describe('ACTIVE adapter', () => {
  it('pages the search narrowed to the organization, and lists components as races', async () => {
    const f = await start();
    const a = new ActiveAdapter(CREDS, { baseUrl: f.baseUrl });
    const events = await a.listEvents();
    expect(events).toHaveLength(51);
    expect(providerEventSchema.parse(events[0])).toMatchObject({ externalId: GUID, startDate: '2025-04-12', city: 'Denver', region: 'CO', country: 'US' });
    expect(f.requests.filter((r) => r.path === '/v2/search').map((r) => r.query.get('current_page'))).toEqual(['1', '2']);
    const races = (await a.listRaces(GUID)).map((r) => providerRaceSchema.parse(r));
    expect(races).toMatchObject([{ externalId: 'comp-10k', distanceMeters: 10000, startsAt: '2025-04-12T14:00:00.000Z' }, { externalId: 'comp-half', distanceMeters: 21097.5, startsAt: null }]);
  });

  it('pulls registrations by token, page by page, race from the category name', async () => {
    const f = await start();
    const a = new ActiveAdapter(CREDS, { baseUrl: f.baseUrl });
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: GUID })) pages.push(p);
    expect(pages.map((p) => [p.items.length, p.totalPages, p.totalItems])).toEqual([[100, 3, 230], [100, 3, 230], [30, 3, 230]]);
    const all = pages.flatMap((p) => p.items).map((p) => providerParticipantSchema.parse(p));
    expect(all[0]).toMatchObject({ externalId: 'R0', raceExternalId: 'comp-10k', gender: 'F', birthDate: '1980-12-31', bib: '100', registeredAt: '2025-01-05T12:00:00.000Z' });
    expect(all[1]).toMatchObject({ raceExternalId: 'comp-half', gender: 'M' });
    expect(all[5]!.status).toBe('cancelled');
    expect(await collectPages(a.pullParticipants({ eventExternalId: GUID, raceExternalId: 'comp-half' }))).toHaveLength(115);
    // The token goes in a header, the search key never with it.
    const reg = f.requests.filter((r) => r.path.includes('/registrations'));
    expect(reg.every((r) => r.query.get('api_key') === null && r.headers.authorization === 'Bearer t')).toBe(true);
  });

  it('tests both credentials, and retries a 429', async () => {
    const f = await start();
    await new ActiveAdapter(CREDS, { baseUrl: f.baseUrl }).testConnection();
    await expect(new ActiveAdapter({ ...CREDS, apiKey: 'no' }, { baseUrl: f.baseUrl }).testConnection()).rejects.toMatchObject({ kind: 'auth' });
    await expect(new ActiveAdapter({ ...CREDS, accountToken: 'no' }, { baseUrl: f.baseUrl }).testConnection()).rejects.toMatchObject({ kind: 'auth' });
    f.faults.rateLimitNext = 2;
    expect(await new ActiveAdapter(CREDS, { baseUrl: f.baseUrl, retryBaseMs: 1 }).listRaces(GUID)).toHaveLength(2);
  });
});

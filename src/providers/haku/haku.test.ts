/** Haku adapter against its loopback fake (the API is guessed: guessed-shapes.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema, providerResultSchema } from '../records.js';
import { HakuAdapter } from './client.js';
import { startFakeHaku, type FakeHaku } from './fake-server.js';
import type { HakuRegistration } from './guessed-shapes.js';

let fake: FakeHaku | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const regs: HakuRegistration[] = Array.from({ length: 450 }, (_, i) => ({
  id: `reg-${i}`, race_id: i % 3 ? 'r-half' : 'r-full', bib: i + 1, first_name: 'Hana', last_name: `Ku${i}`, gender: ['female', 'male', 'non-binary', ''][i % 4]!, date_of_birth: '1995-07-07', email: null,
  city: 'Seattle', state: 'WA', country: 'US', team: null, status: i === 7 ? 'cancelled' : 'active', created_at: '2025-02-01T00:00:00Z', updated_at: i < 440 ? '2025-02-02T00:00:00Z' : '2025-02-09T12:00:00Z',
}));

async function start(): Promise<HakuAdapter> {
  fake = await startFakeHaku({
    token: 'hk',
    organizationId: 'org-9',
    events: [
      {
        event: { id: 'ev-1', name: 'Seattle Marathon', start_date: '2025-11-30', time_zone: 'America/Los_Angeles', city: 'Seattle', state: 'WA', country: 'US', races: [{ id: 'r-full', name: 'Marathon', distance_meters: 42195, start_time: '2025-11-30T07:15:00-08:00', waves: ['A', 'B'] }, { id: 'r-half', name: 'Half Marathon' }] },
        registrations: regs,
        results: [
          { id: 'res-1', registration_id: 'reg-0', race_id: 'r-full', bib: 1, gender: 'F', status: 'finished', chip_time: '2:59:59.9', gun_time: '3:00:10', overall_place: 1, gender_place: 1, splits: [{ name: 'Half', distance_meters: 21097.5, time: '1:29:00' }, { name: '30K', time: null }] },
          { id: 'res-2', registration_id: 'reg-3', race_id: 'r-full', bib: 4, gender: 'M', status: 'dns', chip_time: null, gun_time: null },
          { id: 'res-3', registration_id: 'reg-6', race_id: 'r-full', bib: 7, gender: 'M', chip_time: '24:00:01', gun_time: '24:00:05' },
        ],
      },
    ],
  });
  return new HakuAdapter({ token: 'hk', organizationId: 'org-9' }, { baseUrl: fake.baseUrl, retryBaseMs: 1 });
}

describe('Haku adapter (guessed API)', () => {
  it('lists the organization’s events and races', async () => {
    const a = await start();
    const [e] = await a.listEvents();
    expect(providerEventSchema.parse(e)).toMatchObject({ externalId: 'ev-1', startDate: '2025-11-30', timezone: 'America/Los_Angeles' });
    const races = (await a.listRaces('ev-1')).map((r) => providerRaceSchema.parse(r));
    expect(races).toMatchObject([{ externalId: 'r-full', startsAt: '2025-11-30T15:15:00.000Z', waves: ['A', 'B'] }, { externalId: 'r-half', distanceMeters: 21097.5 }]);
    await expect(new HakuAdapter({ token: 'x', organizationId: 'org-9' }, { baseUrl: fake!.baseUrl }).testConnection()).rejects.toMatchObject({ kind: 'auth' });
  });

  it('pages registrations, normalizes gender, marks cancellations, and pulls incrementally', async () => {
    const a = await start();
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: 'ev-1' })) pages.push(p);
    expect(pages.map((p) => [p.items.length, p.totalPages, p.totalItems])).toEqual([[200, 3, 450], [200, 3, 450], [50, 3, 450]]);
    const all = pages.flatMap((p) => p.items).map((p) => providerParticipantSchema.parse(p));
    expect(all.slice(0, 4).map((p) => p.gender)).toEqual(['F', 'M', 'X', 'U']);
    expect(all[0]).toMatchObject({ bib: '1', raceExternalId: 'r-full', birthDate: '1995-07-07' });
    expect(all[7]!.status).toBe('cancelled');
    const since = pages.at(-1)!.nextSince;
    expect(since).toBe('2025-02-09T12:00:00.000Z');
    const changed = await collectPages(a.pullParticipants({ eventExternalId: 'ev-1', since: '2025-02-05T00:00:00Z' }));
    expect(changed).toHaveLength(10);
  });

  it('pulls results with splits, DNS and times past 24 h, and survives a 429 and an outage', async () => {
    const a = await start();
    fake!.faults.rateLimitNext = 1;
    fake!.faults.failNext = 1;
    const r = (await collectPages(a.pullResults({ eventExternalId: 'ev-1' }))).map((x) => providerResultSchema.parse(x));
    expect(r.map((x) => [x.status, x.chipTimeMs, x.gunTimeMs])).toEqual([
      ['finished', 10_799_900, 10_810_000],
      ['DNS', null, null],
      ['finished', 86_401_000, 86_405_000],
    ]);
    expect(r[0]!.splits).toEqual([
      { externalId: null, label: 'Half', distanceMeters: 21097.5, timeMs: 5_340_000 },
      { externalId: null, label: '30K', distanceMeters: 30000, timeMs: null },
    ]);
  });
});

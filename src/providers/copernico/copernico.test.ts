/** Copernico adapter against its loopback fake: double-encoded UTF-8, presets, ms times past 24 h, statuses. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema, providerResultSchema } from '../records.js';
import { repairUtf8 } from '../units.js';
import { CopernicoAdapter } from './client.js';
import { mojibake, startFakeCopernico, type FakeCopernico } from './fake-server.js';

let fake: FakeCopernico | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const runner = (id: number, status: string, finish: number | null, extra: Record<string, unknown> = {}) => ({
  id, dorsal: String(id), name: 'José María', surname: 'Núñez Peña', gender: id % 2 ? 'male' : 'female', birthdate: '1979-03-03', category: 'VETERANO A', club: 'Club Atletismo Alcañiz', wave: 'Élite', status, chip: ['E123', 'E124'], city: 'Zaragoza', nationality: 'ESP',
  pos: finish ? id : null, pos_gender: finish ? 1 : null, pos_category: finish ? 1 : null,
  times: { 'KM 50': { distance: 50000, time: 18_000_000, netTime: 17_990_000 }, ...(finish ? { FINISH: { distance: 101000, time: finish, netTime: finish - 10_000 } } : {}) },
  ...extra,
});

async function start(): Promise<CopernicoAdapter> {
  fake = await startFakeCopernico({
    apiKey: 'cop-key',
    races: [
      {
        slug: 'ultra-pirineu-2025',
        race: { name: 'Ultra Pirineu · Bagà', status: 'finished', date: '2025-10-04', city: 'Bagà', country: 'ES', events: [{ id: 'ultra', name: 'Ultra 100K', distance: 101000, start: '2025-10-04T05:00:00+02:00', waves: [{ name: 'Élite' }] }, { id: 'marato', name: 'Maratón' }] },
        presets: {
          'timer1:::inscritos': { ultra: [runner(1, 'registered', null)], marato: [] },
          'timer1:::clasificacion': { ultra: [runner(1, 'finished', 90_787_400), runner(2, 'dnf', null), runner(3, 'dsq', null), runner(4, 'running', null)] },
        },
      },
    ],
  });
  return new CopernicoAdapter({ apiKey: 'cop-key', login: 'timer1', raceSlugs: ['ultra-pirineu-2025'] }, { baseUrl: fake.baseUrl, retryBaseMs: 1 });
}

describe('Copernico adapter', () => {
  it('repairs double-encoded UTF-8 (Latin-1 and Windows-1252 forms) and leaves clean text alone', () => {
    expect(mojibake('José', 2)).not.toBe('José');
    expect(repairUtf8(mojibake('José Núñez', 1))).toBe('José Núñez');
    expect(repairUtf8(mojibake('José Núñez', 2))).toBe('José Núñez');
    expect(repairUtf8('JosÃƒÂ©')).toBe('José');
    for (const clean of ['José', 'Ñandú', 'Zoë', 'Bagà · 100 km', 'plain']) expect(repairUtf8(clean)).toBe(clean);
  });

  it('lists the configured races with their events, text repaired', async () => {
    const a = await start();
    const [e] = await a.listEvents();
    expect(providerEventSchema.parse(e)).toMatchObject({ externalId: 'ultra-pirineu-2025', name: 'Ultra Pirineu · Bagà', startDate: '2025-10-04', city: 'Bagà' });
    const races = (await a.listRaces('ultra-pirineu-2025')).map((r) => providerRaceSchema.parse(r));
    expect(races).toMatchObject([{ externalId: 'ultra', distanceMeters: 101000, startsAt: '2025-10-04T03:00:00.000Z', waves: ['Élite'] }, { externalId: 'marato', distanceMeters: 42195 }]);
    expect(fake!.requests.every((r) => r.headers['x-api-key'] === 'cop-key')).toBe(true);
  });

  it('pulls entrants from the preset, one call per event and none per athlete', async () => {
    const a = await start();
    const all = (await collectPages(a.pullParticipants({ eventExternalId: 'ultra-pirineu-2025' }))).map((p) => providerParticipantSchema.parse(p));
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ firstName: 'José María', lastName: 'Núñez Peña', team: 'Club Atletismo Alcañiz', wave: 'Élite', chip: 'E123,E124', gender: 'M', division: 'VETERANO A' });
    expect(fake!.requests.map((r) => decodeURIComponent(r.path))).toEqual([
      '/api/races/ultra-pirineu-2025',
      '/api/races/ultra-pirineu-2025/preset/timer1:::inscritos/ultra',
      '/api/races/ultra-pirineu-2025/preset/timer1:::inscritos/marato',
    ]);
  });

  it('pulls results: ms times past 24 h, splits, DNF, DQ, still running', async () => {
    const a = await start();
    const r = (await collectPages(a.pullResults({ eventExternalId: 'ultra-pirineu-2025', raceExternalId: 'ultra' }))).map((x) => providerResultSchema.parse(x));
    expect(r.map((x) => [x.status, x.gunTimeMs, x.chipTimeMs, x.overallPlace])).toEqual([
      ['finished', 90_787_400, 90_777_400, 1],
      ['DNF', null, null, null],
      ['DQ', null, null, null],
      ['unknown', null, null, null],
    ]);
    expect(r[0]!.splits).toEqual([{ externalId: 'KM 50', label: 'KM 50', distanceMeters: 50000, timeMs: 18_000_000 }]);
    expect(r[0]!.gender).toBe('M');
  });

  it('says when the key is refused, and retries a 429', async () => {
    const a = await start();
    await expect(new CopernicoAdapter({ apiKey: 'no', login: 'timer1', raceSlugs: ['ultra-pirineu-2025'] }, { baseUrl: fake!.baseUrl }).testConnection()).rejects.toMatchObject({ kind: 'auth' });
    fake!.faults.rateLimitNext = 1;
    await a.testConnection();
    await expect(a.listRaces('nope')).rejects.toMatchObject({ kind: 'not_found' });
  });
});

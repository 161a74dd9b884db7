/** Eventbrite adapter against its loopback fake: continuation tokens, changed_since, the bib question, cancellations. */
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../adapter.js';
import { providerEventSchema, providerParticipantSchema, providerRaceSchema } from '../records.js';
import { EventbriteAdapter } from './client.js';
import { fakeAttendees, startFakeEventbrite, type FakeEventbrite } from './fake-server.js';

let fake: FakeEventbrite | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(attendees = fakeAttendees(120)): Promise<FakeEventbrite> {
  fake = await startFakeEventbrite({
    token: 'tok',
    orgId: '42',
    events: [
      {
        event: {
          id: '5551',
          name: { text: 'Austin Half', html: 'Austin Half' },
          start: { timezone: 'America/Chicago', local: '2025-11-02T07:00:00', utc: '2025-11-02T13:00:00Z' },
          url: 'https://www.eventbrite.com/e/5551',
          status: 'live',
          changed: '2025-03-02T10:00:00Z',
          venue: { address: { city: 'Austin', region: 'TX', country: 'US' } },
        },
        ticket_classes: [{ id: '61', name: 'Half Marathon' }, { id: '62', name: '5K' }],
        attendees,
      },
    ],
  });
  return fake;
}

describe('Eventbrite adapter', () => {
  it('lists the organization’s events and ticket classes as races', async () => {
    const f = await start();
    const a = new EventbriteAdapter({ token: 'tok' }, { baseUrl: f.baseUrl });
    const [e] = await a.listEvents();
    expect(providerEventSchema.parse(e)).toMatchObject({ externalId: '5551', name: 'Austin Half', startDate: '2025-11-02', timezone: 'America/Chicago', city: 'Austin' });
    const races = (await a.listRaces('5551')).map((r) => providerRaceSchema.parse(r));
    expect(races).toMatchObject([{ externalId: '61', distanceMeters: 21097.5, startsAt: '2025-11-02T13:00:00.000Z' }, { externalId: '62', distanceMeters: 5000 }]);
    await expect(new EventbriteAdapter({ token: 'bad' }, { baseUrl: f.baseUrl }).testConnection()).rejects.toMatchObject({ kind: 'auth' });
  });

  it('follows continuation tokens to the end and takes the bib from the configured question', async () => {
    const f = await start(fakeAttendees(120, { question: 'Race bib #' }));
    const a = new EventbriteAdapter({ token: 'tok', bibQuestion: 'race BIB #' }, { baseUrl: f.baseUrl });
    const pages = [];
    for await (const p of a.pullParticipants({ eventExternalId: '5551' })) pages.push(p);
    expect(pages.map((p) => [p.items.length, p.totalPages, p.totalItems])).toEqual([[50, 3, 120], [50, 3, 120], [20, 3, 120]]);
    const calls = f.requests.filter((r) => r.path.endsWith('/attendees/'));
    expect(calls[0]!.query.get('continuation')).toBeNull();
    expect(calls[1]!.query.get('continuation')).toBeTruthy();
    const all = pages.flatMap((p) => p.items).map((p) => providerParticipantSchema.parse(p));
    expect(all[0]).toMatchObject({ externalId: '100000', raceExternalId: '61', bib: '500', gender: 'F', age: 33, birthDate: '1992-02-02', city: 'Austin', registeredAt: '2025-03-01T10:00:00.000Z' });
    // The default question is not there: no bib rather than a wrong one.
    const other = await collectPages(new EventbriteAdapter({ token: 'tok' }, { baseUrl: f.baseUrl }).pullParticipants({ eventExternalId: '5551' }));
    expect(other[0]!.bib).toBeNull();
    // A question id works too.
    const byId = await collectPages(new EventbriteAdapter({ token: 'tok', bibQuestion: '901' }, { baseUrl: f.baseUrl }).pullParticipants({ eventExternalId: '5551' }));
    expect(byId[1]!.bib).toBe('501');
  });

  it('pulls incrementally with changed_since and marks cancelled and refunded attendees', async () => {
    const rows = fakeAttendees(3, { changed: '2025-03-02T10:00:00Z' });
    const f = await start(rows);
    const a = new EventbriteAdapter({ token: 'tok' }, { baseUrl: f.baseUrl });
    const first = [];
    for await (const p of a.pullParticipants({ eventExternalId: '5551' })) first.push(p);
    const since = first.at(-1)!.nextSince;
    expect(since).toBe('2025-03-02T10:00:00.000Z');
    rows.push({ ...fakeAttendees(1, { idBase: 200_000 })[0]!, changed: '2025-03-05T09:00:00Z', cancelled: true, status: 'Not Attending' });
    rows[0] = { ...rows[0]!, changed: '2025-03-04T09:00:00Z', refunded: true };
    const next = await collectPages(a.pullParticipants({ eventExternalId: '5551', since }));
    expect(f.requests.at(-1)!.query.get('changed_since')).toBe('2025-03-02T10:00:00Z');
    // Inclusive: the boundary rows come again (upserted unchanged) with the changed ones.
    expect(next.filter((p) => p.status === 'cancelled').map((p) => p.externalId).sort()).toEqual(['100000', '200000']);
  });

  it('retries a 429 and an outage on the way', async () => {
    const f = await start();
    const a = new EventbriteAdapter({ token: 'tok' }, { baseUrl: f.baseUrl, retryBaseMs: 1 });
    f.faults.rateLimitNext = 1;
    f.faults.failNext = 1;
    expect(await collectPages(a.pullParticipants({ eventExternalId: '5551' }))).toHaveLength(120);
    await expect(a.listRaces('9999')).rejects.toMatchObject({ kind: 'not_found' });
  });
});

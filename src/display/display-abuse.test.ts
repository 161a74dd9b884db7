/**
 * Issue 12, finding 2: anonymous display streams must not be able to starve signed-in work.
 * A flood of replays (Last-Event-ID: 0 on a big session) is bounded per address and per link
 * (429/503 at once), reconnects inside the feed's memory never reach the database, and a
 * signed-in partner's API call and /health keep answering meanwhile (both backends).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readsTopic } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import type { LiveRead } from '../bus/live-read.js';
import { AppError } from '../errors.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { newPartner, newSession, type TestPartner } from '../../test/helpers/factories.js';
import { readSse } from '../../test/helpers/sse.js';
import type { DisplayFeeds } from './display-stream.js';
import { ReplayGate } from './replay-gate.js';

let t: TestApp;
let feeds: DisplayFeeds;
let acme: TestPartner;
let beta: TestPartner;
const bus = createMemoryBus();
const gate = new ReplayGate();
const LINK = 'Fl00dMe1';
const READS = 6000;

beforeAll(async () => {
  t = await startTestApp({ bus, heartbeatMs: 60_000, listen: true, replayGate: gate, onDisplayFeeds: (f) => (feeds = f) });
  acme = await newPartner(t.app);
  beta = await newPartner(t.app);
  const o = t.t.owner;
  const session = await newSession(o, acme.id);
  const loc = await o.query<{ id: number }>(`INSERT INTO timing_locations (partner_id, session_id, location_name) VALUES ($1, $2, 'finish') RETURNING id`, [acme.id, session]);
  const stream = await o.query<{ id: number }>(
    `INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name) VALUES ($1, $2, $3, 'conn:a', 'finish') RETURNING id`,
    [acme.id, session, loc.rows[0]!.id],
  );
  await o.query(
    `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
       read_time, time_raw, lap_count, reader_id, gator_number, raw_line)
     SELECT $1, $2, $3, $4, 'conn:a', g, 'finish', (1000 + g)::text, now() - interval '1 hour' + g * interval '10 ms', 't', 1, 'R', 1, 'l'
       FROM generate_series(1, ${READS}) g`,
    [acme.id, session, loc.rows[0]!.id, stream.rows[0]!.id],
  );
  await o.query(`INSERT INTO display_links (id, partner_id, session_id, locations, settings) VALUES ($1, $2, $3, '{}', '{"repeatWindowMs": 0}')`, [LINK, acme.id, session]);
});

afterAll(async () => {
  await t?.close();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/**
 * Opens a screen's stream. `raw`: only keep the bytes (a flood's 30,000 frames parsed in this
 * process would measure the test's own parsing, not the server).
 */
function open(lastEventId?: string, raw = false) {
  const controller = new AbortController();
  const ids: number[] = [];
  const chunks: string[] = [];
  let errorText: Promise<string> = Promise.resolve('');
  const done = fetch(`${t.baseUrl}/api/display/${LINK}/stream`, { headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId }, signal: controller.signal }).then(
    (res) => {
      if (res.ok && res.body && !raw) readSse(res.body, (f) => ids.push(Number(f.id)));
      else if (res.ok && res.body) {
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        void (async () => {
          for (;;) {
            const { value, done: end } = await reader.read();
            if (end) return;
            chunks.push(decoder.decode(value, { stream: true }));
          }
        })().catch(() => undefined);
      } else errorText = res.text();
      return res;
    },
  );
  const frames = () => (chunks.join('').match(/^id: \d+$/gm) ?? []).length;
  return { done, ids, frames, error: () => errorText, close: () => controller.abort() };
}

async function until(cond: () => boolean) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('anonymous display replays under abuse', () => {
  it('bounds a flood of replays (429 past the address share) while signed-in work and /health answer', async () => {
    // Each asks for a different id, so no two can share one database answer.
    const flood = Array.from({ length: 30 }, (_, i) => open(String(i), true));
    onTestFinished(() => flood.forEach((f) => f.close()));
    await until(() => gate.active > 0);
    // While the flood is in flight: another partner's signed-in call and the health check.
    // (Measured in-process: on a loaded test machine a socket client would measure its own
    // share of the CPU. bench/abuse.ts measures over sockets, from another process.)
    const api = await timed(() => t.app.inject({ method: 'GET', url: '/api/timing/stats', headers: beta.owner.headers }));
    const health = await timed(() => t.app.inject({ method: 'GET', url: '/health' }));
    expect(gate.active).toBeLessThanOrEqual(gate.limits.perAddress);
    const answers = await Promise.all(flood.map((f) => f.done));
    expect(api.value.statusCode, api.value.body).toBe(200);
    expect(health.value.statusCode, health.value.body).toBe(200);
    expect(api.ms).toBeLessThan(1500);
    expect(health.ms).toBeLessThan(1500);

    const statuses = answers.map((r) => r.status);
    // One address: at most its share of replays reach the database at once, the rest are told to retry.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const refused = statuses.indexOf(429);
    expect(answers[refused]!.headers.get('retry-after')).toBe('2');
    expect((JSON.parse(await flood[refused]!.error()) as { error: { code: string } }).error.code).toBe('too_many_requests');
    expect(gate.refused.address).toBe(statuses.filter((s) => s === 429).length);
    // Each accepted replay got the oldest 500 reads after its id, and the reads just before it
    // (ids 1 … id-1, all received within the overlap: a lower id may commit later); no slot is
    // left taken.
    const acceptedIds = flood.map((_, i) => i).filter((i) => statuses[i] === 200);
    const accepted = acceptedIds.map((i) => flood[i]!);
    expect(accepted.length).toBeGreaterThan(0);
    const expected = acceptedIds.map((id) => 500 + Math.max(0, id - 1));
    await until(() => accepted.every((f, k) => f.frames() >= expected[k]!));
    expect(accepted.map((f) => f.frames())).toEqual(expected);
    for (const f of flood) f.close();
    await until(() => gate.active === 0);
    expect(gate.active).toBe(0);
  });

  it('answers a reconnect inside the feed memory without the database, and without gaps', async () => {
    const first = await (async () => {
      const s = open();
      expect((await s.done).status).toBe(200);
      return s;
    })();
    await new Promise((r) => setTimeout(r, 50));
    const base = 10_000_000;
    const live = (i: number): LiveRead => ({
      id: base + i, sessionId: 0, location: 'finish', tag: String(i), kind: 'tag', readTimeMs: 1e12 + i, receivedAt: 1e12 + i,
    });
    // A link bound to a session shows only that session's reads: use its id.
    const session = (await t.t.owner.query<{ session_id: number }>('SELECT session_id FROM display_links WHERE id = $1', [LINK])).rows[0]!.session_id;
    await bus.publish(readsTopic(acme.id), Array.from({ length: 20 }, (_, i) => ({ ...live(i), sessionId: session })));
    await until(() => first.ids.length >= 20);
    expect(first.ids).toHaveLength(20);

    // A complete database replay (after the last stored read) makes the feed's memory answer from there on.
    const stored = (await t.t.owner.query<{ max: number }>('SELECT max(id)::int AS max FROM timing_reads')).rows[0]!.max;
    const seeding = open(String(stored));
    expect((await seeding.done).status).toBe(200);
    // The stored reads received just before `stored` come too (a lower id may commit later).
    await until(() => seeding.ids.filter((id) => id >= base).length >= 20);
    expect(seeding.ids.filter((id) => id >= base)).toEqual(first.ids);
    const before = feeds.replayCounts();

    // Ten screens reconnect from the middle of what they saw: all from memory, none refused
    // (the gate only counts database replays), each gets exactly what it missed.
    const again = Array.from({ length: 10 }, () => open(String(base + 9)));
    const statuses = await Promise.all(again.map(async (s) => (await s.done).status));
    expect(statuses).toEqual(Array(10).fill(200));
    await until(() => again.every((s) => s.ids.length >= 10));
    for (const s of again) expect(s.ids).toEqual(Array.from({ length: 10 }, (_, i) => base + 10 + i));
    const after = feeds.replayCounts();
    expect(after.memory - before.memory).toBe(10);
    expect(after.database - before.database).toBe(0);
    for (const s of [first, seeding, ...again]) s.close();
  });
});

describe('shutdown with open streams', () => {
  it('ends every display stream when the app closes, so closing (SIGTERM) finishes at once', async () => {
    const other = await startTestApp({ testDb: t.t, bus, heartbeatMs: 60_000, listen: true });
    const streams = await Promise.all(Array.from({ length: 20 }, () => fetch(`${other.baseUrl}/api/display/${LINK}/stream`)));
    expect(streams.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = streams.map((r) => r.text()); // each resolves only when the server ends its stream
    const closed = await timed(() => other.app.close());
    expect(closed.ms).toBeLessThan(3000);
    for (const text of await Promise.all(bodies)) expect(text).toContain(': server stopping');
  });
});

describe('ReplayGate', () => {
  it('admits replays up to each bound, refuses past them (429 per address, 503 per link and in all), and frees slots once', () => {
    const g = new ReplayGate({ perLink: 2, perAddress: 1, total: 3 });
    const a = g.enter('L1', '10.0.0.1');
    expect(() => g.enter('L1', '10.0.0.1')).toThrow(expect.objectContaining({ code: 'too_many_requests', status: 429 }));
    const b = g.enter('L1', '10.0.0.2');
    const third = (() => {
      try {
        g.enter('L1', '10.0.0.3');
        return null;
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(third).toMatchObject({ code: 'server_busy', status: 503, details: { retryAfterSeconds: 2 } });
    const c = g.enter('L2', '10.0.0.3');
    expect(() => g.enter('L3', '10.0.0.4')).toThrow(expect.objectContaining({ code: 'server_busy' }));
    expect(g.active).toBe(3);
    a();
    a(); // a second call frees nothing more
    expect(g.active).toBe(2);
    g.enter('L1', '10.0.0.1')();
    b();
    c();
    expect(g.active).toBe(0);
    expect(g.refused).toEqual({ address: 1, link: 1, total: 1 });
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readsTopic } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import type { LiveRead } from '../bus/live-read.js';
import { testConfig } from '../../test/helpers/config.js';
import { createLogger } from '../log.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { buildWebApp } from '../web/app.js';
import { readSse } from '../../test/helpers/sse.js';
import { newLinkId } from './link-id.js';

let t: TestDatabase;
let app: FastifyInstance;
let base: string;
const bus = createMemoryBus();
const LINK = 'Fin1sh42';
const ALL = 'AllLocs1';

beforeAll(async () => {
  t = await createTestDatabase();
  const o = t.owner;
  await o.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival')`);
  await o.query(`INSERT INTO timing_sessions (id, partner_id, session_name) VALUES (1, 1, 's1'), (2, 2, 's2')`);
  await o.query(`INSERT INTO timing_locations (id, partner_id, session_id, location_name) VALUES (1, 1, 1, 'finish'), (2, 1, 1, 'start')`);
  await o.query(`INSERT INTO timing_streams (id, partner_id, session_id, location_id, source_key, location_name) VALUES (1, 1, 1, 1, 'cid:A', 'finish'), (2, 1, 1, 2, 'cid:A', 'start')`);
  await o.query(
    `INSERT INTO display_links (id, partner_id, session_id, locations, settings) VALUES
       ($1, 1, NULL, '{finish}', '{"repeatWindowMs": 10000}'), ($2, 1, 1, '{}', '{}'),
       ('Revoked1', 1, NULL, '{}', '{}'), ('Expired1', 1, NULL, '{}', '{}'), ('NoRepeat', 1, 1, '{}', '{"repeatWindowMs": 0}')`,
    [LINK, ALL],
  );
  await o.query(`UPDATE display_links SET revoked_at = now() WHERE id = 'Revoked1'`);
  await o.query(`UPDATE display_links SET expires_at = now() - interval '1 minute' WHERE id = 'Expired1'`);
  app = await buildWebApp({ db: t.db, logger: createLogger('silent'), config: testConfig({}), bus, heartbeatMs: 200 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app.close();
  await t.drop();
});

interface SseEvent {
  id: string;
  event: string;
  data: { id: number; tag: string; location: string; kind: string };
}

/** Opens an SSE stream and collects its events. */
async function openStream(path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(base + path, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  if (res.ok && res.body) {
    readSse(res.body, (f) => events.push({ id: f.id!, event: f.event!, data: JSON.parse(f.data!) }));
  }
  return { res, events, close: () => controller.abort() };
}

function live(id: number, tag: string, location: string, readTimeMs: number, kind: 'tag' | 'gun' = 'tag', sessionId = 1): LiveRead {
  return { id, sessionId, location, tag, kind, readTimeMs, receivedAt: readTimeMs };
}

async function until(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('display streams (SSE)', () => {
  it('sends every screen on a link every read it shows: its locations, repeats filtered, gun events kept', async () => {
    const a = await openStream(`/api/display/${LINK}/stream`);
    const b = await openStream(`/api/display/${LINK}/stream`);
    expect(a.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await new Promise((r) => setTimeout(r, 50));
    await bus.publish(readsTopic(1), [
      live(10, '101', 'finish', 1_000),
      live(11, '101', 'finish', 1_400), // same runner, same mat, within the window
      live(12, '102', 'start', 1_500), // not a location of this link
      live(13, 'guntime', 'finish', 1_600, 'gun'),
      live(14, '101', 'finish', 20_000), // outside the window: a second crossing
    ]);
    await bus.publish(readsTopic(2), [live(15, '999', 'finish', 1_000)]); // another partner
    await until(() => a.events.length >= 3 && b.events.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    for (const s of [a, b]) {
      expect(s.events.map((e) => [e.id, e.event, e.data.tag])).toEqual([
        ['10', 'read', '101'],
        ['13', 'gun', 'guntime'],
        ['14', 'read', '101'],
      ]);
      s.close();
    }
  });

  it('shows a read the bus delivers twice only once, even with no repeat window', async () => {
    const s = await openStream(`/api/display/NoRepeat/stream`);
    await new Promise((r) => setTimeout(r, 50));
    await bus.publish(readsTopic(1), [live(40, '401', 'finish', 5e6), live(41, '402', 'finish', 5e6 + 1)]);
    await bus.publish(readsTopic(1), [live(41, '402', 'finish', 5e6 + 1), live(42, '403', 'finish', 5e6 + 2)]); // 41 again
    await bus.publish(readsTopic(1), [live(43, '401', 'finish', 5e6 + 3)]); // the same runner again: no window, so shown
    await until(() => s.events.length >= 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.events.map((e) => Number(e.id))).toEqual([40, 41, 42, 43]);
    s.close();
  });

  it('replays what a reconnecting screen missed (Last-Event-ID), then continues live without gaps or repeats', async () => {
    const received: number[] = [];
    for (let seq = 1; seq <= 5; seq++) {
      await t.owner.query(
        `INSERT INTO timing_reads (id, partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
            read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
         VALUES ($1, 1, 1, 1, 1, 'cid:A', $2, 'finish', $3, to_timestamp($4), 't', 1, 'R', 1, 'l', to_timestamp($4))`,
        [100 + seq, seq, String(500 + seq), 1000 + seq * 60],
      );
    }
    // 101 was received a minute before 102: outside the replay's overlap, so not sent again.
    const s = await openStream(`/api/display/${ALL}/stream`, { 'last-event-id': '102' });
    await until(() => s.events.length >= 3);
    await bus.publish(readsTopic(1), [live(105, '505', 'finish', 9e6), live(106, '506', 'finish', 9e6 + 1)]);
    await until(() => s.events.length >= 4);
    await new Promise((r) => setTimeout(r, 100));
    received.push(...s.events.map((e) => Number(e.id)));
    expect(received).toEqual([103, 104, 105, 106]);
    s.close();
  });

  it('replays a read with a lower id committed after the last one the screen took (concurrent writers)', async () => {
    // 202 committed and reached the screen first; 201 (id taken earlier, by a slower writer)
    // committed a moment later, after the screen had lost its connection.
    const insert = (id: number, seq: number, tag: string, receivedAt: number) =>
      t.owner.query(
        `INSERT INTO timing_reads (id, partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code,
            read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
         VALUES ($1, 1, 1, 1, 1, 'cid:A', $2 + 10, 'finish', $3, to_timestamp($4), 't', 1, 'R', 1, 'l', to_timestamp($4))`,
        [id, seq, tag, receivedAt],
      );
    await insert(200, 1, '600', 50_000); // long before: history
    await insert(202, 3, '602', 60_000);
    await insert(201, 2, '601', 60_001);
    await insert(203, 4, '603', 60_002);
    const s = await openStream(`/api/display/${ALL}/stream`, { 'last-event-id': '202' });
    await until(() => s.events.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.events.map((e) => Number(e.id))).toEqual([201, 203]);
    s.close();
  });

  it('answers 404 for unknown, malformed, revoked and expired links, and describes a live one', async () => {
    for (const id of [newLinkId(), 'short', 'Revoked1', 'Expired1', "x'; drop"]) {
      const res = await fetch(`${base}/api/display/${encodeURIComponent(id)}/stream`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const info = await (await fetch(`${base}/api/display/${LINK}`)).json();
    expect(info).toMatchObject({ id: LINK, locations: ['finish'], settings: { minDisplayMs: 5000, repeatWindowMs: 10000 } });
  });

  it('ends open screens when their link is revoked', async () => {
    await t.owner.query(`INSERT INTO display_links (id, partner_id) VALUES ('Soon0ver', 1)`);
    const res = await fetch(`${base}/api/display/Soon0ver/stream`);
    expect(res.status).toBe(200);
    await t.owner.query(`UPDATE display_links SET revoked_at = now() WHERE id = 'Soon0ver'`);
    const body = await res.text(); // resolves only when the server ends the stream
    expect(body).toContain('event: ended');
  });

  it('makes link ids of 8 characters from the whole alphabet', () => {
    const ids = Array.from({ length: 2000 }, newLinkId);
    expect(ids.every((id) => /^[0-9A-Za-z]{8}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const chars = new Set(ids.join(''));
    expect(chars.size).toBe(62);
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../test/helpers/db.js';
import type { Queryable } from '../db/database.js';
import { openDatabase } from '../db/index.js';
import { startTestApp } from '../../test/helpers/app.js';
import { signIn } from '../../test/helpers/auth.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const OTHER_PARTNER = 2;

async function insertSession(
  db: Queryable,
  s: { partner: number; name: string; event: string | null; status: 'active' | 'closed'; created: string; end?: string },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO timing_sessions (partner_id, session_name, event_name, status, created_at, start_time, end_time)
     VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id`,
    [s.partner, s.name, s.event, s.status, s.created, s.end ?? null],
  );
  return r.rows[0]!.id;
}

async function insertLocation(db: Queryable, partner: number, session: number, name: string): Promise<number> {
  const r = await db.query<{ id: number }>(
    'INSERT INTO timing_locations (partner_id, session_id, location_name) VALUES ($1, $2, $3) RETURNING id',
    [partner, session, name],
  );
  return r.rows[0]!.id;
}

interface ReadSeed {
  partner: number;
  session: number;
  location: number;
  locationName: string;
  seq: number;
  tag: string;
  kind?: 'tag' | 'gun';
  received: string;
}

/** Inserts a read as the collector would for a CT01_33 line; returns its id. */
async function insertRead(db: Queryable, r: ReadSeed): Promise<number> {
  const time = r.received.slice(11, 22); // HH:MM:SS.ss of the received time
  const res = await db.query<{ id: number }>(
    `WITH stream AS (
       INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name)
       VALUES ($1, $2, $3, 'conn:test', $5)
       ON CONFLICT (session_id, source_key, location_name, partner_id) DO UPDATE SET source_key = EXCLUDED.source_key
       RETURNING id
     )
     INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name,
       tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
     SELECT $1, $2, $3, stream.id, 'conn:test', $4, $5, $6, $7, $8, $9, 1, '0', 0, $10, $8 FROM stream RETURNING id`,
    [
      r.partner,
      r.session,
      r.location,
      r.seq,
      r.locationName,
      r.tag,
      r.kind ?? 'tag',
      r.received,
      time,
      `CT01_33~${r.seq}~${r.locationName}~${r.kind === 'gun' ? 'guntime' : '9478'}~${time}~0~${r.tag}~1`,
    ],
  );
  return res.rows[0]!.id;
}

/** Partner 1 (local): a closed and an active session. Partner 2: rows that must never show. */
async function seed(db: Queryable) {
  await db.query(`INSERT INTO partners (id, slug, name) VALUES ($1, 'other', 'Other partner')`, [OTHER_PARTNER]);

  const closed = await insertSession(db, {
    partner: 1,
    name: 'Session_20250601_080000',
    event: 'Spring 10K',
    status: 'closed',
    created: '2025-06-01T08:00:00.000Z',
    end: '2025-06-01T12:00:00.000Z',
  });
  const active = await insertSession(db, {
    partner: 1,
    name: 'Session_20250609_235438',
    event: null,
    status: 'active',
    created: '2025-06-09T23:54:38.070Z',
  });
  const otherActive = await insertSession(db, {
    partner: OTHER_PARTNER,
    name: 'Other_live',
    event: 'Not yours',
    status: 'active',
    created: '2025-06-10T00:00:00.000Z',
  });

  const cStart = await insertLocation(db, 1, closed, 'start');
  const cFinish = await insertLocation(db, 1, closed, 'finish');
  const aStart = await insertLocation(db, 1, active, 'start');
  const aFinish = await insertLocation(db, 1, active, 'finish');
  await insertLocation(db, 1, active, 'split1');
  const oStart = await insertLocation(db, OTHER_PARTNER, otherActive, 'start');

  const ids = {
    gun: await insertRead(db, { partner: 1, session: active, location: aStart, locationName: 'start', seq: 1, tag: 'guntime', kind: 'gun', received: '2025-06-09T23:56:50.000Z' }),
    start1: await insertRead(db, { partner: 1, session: active, location: aStart, locationName: 'start', seq: 2, tag: '0F2A38', received: '2025-06-09T23:56:54.459Z' }),
    start2: await insertRead(db, { partner: 1, session: active, location: aStart, locationName: 'start', seq: 3, tag: '0F2A39', received: '2025-06-09T23:56:55.000Z' }),
    start3: await insertRead(db, { partner: 1, session: active, location: aStart, locationName: 'start', seq: 4, tag: '0F2A38', received: '2025-06-09T23:57:00.000Z' }),
    finish1: await insertRead(db, { partner: 1, session: active, location: aFinish, locationName: 'finish', seq: 1, tag: '0F2A38', received: '2025-06-09T23:59:00.125Z' }),
    closed1: await insertRead(db, { partner: 1, session: closed, location: cStart, locationName: 'start', seq: 1, tag: 'AAAA01', received: '2025-06-01T08:10:00.000Z' }),
    closed2: await insertRead(db, { partner: 1, session: closed, location: cFinish, locationName: 'finish', seq: 1, tag: 'AAAA01', received: '2025-06-01T08:50:00.000Z' }),
  };

  // The other partner's reads, newer than all of ours. Two even name our active session and
  // locations (timing_reads has no foreign keys; a stream cannot since 0060, whose keys carry
  // partner_id), which only a partner_id filter keeps out.
  await insertRead(db, { partner: OTHER_PARTNER, session: otherActive, location: oStart, locationName: 'start', seq: 1, tag: 'BBBB01', received: '2025-06-10T00:01:00.000Z' });
  await insertRead(db, { partner: OTHER_PARTNER, session: otherActive, location: oStart, locationName: 'start', seq: 2, tag: 'BBBB02', received: '2025-06-10T00:02:00.000Z' });
  for (const [location, locationName, tag, seq] of [[aStart, 'start', 'EVIL01', 98], [aFinish, 'finish', 'EVIL02', 99]] as const) {
    const stray = await db.query(
      `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name,
         tag_code, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
       SELECT $1, $2, $3, st.id, 'conn:test', $8, $4, $5, $6, '00:03:00.00', 1, '0', 0, $5, $6
         FROM timing_streams st WHERE st.partner_id = $1 AND st.session_id = $7 LIMIT 1`,
      [OTHER_PARTNER, active, location, locationName, tag, '2025-06-10T00:03:00.000Z', otherActive, seq],
    );
    if (stray.rowCount !== 1) throw new Error(`stray read ${tag} not inserted`);
  }

  return { closed, active, otherActive, aStart, aFinish, ids };
}

type Seeded = Awaited<ReturnType<typeof seed>>;

function expectErrorBody(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: Record<string, unknown> };
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(res.headers['x-request-id']);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('timing API over seeded rows', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let s: Seeded;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    s = await seed(testDb.owner);
    ({ app } = await startTestApp({ testDb }));
    auth = (await signIn(app, 1, 'viewer')).headers;
  });
  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  describe('GET /api/timing/database-status', () => {
    it('reports a connected database and the active session', async () => {
      const res = await get('/api/timing/database-status');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        success: true,
        database_enabled: true,
        connected: true,
        current_session: s.active,
        // The major version only: no minor release, OS or compiler for any viewer to read.
        database_version: expect.stringMatching(/^PostgreSQL \d+$/),
        error: null,
        generated_at: expect.stringMatching(ISO),
      });
    });
  });

  describe('GET /api/timing/stats', () => {
    it('totals tag reads of the active session by default, busiest location first', async () => {
      const res = await get('/api/timing/stats');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        success: true,
        overall: {
          total_reads: 4,
          unique_tags: 2,
          total_locations: 2,
          first_read: '2025-06-09T23:56:54.459Z',
          last_read: '2025-06-09T23:59:00.125Z',
        },
        by_location: [
          { location_name: 'start', read_count: 3, unique_tags: 2, last_read: '2025-06-09T23:57:00.000Z' },
          { location_name: 'finish', read_count: 1, unique_tags: 1, last_read: '2025-06-09T23:59:00.125Z' },
        ],
        generated_at: expect.stringMatching(ISO),
      });
    });

    it('covers one named session', async () => {
      const res = await get(`/api/timing/stats?session_id=${s.closed}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.overall).toEqual({
        total_reads: 2,
        unique_tags: 1,
        total_locations: 2,
        first_read: '2025-06-01T08:10:00.000Z',
        last_read: '2025-06-01T08:50:00.000Z',
      });
      expect(body.by_location).toEqual([
        { location_name: 'finish', read_count: 1, unique_tags: 1, last_read: '2025-06-01T08:50:00.000Z' },
        { location_name: 'start', read_count: 1, unique_tags: 1, last_read: '2025-06-01T08:10:00.000Z' },
      ]);
    });

    it("answers 404 for another partner's session exactly as for a missing one", async () => {
      const theirs = expectErrorBody(await get(`/api/timing/stats?session_id=${s.otherActive}`), 404, 'not_found');
      const missing = expectErrorBody(await get('/api/timing/stats?session_id=999999'), 404, 'not_found');
      expect(theirs.message).toBe('Session not found.');
      expect(missing.message).toBe(theirs.message);
    });

    it.each(['abc', '0', '-1', '1.5', '', '2147483648'])('rejects session_id=%s with 400', async (v) => {
      const err = expectErrorBody(await get(`/api/timing/stats?session_id=${v}`), 400, 'bad_request');
      expect(err.details).toEqual([{ field: 'querystring.session_id', message: expect.any(String) }]);
    });
  });

  describe('GET /api/timing/recent-reads', () => {
    it('lists the active session’s reads newest first with every field', async () => {
      const before = Date.now();
      const res = await get('/api/timing/recent-reads');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['count', 'generated_at', 'reads', 'success', 'timestamp']);
      expect(body.success).toBe(true);
      expect(body.count).toBe(5);
      expect(body.timestamp).toMatch(ISO);
      expect(body.generated_at).toBe(body.timestamp);
      expect(body.reads.map((r: { id: number }) => r.id)).toEqual([
        s.ids.finish1,
        s.ids.start3,
        s.ids.start2,
        s.ids.start1,
        s.ids.gun,
      ]);

      const { seconds_ago, ...finish } = body.reads[0];
      expect(finish).toEqual({
        id: s.ids.finish1,
        session_id: s.active,
        location_id: s.aFinish,
        sequence_number: 1,
        location_name: 'finish',
        tag_code: '0F2A38',
        read_kind: 'tag',
        read_time: '2025-06-09T23:59:00.125Z',
        time_raw: '23:59:00.12',
        lap_count: 1,
        reader_id: '0',
        gator_number: 0,
        raw_line: 'CT01_33~1~finish~9478~23:59:00.12~0~0F2A38~1',
        read_timestamp: '2025-06-09T23:59:00.125Z',
        session_name: 'Session_20250609_235438',
      });
      const expectedAgo = (before - Date.parse('2025-06-09T23:59:00.125Z')) / 1000;
      expect(typeof seconds_ago).toBe('number');
      expect(Math.abs(seconds_ago - expectedAgo)).toBeLessThan(30);
      expect(body.reads[4]).toMatchObject({ read_kind: 'gun', tag_code: 'guntime', location_name: 'start' });
    });

    it('honours limit, location and session_id', async () => {
      const two = (await get('/api/timing/recent-reads?limit=2')).json();
      expect(two.reads.map((r: { id: number }) => r.id)).toEqual([s.ids.finish1, s.ids.start3]);
      expect(two.count).toBe(2);

      const finish = (await get('/api/timing/recent-reads?location=finish')).json();
      expect(finish.reads.map((r: { id: number }) => r.id)).toEqual([s.ids.finish1]);

      const closed = (await get(`/api/timing/recent-reads?session_id=${s.closed}&limit=1000`)).json();
      expect(closed.reads.map((r: { id: number }) => r.id)).toEqual([s.ids.closed2, s.ids.closed1]);
      expect(closed.reads[0].session_name).toBe('Session_20250601_080000');

      const nowhere = (await get('/api/timing/recent-reads?location=nowhere')).json();
      expect(nowhere).toMatchObject({ success: true, reads: [], count: 0 });
    });

    it.each(['0', '1001', 'abc', '1.5', '', '-5', '1e9'])('rejects limit=%s with 400 (the seed gave 500)', async (v) => {
      const err = expectErrorBody(await get(`/api/timing/recent-reads?limit=${v}`), 400, 'bad_request');
      expect(err).toEqual({
        code: 'bad_request',
        message: 'The request is not valid.',
        request_id: expect.any(String),
        details: [{ field: 'querystring.limit', message: expect.any(String) }],
      });
    });

    it('names every bad field at once', async () => {
      const err = expectErrorBody(
        await get(`/api/timing/recent-reads?limit=x&session_id=y&location=${'z'.repeat(17)}`),
        400,
        'bad_request',
      );
      const fields = (err.details as { field: string }[]).map((d) => d.field).sort();
      expect(fields).toEqual(['querystring.limit', 'querystring.location', 'querystring.session_id']);
    });

    it('rejects a location with control characters before it reaches the database', async () => {
      const err = expectErrorBody(await get('/api/timing/recent-reads?location=st%00art'), 400, 'bad_request');
      // NUL is refused for every route before validation (src/http/nul-guard.ts); other control characters by the schema.
      expect(err.details).toEqual([{ field: 'querystring.location', message: 'Must not contain NUL characters' }]);
      const bell = expectErrorBody(await get('/api/timing/recent-reads?location=st%07art'), 400, 'bad_request');
      expect(bell.details).toEqual([{ field: 'querystring.location', message: 'Must not contain control characters' }]);
    });

    it("answers 404 for another partner's session", async () => {
      expectErrorBody(await get(`/api/timing/recent-reads?session_id=${s.otherActive}`), 404, 'not_found');
    });
  });

  describe('GET /api/timing/sessions', () => {
    it('lists the partner’s sessions newest first with tag-read counts and locations', async () => {
      const res = await get('/api/timing/sessions');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        success: true,
        sessions: [
          {
            id: s.active,
            session_name: 'Session_20250609_235438',
            event_name: null,
            status: 'active',
            created_at: '2025-06-09T23:54:38.070Z',
            start_time: '2025-06-09T23:54:38.070Z',
            end_time: null,
            total_reads: 4,
            last_read: '2025-06-09T23:59:00.125Z',
            location_count: 3,
            locations: ['start', 'finish', 'split1'],
          },
          {
            id: s.closed,
            session_name: 'Session_20250601_080000',
            event_name: 'Spring 10K',
            status: 'closed',
            created_at: '2025-06-01T08:00:00.000Z',
            start_time: '2025-06-01T08:00:00.000Z',
            end_time: '2025-06-01T12:00:00.000Z',
            total_reads: 2,
            last_read: '2025-06-01T08:50:00.000Z',
            location_count: 2,
            locations: ['start', 'finish'],
          },
        ],
        generated_at: expect.stringMatching(ISO),
      });
    });

    it('honours limit and rejects a bad one', async () => {
      const one = (await get('/api/timing/sessions?limit=1')).json();
      expect(one.sessions.map((x: { id: number }) => x.id)).toEqual([s.active]);
      expectErrorBody(await get('/api/timing/sessions?limit=0'), 400, 'bad_request');
    });
  });

  it("never shows another partner's rows on any route", async () => {
    const bodies = await Promise.all(
      [
        '/api/timing/database-status',
        '/api/timing/stats',
        `/api/timing/stats?session_id=${s.active}`,
        '/api/timing/recent-reads?limit=1000',
        `/api/timing/recent-reads?session_id=${s.active}&limit=1000`,
        '/api/timing/sessions?limit=1000',
      ].map(async (url) => {
        const res = await get(url);
        expect(res.statusCode, url).toBe(200);
        return res.body;
      }),
    );
    for (const body of bodies) {
      expect(body).not.toMatch(/BBBB0|EVIL0|Other_live|Not yours/);
      expect(body).not.toContain(`"current_session":${s.otherActive}`);
    }
  });
});

describe('timing API over an empty database', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let auth: Record<string, string>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ app } = await startTestApp({ testDb }));
    auth = (await signIn(app, 1, 'viewer')).headers;
  });
  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  it('gives zeroed, empty shapes', async () => {
    expect((await get('/api/timing/database-status')).json()).toMatchObject({
      success: true,
      connected: true,
      current_session: null,
      error: null,
    });
    expect((await get('/api/timing/stats')).json()).toEqual({
      success: true,
      overall: { total_reads: 0, unique_tags: 0, total_locations: 0, first_read: null, last_read: null },
      by_location: [],
      generated_at: expect.stringMatching(ISO),
    });
    expect((await get('/api/timing/recent-reads')).json()).toEqual({
      success: true,
      reads: [],
      count: 0,
      timestamp: expect.stringMatching(ISO),
      generated_at: expect.stringMatching(ISO),
    });
    expect((await get('/api/timing/sessions')).json()).toEqual({
      success: true,
      sessions: [],
      generated_at: expect.stringMatching(ISO),
    });
  });

  it('lists a session without reads or locations with zero counts', async () => {
    const id = await insertSession(testDb.owner, {
      partner: 1,
      name: 'Empty',
      event: null,
      status: 'closed',
      created: '2025-01-01T00:00:00.000Z',
    });
    const body = (await get('/api/timing/sessions')).json();
    expect(body.sessions).toEqual([
      expect.objectContaining({ id, total_reads: 0, last_read: null, location_count: 0, locations: [] }),
    ]);
    await testDb.owner.query('DELETE FROM timing_sessions WHERE id = $1', [id]);
  });

  it('turns a failing query into a generic 500 that leaks no SQL', async () => {
    await testDb.owner.query('ALTER TABLE timing_reads RENAME TO timing_reads_gone');
    try {
      const res = await get('/api/timing/stats');
      expect(res.json()).toEqual({
        error: { code: 'internal', message: 'Something went wrong on our side.', request_id: res.headers['x-request-id'] },
      });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/timing_reads|relation|SELECT/);
    } finally {
      await testDb.owner.query('ALTER TABLE timing_reads_gone RENAME TO timing_reads');
    }
  });
});

describe('timing API with the database down', () => {
  it('refuses calls without valid credentials, with the uniform body and nothing internal', async () => {
    // A handle that was opened and closed: every query on it fails.
    const down = await openDatabase({ url: serverUrl });
    await down.close();
    const test = await startTestApp({ database: down });
    const { app } = test;
    try {
      const anonymous = await app.inject({ method: 'GET', url: '/api/timing/database-status' });
      expect(anonymous.statusCode).toBe(401);
      const withCookie = await app.inject({ method: 'GET', url: '/api/timing/stats', headers: { cookie: 'p88_session=whatever' } });
      expect(withCookie.statusCode).toBe(401);
      expect(withCookie.json()).toEqual({
        error: { code: 'unauthorized', message: 'Your session has ended; sign in again.', request_id: withCookie.headers['x-request-id'] },
      });
    } finally {
      await test.close();
    }
  });
});

describe('majorVersion', () => {
  it('keeps the product and major version of version(), nothing of the build or OS', async () => {
    const { majorVersion } = await import('./timing.service.js');
    expect(majorVersion('PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit')).toBe('PostgreSQL 16');
    expect(majorVersion('PostgreSQL 17devel on wasm32')).toBe('PostgreSQL 17');
    expect(majorVersion('something else')).toBe('PostgreSQL');
  });
});

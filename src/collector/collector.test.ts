import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authString } from '../ctp01/index.js';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { RawClient } from '../../test/helpers/ctp-client.js';
import { eventually, startTestCollector, type TestCollector } from '../../test/helpers/collector.js';

let t: TestDatabase;
let collector: TestCollector;

interface ReadRow {
  sequence_number: number;
  location_name: string;
  tag_code: string;
  lap_count: number;
  reader_id: string;
  gator_number: number;
  read_kind: string;
  read_time: Date;
  time_raw: string;
  raw_line: string;
  source_key: string;
  partner_id: number;
  session_id: number;
}

/** Reads in the order each stream sent them: ids are not that order (two writers commit concurrently). */
async function reads(where = 'true', params: unknown[] = []): Promise<ReadRow[]> {
  return (await t.owner.query<ReadRow>(`SELECT * FROM timing_reads WHERE ${where} ORDER BY stream_id, sequence_number`, params)).rows;
}

async function countReads(): Promise<number> {
  return (await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads')).rows[0]!.n;
}

/** Completes the greeting and the collector's questions; returns the server's option lines. */
async function handshake(c: RawClient, id: string, locations: string[]): Promise<Record<string, string>> {
  c.send('SimpleClient~0.4.2~CTP01');
  const head = await c.waitFor(/^Project88Hub~[^~]+~\d+$/);
  const count = Number(head.split('~')[2]);
  await c.waitFor('getlocations');
  const start = c.lines.indexOf(head) + 1;
  const options = Object.fromEntries(c.lines.slice(start, start + count).map((l) => l.split('=') as [string, string]));
  c.send(`ack~getconnectionid~${id}`, 'ack~geteventinfo~Hartford Marathon~4242~Fall race', ['ack~getlocations', ...locations].join('~'));
  return options;
}

beforeAll(async () => {
  t = await createTestDatabase();
  // These reads carry fixed dates (the spec's 2008 example, an October 2026 race): a window wide
  // enough for them. plausible.test.ts tests the window itself.
  collector = await startTestCollector(t.db, { EVENT_TIMEZONE: 'America/New_York', COLLECTOR_READ_WINDOW_DAYS: '36500' });
});

afterAll(async () => {
  await collector.close();
  await t.drop();
});

beforeEach(async () => {
  await t.owner.query('DELETE FROM timing_reads');
});

describe('collector over real TCP', () => {
  it('stores a tag line sent with no greeting at all (nc) with the fields in spec order', async () => {
    const c = await RawClient.connect(collector.tcpPort);
    c.send('CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1');
    const [row] = await eventually(async () => {
      const r = await reads();
      return r.length === 1 ? r : null;
    });
    expect(row).toMatchObject({
      sequence_number: 1,
      location_name: 'start',
      tag_code: '9478',
      lap_count: 0,
      reader_id: '0F2A38',
      gator_number: 1,
      read_kind: 'tag',
      time_raw: '14:02:15.31',
      raw_line: 'CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1',
      partner_id: 1,
    });
    // A time of day is read in the event's time zone on the session's date.
    const session = (await t.owner.query<{ session_name: string; event_date: string; d: string }>(
      `SELECT session_name, event_date::text AS d FROM timing_sessions WHERE id = $1`,
      [row!.session_id],
    )).rows[0]!;
    expect(session.session_name).toMatch(/^Session_\d{8}_\d{6}$/);
    const expected = (await t.owner.query<{ ts: Date }>(
      `SELECT ($1::date + time '14:02:15.31') AT TIME ZONE 'America/New_York' AS ts`,
      [session.d],
    )).rows[0]!.ts;
    expect(row!.read_time.getTime()).toBe(expected.getTime());
    c.close();
  });

  it('greets with the options of the spec, learns the client, and starts every location', async () => {
    const c = await RawClient.connect(collector.tcpPort);
    const options = await handshake(c, 'CONN-A', ['start', 'finish']);
    expect(options).toEqual({
      'stream-mode': 'push',
      location: 'multi',
      guntimes: 'true',
      newlocations: 'true',
      'connection-id': 'true',
      'pushmode-ack': 'true',
      'tagevent-format': 'CT01_33',
      'time-format': 'iso',
      authentication: 'none',
    });
    // Nothing stored for either location: the bare start simple clients need, nothing else.
    await c.waitFor('start');
    expect(c.lines.filter((l) => l.startsWith('start'))).toEqual(['start']);
    c.send('CT01_33~1~start~guntime~2026-10-18T07:00:00.00~0~CTRL01~0', 'CT01_33~2~start~101~2026-10-18T07:00:03.25~1~0A0B0C~2');
    const rows = await eventually(async () => {
      const r = await reads();
      return r.length === 2 ? r : null;
    });
    expect(rows.map((r) => [r.read_kind, r.tag_code, r.source_key])).toEqual([
      ['gun', 'guntime', 'cid:CONN-A'],
      ['tag', '101', 'cid:CONN-A'],
    ]);
    // 07:00:03.25 in New York on 18 Oct 2026 (EDT, UTC-4).
    expect(rows[1]!.read_time.toISOString()).toBe('2026-10-18T11:00:03.250Z');
    const log = await eventually(async () => {
      const r = await t.owner.query<Record<string, unknown>>(`SELECT * FROM connection_log WHERE connection_id = 'CONN-A'`);
      const row = r.rows[0];
      return row && (row.locations as string[]).length === 2 ? row : null;
    });
    expect(log).toMatchObject({
      client_name: 'SimpleClient',
      client_version: '0.4.2',
      event_name: 'Hartford Marathon',
      event_id: '4242',
      event_description: 'Fall race',
      partner_id: 1,
    });
    const session = (await t.owner.query<{ event_name: string }>('SELECT event_name FROM timing_sessions WHERE id = $1', [rows[0]!.session_id])).rows[0];
    expect(session?.event_name).toBe('Hartford Marathon');
    c.close();
  });

  it('resumes a reconnecting client after its last stored sequence instead of replaying', async () => {
    const first = await RawClient.connect(collector.tcpPort);
    await handshake(first, 'CONN-RESUME', ['mat1', 'mat2']);
    await first.waitFor('start');
    for (let s = 1; s <= 5; s++) first.send(`CT01_33~${s}~mat1~${200 + s}~2026-10-18T08:00:0${s}.00~1~0A0B0C~1`);
    await eventually(async () => (await countReads()) === 5);
    first.close();

    const again = await RawClient.connect(collector.tcpPort);
    await handshake(again, 'CONN-RESUME', ['mat1', 'mat2']);
    expect(await again.waitFor(/^start~mat1/)).toBe('start~mat1~6');
    expect(await again.waitFor(/^start~mat2/)).toBe('start~mat2');
    // A client that re-sends anyway is absorbed: no duplicates.
    for (let s = 1; s <= 6; s++) again.send(`CT01_33~${s}~mat1~${200 + s}~2026-10-18T08:00:0${s}.00~1~0A0B0C~1`);
    await eventually(async () => (await countReads()) === 6);
    await eventually(() => collector.ingest.idle());
    expect(await countReads()).toBe(6);
    again.close();
  });

  it('stores reads of a client that ignores time-format=iso and sends normal times', async () => {
    const c = await RawClient.connect(collector.tcpPort);
    await handshake(c, 'CONN-NORMAL', ['start']);
    await c.waitFor('start');
    c.send('CT01_33~1~start~300~09:15:00.50~1~0A0B0C~1', 'CT01_33~2~start~301~1224165735.31~1~0A0B0C~1');
    const rows = await eventually(async () => {
      const r = await reads(`source_key = 'cid:CONN-NORMAL'`);
      return r.length === 2 ? r : null;
    });
    expect(rows.map((r) => r.time_raw)).toEqual(['09:15:00.50', '1224165735.31']);
    expect(rows[1]!.read_time.toISOString()).toBe('2008-10-16T14:02:15.310Z');
    c.close();
  });

  it('answers a newlocation with start~<loc>, and pings with ack~ping', async () => {
    const c = await RawClient.connect(collector.tcpPort);
    await handshake(c, 'CONN-NEWLOC', []);
    c.send('CT01_33~0~split21k~newlocation~2026-10-18T08:30:00.00~0~CTRL01~0');
    await c.waitFor('start~split21k');
    c.send('ping');
    await c.waitFor('ack~ping');
    const locations = await eventually(async () => {
      const r = await t.owner.query<{ location_name: string }>(`SELECT location_name FROM timing_locations WHERE location_name = 'split21k'`);
      return r.rows.length ? r.rows : null;
    });
    expect(locations).toHaveLength(1);
    c.close();
  });

  it('skips bad input without closing the connection or storing a bad row', async () => {
    const c = await RawClient.connect(collector.tcpPort);
    c.send('CT01_33~1~start~500~14:00:00.00~0~0A0B0C~1');
    c.sendRaw('x'.repeat(5000) + '\r\n'); // overlong
    c.sendRaw(Buffer.from([0, 255, 1, 2, 0x0d, 0x0a, 0xc3, 0x28, 0x0a])); // binary garbage
    c.send(
      'CT01_33~2~start~501~14:00:00.00~0~0A0B0C', // 7 fields
      'CT01_33~3~start~502~25:61:00.00~0~0A0B0C~1', // bad time
      'CT01_33~4~start~503~14:00:00.00~1000~0A0B0C~1', // lap out of range
      'CT01_33~0~start~504~14:00:00.00~0~0A0B0C~1', // sequence 0
      'frobnicate~now', // unknown command
    );
    await c.waitFor('err~frobnicate~unknown command');
    c.send('CT01_33~5~start~505~14:00:05.00~0~0A0B0C~1');
    // This connection's own rows, found by its client port.
    const port = c.socket.localPort;
    const mine = `connection_log_id = (SELECT id FROM connection_log WHERE client_port = $1 ORDER BY connected_at DESC LIMIT 1)`;
    const rows = await eventually(async () => {
      const r = await reads(mine, [port]);
      return r.length === 2 ? r : null;
    });
    expect(rows.map((r) => r.tag_code)).toEqual(['500', '505']);
    expect(c.closed).toBe(false);
    c.close();
    const log = await eventually(async () => {
      const r = await t.owner.query<{ bad_line_count: number; read_count: number }>(
        `SELECT bad_line_count, read_count FROM connection_log WHERE client_port = $1 AND disconnected_at IS NOT NULL`,
        [port],
      );
      return r.rows[0];
    });
    expect(log).toEqual({ bad_line_count: 8, read_count: 2 });
  });

  it('reports open connections (not a running total) and health in the status API', async () => {
    const a = await RawClient.connect(collector.tcpPort);
    const b = await RawClient.connect(collector.tcpPort);
    await eventually(async () => (await collector.status()).connections === 2);
    a.close();
    await eventually(async () => (await collector.status()).connections === 1);
    const status = await collector.status();
    expect(status).toMatchObject({ service: 'timing-collector', status: 'running', tcp_port: collector.tcpPort, database_connected: true, ingest_mode: 'memory' });
    const health = await fetch(`http://127.0.0.1:${collector.statusPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { listener: 'up', database: 'up' } });
    b.close();
  });

  it('serves Prometheus metrics that count what happened', async () => {
    const c = await RawClient.connect(collector.tcpPort);
    c.send('CT01_33~1~metrics~1~14:00:00.00~0~0A0B0C~1', 'not~a~line~at~all~x~y~z~w');
    await eventually(async () => (await countReads()) === 1);
    const text = await (await fetch(`http://127.0.0.1:${collector.statusPort}/metrics`)).text();
    expect(text).toMatch(/^p88_collector_reads_stored_total \d+$/m);
    expect(Number(/^p88_collector_reads_stored_total (\d+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^p88_collector_connections_open \d+$/m);
    c.close();
  });

  it('keeps serving other clients while one floods it', async () => {
    const flooder = await RawClient.connect(collector.tcpPort);
    const lines: string[] = [];
    for (let s = 1; s <= 60_000; s++) lines.push(`CT01_33~${(s % 999_999) + 1}~flood${Math.floor(s / 999_999)}~${s % 5000}~14:00:00.00~1~0A0B0C~1`);
    flooder.sendRaw(lines.join('\r\n') + '\r\n');
    const quiet = await RawClient.connect(collector.tcpPort);
    quiet.send('CT01_33~1~quiet~7~14:00:00.00~0~0A0B0C~1');
    await eventually(async () => (await reads(`location_name = 'quiet'`)).length === 1, 20_000, 'the quiet client read');
    // The quiet client's read is in while the flood is still being stored.
    const floodStored = (await t.owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM timing_reads WHERE location_name LIKE 'flood%'`)).rows[0]!.n;
    expect(floodStored).toBeLessThan(60_000);
    await eventually(async () => (await countReads()) === 60_001, 60_000, 'the flood to be stored');
    flooder.close();
    quiet.close();
  });
});

describe('collector authentication', () => {
  let authed: TestCollector;
  let user: string;
  let secret: string;
  let partnerId: number;

  beforeAll(async () => {
    partnerId = (await t.owner.query<{ id: number }>(`INSERT INTO partners (slug, name) VALUES ('acme', 'Acme Timing') RETURNING id`)).rows[0]!.id;
    authed = await startTestCollector(t.db, { COLLECTOR_AUTH: 'hmac-sha1', COLLECTOR_ALLOW_ANONYMOUS: 'false', COLLECTOR_READ_WINDOW_DAYS: '36500' });
    const sources = new TimingSources(t.db, new SecretBox(await loadSecretKey(null, authed.dataDir)));
    ({ userId: user, secret } = await sources.create(partnerId, 'Finish laptop'));
  });

  afterAll(() => authed.close());

  async function greet(c: RawClient): Promise<Record<string, string>> {
    c.send('Tachyon~3.1~CTP01');
    const head = await c.waitFor(/^Project88Hub~/);
    const n = Number(head.split('~')[2]);
    await eventually(() => c.lines.length >= n + 1);
    return Object.fromEntries(c.lines.slice(1, n + 1).map((l) => l.split('=') as [string, string]));
  }

  it('accepts the right HMAC-SHA1 digest and routes reads to the source partner', async () => {
    const c = await RawClient.connect(authed.tcpPort);
    const options = await greet(c);
    expect(options.authentication).toBe('hmac-sha1');
    expect(options['authentication-seed']).toMatch(/^[0-9a-f]{32}$/);
    c.send(`authorize~${user}~${authString('hmac-sha1', options['authentication-seed']!, secret)}`);
    await c.waitFor('ack~authorize');
    await c.waitFor('getlocations');
    c.send('ack~getconnectionid~AUTH-1', 'ack~getlocations~finish');
    await c.waitFor('start');
    c.send('CT01_33~1~finish~77~2026-10-18T09:00:00.00~1~0A0B0C~1');
    const rows = await eventually(async () => {
      const r = await reads(`source_key = 'cid:AUTH-1'`);
      return r.length ? r : null;
    });
    expect(rows[0]!.partner_id).toBe(partnerId);
    c.close();
  });

  it('refuses a wrong digest, closes, and stores nothing', async () => {
    const c = await RawClient.connect(authed.tcpPort);
    const options = await greet(c);
    c.send(`authorize~${user}~${authString('hmac-sha1', options['authentication-seed']!, 'wrong-secret')}`);
    expect(await c.waitFor(/^err~authorize~/)).toBe('err~authorize~invalid credentials');
    await c.waitClosed();
    expect(await reads(`partner_id = $1 AND source_key <> 'cid:AUTH-1'`, [partnerId])).toHaveLength(0);
  });

  it('says a source sealed under another SECRET_KEY is exactly that: in the refusal and in /status', async () => {
    // What a web host with its own key does: the source it creates opens with no other key.
    const otherHost = new TimingSources(t.db, new SecretBox(randomBytes(32)));
    const stranger = await otherHost.create(partnerId, 'Laptop set up on another host');
    expect(await authed.status()).toMatchObject({ secret_key_mismatch: null });
    const c = await RawClient.connect(authed.tcpPort);
    const options = await greet(c);
    c.send(`authorize~${stranger.userId}~${authString('hmac-sha1', options['authentication-seed']!, stranger.secret)}`);
    expect(await c.waitFor(/^err~authorize~/)).toBe(
      'err~authorize~server cannot check credentials: its SECRET_KEY does not open this source, tell the operator',
    );
    await c.waitClosed();
    expect(await authed.status()).toMatchObject({ secret_key_mismatch: { user_id: stranger.userId, at: expect.any(String) } });
  });

  it('refuses reads from a client that never authorizes when anonymous sources are not allowed', async () => {
    const before = await countReads();
    const c = await RawClient.connect(authed.tcpPort);
    c.send('CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1');
    expect(await c.waitFor(/^err~authorize~/)).toBe('err~authorize~authentication required');
    await c.waitClosed();
    expect(await countReads()).toBe(before);
  });

  it('tells a greeted client that never authorizes that authentication is required', async () => {
    const c = await RawClient.connect(authed.tcpPort);
    await greet(c);
    // The collector waits 5 s for an authorize (a client may be slow to compute its digest).
    expect(await c.waitFor(/^err~authorize~/, 10_000)).toBe('err~authorize~authentication required');
    await c.waitClosed();
  });

  it('closes a client that stays silent (half-open) after pinging it', async () => {
    const quick = await startTestCollector(t.db, { COLLECTOR_IDLE_SECONDS: '0.4', COLLECTOR_READ_WINDOW_DAYS: '36500' });
    try {
      const c = await RawClient.connect(quick.tcpPort);
      c.send('SimpleClient~0.4.2~CTP01');
      await c.waitFor('getlocations');
      c.send('ack~getconnectionid~IDLE', 'ack~getlocations~start');
      await c.waitFor('ping', 3000);
      await c.waitClosed(3000);
    } finally {
      await quick.close();
    }
  });
});

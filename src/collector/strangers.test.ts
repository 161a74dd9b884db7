/**
 * Strangers on the public CTP01 port: connections that never greet, that trickle bytes, that
 * hold every slot, that guess credentials. Each must cost a bounded amount and never lock a
 * timing source out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authString } from '../ctp01/index.js';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { RawClient } from '../../test/helpers/ctp-client.js';
import { eventually, startTestCollector, type TestCollector } from '../../test/helpers/collector.js';
import { pruneConnections } from '../worker/archive.js';
import { AddressGuard } from './address-guard.js';
import { LogLimiter } from './log-limiter.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t.drop();
});

const now = () => new Date().toISOString().slice(0, 22);
const health = async (c: TestCollector) => (await (await fetch(`http://127.0.0.1:${c.statusPort}/health`)).json()) as Record<string, unknown>;

describe('connections that never greet', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector(t.db, { COLLECTOR_HANDSHAKE_SECONDS: '1', COLLECTOR_MAX_CONNECTIONS: '10', COLLECTOR_MAX_CONNECTIONS_PER_ADDRESS: '100', COLLECTOR_ALLOW_ANONYMOUS: 'true' });
  });
  afterAll(() => c.close());

  it('are closed after the handshake time even while they trickle bytes, and leave no connection_log row', async () => {
    const before = (await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM connection_log')).rows[0]!.n;
    const s = await RawClient.connect(c.tcpPort);
    const trickle = setInterval(() => s.sendRaw('x'), 100);
    const opened = Date.now();
    try {
      await s.waitClosed(5000);
    } finally {
      clearInterval(trickle);
    }
    expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
    expect(Date.now() - opened).toBeLessThan(4000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM connection_log')).rows[0]!.n).toBe(before);
  });

  it('make room for a timing source when every slot is taken, and /health says the slots ran out', async () => {
    const strangers = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(c.tcpPort)));
    await eventually(async () => (await c.status()).connections === 10, 5000, 'ten strangers in');
    expect(await health(c)).toMatchObject({ status: 'degraded', checks: { connections: { open: 10, max: 10, status: 'short' } } });
    // A bare client with a read: it takes the oldest stranger's slot.
    const source = await RawClient.connect(c.tcpPort);
    source.send(`CT01_33~1~finish~42~${now()}~1~0A0B0C~1`);
    await eventually(async () => (await t.owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM timing_reads WHERE tag_code = '42'`)).rows[0]!.n === 1, 10_000, 'read stored');
    expect(strangers.filter((s) => s.closed).length).toBeGreaterThanOrEqual(1);
    expect(source.closed).toBe(false);
    expect(Number((await c.status()).connections_evicted)).toBeGreaterThanOrEqual(1);
    strangers.forEach((s) => s.close());
    source.close();
  });
});

describe('per-address limits', () => {
  let c: TestCollector;
  let user: string;
  let secret: string;
  beforeAll(async () => {
    c = await startTestCollector(t.db, {
      COLLECTOR_AUTH: 'hmac-sha1',
      COLLECTOR_ALLOW_ANONYMOUS: 'false',
      COLLECTOR_MAX_CONNECTIONS_PER_ADDRESS: '5',
      COLLECTOR_AUTH_FAILURES_BEFORE_BACKOFF: '2',
    });
    const box = new SecretBox(await loadSecretKey(c.config.secretKey, c.config.dataDir));
    const created = await new TimingSources(t.db, box).create(1, 'Guarded', 'guarded-src');
    user = created.userId;
    secret = created.secret;
  });
  afterAll(() => c.close());

  it('refuse connections past the per-address limit', async () => {
    const five = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(c.tcpPort)));
    await eventually(async () => (await c.status()).connections === 5, 5000, 'five in');
    const sixth = await RawClient.connect(c.tcpPort);
    await sixth.waitClosed(2000);
    expect((await c.status()).connections_refused_per_address).toBe(1);
    five.forEach((s) => s.close());
    await eventually(async () => (await c.status()).connections === 0, 5000, 'all closed');
  });

  async function attempt(credential: (seed: string) => string): Promise<{ answer: string; ms: number }> {
    const s = await RawClient.connect(c.tcpPort);
    s.send('Guesser~1~CTP01');
    const seedLine = await s.waitFor(/^authentication-seed=/);
    const started = Date.now();
    s.send(`authorize~${user}~${credential(seedLine.split('=')[1]!)}`);
    const answer = await s.waitFor(/authorize/, 40_000);
    const ms = Date.now() - started;
    s.close();
    return { answer, ms };
  }

  it('slow down repeated wrong credentials from one address, and still let the right one in', async () => {
    const wrong = () => '0'.repeat(40);
    const first = await attempt(wrong);
    const second = await attempt(wrong);
    expect(first).toMatchObject({ answer: 'err~authorize~invalid credentials' });
    expect(second.ms).toBeLessThan(800);
    // Two failures: each further attempt waits 1 s, 2 s, … before it is checked.
    const third = await attempt(wrong);
    expect(third.answer).toBe('err~authorize~invalid credentials');
    expect(third.ms).toBeGreaterThanOrEqual(950);
    const fourth = await attempt(wrong);
    expect(fourth.ms).toBeGreaterThanOrEqual(1950);
    const right = await attempt((seed) => authString('hmac-sha1', seed, secret));
    expect(right.answer).toBe('ack~authorize');
    // A success clears the address.
    const after = await attempt(wrong);
    expect(after.ms).toBeLessThan(800);
  }, 60_000);
});

describe('connection_log retention', () => {
  it('prunes rows of connections that ended before the cutoff, and only those', async () => {
    await t.owner.query(
      `INSERT INTO connection_log (id, client_ip, connected_at, disconnected_at)
       SELECT gen_random_uuid(), '203.0.113.' || g, now() - interval '41 days', now() - interval '40 days' FROM generate_series(1, 25) g`,
    );
    await t.owner.query(`INSERT INTO connection_log (id, client_ip, connected_at, disconnected_at) VALUES (gen_random_uuid(), '203.0.113.200', now(), now())`);
    await t.owner.query(`INSERT INTO connection_log (id, client_ip, connected_at) VALUES (gen_random_uuid(), '203.0.113.201', now() - interval '50 days')`);
    const pruned = await pruneConnections(t.db, new Date(Date.now() - 30 * 86_400_000), 10);
    expect(pruned).toBe(25);
    const left = (await t.owner.query<{ ip: string }>(`SELECT client_ip AS ip FROM connection_log WHERE client_ip LIKE '203.0.113.%' ORDER BY 1`)).rows.map((r) => r.ip);
    // Today's, and one still open (however old): kept.
    expect(left).toEqual(['203.0.113.200', '203.0.113.201']);
  });
});

describe('AddressGuard and LogLimiter', () => {
  it('back off 1 s, 2 s, 4 s … to 30 s after the threshold, and forget after a success', () => {
    const g = new AddressGuard({ maxPerAddress: 2, failuresBeforeBackoff: 3 });
    const delays = [];
    for (let i = 0; i < 10; i++) {
      delays.push(g.authDelay('a', 1000));
      g.failed('a', 1000);
    }
    expect(delays).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(g.authDelay('b', 1000)).toBe(0);
    g.succeeded('a');
    expect(g.authDelay('a', 1000)).toBe(0);
    expect([g.admit('x'), g.admit('x'), g.admit('x')]).toEqual([true, true, false]);
    g.release('x');
    expect(g.admit('x')).toBe(true);
  });

  it('logs the first lines of a kind per window and says how many were left out', () => {
    const l = new LogLimiter(3, 1000);
    const got = Array.from({ length: 6 }, () => l.take('k', 0));
    expect(got).toEqual([{ suppressed: 0 }, { suppressed: 0 }, { suppressed: 0 }, null, null, null]);
    expect(l.take('other', 0)).toEqual({ suppressed: 0 });
    expect(l.take('k', 1000)).toEqual({ suppressed: 3 });
  });
});

/**
 * Implausible values a client may send: read times nowhere near the session, unprintable
 * location names, and more locations than any event has. None may be stored silently: each is
 * counted (p88_collector_bad_lines_total by kind) and skipped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { RawClient } from '../../test/helpers/ctp-client.js';
import { eventually, startTestCollector, type TestCollector } from '../../test/helpers/collector.js';

let t: TestDatabase;
let c: TestCollector;

beforeAll(async () => {
  t = await createTestDatabase();
  c = await startTestCollector(t.db, {
    EVENT_TIMEZONE: 'UTC',
    COLLECTOR_ALLOW_ANONYMOUS: 'true',
    COLLECTOR_MAX_LOCATIONS_PER_CONNECTION: '5',
    COLLECTOR_MAX_LOCATIONS_PER_SESSION: '8',
  });
});

afterAll(async () => {
  await c.close();
  await t.drop();
});

beforeEach(async () => {
  await t.owner.query('DELETE FROM timing_reads');
});

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 22);
const DAY = 86_400_000;

async function badLines(kind: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.statusPort}/metrics`)).text();
  const m = new RegExp(`p88_collector_bad_lines_total\\{kind="${kind}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

async function tags(): Promise<string[]> {
  return (await t.owner.query<{ tag_code: string }>('SELECT tag_code FROM timing_reads ORDER BY tag_code')).rows.map((r) => r.tag_code);
}

describe('read times', () => {
  it('stores reads near now and counts the rest as implausible: year 0000, 9999, unix 999999999999, a month ago, two days ahead', async () => {
    const before = await badLines('implausible-time');
    const s = await RawClient.connect(c.tcpPort);
    s.send(
      'CT01_33~1~finish~T0000~0000-01-01T00:00:00~1~0A0B0C~1',
      'CT01_33~2~finish~T9999~9999-12-31T23:59:59.999999~1~0A0B0C~1',
      'CT01_33~3~finish~TUNIX~999999999999~1~0A0B0C~1',
      `CT01_33~4~finish~TMONTH~${iso(Date.now() - 30 * DAY)}~1~0A0B0C~1`,
      `CT01_33~5~finish~TAHEAD~${iso(Date.now() + 2 * DAY)}~1~0A0B0C~1`,
      `CT01_33~6~finish~TNOW~${iso(Date.now())}~1~0A0B0C~1`,
      `CT01_33~7~finish~TUNIXNOW~${(Date.now() / 1000).toFixed(2)}~1~0A0B0C~1`,
      `CT01_33~8~finish~TWEEK~${iso(Date.now() - 6 * DAY)}~1~0A0B0C~1`,
      'CT01_33~9~finish~TTOD~09:15:00.50~1~0A0B0C~1',
    );
    await eventually(async () => (await tags()).length === 4, 10_000, 'plausible reads stored');
    await new Promise((r) => setTimeout(r, 300));
    expect(await tags()).toEqual(['TNOW', 'TTOD', 'TUNIXNOW', 'TWEEK']);
    expect((await badLines('implausible-time')) - before).toBe(5);
    s.close();
  });
});

describe('location names and counts', () => {
  it('skips unprintable location names', async () => {
    const s = await RawClient.connect(c.tcpPort);
    const now = iso(Date.now());
    s.send(`CT01_33~1~fin\u202Eish~L1~${now}~1~0A0B0C~1`, `CT01_33~1~a\u2028b~L2~${now}~1~0A0B0C~1`, `CT01_33~1~ ~L3~${now}~1~0A0B0C~1`);
    s.sendRaw(Buffer.concat([Buffer.from('CT01_33~1~fin'), Buffer.from([0xff]), Buffer.from(`~L4~${now}~1~0A0B0C~1\r\n`)]));
    s.send(`CT01_33~1~finish~L5~${now}~1~0A0B0C~1`);
    await eventually(async () => (await tags()).length === 1, 10_000, 'the good read');
    await new Promise((r) => setTimeout(r, 300));
    expect(await tags()).toEqual(['L5']);
    s.close();
  });

  it('caps locations per connection and per session', async () => {
    await t.owner.query('DELETE FROM timing_reads');
    const before = await badLines('location-cap');
    const now = iso(Date.now());
    const a = await RawClient.connect(c.tcpPort);
    // The previous test's connection used "finish" (1 of the session's 8).
    a.send(...Array.from({ length: 7 }, (_, i) => `CT01_33~1~capA${i}~A${i}~${now}~1~0A0B0C~1`));
    await eventually(async () => (await tags()).length === 5, 10_000, 'five of seven');
    const b = await RawClient.connect(c.tcpPort);
    b.send(...Array.from({ length: 5 }, (_, i) => `CT01_33~1~capB${i}~B${i}~${now}~1~0A0B0C~1`));
    // Session: finish + 5 of A = 6; B gets 2 more before the cap of 8.
    await eventually(async () => (await tags()).length === 7, 10_000, 'two of five');
    await new Promise((r) => setTimeout(r, 300));
    expect(await tags()).toEqual(['A0', 'A1', 'A2', 'A3', 'A4', 'B0', 'B1']);
    expect((await badLines('location-cap')) - before).toBe(5);
    a.close();
    b.close();
  });
});

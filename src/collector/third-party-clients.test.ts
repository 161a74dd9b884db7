/**
 * Third-party CTP01 clients, replayed byte for byte from their recorded wire traces.
 *
 * racemap's RacemapTestClient (racemap/chronotrack-to-racemap-forwarder, tests/
 * test-chronotrack-forwarder.ts, at ccbfb61) was fetched and run unmodified in its protocol
 * logic from a scratch folder against `p88 collector` (embedded quick start: authentication
 * hmac-sha1 offered, anonymous clients allowed), with a socket tap recording both directions.
 * Its trace, and what this file replays with our own code:
 *
 *   client  RacemapTestClient~1.0.0~CTP01
 *   server  Project88Hub~0.1.0~10 + 10 option lines (it ignores authentication=hmac-sha1)
 *   client  CT01_13~21~START~<id>~<utc now>~1~117F37~8      (500 ms later, unasked, no authorize)
 *   server  getconnectionid / geteventinfo / getlocations
 *   client  ack~getconnectionid~g4vnkHCHU8SbsDMF<id> / ack~geteventinfo~… / ack~getlocations~Start~1k~…~Finish
 *   server  start                                            (bare: it streams only after this)
 *   client  8 reads, seq 21, CT01_13 and CT01_33 alternating, both with `~`
 *   client  CT01_33~12388~OnBridge~newlocation~<utc now>~0~0~0
 *   server  start~OnBridge
 *   client  CT01_13~21~OnBridge~<id>~<utc now>~1~117F37~8
 *
 * Before this was handled, every one of its 10 reads was logged "unrecognized line" and lost.
 * The only substitution: the time field is "now" in its format (YYYY-MM-DDTHH:mm:ss.SS, UTC),
 * as the client computes it, so the reads fall inside the session's plausible window.
 *
 * ChronoTrack's own client (ChronoTrackClient / Classic Data Suite 0.6.0, shipped with example
 * files in racemap/2-racemap-forwarder docs/) is a Windows installer and cannot run here; its
 * example files are the raw `TO~…` records of ten controllers from a 2021 race (64,313 reads).
 * All of them were replayed as CT01_33 lines (one connection per controller, its `Point` from
 * the .mrk file as the location, unix times moved to today) into `p88 collector` on PostgreSQL:
 * 64,313 stored, 0 bad lines, 0 duplicates. The last block below keeps a sample of those
 * records (tags of 1–6 characters, a controller switching readers mid-stream, laps and antennas
 * as recorded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { RawClient } from '../../test/helpers/ctp-client.js';
import { eventually, startTestCollector, type TestCollector } from '../../test/helpers/collector.js';

const ID = 'mffuva9ek';
const CONNECTION_ID = `g4vnkHCHU8SbsDMF${ID}`;
const LOCATIONS = ['Start', '1k', '2k', '3k', '5k', '8k', '9k', 'Finish'];

let t: TestDatabase;
let quickStart: TestCollector;
let closed: TestCollector;

/** moment().utc().format('YYYY-MM-DDTHH:mm:ss.SS'), as the client sends it. */
function racemapNow(): string {
  return new Date().toISOString().slice(0, 22);
}

/**
 * The RacemapTestClient's reactions, as in its source: it answers only single-field server
 * lines, streams every location on a bare `start`, and sends one OnBridge read on `start~X`.
 */
class RacemapReplay {
  private handled = 0;
  private readonly time = racemapNow();
  constructor(readonly c: RawClient) {}

  /** Answers every server line received since the last call. */
  react(): void {
    for (; this.handled < this.c.lines.length; this.handled++) {
      const parts = this.c.lines[this.handled]!.split('~');
      if (parts.length > 1 && parts[0] === 'start') {
        this.c.sendRaw(`CT01_13~21~OnBridge~${ID}~${this.time}~1~117F37~8\r\n`);
      }
      if (parts.length !== 1) continue;
      switch (parts[0]) {
        case 'start':
          this.c.sendRaw(
            LOCATIONS.map((l, i) => `${i % 2 === 0 ? 'CT01_13' : 'CT01_33'}~21~${l}~${ID}~${this.time}~1~${ID}_${i}~8\r\n`).join(''),
          );
          break;
        case 'ping':
          this.c.sendRaw('ack~ping\r\n');
          break;
        case 'getlocations':
          this.c.sendRaw(`ack~getlocations~${LOCATIONS.join('~')}\r\n`);
          break;
        case 'geteventinfo':
          this.c.sendRaw(`ack~geteventinfo~Testevent for ChronoTrack Test (${ID})~${ID}~Just to test the data import. (${ID})\r\n`);
          break;
        case 'getconnectionid':
          this.c.sendRaw(`ack~getconnectionid~${CONNECTION_ID}\r\n`);
          break;
        default:
          break; // option lines it does not know: it only logs them
      }
    }
  }

  /** Waits for a server line, answering everything on the way as the client does. */
  async waitFor(line: string, timeoutMs = 5000): Promise<void> {
    await this.c.waitFor((l) => {
      this.react();
      return l === line;
    }, timeoutMs);
    this.react();
  }

  static async connect(port: number): Promise<RacemapReplay> {
    const c = await RawClient.connect(port);
    c.socket.on('data', () => setImmediate(() => r.react()));
    const r = new RacemapReplay(c);
    c.sendRaw('RacemapTestClient~1.0.0~CTP01\r\n');
    return r;
  }
}

async function stored(where: string): Promise<Array<{ location_name: string; sequence_number: number; tag_code: string; reader_id: string; source_key: string }>> {
  return (
    await t.owner.query<{ location_name: string; sequence_number: number; tag_code: string; reader_id: string; source_key: string }>(
      `SELECT location_name, sequence_number, tag_code, reader_id, source_key FROM timing_reads WHERE ${where} ORDER BY id`,
    )
  ).rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  // The embedded quick start: authentication offered, anonymous clients allowed.
  quickStart = await startTestCollector(t.db, { COLLECTOR_AUTH: 'hmac-sha1', COLLECTOR_ALLOW_ANONYMOUS: 'true', EVENT_TIMEZONE: 'UTC' });
  closed = await startTestCollector(t.db, { COLLECTOR_AUTH: 'hmac-sha1', COLLECTOR_ALLOW_ANONYMOUS: 'false', EVENT_TIMEZONE: 'UTC' });
});

afterAll(async () => {
  await quickStart?.close();
  await closed?.close();
  await t?.drop();
});

describe('racemap RacemapTestClient (recorded wire trace)', () => {
  it('stores all 10 of its reads: CT01_13 with ~, no authorize, bare start, newlocation', async () => {
    const r = await RacemapReplay.connect(quickStart.tcpPort);
    await r.c.waitFor(/^Project88Hub~[^~]+~10$/);
    await new Promise((res) => setTimeout(res, 500));
    r.c.sendRaw(`CT01_13~21~START~${ID}~${racemapNow()}~1~117F37~8\r\n`);
    await r.waitFor('start');
    r.c.sendRaw(`CT01_33~12388~OnBridge~newlocation~${racemapNow()}~0~0~0\r\n`);
    await r.waitFor('start~OnBridge');

    const rows = await eventually(async () => {
      const got = await stored('true');
      return got.length === 10 ? got : null;
    });
    expect(rows.map((x) => x.location_name).sort()).toEqual([...LOCATIONS, 'START', 'OnBridge'].sort());
    expect(rows.every((x) => x.sequence_number === 21 && x.tag_code === ID)).toBe(true);
    // Reads after the handshake belong to its stable connection id.
    expect(rows.filter((x) => x.source_key === `cid:${CONNECTION_ID}`)).toHaveLength(9);
    // Exactly the two starts its test expects, and nothing refused.
    expect(r.c.lines.filter((l) => l.startsWith('start'))).toEqual(['start', 'start~OnBridge']);
    expect(r.c.lines.filter((l) => l.startsWith('err'))).toEqual([]);
    const status = await quickStart.status();
    expect(status).toMatchObject({ reads_received: 10, reads_rejected: 0 });
    r.c.close();

    // Reconnecting with the same connection id resumes each location after what is stored.
    const again = await RacemapReplay.connect(quickStart.tcpPort);
    await again.c.waitFor(/^Project88Hub~[^~]+~10$/);
    await new Promise((res) => setTimeout(res, 500));
    again.c.sendRaw(`CT01_13~21~START~${ID}~${racemapNow()}~1~117F37~8\r\n`);
    await again.waitFor('start~Finish~22');
    const starts = again.c.lines.filter((l) => l.startsWith('start'));
    expect(starts).toEqual(LOCATIONS.map((l) => `start~${l}~22`));
    again.c.close();
  });

  it('is refused, nothing stored, where anonymous clients are not allowed', async () => {
    const before = (await stored('true')).length;
    const r = await RacemapReplay.connect(closed.tcpPort);
    await r.c.waitFor(/^Project88Hub~/);
    r.c.sendRaw(`CT01_13~21~START~${ID}~${racemapNow()}~1~117F37~8\r\n`);
    await r.c.waitFor('err~authorize~authentication required');
    await r.c.waitClosed();
    await new Promise((res) => setTimeout(res, 200));
    expect((await stored('true')).length).toBe(before);
  });
});

/** Records from ChronoTrack's example controller files: TO~seq~tag~event~lap~unix time~reader~antenna~rssi~… */
const CONTROLLER_RECORDS = [
  ['FINISH4', 'TO~1~7545~160~18~1620459935.51~115DA4~8~-75~1~P~28'],
  ['FINISH4', 'TO~2~99998~160~13~1620459939.90~115DA4~8~-36~2~P~173'],
  ['FINISH4', 'TO~3~99998~160~13~1620459944.04~115DA4~4~-33~3~P~178'],
  ['FINISH1', 'TO~1~9511~160~18~1620458668.64~12000C~8~-63~1~P~192'],
  ['FINISH1', 'TO~2~9511~160~18~1620458677.69~12000C~2~-73~2~P~13'],
  ['FINISH1', 'TO~3~9511~160~18~1620458716.43~120044~1~-65~1~P~151'],
  ['FINISH1', 'TO~4~3~160~6~1620458723.81~12000C~2~-56~359~P~6'],
] as const;

describe('ChronoTrack controller records (ChronoTrackClient 0.6.0 example files)', () => {
  it('stores each as recorded: sequence, tag, reader, antenna, time', async () => {
    const shift = Date.now() / 1000 - 1620459935.51 - 60; // the first record a minute ago
    const c = await RawClient.connect(quickStart.tcpPort);
    const lines = CONTROLLER_RECORDS.map(([point, record]) => {
      const [, seq, tag, , lap, time, reader, antenna] = record.split('~');
      const unix = (Number(time) + shift).toFixed(2);
      // The instant the text says, to the millisecond (not the float it was made from).
      const [seconds, hundredths] = unix.split('.');
      const timeMs = Number(seconds) * 1000 + Number(hundredths) * 10;
      return { point, seq: Number(seq), tag: tag!, reader: reader!, antenna: Number(antenna), timeMs, line: `CT01_33~${seq}~${point}~${tag}~${unix}~${lap}~${reader}~${antenna}` };
    });
    c.send(...lines.map((l) => l.line));
    const rows = await eventually(async () => {
      const got = (
        await t.owner.query<{ location_name: string; sequence_number: number; tag_code: string; reader_id: string; gator_number: number; ms: number }>(
          `SELECT location_name, sequence_number, tag_code, reader_id, gator_number, (extract(epoch FROM read_time) * 1000)::bigint::float8 AS ms
             FROM timing_reads WHERE reader_id IN ('115DA4', '12000C', '120044') ORDER BY id`,
        )
      ).rows;
      return got.length === lines.length ? got : null;
    });
    expect(rows).toEqual(lines.map((l) => ({ location_name: l.point, sequence_number: l.seq, tag_code: l.tag, reader_id: l.reader, gator_number: l.antenna, ms: l.timeMs })));
    expect(c.lines.filter((l) => l.startsWith('err'))).toEqual([]);
    c.close();
  });
});

import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ack, command, serverGreeting, type GreetingOptions, type TimeFormat } from '../ctp01/index.js';
import { SIMULATOR_VERSION, SimulatedController, type ControllerOptions } from './controller.js';
import { generateRace, renderObservation, type Race } from './race.js';
import { TestCollector, type TestConnection } from './test-collector.js';

const course = [
  { name: 'start', distanceKm: 0 },
  { name: '5k', distanceKm: 5 },
  { name: 'finish', distanceKm: 10 },
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  serverOptions: Parameters<typeof TestCollector.start>[0],
  controller: Omit<ControllerOptions, 'race' | 'port'> & { race?: Race },
): Promise<{ server: TestCollector; ctrl: SimulatedController; race: Race }> {
  const server = await TestCollector.start(serverOptions);
  const race = controller.race ?? generateRace({ seed: 9, runners: 40, course });
  const ctrl = new SimulatedController({ reconnectDelayMs: 20, ...controller, race, port: server.port });
  cleanups.push(() => server.close(), () => ctrl.close());
  ctrl.start();
  return { server, ctrl, race };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the greeting and answers with these options. */
async function greet(conn: TestConnection, options: GreetingOptions): Promise<void> {
  expect(await conn.next()).toBe(`P88Simulator~${SIMULATOR_VERSION}~CTP01`);
  conn.send(serverGreeting('TestCollector', '1.0', options));
}

/** What the controller must send for a location from `fromSeq`, without CRLF. */
function expectedLines(race: Race, location: string, format: TimeFormat, fromSeq = 1, guntimes = true): string[] {
  const track = race.locations.find((l) => l.name === location)!;
  return track.observations
    .filter((o) => o.sequence >= fromSeq && (guntimes || o.tag !== 'guntime'))
    .map((o) => renderObservation(race, o, format).slice(0, -2));
}

describe('SimulatedController handshake and push', () => {
  it('authenticates with hmac-sha1, answers ids and locations, streams exactly start~loc~seq..n in iso', async () => {
    const { server, ctrl, race } = await setup({}, { connectionId: 'SIM-T1', user: 'acme', password: 's3cret', speed: Infinity });
    const conn = await server.nextConnection();
    await greet(conn, {
      'stream-mode': 'push', 'time-format': 'iso', authentication: 'hmac-sha1', 'authentication-seed': 'f00dseed',
      newlocations: true, 'pushmode-ack': true, guntimes: true,
    });
    const auth = (await conn.next()).split('~');
    expect(auth[0]).toBe('authorize');
    expect(auth[1]).toBe('acme');
    expect(auth[2]).toBe(createHmac('sha1', 's3cret').update('f00dseed').digest('hex'));
    conn.send(ack('authorize'));

    conn.send(command('getconnectionid'));
    expect(await conn.next()).toBe('ack~getconnectionid~SIM-T1');
    conn.send(command('getlocations'));
    expect(await conn.next()).toBe('ack~getlocations~start~5k~finish');
    await sleep(50);
    expect(conn.tagLines()).toEqual([]);

    conn.send(command('start', '5k', 7));
    expect(await conn.next()).toBe('ack~start~5k');
    const want = expectedLines(race, '5k', 'iso', 7);
    expect(want.length).toBeGreaterThan(40);
    await waitFor(() => conn.tagLines('5k').length >= want.length, '5k lines');
    await sleep(50);
    expect(conn.tagLines()).toEqual(want);
    for (const line of want) expect(line.split('~')[4]).toMatch(new RegExp(`^${race.event.date}T\\d\\d:\\d\\d:\\d\\d\\.\\d\\d$`));
    expect(ctrl.stats().perLocation['5k']).toMatchObject({ sent: want.length, highestSent: want.length + 6, lastStartFrom: 7 });
    expect(ctrl.stats().linesSent).toBe(want.length);
  });

  it.each(['normal', 'unix', 'msecs'] as const)('streams every online location on a bare start in %s, without guntimes unless asked', async (format) => {
    const { server, ctrl, race } = await setup({}, { speed: Infinity });
    const conn = await server.nextConnection();
    await greet(conn, { 'time-format': format, 'pushmode-ack': true });
    conn.send(command('start'));
    expect(await conn.next()).toBe('ack~start');
    expect(await ctrl.allSent).toBe(true);
    await waitFor(() => conn.tagLines().length === ctrl.expectedObservations().length, 'all lines');
    for (const loc of ['start', '5k', 'finish']) {
      expect(conn.tagLines(loc)).toEqual(expectedLines(race, loc, format, 1, false));
    }
    expect(conn.tagLines().some((l) => l.includes('~guntime~'))).toBe(false);
    const time = conn.tagLines('finish')[0]!.split('~')[4]!;
    expect(time).toMatch(format === 'normal' ? /^\d\d:\d\d:\d\d\.\d\d$/ : format === 'unix' ? /^\d{10}\.\d\d$/ : /^\d{8}$/);
  });

  it('sends the guntime line first at the start when guntimes=true, in controller time order across locations', async () => {
    const { server, ctrl, race } = await setup({}, { speed: Infinity });
    const conn = await server.nextConnection();
    await greet(conn, { guntimes: true });
    conn.send(command('start'));
    expect(await ctrl.allSent).toBe(true);
    await waitFor(() => conn.tagLines().length === ctrl.observations().length, 'all lines');
    expect(conn.tagLines()[0]).toBe(`CT01_33~1~start~guntime~08:00:00.00~0~${race.controllerId}~0`);
    const raceMs = (l: string) => {
      const [, seq, loc] = l.split('~');
      return race.locations.find((t) => t.name === loc)!.observations[Number(seq) - 1]!.raceMs;
    };
    const times = conn.tagLines().map(raceMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('reports a rejected authorize and does not reconnect', async () => {
    const { server, ctrl } = await setup({}, { user: 'acme', password: 'wrong', speed: Infinity });
    const conn = await server.nextConnection();
    await greet(conn, { authentication: 'seed-md5', 'authentication-seed': 'abc' });
    expect(await conn.next()).toMatch(/^authorize~acme~[0-9a-f]{32}$/);
    conn.send(command('err', 'authorize', 'bad password'));
    expect(await ctrl.allSent).toBe(false);
    expect(ctrl.stats().authError).toBe('bad password');
    await sleep(150);
    expect(server.connections.length).toBe(1);
  });

  it('answers ping, geteventinfo and unknown commands; pings the server itself', async () => {
    const race = generateRace({ seed: 1, runners: 3, course, event: { name: 'Spring Run', id: 'ev-7', description: 'hilly' } });
    const { server, ctrl } = await setup({}, { race, pingIntervalMs: 30 });
    const conn = await server.nextConnection();
    await greet(conn, {});
    conn.send(command('ping'));
    expect(await conn.next()).toBe('ack~ping');
    conn.send(command('geteventinfo'));
    expect(await conn.next()).toBe('ack~geteventinfo~Spring Run~ev-7~hilly');
    conn.send(command('frobnicate', 'x'));
    expect(await conn.next()).toBe('err~frobnicate~unknown command');
    conn.send(command('start', 'nowhere'));
    expect(await conn.next()).toBe('err~start~unknown location nowhere');
    expect(await conn.next((l) => l === 'ping')).toBe('ping');
    conn.send(ack('ping'));
    await waitFor(() => ctrl.stats().pingAcks >= 1, 'ping ack');
  });

  it('drops a link whose pings go unanswered and reconnects with the same id', async () => {
    const { server, ctrl } = await setup({}, { connectionId: 'SIM-P', pingIntervalMs: 20, pingTimeoutMs: 50 });
    const first = await server.nextConnection();
    await greet(first, {});
    await first.next((l) => l === 'ping');
    await first.closed;
    const second = await server.nextConnection();
    await greet(second, {});
    second.send(command('getconnectionid'));
    expect(await second.next((l) => l.startsWith('ack~'))).toBe('ack~getconnectionid~SIM-P');
    expect(ctrl.stats()).toMatchObject({ drops: 1, reconnects: 1 });
  });
});

describe('SimulatedController completion', () => {
  it('counts what the server says it already holds as done, and says so when it claims more than exists', async () => {
    const events: string[] = [];
    const { server, ctrl, race } = await setup({}, { speed: Infinity, onEvent: (e) => e.type === 'notice' && events.push(e.message) });
    const conn = await server.nextConnection();
    await greet(conn, { guntimes: true });
    const [start, k5, finish] = race.locations.map((l) => l.observations.length) as [number, number, number];
    conn.send(command('start', 'start', start + 1) + command('start', '5k', k5 - 1) + command('start', 'finish', finish + 50));
    expect(await ctrl.allSent).toBe(true);
    await waitFor(() => conn.tagLines().length === 2, 'the last two 5k lines');
    expect(conn.tagLines().map((l) => l.split('~').slice(1, 3).join('~'))).toEqual([`${k5 - 1}~5k`, `${k5}~5k`]);
    expect(ctrl.stats().perLocation.finish).toMatchObject({ sent: 0, acknowledged: finish + 49 });
    expect(events).toEqual([`server resumed finish at ${finish + 50} but it has only ${finish} observations (connection id reused?)`]);
  });

  it('is not complete while a location was neither sent nor acknowledged', async () => {
    const { server, ctrl, race } = await setup({}, { speed: Infinity });
    const conn = await server.nextConnection();
    await greet(conn, {});
    conn.send(command('start', 'start') + command('start', '5k', race.locations[1]!.observations.length + 1));
    await waitFor(() => conn.tagLines('start').length === race.locations[0]!.observations.length - 1, 'start lines');
    const done = await Promise.race([ctrl.allSent, sleep(100).then(() => 'pending')]);
    expect(done).toBe('pending');
    conn.send(command('start', 'finish', 2));
    expect(await ctrl.allSent).toBe(true);
    expect(ctrl.stats().perLocation.finish).toMatchObject({ acknowledged: 1, uniqueSent: race.locations[2]!.observations.length - 1 });
  });
});

describe('SimulatedController pull mode', () => {
  it('answers getdata with a count and that many lines, continuing where the last pull stopped', async () => {
    const { server, race } = await setup({}, { speed: Infinity });
    const conn = await server.nextConnection();
    await greet(conn, { 'stream-mode': 'pull', 'time-format': 'msecs' });
    conn.send(command('getdata', 5, '5k', 3));
    expect(await conn.next()).toBe('ack~getdata~5');
    conn.send(command('getdata', 3, '5k'));
    expect(await conn.next((l) => l.startsWith('ack~'))).toBe('ack~getdata~3');
    await waitFor(() => conn.tagLines().length === 8, 'eight lines');
    expect(conn.tagLines()).toEqual(expectedLines(race, '5k', 'msecs', 3).slice(0, 8));
    conn.send(command('getdata', 'x'));
    expect(await conn.next((l) => l.startsWith('err~'))).toBe('err~getdata~bad count');
  });
});

describe('SimulatedController handshake timeout', () => {
  it('retries a server that accepts but never greets', async () => {
    const { server, ctrl } = await setup({}, { handshakeTimeoutMs: 80 });
    const silent = await server.nextConnection();
    await silent.next();
    await silent.closed;
    const second = await server.nextConnection();
    await greet(second, {});
    second.send(command('ping'));
    expect(await second.next()).toBe('ack~ping');
    await sleep(150);
    expect(server.connections.length).toBe(2);
    expect(ctrl.stats().drops).toBe(1);
  });
});

describe('SimulatedController new locations', () => {
  it('announces a late location (held until getconnectionid) and streams it only when started', async () => {
    const { server, ctrl, race } = await setup({}, { speed: Infinity, onlineAfterMs: { finish: 100 } });
    const conn = await server.nextConnection();
    await greet(conn, { newlocations: true, 'connection-id': true, 'pushmode-ack': true, 'time-format': 'iso' });
    conn.send(command('getlocations'));
    expect(await conn.next()).toBe('ack~getlocations~start~5k');
    conn.send(command('start', 'finish'));
    expect(await conn.next()).toBe('err~start~unknown location finish');
    await sleep(200);
    expect(ctrl.stats().perLocation.finish?.online).toBe(true);
    expect(conn.lines.some((l) => l.includes('newlocation'))).toBe(false);

    conn.send(command('getconnectionid'));
    expect(await conn.next()).toMatch(/^ack~getconnectionid~SIM-/);
    const announce = await conn.next();
    expect(announce).toMatch(new RegExp(`^CT01_33~0~finish~newlocation~${race.event.date}T08:00:00\\.\\d\\d~0~${race.controllerId}~0$`));
    await sleep(50);
    expect(conn.tagLines('finish')).toEqual([]);

    conn.send(command('getlocations'));
    expect(await conn.next()).toBe('ack~getlocations~start~5k~finish');
    conn.send(command('start', 'finish', 3));
    expect(await conn.next()).toBe('ack~start~finish');
    const want = expectedLines(race, 'finish', 'iso', 3);
    await waitFor(() => conn.tagLines('finish').length >= want.length, 'finish lines');
    expect(conn.tagLines('finish')).toEqual(want);
  });

  it('re-announces a late location after a reconnect until the server starts it', async () => {
    const { server } = await setup({}, { speed: Infinity, onlineAfterMs: { finish: 80 } });
    const first = await server.nextConnection();
    await greet(first, { newlocations: true });
    await first.next((l) => l.includes('~newlocation~'));
    first.socket.destroy();
    const second = await server.nextConnection();
    await greet(second, { newlocations: true });
    expect(await second.next()).toMatch(/^CT01_33~0~finish~newlocation~/);
    second.send(command('start', 'finish'));
    await second.next((l) => l.startsWith('CT01_33~1~finish~'));
    second.socket.destroy();
    const third = await server.nextConnection();
    await greet(third, { newlocations: true });
    await sleep(100);
    expect(third.lines.filter((l) => l.includes('newlocation'))).toEqual([]);
  });
});

describe('SimulatedController race clock', () => {
  it('sends a line only once it is due at the given speed, stops and resumes on command', async () => {
    const shortCourse = [{ name: 'start', distanceKm: 0 }, { name: 'finish', distanceKm: 1 }];
    const race = generateRace({ seed: 4, runners: 40, course: shortCourse, medianPaceSecPerKm: 240, paceSpread: 0.1 });
    const finish = race.locations[1]!.observations;
    const last = finish[finish.length - 1]!.raceMs;
    // The whole finish stream takes about 0.8 s of wall time.
    const speed = last / 800;
    const { server, ctrl } = await setup({}, { race, speed });
    const conn = await server.nextConnection();
    const arrivals: Array<{ line: string; at: number }> = [];
    const push = conn.push.bind(conn);
    conn.push = (line: string) => {
      arrivals.push({ line, at: ctrl.elapsedMs() });
      push(line);
    };
    await greet(conn, { 'pushmode-ack': true });
    conn.send(command('start', 'finish'));
    await waitFor(() => conn.tagLines('finish').length >= finish.length / 3, 'a third of the finish');
    conn.send(command('stop', 'finish'));
    expect(await conn.next((l) => l.startsWith('ack~stop'))).toBe('ack~stop~finish');
    await sleep(30);
    const stoppedAt = conn.tagLines('finish').length;
    expect(stoppedAt).toBeLessThan(finish.length);
    await sleep(300);
    expect(conn.tagLines('finish').length).toBe(stoppedAt);

    conn.send(command('start', 'finish', stoppedAt + 1));
    await waitFor(() => conn.tagLines('finish').length === finish.length, 'the rest of the finish');
    expect(conn.tagLines('finish')).toEqual(expectedLines(race, 'finish', 'normal'));
    for (const { line, at } of arrivals.filter((a) => a.line.startsWith('CT01'))) {
      const o = finish[Number(line.split('~')[1]) - 1]!;
      // Never early (5 ms for timer and clock granularity).
      expect(at * speed).toBeGreaterThanOrEqual(o.raceMs - 5 * speed);
    }
    // Not a single burst: the last lines came close to their due time.
    expect(arrivals[arrivals.length - 1]!.at).toBeGreaterThan(600);
  });
});

describe('SimulatedController drops and resumes', () => {
  it('drops after every K lines, reconnects with the same id and follows the server resume point', async () => {
    const race = generateRace({ seed: 21, runners: 60, course });
    const total = race.locations.reduce((n, l) => n + l.observations.length, 0);
    // The server asks for a few lines again on each resume: the simulator must obey, not skip ahead.
    const { server, ctrl } = await setup(
      { auto: true, greeting: () => ({ guntimes: true, newlocations: true, 'time-format': 'unix' }), resumeFrom: (last) => Math.max(1, last - 3) },
      { race, connectionId: 'SIM-D', speed: Infinity, dropEveryLines: 40 },
    );
    expect(await ctrl.allSent).toBe(true);
    await waitFor(() => race.locations.every((l) => server.sequences('SIM-D', l.name).length === l.observations.length), 'server has everything');

    for (const loc of race.locations) {
      expect(server.sequences('SIM-D', loc.name)).toEqual(loc.observations.map((o) => o.sequence));
    }
    const conns = server.connections;
    expect(conns.length).toBeGreaterThan(total / 40);
    expect(conns.every((c) => c.connectionId === 'SIM-D')).toBe(true);
    for (const c of conns.slice(0, -1)) expect(c.tagLines().length).toBe(40);
    for (const c of conns) {
      for (const start of c.sent.filter((l) => l.startsWith('start~'))) {
        const [, loc, from] = start.split('~');
        const got = c.tagLines(loc).map((l) => Number(l.split('~')[1]));
        if (got.length === 0) continue;
        expect(got[0]).toBe(Number(from));
        expect(got).toEqual(got.map((_, i) => Number(from) + i));
      }
    }
    expect(ctrl.stats().reconnects).toBe(conns.length - 1);
    expect(ctrl.stats().linesSent).toBeGreaterThan(total);
  });

  it('survives abrupt random drops: the union of stored lines equals every observation', async () => {
    const race = generateRace({ seed: 22, runners: 80, course });
    const { server, ctrl } = await setup(
      { auto: true, greeting: () => ({ guntimes: true }) },
      { race, connectionId: 'SIM-R', speed: Infinity, dropProbability: 0.01, dropMode: 'abrupt', seed: 5, batchLines: 16 },
    );
    expect(await ctrl.allSent).toBe(true);
    await waitFor(
      () => race.locations.every((l) => server.sequences('SIM-R', l.name).length === l.observations.length),
      'server has everything',
      10_000,
    );
    expect(ctrl.stats().drops).toBeGreaterThan(3);
    for (const loc of race.locations) {
      expect(server.sequences('SIM-R', loc.name)).toEqual(loc.observations.map((o) => o.sequence));
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { command, serverGreeting } from '../ctp01/index.js';
import type { SimulationReport } from '../simulator/run.js';
import { TestCollector } from '../simulator/test-collector.js';

function capture() {
  const io = { outText: '', errText: '', out: (t: string) => void (io.outText += t), err: (t: string) => void (io.errText += t) };
  return io;
}

const main = (argv: string[], io: ReturnType<typeof capture>) => runCli(['simulate', ...argv], { io });

let server: TestCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('p88 simulate flags', () => {
  it.each([
    [['--speed', 'fast'], /--speed must be a positive number or "max"/],
    [['--port', '70000'], /--port/],
    [['--runners', 'many'], /--runners/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--locations', 'a,b', '--course', 'a:0'], /either --locations or --course/],
    [['--user', 'x'], /--user and --password go together/],
    [['--course', 'start:0,finish'], /"finish" is not name:km/],
    [['--online-delay', 'moon=3'], /"moon", which is not a course location/],
    [['--locations', 'start,a-name-far-too-long,finish', '--timeout', '1'], /1–16 chars/],
    [['--clients', '12', '--locations', 'start,checkpoint-abc,finish'], /"c12-checkpoint-abc" must be 1–16 chars/],
    [['--date', '2025-13-45'], /--date/],
    [['--date', '2025-02-31'], /--date is not a calendar date/],
    [['--timezone', 'Mars/Olympus'], /IANA/],
    [['stray'], /too many arguments for 'simulate'/],
  ])('rejects %j with exit code 2 and one line', async (argv, message) => {
    const io = capture();
    expect(await main(argv, io)).toBe(2);
    expect(io.errText).toMatch(message);
    expect(io.errText).toMatch(/^p88 simulate: [^\n]+ \(see p88 simulate --help\)\n$/);
    expect(io.outText).toBe('');
  });

  it('names every problem on the one line', async () => {
    const io = capture();
    expect(await main(['--port', '0', '--runners', 'many'], io)).toBe(2);
    expect(io.errText).toMatch(/^p88 simulate: --port .+; --runners .+\n$/);
  });

  it('prints usage on --help', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.outText).toMatch(/^Usage: p88 simulate \[options\]/);
    expect(io.outText).toMatch(/--port <n> +collector port \(default: 61611\)/);
    expect(io.outText).toContain('Exit status: 0 all observations sent');
  });
});

describe('p88 simulate run', () => {
  it('replays against a collector and prints the report as JSON', async () => {
    server = await TestCollector.start({ auto: true, greeting: () => ({ guntimes: true, 'time-format': 'iso' }) });
    const io = capture();
    const code = await main(
      ['--port', String(server.port), '--clients', '2', '--runners', '20', '--locations', 'start,5k,10k,finish', '--course-km', '21.1',
        '--speed', 'max', '--settle', '0', '--json', '--date', '2025-06-01', '--gun', '09:30', '--timezone', 'Europe/Paris', '--event-name', 'Half'],
      io,
    );
    expect(io.errText).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.outText) as SimulationReport;
    expect(report.complete).toBe(true);
    expect(report.clients.map((c) => c.connectionId)).toEqual(['SIM-1', 'SIM-2']);
    expect(report.clients[1]!.locations).toEqual(['c2-start', 'c2-5k', 'c2-10k', 'c2-finish']);
    const first = server.connections[0]!.tagLines('start')[0]!;
    expect(first).toMatch(/^CT01_33~1~start~guntime~2025-06-01T09:30:00\.00~0~[0-9A-F]{6}~0$/);
  });

  it('prints a human summary and exits 1 when the run does not complete', async () => {
    server = await TestCollector.start({});
    const io = capture();
    const code = await main(['--port', String(server.port), '--runners', '3', '--speed', 'max', '--timeout', '0.2'], io);
    expect(code).toBe(1);
    expect(io.outText).toMatch(/^incomplete \(timeout\) in \d+\.\d\d s: 0 lines/);
    expect(io.outText).toMatch(/SIM-1 {2}start 0\/\d+ {2}5k 0\/\d+ {2}finish 0\/\d+/);
  });
});

describe('p88 simulate against a collector that requires authentication', () => {
  it('says how to get credentials when none were given and the collector refuses', async () => {
    server = await TestCollector.start({});
    const io = capture();
    const run = main(['--port', String(server.port), '--runners', '2', '--speed', 'max', '--timeout', '10'], io);
    const conn = await server.nextConnection();
    await conn.next((l) => l.endsWith('~CTP01'));
    conn.send(serverGreeting('Collector', '1.0', { authentication: 'hmac-sha1', 'authentication-seed': '00ff' }));
    conn.send(command('err', 'authorize', 'authentication required'));
    expect(await run).toBe(1);
    expect(io.errText).toContain('client 1: authentication failed: authentication required (give --user and --password: p88 source create makes them)\n');
    expect(io.outText).toContain('auth failed: authentication required');
  });
});

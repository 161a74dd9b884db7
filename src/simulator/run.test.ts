import { afterEach, describe, expect, it } from 'vitest';
import { buildControllers, runSimulation } from './run.js';
import { TestCollector } from './test-collector.js';

let server: TestCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const course = [
  { name: 'start', distanceKm: 0 },
  { name: '5k', distanceKm: 5 },
  { name: 'finish', distanceKm: 10 },
];

describe('runSimulation', () => {
  it('runs several clients concurrently, each with its own id, names and bibs, and reports what they sent', async () => {
    server = await TestCollector.start({
      auto: true,
      greeting: (i) => ({ guntimes: true, newlocations: true, 'time-format': 'iso', authentication: 'hmac-md5', 'authentication-seed': `seed${i}` }),
      users: { acme: 'pw' },
    });
    const report = await runSimulation({
      port: server.port, clients: 3, runners: 50, course, speed: Infinity, seed: 7, user: 'acme', password: 'pw',
      connectionIdPrefix: 'RUN', dropEveryLines: 100, reconnectDelayMs: 10, settleMs: 50,
    });
    expect(report.complete).toBe(true);
    expect(report.endedBy).toBe('all-sent');
    expect(report.clients.map((c) => c.connectionId)).toEqual(['RUN-1', 'RUN-2', 'RUN-3']);
    expect(report.clients.map((c) => c.locations)).toEqual([
      ['start', '5k', 'finish'], ['c2-start', 'c2-5k', 'c2-finish'], ['c3-start', 'c3-5k', 'c3-finish'],
    ]);
    const expected = buildControllers({ clients: 3, runners: 50, course, seed: 7 });
    report.clients.forEach((c, i) => {
      const ctrl = expected[i]!;
      for (const loc of ctrl.race.locations) {
        expect(c.observationsPerLocation[loc.name]).toBe(loc.observations.length);
        // The server holds every sequence of every location of every client, no gaps.
        expect(server!.sequences(c.connectionId, loc.name)).toEqual(loc.observations.map((o) => o.sequence));
      }
      expect(c.uniqueSent).toBe(ctrl.observations().length);
      expect(c.linesSent).toBeGreaterThanOrEqual(c.uniqueSent);
      expect(c.reconnects).toBeGreaterThan(0);
      expect(c.linesPerSecond).toBeGreaterThan(0);
    });
    // Client i's bibs follow client i-1's.
    expect(expected[1]!.race.athletes[0]!.bib).toBe(1050);
    expect(report.linesSent).toBe(report.clients.reduce((n, c) => n + c.linesSent, 0));
  });

  it('an abort during the settle ends it early and the run still counts as all sent', async () => {
    server = await TestCollector.start({ auto: true });
    const stop = new AbortController();
    const started = performance.now();
    const run = runSimulation({
      port: server.port, clients: 1, runners: 5, course, speed: Infinity, settleMs: 60_000, signal: stop.signal,
      onEvent: (_client, e) => { if (e.type === 'all-sent') setTimeout(() => stop.abort(), 20); },
    });
    const report = await run;
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(report.endedBy).toBe('all-sent');
    expect(report.complete).toBe(true);
  });

  it('shares location names when asked and reports a timeout when the server never starts anything', async () => {
    server = await TestCollector.start({});
    const report = await runSimulation({ port: server.port, clients: 2, runners: 5, course, naming: 'shared', speed: Infinity, timeoutMs: 200 });
    expect(report.complete).toBe(false);
    expect(report.endedBy).toBe('timeout');
    expect(report.clients.map((c) => c.locations)).toEqual([['start', '5k', 'finish'], ['start', '5k', 'finish']]);
    expect(report.clients.every((c) => c.linesSent === 0 && !c.complete)).toBe(true);
  });

  it('ends as failed when the collector rejects the credentials', async () => {
    server = await TestCollector.start({
      auto: true, greeting: () => ({ authentication: 'plaintext' }), users: { acme: 'right' },
    });
    const report = await runSimulation({ port: server.port, runners: 5, course, speed: Infinity, user: 'acme', password: 'wrong', timeoutMs: 5000 });
    expect(report.endedBy).toBe('failed');
    expect(report.clients[0]!.authError).toBe('bad credentials');
  });
});

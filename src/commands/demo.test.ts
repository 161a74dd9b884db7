/**
 * The newcomer's path: `p88 demo` seeds a partner, then `p88 simulate` with the printed
 * credentials sends a race, and the printed display link streams runners from the demo
 * roster. Real collector, real CTP01 socket, real web app, one bus (as in `p88 start`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse } from '../../test/helpers/sse.js';
import { startWebStack, type WebStack } from '../../test/helpers/web-stack.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { runSimulation } from '../simulator/run.js';
import { demoParticipants, formatDemo, seedDemo, type DemoInfo } from './demo.js';

let stack: WebStack;
let first: DemoInfo;
let demo: DemoInfo;

beforeAll(async () => {
  stack = await startWebStack();
  const config = loadConfig({ DATA_DIR: stack.collector.dataDir, SECRET_KEY: stack.collector.config.SECRET_KEY!, PORT: '5000', COLLECTOR_PORT: String(stack.collector.tcpPort) });
  const deps = { db: stack.t.db, config, log: createLogger('silent') };
  first = await seedDemo(deps, { runners: 12, firstBib: 1000 });
  demo = await seedDemo(deps, { runners: 12, firstBib: 1000 }); // again: the same demo, fresh credentials
});
afterAll(() => stack.close());

/** The demo's printed simulate command, run in process (12 runners, start and finish). */
function demoRace(connectionIdPrefix?: string) {
  return runSimulation({
    host: '127.0.0.1',
    port: stack.collector.tcpPort,
    user: demo.collector.userId,
    password: demo.collector.secret,
    runners: 12,
    firstBib: 1000,
    course: [{ name: 'start', distanceKm: 0 }, { name: 'finish', distanceKm: 1 }],
    race: { dnfRate: 0, missRate: 0 }, // every runner finishes and is read
    // Fast, but with the first finisher well after the gun: two writers may publish a gun and a
    // read committed milliseconds apart in either order (a real race has minutes between them).
    speed: 300,
    settleMs: 500,
    timeoutMs: 30_000,
    ...(connectionIdPrefix ? { connectionIdPrefix } : {}),
  });
}

describe('p88 demo', () => {
  it('is idempotent: one partner, one link, one roster, fresh credentials each run', async () => {
    expect(demo.linkId).toBe(first.linkId);
    expect(demo.roster.eventId).toBe(first.roster.eventId);
    expect(demo.collector.userId).toBe(first.collector.userId);
    expect(demo.collector.secret).not.toBe(first.collector.secret);
    expect(demo.signIn.password).not.toBe(first.signIn.password);
    const counts = await stack.t.owner.query<{ links: number; templates: number; participants: number }>(
      `SELECT (SELECT count(*)::int FROM display_links l JOIN partners p ON p.id = l.partner_id WHERE p.slug = 'demo') AS links,
              (SELECT count(*)::int FROM display_templates t JOIN partners p ON p.id = t.partner_id WHERE p.slug = 'demo') AS templates,
              (SELECT count(*)::int FROM participants x JOIN partners p ON p.id = x.partner_id WHERE p.slug = 'demo') AS participants`,
    );
    expect(counts.rows[0]).toEqual({ links: 1, templates: 1, participants: 12 });
    expect(demo.displayUrl).toBe(`http://localhost:5000/d/${demo.linkId}`);
    const text = formatDemo(demo);
    for (const part of [demo.displayUrl, demo.signIn.password, demo.collector.secret, demo.simulate, '1000, 1001']) expect(text).toContain(part);
    expect(JSON.parse(JSON.stringify(demo))).toEqual(demo); // --json prints this object
  });

  it('signs the demo owner in with the printed password (the previous one no longer works)', async () => {
    const login = (password: string) =>
      stack.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.9.9.9', payload: { email: demo.signIn.email, password } });
    expect((await login(demo.signIn.password)).statusCode).toBe(200);
    expect((await login(first.signIn.password)).statusCode).toBe(401);
  });

  it('shows the simulated race on the demo display: finishers with their roster names', async () => {
    const controller = new AbortController();
    const res = await fetch(`${stack.baseUrl}/api/display/${demo.linkId}/stream`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const runners: Array<{ bib: string; name: string; location: string; elapsedMs: number | null }> = [];
    readSse(res.body!, (f) => {
      if (f.event === 'read') runners.push(JSON.parse(f.data!).runner);
    });
    const report = await demoRace();
    expect(report.endedBy).toBe('all-sent');
    for (let i = 0; i < 400 && runners.length < 12; i++) await new Promise((r) => setTimeout(r, 25));
    controller.abort();
    // The link shows the finish only, each runner once, named from the roster.
    const roster = new Map(demoParticipants(12, 1000).map((p) => [p.bib, `${p.first_name} ${p.last_name}`]));
    expect(runners).toHaveLength(12);
    expect(new Set(runners.map((r) => r.bib))).toEqual(new Set(roster.keys()));
    for (const r of runners) {
      expect(r.location).toBe('finish');
      expect(r.name).toBe(roster.get(r.bib));
      expect(r.elapsedMs).toBeGreaterThan(0); // the simulator's gun time starts the clock
    }
  });

  it('says truly what a re-run of the printed command does: nothing new, unless given new connection ids', async () => {
    expect(formatDemo(demo)).toContain('add --id-prefix race2');
    const count = async () => (await stack.t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM timing_reads')).rows[0]!.n;
    await stack.collector.ingest.idle(5_000);
    const before = await count();
    expect((await demoRace()).endedBy).toBe('all-sent');
    await stack.collector.ingest.idle(5_000);
    expect(await count()).toBe(before); // resumed after what the collector holds
    expect((await demoRace('race2')).endedBy).toBe('all-sent');
    await stack.collector.ingest.idle(5_000);
    expect(await count()).toBeGreaterThan(before + 12); // a second race under new connection ids
  });
});

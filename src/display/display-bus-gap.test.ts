/**
 * When the web process's listening connection to PostgreSQL is lost, reads published until it
 * is back never reach the open screens: each screen is told to reload, and reconnects with its
 * Last-Event-ID so the replay from the database brings what it missed. Needs a server (the
 * server ends the listening backend, as a restart or failover would).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../test/helpers/db.js';
import { newDisplayLink, newPartner, newSession } from '../../test/helpers/factories.js';
import { readSse } from '../../test/helpers/sse.js';
import { readsTopic, type Bus } from '../bus/bus.js';
import { createPostgresBus } from '../bus/postgres.js';
import type { LiveRead } from '../bus/live-read.js';

describe.runIf(serverUrl)('display screens after the bus lost its connection', () => {
  let test: TestApp;
  let t: TestDatabase;
  let bus: Bus;
  let app: FastifyInstance;
  let base: string;
  let linkId: string;
  let partnerId: number;

  beforeAll(async () => {
    t = await createTestDatabase();
    bus = createPostgresBus(t.db);
    test = await startTestApp({ testDb: t, listen: true, bus });
    ({ app, baseUrl: base } = test);
    const partner = await newPartner(app, { slug: 'acme' });
    partnerId = partner.id;
    await newSession(t.owner, partnerId, { name: 'race' });
    linkId = await newDisplayLink(app, partner.owner);
  });
  afterAll(async () => {
    await test.close();
    await bus.close();
    await t.drop();
  });

  it('tells every open screen to reload (and replay) once the listening connection is back', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/display/${linkId}/stream`, { signal: controller.signal });
    const events: string[] = [];
    readSse(res.body!, (f) => events.push(f.event ?? 'message'));
    try {
      // Live before the loss: a read published reaches the screen.
      const read = (id: number): LiveRead => ({ id, sessionId: 1, location: 'finish', tag: `T${id}`, kind: 'tag', readTimeMs: Date.now(), receivedAt: Date.now() });
      await expect.poll(async () => {
        await bus.publish(readsTopic(partnerId), [read(1)]);
        return events.includes('read');
      }, { timeout: 5_000 }).toBe(true);
      expect(events).not.toContain('reload');

      const ended = await t.owner.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      );
      expect(ended.rows[0]?.n).toBe(1);
      await expect.poll(() => events.includes('reload'), { timeout: 10_000 }).toBe(true);
    } finally {
      controller.abort();
    }
  }, 20_000);
});

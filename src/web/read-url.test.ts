/**
 * DATABASE_READ_URL (issue 16): the read-only routes (read API, questions engine, timing
 * reads) run on a second pool on that URL, as the application role with row-level security,
 * and everything else stays on the primary. On a server run the read URL is a second migrated
 * database on the same server whose rows differ from the primary's, named by
 * application_name=p88-read: an answer that shows the read side's rows came from there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_SECRET_KEY } from '../../test/helpers/config.js';
import { createServerDatabase, serverUrl } from '../../test/helpers/db.js';
import { newPartner, type TestPartner } from '../../test/helpers/factories.js';

describe('DATABASE_READ_URL configuration', () => {
  it('is a postgres URL and needs DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://h/db' })).toThrow(/DATABASE_READ_URL: needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', SECRET_KEY: TEST_SECRET_KEY, DATABASE_READ_URL: 'mysql://h/db' })).toThrow(/DATABASE_READ_URL/);
    const c = loadConfig({ DATABASE_URL: 'postgres://h/db', SECRET_KEY: TEST_SECRET_KEY, DATABASE_READ_URL: 'postgres://replica/db' });
    expect(c.DATABASE_READ_URL).toBe('postgres://replica/db');
    expect(loadConfig({}).DATABASE_READ_URL).toBeUndefined();
  });
});

describe.runIf(serverUrl)('the read-only routes on DATABASE_READ_URL (server)', () => {
  let test: TestApp;
  let read: { url: string; drop: () => Promise<void> };
  let readOwner: Database;
  let a: TestPartner;
  let b: TestPartner;
  let readUrl: string;

  async function token(p: TestPartner): Promise<string> {
    const res = await test.app.inject({ method: 'POST', url: '/api/tokens', headers: p.owner.headers, payload: { name: 'read', scopes: ['results:read'] } });
    expect(res.statusCode).toBe(201);
    return res.json().secret as string;
  }

  beforeAll(async () => {
    read = await createServerDatabase(serverUrl!);
    readOwner = await openDatabase({ url: read.url, max: 2 });
    await migrate(readOwner);
    const u = new URL(read.url);
    u.searchParams.set('application_name', 'p88-read');
    readUrl = u.toString();
    test = await startTestApp({ env: { DATABASE_URL: serverUrl!, SECRET_KEY: TEST_SECRET_KEY, DATABASE_READ_URL: readUrl } });
    a = await newPartner(test.app, { slug: 'read-a' });
    b = await newPartner(test.app, { slug: 'read-b' });
    // The primary holds an event for A; the read side holds other rows for both partners.
    await test.t.owner.query(
      `INSERT INTO results_events (partner_id, provider, external_id, name) VALUES ($1, 'csv', 'p', 'PRIMARY-SIDE A')`,
      [a.id],
    );
    for (const p of [a, b]) {
      const tag = p === a ? 'A' : 'B';
      await readOwner.query(`INSERT INTO partners (id, slug, name) VALUES ($1, $2, $2)`, [p.id, p.slug]);
      await readOwner.query(`INSERT INTO results_events (partner_id, provider, external_id, name) VALUES ($1, 'csv', 'r', $2)`, [p.id, `READ-SIDE ${tag}`]);
      await readOwner.query(`INSERT INTO timing_sessions (partner_id, session_name) VALUES ($1, $2)`, [p.id, `read-side session ${tag}`]);
    }
  });
  afterAll(async () => {
    await test?.close();
    await readOwner?.close();
    await read?.drop();
  });

  it('answers the read API from the read database, each partner its own rows only', async () => {
    for (const [p, mine, theirs] of [[a, 'READ-SIDE A', 'READ-SIDE B'], [b, 'READ-SIDE B', 'READ-SIDE A']] as const) {
      const res = await test.app.inject({ method: 'GET', url: '/api/db/ct_events?select=event_name', headers: { authorization: `Bearer ${await token(p)}` } });
      expect(res.statusCode).toBe(200);
      const names = (res.json() as Array<{ event_name: string }>).map((e) => e.event_name);
      expect(names).toEqual([mine]);
      expect(names).not.toContain(theirs);
      expect(names).not.toContain('PRIMARY-SIDE A');
    }
  });

  it('runs the questions engine and the timing reads there too', async () => {
    const examples = await test.app.inject({ method: 'GET', url: '/api/v1/nl-examples', headers: a.owner.headers });
    expect(examples.statusCode).toBe(200);
    expect(examples.body).toContain('READ-SIDE A');
    expect(examples.body).not.toMatch(/READ-SIDE B|PRIMARY-SIDE/);
    const sessions = await test.app.inject({ method: 'GET', url: '/api/timing/sessions', headers: a.owner.headers });
    expect(sessions.statusCode).toBe(200);
    expect(sessions.body).toContain('read-side session A');
    expect(sessions.body).not.toContain('read-side session B');
  });

  it('connects there as the application role, named p88-read, with row-level security on', async () => {
    const conns = await readOwner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'p88-read'`,
    );
    expect(conns.rows[0]!.n).toBeGreaterThan(0);
    // The same pool setup the app uses, asked directly: role, name and a partner's view.
    const { openPostgres } = await import('../db/postgres.js');
    const pool = openPostgres(readUrl, { role: 'p88_app', max: 1 });
    try {
      const r = await pool.transaction(
        (tx) =>
          tx.query<{ app: string; role: string; n: number }>(
            `SELECT current_setting('application_name') AS app, current_user AS role, (SELECT count(*)::int FROM results_events) AS n`,
          ),
        { setup: `SET LOCAL app.partner_id = ${a.id}` },
      );
      expect(r.rows[0]).toEqual({ app: 'p88-read', role: 'p88_app', n: 1 });
      const none = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM results_events`);
      expect(none.rows[0]!.n).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('keeps writes on the primary (a CSV import lands there, not on the read side)', async () => {
    const res = await test.app.inject({
      method: 'POST',
      url: '/api/results/import',
      headers: { ...a.owner.headers, 'content-type': 'text/csv' },
      payload: 'event,event_date,race,distance,bib,first_name,last_name,gender,age,chip_time\nWRITTEN-EVENT,2026-05-01,10K,10k,1,A,B,F,30,0:40:00\n',
    });
    expect(res.statusCode).toBe(200);
    const primary = await test.t.owner.query(`SELECT 1 FROM results_events WHERE name = 'WRITTEN-EVENT'`);
    const replica = await readOwner.query(`SELECT 1 FROM results_events WHERE name = 'WRITTEN-EVENT'`);
    expect([primary.rows.length, replica.rows.length]).toEqual([1, 0]);
  });
});

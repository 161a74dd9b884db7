import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SessionResolver } from './sessions.js';

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  vi.useRealTimers();
  await t.drop();
});

/** Ends partner 1's active session and starts another; returns the new session's id. */
async function switchSession(name: string): Promise<number> {
  await t.owner.query(`UPDATE timing_sessions SET status = 'closed' WHERE partner_id = 1 AND status = 'active'`);
  const r = await t.owner.query<{ id: number }>(`INSERT INTO timing_sessions (partner_id, session_name, status) VALUES (1, $1, 'active') RETURNING id`, [name]);
  return r.rows[0]!.id;
}

describe('SessionResolver.active', () => {
  it('answers a known session from memory and re-checks it in the background after 5 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const sessions = new SessionResolver(t.db, 'S_%Y', 'UTC');
    const first = await sessions.active(1);
    const next = await switchSession('Second');

    // Within 5 s the switch is not seen (no query at all).
    vi.setSystemTime(Date.now() + 4_000);
    expect((await sessions.active(1)).id).toBe(first.id);

    // After 5 s: the stale session answers at once while the check runs; then the new one.
    vi.setSystemTime(Date.now() + 2_000);
    const spy = vi.spyOn(t.db, 'transaction');
    expect((await sessions.active(1)).id).toBe(first.id);
    expect(spy).toHaveBeenCalledTimes(1); // the background check started
    spy.mockRestore();
    await vi.waitFor(async () => expect((await sessions.active(1)).id).toBe(next));
  });

  it('keeps answering with the known session while the database is away', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const sessions = new SessionResolver(t.db, 'S_%Y', 'UTC');
    const known = await sessions.active(1);
    const failing = vi.spyOn(t.db, 'transaction').mockRejectedValue(new Error('connection terminated'));
    vi.setSystemTime(Date.now() + 10_000);
    expect((await sessions.active(1)).id).toBe(known.id);
    expect((await sessions.active(1)).id).toBe(known.id);
    expect(failing).toHaveBeenCalled();
  });

  it('waits for the database when it knows no session yet (and creates one)', async () => {
    const sessions = new SessionResolver(t.db, 'S_%Y', 'UTC');
    await t.owner.query(`UPDATE timing_sessions SET status = 'closed' WHERE partner_id = 1`);
    const created = await sessions.active(1);
    const r = await t.owner.query<{ id: number }>(`SELECT id FROM timing_sessions WHERE partner_id = 1 AND status = 'active'`);
    expect(r.rows.map((x) => x.id)).toEqual([created.id]);
  });
});

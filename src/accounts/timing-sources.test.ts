import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox, loadSecretKey } from './secret-box.js';
import { TimingSources } from './timing-sources.service.js';

let t: TestDatabase;
let sources: TimingSources;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival')`);
  const dir = await mkdtemp(path.join(tmpdir(), 'sources-'));
  sources = new TimingSources(t.db, new SecretBox(await loadSecretKey(null, dir)));
});
afterAll(() => t.drop());

describe('timing sources', () => {
  it('stores the secret sealed and finds it by CTP01 user id for the collector', async () => {
    const created = await sources.create(1, 'Finish laptop');
    const stored = await t.owner.query<{ secret_encrypted: string }>('SELECT secret_encrypted FROM timing_sources WHERE id = $1', [created.id]);
    expect(stored.rows[0]!.secret_encrypted).not.toContain(created.secret);
    expect(await sources.lookup(created.userId)).toEqual({ sourceId: created.id, partnerId: 1, secret: created.secret });
  });

  it('rotates: the old secret stops working, the new one works', async () => {
    const created = await sources.create(1, 'Start mat');
    const fresh = await sources.rotate(1, created.id);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(fresh).not.toBe(created.secret);
    expect((await sources.lookup(created.userId))?.secret).toBe(fresh);
  });

  it('revokes: the collector no longer finds it', async () => {
    const created = await sources.create(1, 'Old laptop');
    expect(await sources.revoke(1, created.id)).toBe(true);
    expect(await sources.lookup(created.userId)).toBeNull();
    expect(await sources.revoke(1, created.id)).toBe(false);
  });

  it('lists a partner’s own sources with their open connections, never another partner’s', async () => {
    const mine = await sources.create(1, 'Listed');
    const theirs = await sources.create(2, 'Rival laptop');
    await t.owner.query(
      `INSERT INTO connection_log (id, partner_id, client_ip, auth_user) VALUES (gen_random_uuid(), 1, '203.0.113.7', $1)`,
      [mine.userId],
    );
    const listed = await sources.list(1);
    expect(listed.map((s) => s.user_id)).not.toContain(theirs.userId);
    expect(listed.find((s) => s.id === mine.id)).toMatchObject({ name: 'Listed', open_connections: 1, last_seen_ip: '203.0.113.7' });
  });

  it('does not let a partner rotate or revoke another partner’s source', async () => {
    const theirs = await sources.create(2, 'Not yours');
    expect(await sources.rotate(1, theirs.id)).toBeNull();
    expect(await sources.revoke(1, theirs.id)).toBe(false);
    expect((await sources.lookup(theirs.userId))?.secret).toBe(theirs.secret);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { SecretBox, WrongSecretKeyError } from './secret-box.js';
import { rotateSecrets } from './secret-rotation.js';
import { TimingSources } from './timing-sources.service.js';

let t: TestDatabase;
const oldBox = new SecretBox(randomBytes(32));
const newBox = new SecretBox(randomBytes(32));

beforeAll(async () => {
  t = await createTestDatabase();
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival')`);
});
afterAll(() => t.drop());

const sealedJobSecret = async (id: number) =>
  (await t.owner.query<{ secret: string }>('SELECT secret FROM jobs WHERE id = $1', [id])).rows[0]!.secret;

describe('secret key rotation', () => {
  it('re-seals every partner’s source secrets and queued jobs’ secrets under the new key, all or nothing', async () => {
    const before = new TimingSources(t.db, oldBox);
    const local = await before.create(1, 'Finish laptop');
    const rival = await before.create(2, 'Start laptop');
    const job = await t.owner.query<{ id: number }>(
      `INSERT INTO jobs (queue, partner_id, secret, max_attempts) VALUES ('rosters.import', 2, $1, 3) RETURNING id`,
      [oldBox.seal('{"password":"hunter2"}')],
    );
    const jobId = Number(job.rows[0]!.id);

    // A wrong old key opens nothing: nothing changes, and each unreadable secret is named.
    const wrong = await rotateSecrets(t.db, new SecretBox(randomBytes(32)), newBox);
    expect(wrong.resealed).toBe(0);
    expect(wrong.unreadable).toEqual(
      expect.arrayContaining([{ table: 'timing_sources', id: local.id }, { table: 'timing_sources', id: rival.id }, { table: 'jobs', id: jobId }]),
    );
    expect(await before.lookup(local.userId)).toMatchObject({ secret: local.secret });

    const report = await rotateSecrets(t.db, oldBox, newBox);
    expect(report).toEqual({ resealed: 3, alreadyUnderNewKey: 0, unreadable: [] });
    const after = new TimingSources(t.db, newBox);
    expect(await after.lookup(local.userId)).toEqual({ sourceId: local.id, partnerId: 1, secret: local.secret });
    expect(await after.lookup(rival.userId)).toEqual({ sourceId: rival.id, partnerId: 2, secret: rival.secret });
    expect(newBox.open(await sealedJobSecret(jobId))).toBe('{"password":"hunter2"}');
    await expect(before.lookup(local.userId)).rejects.toBeInstanceOf(WrongSecretKeyError);

    // Run again (an interrupted rotation is simply repeated): nothing left to do.
    expect(await rotateSecrets(t.db, oldBox, newBox)).toEqual({ resealed: 0, alreadyUnderNewKey: 3, unreadable: [] });
  });

  it('lists whether this process’s key opens each source, for the dashboard', async () => {
    const created = await new TimingSources(t.db, oldBox).create(1, 'Old-key laptop');
    const listed = await new TimingSources(t.db, newBox).list(1);
    expect(listed.find((s) => s.id === created.id)).toMatchObject({ secret_readable: false });
    expect(listed.filter((s) => s.id !== created.id).every((s) => s.secret_readable)).toBe(true);
    expect(listed[0]).not.toHaveProperty('secret_encrypted');
  });
});

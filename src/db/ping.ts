import type { Queryable } from './database.js';

/** The cheapest round trip that proves the database answers. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

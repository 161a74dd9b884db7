import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/db.js';
import { migrate, splitStatements } from './migrate.js';

describe('migrations', () => {
  it('are idempotent and keep the seed table names', async () => {
    const t = await createTestDatabase(); // already migrated once
    try {
      expect(await migrate(t.owner)).toEqual([]);
      const tables = await t.owner.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['timing_sessions', 'timing_locations', 'timing_reads', 'connection_log', 'timing_reads_archive', 'partners']),
      );
      // Every tenant-owned table carries partner_id.
      for (const table of ['timing_sessions', 'timing_locations', 'timing_reads', 'timing_reads_archive', 'connection_log', 'timing_sources']) {
        const cols = await t.owner.query(`SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = 'partner_id'`, [table]);
        expect(cols.rowCount, table).toBe(1);
      }
    } finally {
      await t.drop();
    }
  });

  it('allows only one active session per partner', async () => {
    const t = await createTestDatabase();
    try {
      await t.owner.query(`INSERT INTO timing_sessions (partner_id, session_name) VALUES (1, 'a')`);
      await expect(t.owner.query(`INSERT INTO timing_sessions (partner_id, session_name) VALUES (1, 'b')`)).rejects.toThrow();
      await t.owner.query(`INSERT INTO timing_sessions (partner_id, session_name, status) VALUES (1, 'old', 'closed')`);
    } finally {
      await t.drop();
    }
  });

  it('split scripts on statement ends but keep $$ bodies whole', () => {
    const sql = `-- c\nCREATE TABLE a (x int);\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT 1;`;
    const parts = splitStatements(sql);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toContain('RETURN 1;');
    expect(parts[1]).toMatch(/plpgsql;$/);
  });
});

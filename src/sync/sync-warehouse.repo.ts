/**
 * The pull sync's writes into the warehouse (entries, results), with what plain upserts
 * (results.repo.ts) do not say: which rows were new, changed or unchanged, which columns a
 * partner edited by hand (entries.edited_fields, migration 0074) and kept against the
 * provider's value, and which registrations the provider no longer lists (marked removed_at).
 *
 * Per batch: one SELECT of the stored rows (by the unique index, `= ANY(ids)`; `raw` compared in
 * SQL, where jsonb equality ignores key order, against a jsonb object keyed by id), one INSERT
 * of the new, one UPDATE of the changed — three statements whatever the batch size, never one
 * per row. (Not a join with jsonb_to_recordset: on a table without statistics yet — the first
 * sync, in one transaction — the planner rescans the function per stored row: 5 s for 10,000.)
 */
import type { Queryable } from '../db/database.js';
import type { EntryInput, ResultInput } from '../results/results.repo.js';
import type { SyncNotice } from './sync-history.repo.js';

/** Entry columns a sync compares and writes; a hand edit names them in edited_fields. */
export const ENTRY_FIELDS = ['bib', 'first_name', 'last_name', 'gender', 'age', 'birth_date', 'city', 'state', 'country', 'team', 'division', 'wave', 'status'] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];
/** A null from the provider keeps the stored value (providers that omit them on some pages). */
const KEEP_ON_NULL: ReadonlySet<string> = new Set(['birth_date', 'wave', 'status']);

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows where a hand-edited column was kept against a different provider value. */
  kept: number;
}

type Stored = Record<EntryField, string | number | null> & { id: string | number; external_id: string; race_id: string; event_id: string; edited_fields: string[]; removed: boolean; raw_same: boolean };

const norm = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean));

/** Upserts a batch of entries of one provider; returns every entry's id by external id. */
export async function syncEntries(
  tx: Queryable,
  partnerId: number,
  provider: string,
  rows: readonly EntryInput[],
  notices: SyncNotice[],
): Promise<{ ids: Map<string, number> } & WriteCounts> {
  const out = { ids: new Map<string, number>(), inserted: 0, updated: 0, unchanged: 0, kept: 0 };
  if (rows.length === 0) return out;
  const existing = await tx.query<Stored>(
    `SELECT e.id, e.external_id, e.event_id::text, e.race_id::text, e.bib, e.first_name, e.last_name, e.gender, e.age, e.birth_date::text AS birth_date,
            e.city, e.state, e.country, e.team, e.division, e.wave, e.status, e.edited_fields, e.removed_at IS NOT NULL AS removed,
            coalesce(e.raw, 'null') = coalesce($4::jsonb -> e.external_id, 'null') AS raw_same
       FROM entries e
      WHERE e.partner_id = $1 AND e.provider = $2 AND e.external_id = ANY($3::text[])`,
    [partnerId, provider, rows.map((r) => r.external_id), JSON.stringify(Object.fromEntries(rows.map((r) => [r.external_id, r.raw ?? null])))],
  );
  const byId = new Map(existing.rows.map((r) => [r.external_id, r]));
  const inserts: EntryInput[] = [];
  const updates: Array<EntryInput & { id: number }> = [];
  for (const row of rows) {
    const cur = byId.get(row.external_id);
    if (!cur) {
      inserts.push(row);
      continue;
    }
    out.ids.set(row.external_id, Number(cur.id));
    const merged: Record<string, unknown> = { ...row };
    let changed = cur.removed || !cur.raw_same || cur.event_id !== String(row.event_id) || cur.race_id !== String(row.race_id);
    let kept = false;
    for (const f of ENTRY_FIELDS) {
      const incoming = row[f] ?? null;
      const stored = cur[f];
      if (cur.edited_fields.includes(f)) {
        merged[f] = stored;
        if (norm(incoming) !== norm(stored) && !(incoming === null && KEEP_ON_NULL.has(f))) {
          kept = true;
          notices.push({
            record: row.external_id,
            field: f,
            message: `${row.bib ? `bib ${row.bib}` : `registration ${row.external_id}`}: kept the hand edit of ${f} (${JSON.stringify(stored)}); the provider says ${JSON.stringify(incoming)}`,
          });
        }
        continue;
      }
      if (incoming === null && KEEP_ON_NULL.has(f)) {
        merged[f] = stored;
        continue;
      }
      if (norm(incoming) !== norm(stored)) changed = true;
    }
    if (kept) out.kept += 1;
    if (changed) updates.push({ ...(merged as unknown as EntryInput), id: Number(cur.id) });
    else out.unchanged += 1;
  }
  if (inserts.length) {
    const r = await tx.query<{ id: number; external_id: string }>(
      `INSERT INTO entries (partner_id, provider, external_id, event_id, race_id, bib, first_name, last_name, gender, age, birth_date,
                            city, state, country, team, division, wave, status, raw)
       SELECT $1, $2, x.external_id, x.event_id, x.race_id, x.bib, x.first_name, x.last_name, x.gender, x.age, x.birth_date,
              x.city, x.state, x.country, x.team, x.division, x.wave, x.status, x.raw
         FROM jsonb_to_recordset($3::jsonb) AS x(external_id text, event_id bigint, race_id bigint, bib text, first_name text,
              last_name text, gender text, age integer, birth_date date, city text, state text, country text, team text,
              division text, wave text, status text, raw jsonb)
       RETURNING id, external_id`,
      [partnerId, provider, JSON.stringify(inserts)],
    );
    for (const x of r.rows) out.ids.set(x.external_id, Number(x.id));
    out.inserted = r.rows.length;
  }
  if (updates.length) {
    const r = await tx.query(
      `UPDATE entries e SET event_id = x.event_id, race_id = x.race_id, bib = x.bib, first_name = x.first_name, last_name = x.last_name,
              gender = x.gender, age = x.age, birth_date = x.birth_date, city = x.city, state = x.state, country = x.country,
              team = x.team, division = x.division, wave = x.wave, status = x.status, raw = coalesce(x.raw, e.raw),
              removed_at = NULL, updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, event_id bigint, race_id bigint, bib text, first_name text,
              last_name text, gender text, age integer, birth_date date, city text, state text, country text, team text,
              division text, wave text, status text, raw jsonb)
        WHERE e.partner_id = $1 AND e.id = x.id`,
      [partnerId, JSON.stringify(updates)],
    );
    out.updated = r.rowCount ?? updates.length;
  }
  return out;
}

/**
 * After a full pull: the event's registrations from this provider that the pull did not list
 * are marked removed (kept, with their results). Entries made from results (external id
 * `result:…`) are not registrations and are left alone. Returns the ones newly marked. (NOT IN a
 * subquery: a hashed anti-join; `<> ALL(array)` would compare every row with every id.)
 */
export async function markRemovedEntries(tx: Queryable, partnerId: number, provider: string, eventId: number, seen: readonly string[]): Promise<string[]> {
  const r = await tx.query<{ external_id: string }>(
    `UPDATE entries SET removed_at = now(), updated_at = now()
      WHERE partner_id = $1 AND provider = $2 AND event_id = $3 AND removed_at IS NULL
        AND external_id NOT LIKE 'result:%' AND external_id NOT IN (SELECT unnest($4::text[]))
      RETURNING external_id`,
    [partnerId, provider, eventId, seen],
  );
  return r.rows.map((x) => x.external_id);
}

type StoredResult = { id: string | number; entry_id: string; external_id: string; status: string; chip_time_ms: string | null; gun_time_ms: string | null; overall_place: number | null; gender_place: number | null; division_place: number | null; race_id: string; raw_same: boolean };
const RESULT_FIELDS = ['status', 'chip_time_ms', 'gun_time_ms', 'overall_place', 'gender_place', 'division_place', 'race_id', 'external_id'] as const;

/** Upserts results (one per entry); returns the ids of the new and changed ones (their splits are rewritten) and the counts. */
export async function syncResults(tx: Queryable, partnerId: number, provider: string, rows: readonly ResultInput[]): Promise<{ ids: Map<string, number>; written: Set<string> } & Omit<WriteCounts, 'kept'>> {
  const out = { ids: new Map<string, number>(), written: new Set<string>(), inserted: 0, updated: 0, unchanged: 0 };
  if (rows.length === 0) return out;
  const existing = await tx.query<StoredResult>(
    `SELECT r.id, r.entry_id::text, r.external_id, r.status, r.chip_time_ms::text, r.gun_time_ms::text, r.overall_place, r.gender_place,
            r.division_place, r.race_id::text, coalesce(r.raw, 'null') = coalesce($3::jsonb -> r.entry_id::text, 'null') AS raw_same
       FROM results r
      WHERE r.partner_id = $1 AND r.entry_id = ANY($2::bigint[])`,
    [partnerId, rows.map((r) => r.entry_id), JSON.stringify(Object.fromEntries(rows.map((r) => [String(r.entry_id), r.raw ?? null])))],
  );
  const byEntry = new Map(existing.rows.map((r) => [r.entry_id, r]));
  const inserts: ResultInput[] = [];
  const updates: Array<ResultInput & { id: number }> = [];
  for (const row of rows) {
    const cur = byEntry.get(String(row.entry_id));
    if (!cur) {
      inserts.push(row);
      continue;
    }
    out.ids.set(row.external_id, Number(cur.id));
    const changed = !cur.raw_same || RESULT_FIELDS.some((f) => norm(row[f]) !== norm(cur[f]));
    if (changed) {
      updates.push({ ...row, id: Number(cur.id) });
      out.written.add(row.external_id);
    } else out.unchanged += 1;
  }
  if (inserts.length) {
    const r = await tx.query<{ id: number; external_id: string }>(
      `INSERT INTO results (partner_id, provider, external_id, entry_id, race_id, event_id, status, chip_time_ms, gun_time_ms,
                            overall_place, gender_place, division_place, raw)
       SELECT $1, $2, x.external_id, x.entry_id, x.race_id, x.event_id, x.status, x.chip_time_ms, x.gun_time_ms,
              x.overall_place, x.gender_place, x.division_place, x.raw
         FROM jsonb_to_recordset($3::jsonb) AS x(external_id text, entry_id bigint, race_id bigint, event_id bigint, status text,
              chip_time_ms bigint, gun_time_ms bigint, overall_place integer, gender_place integer, division_place integer, raw jsonb)
       RETURNING id, external_id`,
      [partnerId, provider, JSON.stringify(inserts)],
    );
    for (const x of r.rows) {
      out.ids.set(x.external_id, Number(x.id));
      out.written.add(x.external_id);
    }
    out.inserted = r.rows.length;
  }
  if (updates.length) {
    const r = await tx.query(
      `UPDATE results r SET external_id = x.external_id, provider = $2, race_id = x.race_id, event_id = x.event_id, status = x.status,
              chip_time_ms = x.chip_time_ms, gun_time_ms = x.gun_time_ms, overall_place = x.overall_place, gender_place = x.gender_place,
              division_place = x.division_place, raw = coalesce(x.raw, r.raw), updated_at = now()
         FROM jsonb_to_recordset($3::jsonb) AS x(id bigint, external_id text, race_id bigint, event_id bigint, status text,
              chip_time_ms bigint, gun_time_ms bigint, overall_place integer, gender_place integer, division_place integer, raw jsonb)
        WHERE r.partner_id = $1 AND r.id = x.id`,
      [partnerId, provider, JSON.stringify(updates)],
    );
    out.updated = r.rowCount ?? updates.length;
  }
  return out;
}

/**
 * A partner's hand edit of a warehouse entry: the fields are set and named in edited_fields,
 * so later syncs keep them (and say so in their notices). Returns false when no such entry.
 */
export async function editEntryByHand(tx: Queryable, partnerId: number, entryId: number, patch: Partial<Record<EntryField, string | number | null>>): Promise<boolean> {
  const fields = Object.keys(patch).filter((k): k is EntryField => (ENTRY_FIELDS as readonly string[]).includes(k));
  if (fields.length === 0) return false;
  const sets = fields.map((f, i) => `${f} = $${i + 3}`).join(', ');
  const r = await tx.query(
    `UPDATE entries SET ${sets}, edited_fields = ARRAY(SELECT DISTINCT unnest(edited_fields || $${fields.length + 3}::text[]) ORDER BY 1), updated_at = now()
      WHERE partner_id = $1 AND id = $2`,
    [partnerId, entryId, ...fields.map((f) => patch[f] ?? null), fields],
  );
  return (r.rowCount ?? 0) > 0;
}

export interface SyncCursor {
  since: string;
  full_pull_at: Date | null;
}

export async function getCursor(tx: Queryable, partnerId: number, connectionId: number, externalEventId: string): Promise<SyncCursor | undefined> {
  const r = await tx.query<SyncCursor>(
    `SELECT since, full_pull_at FROM sync_cursors WHERE partner_id = $1 AND connection_id = $2 AND external_event_id = $3 AND kind = 'participants'`,
    [partnerId, connectionId, externalEventId],
  );
  return r.rows[0];
}

/** Stores where the pull stopped (in the transaction of its rows); `full` stamps full_pull_at. */
export async function saveCursor(tx: Queryable, partnerId: number, connectionId: number, externalEventId: string, since: string, full: boolean): Promise<void> {
  await tx.query(
    `INSERT INTO sync_cursors (partner_id, connection_id, external_event_id, kind, since, full_pull_at)
     VALUES ($1, $2, $3, 'participants', $4, CASE WHEN $5 THEN now() END)
     ON CONFLICT (partner_id, connection_id, external_event_id, kind) DO UPDATE SET
       since = EXCLUDED.since, full_pull_at = CASE WHEN $5 THEN now() ELSE sync_cursors.full_pull_at END, updated_at = now()`,
    [partnerId, connectionId, externalEventId, since, full],
  );
}

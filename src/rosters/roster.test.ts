/**
 * Rosters on a real database as the application role: CSV import with bad and hostile rows,
 * re-import in place, hand edits, the tag-then-bib lookup and isolation between partners.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { withPartner } from '../db/tenant.js';
import type { CsvMapping } from './csv.js';
import { RosterMatcher } from './roster-matcher.js';
import { Rosters } from './roster.service.js';

let t: TestDatabase;
let roster: Rosters;

beforeAll(async () => {
  t = await createTestDatabase();
  roster = new Rosters(t.db);
  await t.owner.query(`INSERT INTO partners (id, slug, name) VALUES (2, 'rival', 'Rival Timing') ON CONFLICT DO NOTHING`);
});
afterAll(() => t.drop());

const MAPPING: CsvMapping = {
  bib: 'Bib',
  first_name: 'First Name',
  last_name: 'Last Name',
  tags: ['Chip'],
  gender: 'Sex',
  age: 'Age',
  city: 'City',
  custom_message: 'Message',
};

const CSV = [
  'Bib,First Name,Last Name,Chip,Sex,Age,City,Message',
  '101,Ann,Lee,A101,F,34,Boise,Go Ann!',
  '102,Bob,Ray,A102,male,41,Nampa,',
  ',No,Bib,A999,M,20,Nowhere,', // line 4: missing bib
  '104,Old,Man,A104,M,ancient,Eagle,', // line 5: bad age
  '105,"=HYPERLINK(""http://evil.example"",""click"")",<script>alert(1)</script>,A105,nb,29,"@SUM(1+1)","<img src=x onerror=alert(1)>"',
  '106,Nul\u0000Byte,Person,,,,,',
].join('\n');

async function byBib(eventId: number) {
  const list = await roster.listParticipants(1, eventId);
  return new Map(list.map((p) => [p.bib, p]));
}

describe('CSV import', () => {
  it('stores the good rows, reports bad ones by line and keeps hostile cells as text', async () => {
    const event = await roster.createEvent(1, { name: 'Boise 10K', source: 'csv' });
    const r = await roster.importCsv(1, event.id, CSV, MAPPING);
    expect(r).toMatchObject({ rows: 6, inserted: 4, updated: 0, unchanged: 0, removed: 0 });
    expect(r.errors).toEqual([
      { row: 4, reason: 'missing bib' },
      { row: 5, reason: 'bad age "ancient"' },
    ]);
    const people = await byBib(event.id);
    expect([...people.keys()].sort()).toEqual(['101', '102', '105', '106']);
    expect(people.get('101')).toMatchObject({ first_name: 'Ann', last_name: 'Lee', tags: ['A101'], gender: 'F', age: 34, city: 'Boise', custom_message: 'Go Ann!' });
    expect(people.get('102')).toMatchObject({ gender: 'M', custom_message: null });
    expect(people.get('105')).toMatchObject({
      first_name: '=HYPERLINK("http://evil.example","click")',
      last_name: '<script>alert(1)</script>',
      gender: 'X',
      city: '@SUM(1+1)',
      custom_message: '<img src=x onerror=alert(1)>',
    });
    expect(people.get('106')).toMatchObject({ first_name: 'NulByte', tags: [], gender: 'U', age: null });
    const one = await roster.getParticipant(1, people.get('101')!.id);
    expect(one.raw).toEqual({ Bib: '101', 'First Name': 'Ann', 'Last Name': 'Lee', Chip: 'A101', Sex: 'F', Age: '34', City: 'Boise', Message: 'Go Ann!' });
  });

  it('re-imports in place: unchanged, updated and inserted counted, ids kept', async () => {
    const event = await roster.createEvent(1, { name: 'Re-import', source: 'csv' });
    const first = await roster.importCsv(1, event.id, CSV, MAPPING);
    expect(first.inserted).toBe(4);
    const before = await byBib(event.id);

    const again = await roster.importCsv(1, event.id, CSV, MAPPING);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });

    const changed = CSV.replace('101,Ann,Lee,A101,F,34,Boise,Go Ann!', '101,Annie,Lee,A101,F,35,Boise,Go Ann!') + '\n107,New,Runner,A107,F,22,Meridian,';
    const third = await roster.importCsv(1, event.id, changed, MAPPING);
    expect(third).toMatchObject({ inserted: 1, updated: 1, unchanged: 3, removed: 0 });
    const after = await byBib(event.id);
    expect(after.size).toBe(5);
    expect(after.get('101')).toMatchObject({ id: before.get('101')!.id, first_name: 'Annie', age: 35 });
    expect(after.get('102')!.id).toBe(before.get('102')!.id);
  });

  it('keeps fields the mapping leaves out and refuses unknown columns or no bib column', async () => {
    const event = await roster.createEvent(1, { name: 'Partial', source: 'csv' });
    await roster.importCsv(1, event.id, CSV, MAPPING);
    const r = await roster.importCsv(1, event.id, 'Bib,City\n101,Paris\n', { bib: 'Bib', city: 'City' });
    expect(r).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect((await byBib(event.id)).get('101')).toMatchObject({ first_name: 'Ann', city: 'Paris', tags: ['A101'] });
    await expect(roster.importCsv(1, event.id, CSV, { ...MAPPING, team: 'Team' })).rejects.toThrow(/no column "Team"/);
    await expect(roster.importCsv(1, event.id, CSV, { ...MAPPING, bib: '' })).rejects.toThrow(/bib/);
  });

  it('reports duplicate bibs within one file', async () => {
    const event = await roster.createEvent(1, { name: 'Dupes', source: 'csv' });
    const r = await roster.importCsv(1, event.id, 'Bib,First Name\n1,A\n2,B\n1,C\n', { bib: 'Bib', first_name: 'First Name' });
    expect(r).toMatchObject({ inserted: 2, errors: [{ row: 4, reason: 'duplicate bib 1 (also on row 2)' }] });
    expect((await byBib(event.id)).get('1')!.first_name).toBe('A');
  });

  it('refuses an import into an event that is not there', async () => {
    await expect(roster.importCsv(1, 999_999, CSV, MAPPING)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('upsert by external id', () => {
  it('matches by external id, swaps bibs in one import and removes missing entries on a full sync', async () => {
    const event = await roster.createEvent(1, { name: 'Synced', source: 'manual' });
    const r1 = await roster.upsertParticipants(1, event.id, [
      { external_id: 'e1', bib: '1', first_name: 'A' },
      { external_id: 'e2', bib: '2', first_name: 'B' },
      { external_id: 'e3', bib: '3', first_name: 'C' },
    ]);
    expect(r1).toMatchObject({ inserted: 3, updated: 0, unchanged: 0, errors: [] });
    const ids = new Map((await roster.listParticipants(1, event.id)).map((p) => [p.external_id, p.id]));

    const r2 = await roster.upsertParticipants(
      1,
      event.id,
      [
        { external_id: 'e1', bib: '2', first_name: 'A' },
        { external_id: 'e2', bib: '1', first_name: 'B' },
      ],
      { removeMissing: true },
    );
    expect(r2).toMatchObject({ inserted: 0, updated: 2, unchanged: 0, removed: 1, errors: [] });
    const after = await roster.listParticipants(1, event.id);
    expect(after.map((p) => [p.external_id, p.bib, p.id])).toEqual([
      ['e2', '1', ids.get('e2')],
      ['e1', '2', ids.get('e1')],
    ]);
  });

  it('refuses a bib held by a participant the import leaves alone', async () => {
    const event = await roster.createEvent(1, { name: 'Clash', source: 'manual' });
    await roster.upsertParticipants(1, event.id, [
      { external_id: 'e1', bib: '1' },
      { external_id: 'e2', bib: '2' },
    ]);
    const r = await roster.upsertParticipants(1, event.id, [{ external_id: 'e1', bib: '2' }]);
    expect(r).toMatchObject({ inserted: 0, updated: 0, errors: [{ row: 1, reason: 'bib 2 already belongs to another participant of this event' }] });
    expect((await roster.listParticipants(1, event.id)).map((p) => [p.external_id, p.bib])).toEqual([
      ['e1', '1'],
      ['e2', '2'],
    ]);
  });
});

describe('hand edits', () => {
  it('adds, edits, refuses a taken bib and deletes', async () => {
    const event = await roster.createEvent(1, { name: 'Manual', source: 'manual' });
    const a = await roster.addParticipant(1, event.id, { bib: '7', first_name: 'Sam', gender: 'M' });
    const b = await roster.addParticipant(1, event.id, { bib: '8', first_name: 'Kim' });
    expect(a).toMatchObject({ bib: '7', first_name: 'Sam', gender: 'M', tags: [], event_id: event.id });
    await expect(roster.addParticipant(1, event.id, { bib: '7' })).rejects.toMatchObject({ code: 'conflict' });

    const edited = await roster.updateParticipant(1, a.id, { custom_message: 'You got this', tags: ['CHIP7'], age: 50 });
    expect(edited).toMatchObject({ bib: '7', first_name: 'Sam', custom_message: 'You got this', tags: ['CHIP7'], age: 50 });
    await expect(roster.updateParticipant(1, a.id, { bib: '8' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(roster.updateParticipant(1, a.id, { age: 400 })).rejects.toMatchObject({ code: 'bad_request', message: 'age out of range' });
    expect((await roster.updateParticipant(1, a.id, { first_name: null })).first_name).toBeNull();

    await roster.deleteParticipant(1, b.id);
    await expect(roster.deleteParticipant(1, b.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await roster.listParticipants(1, event.id)).map((p) => p.bib)).toEqual(['7']);

    const list = await roster.listEvents(1);
    expect(list.find((e) => e.id === event.id)).toMatchObject({ name: 'Manual', participant_count: 1 });
    await roster.renameEvent(1, event.id, 'Manual 2');
    await roster.deleteEvent(1, event.id);
    await expect(roster.getEvent(1, event.id)).rejects.toMatchObject({ code: 'not_found' });
    const left = await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM participants WHERE event_id = $1', [event.id]);
    expect(left.rows[0]!.n).toBe(0);
  });
});

describe('lookup', () => {
  it('matches by tag first, then by bib, in SQL and in the cached matcher', async () => {
    const event = await roster.createEvent(1, { name: 'Lookup', source: 'manual' });
    await roster.upsertParticipants(1, event.id, [
      { bib: '500', tags: ['600'], first_name: 'TagOwner' },
      { bib: '600', first_name: 'BibOwner' },
      { bib: '700', first_name: 'Plain' },
    ]);
    const sql = (tag: string) => roster.lookupParticipant(1, event.id, tag);
    expect((await sql('600'))?.first_name).toBe('TagOwner');
    expect((await sql('500'))?.first_name).toBe('TagOwner');
    expect((await sql('700'))?.first_name).toBe('Plain');
    expect(await sql('999')).toBeUndefined();

    const m = await RosterMatcher.load(roster, 1, event.id);
    expect(m.size).toBe(3);
    expect(m.match('600')?.first_name).toBe('TagOwner');
    expect(m.match(' 700 ')?.first_name).toBe('Plain');
    expect(m.match('999')).toBeUndefined();

    // The tag index follows edits: a moved tag is found on its new owner only.
    const plain = (await sql('700'))!;
    await roster.updateParticipant(1, plain.id, { tags: ['600', 'NEWCHIP'] });
    expect((await sql('NEWCHIP'))?.first_name).toBe('Plain');
    expect((await sql('600'))?.first_name).toBe('TagOwner');
    await roster.updateParticipant(1, (await sql('500'))!.id, { tags: [] });
    expect((await sql('600'))?.first_name).toBe('Plain');
    await roster.updateParticipant(1, plain.id, { tags: [] });
    expect((await sql('NEWCHIP'))).toBeUndefined();
    expect((await sql('600'))?.first_name).toBe('BibOwner');
    const tagRows = await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM participant_tags WHERE event_id = $1', [event.id]);
    expect(tagRows.rows[0]!.n).toBe(0);

    await roster.upsertParticipants(1, event.id, [{ bib: '999', first_name: 'Late' }]);
    expect(m.match('999')).toBeUndefined();
    await Promise.all([m.refresh(), m.refresh()]);
    expect(m.match('999')?.first_name).toBe('Late');
  });
});

describe('a roster larger than one page', () => {
  it('is read whole by the matcher and by a re-import (pages of 2,000 participants)', async () => {
    const event = await roster.createEvent(1, { name: 'Big', source: 'manual' });
    const rows = Array.from({ length: 4_500 }, (_, i) => ({ bib: String(10_000 + i), tags: [`C${i}`], first_name: `Runner${i}` }));
    rows[4_400]!.tags = ['C1', 'C4400']; // a chip shared with a participant two pages earlier
    const first = await roster.upsertParticipants(1, event.id, rows);
    expect(first).toMatchObject({ inserted: 4_500, errors: [] });

    const m = await RosterMatcher.load(roster, 1, event.id);
    expect(m.size).toBe(4_500);
    for (const i of [0, 1_999, 2_000, 3_999, 4_000, 4_499]) expect(m.match(`C${i}`)?.first_name, `C${i}`).toBe(`Runner${i}`);
    expect(m.match('C1')?.first_name).toBe('Runner1'); // the lower id keeps the shared chip
    expect(m.match('14499')?.first_name).toBe('Runner4499'); // by bib

    // Every stored participant is matched again: nothing inserted twice, nothing lost.
    const again = await roster.upsertParticipants(1, event.id, rows, { removeMissing: true });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4_500, removed: 0, errors: [] });
  }, 60_000);
});

describe('partner isolation', () => {
  it('partner 2 cannot see, import into, edit or look up partner 1’s roster', async () => {
    const event = await roster.createEvent(1, { name: 'Private', source: 'manual' });
    const p = await roster.addParticipant(1, event.id, { bib: '42', tags: ['T42'] });

    expect((await roster.listEvents(2)).map((e) => e.id)).not.toContain(event.id);
    expect((await roster.listEvents(1)).map((e) => e.id)).toContain(event.id);
    await expect(roster.getEvent(2, event.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.listParticipants(2, event.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.upsertParticipants(2, event.id, [{ bib: '1' }])).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.importCsv(2, event.id, CSV, MAPPING)).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.addParticipant(2, event.id, { bib: '43' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.getParticipant(2, p.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.updateParticipant(2, p.id, { first_name: 'Hacked' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.deleteParticipant(2, p.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(roster.deleteEvent(2, event.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(RosterMatcher.load(roster, 2, event.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await roster.lookupParticipant(2, event.id, 'T42')).toBeUndefined();
    expect((await roster.lookupParticipant(1, event.id, 'T42'))?.id).toBe(p.id);
    expect((await roster.getParticipant(1, p.id)).first_name).toBeNull();
  });

  it('row-level security hides and protects the rows whatever the SQL asks', async () => {
    const event = await roster.createEvent(1, { name: 'RLS', source: 'manual' });
    await roster.addParticipant(1, event.id, { bib: '1', tags: ['TAG1'] });
    const counts = (partner: number) =>
      withPartner(t.db, partner, async (tx) => {
        const e = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM roster_events WHERE id = $1', [event.id]);
        const p = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM participants WHERE event_id = $1', [event.id]);
        const g = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM participant_tags WHERE event_id = $1', [event.id]);
        return [e.rows[0]!.n, p.rows[0]!.n, g.rows[0]!.n];
      });
    expect(await counts(1)).toEqual([1, 1, 1]);
    expect(await counts(2)).toEqual([0, 0, 0]);
    expect(await t.db.transaction(async (tx) => (await tx.query('SELECT * FROM participants')).rows.length)).toBe(0);
    await withPartner(t.db, 2, async (tx) => {
      expect((await tx.query('UPDATE participants SET first_name = $1 WHERE event_id = $2', ['x', event.id])).rowCount).toBe(0);
      expect((await tx.query('DELETE FROM roster_events WHERE id = $1', [event.id])).rowCount).toBe(0);
    });
    await expect(
      withPartner(t.db, 2, (tx) => tx.query(`INSERT INTO participants (partner_id, event_id, bib) VALUES (1, $1, '99')`, [event.id])),
    ).rejects.toThrow(/row-level security/);
    // A participant's partner must be its event's partner, even for the platform.
    await expect(
      t.owner.query(`INSERT INTO participants (partner_id, event_id, bib) VALUES (2, $1, '98')`, [event.id]),
    ).rejects.toThrow(/foreign key/);
    expect(await counts(1)).toEqual([1, 1, 1]);
  });

  it('gives the application role the table and sequence privileges it needs, not ownership', async () => {
    const r = await t.owner.query<Record<string, boolean>>(
      `SELECT has_table_privilege('p88_app', 'participants', 'SELECT,INSERT,UPDATE,DELETE') AS p,
              has_table_privilege('p88_app', 'roster_events', 'SELECT,INSERT,UPDATE,DELETE') AS e,
              has_sequence_privilege('p88_app', 'participants_id_seq', 'USAGE') AS ps,
              has_sequence_privilege('p88_app', 'roster_events_id_seq', 'USAGE') AS es,
              (SELECT relforcerowsecurity AND relrowsecurity FROM pg_class WHERE relname = 'participants') AS pf,
              (SELECT relforcerowsecurity AND relrowsecurity FROM pg_class WHERE relname = 'roster_events') AS ef,
              (SELECT relforcerowsecurity AND relrowsecurity FROM pg_class WHERE relname = 'participant_tags') AS tf,
              has_table_privilege('p88_app', 'participant_tags', 'SELECT,INSERT,DELETE') AS t`,
    );
    expect(r.rows[0]).toEqual({ p: true, e: true, ps: true, es: true, pf: true, ef: true, tf: true, t: true });
  });
});

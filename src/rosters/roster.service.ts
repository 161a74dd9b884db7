/**
 * Rules of rosters: events, bulk upserts that re-import in place, hand edits, CSV import and
 * the read → participant lookup. Each method runs in one transaction scoped to the partner
 * (withPartner), so a failed import changes nothing and another partner's rows never show.
 */
import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { ROWS_PER_SLICE, yieldToLoop } from '../event-loop.js';
import { checkMapping, parseCsv, rowToParticipant, type CsvMapping } from './csv.js';
import * as repo from './roster.repo.js';
import {
  cleanText,
  createEventSchema,
  participantInputSchema,
  participantPatchSchema,
  TEXT_FIELDS,
  type CreateEventInput,
  type Participant,
  type ParticipantInput,
  type ParticipantPatch,
  type ParticipantValues,
  type ParticipantWithRaw,
  type RosterEvent,
  type RosterEventSummary,
  type RosterSource,
  type RowError,
  type UpsertResult,
} from './roster.schemas.js';

export interface UpsertOptions {
  /**
   * Delete the event's participants the input does not list (a full provider sync). Rows
   * that failed validation still protect the participant they identify.
   */
  removeMissing?: boolean;
  /** Row numbers to report errors with (CSV lines); default: 1-based position in the input. */
  rowNumbers?: readonly number[];
  /** Work it all out and roll it back: what an import would do, with its row errors, storing nothing. */
  dryRun?: boolean;
  /**
   * Where the rows come from: an event made by hand that gets participants this way is listed
   * with this origin (a CSV-imported event is not "By hand"); a provider's event keeps its own.
   */
  origin?: RosterSource;
}

export interface CsvImportResult extends UpsertResult {
  /** Data rows read from the file. */
  rows: number;
}

/** A zod failure as one short reason: "age: age out of range". */
function reasonOf(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.join('.');
  return path === '' || issue.message.includes(path) ? issue.message : `${path}: ${issue.message}`;
}

/** A bib or id taken between planning and commit (a concurrent edit) is a conflict, not a 500. */
/** Carries a dry run's result out of its transaction, which it rolls back. */
class DryRun extends Error {
  constructor(readonly result: UpsertResult) {
    super('dry run');
  }
}

async function conflictOnRace<T>(work: Promise<T>, message: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', message);
    throw err;
  }
}

async function requireEvent(tx: Queryable, partnerId: number, eventId: number, forUpdate = false): Promise<RosterEvent> {
  const event = await repo.getEvent(tx, partnerId, eventId, forUpdate);
  if (!event) throw new AppError('not_found', 'Roster event not found.');
  return event;
}

/** Participants read per query when a whole roster is read. */
const ROSTER_PAGE = 2_000;

/**
 * A whole roster, in id order, read in pages with the event loop running between them: one
 * query for 50,000 participants arrives in bursts that the driver parses for ~200 ms at a
 * time, and the open display streams would stall meanwhile.
 */
async function allParticipants(tx: Queryable, partnerId: number, eventId: number): Promise<Participant[]> {
  const all: Participant[] = [];
  for (let after = 0; ; ) {
    const page = await repo.participantsAfter(tx, partnerId, eventId, after, ROSTER_PAGE);
    for (const p of page) all.push(p);
    if (page.length < ROSTER_PAGE) return all;
    after = page[page.length - 1]!.id; // the next query's wait lets the event loop run
  }
}

/** The stored row for new values over an existing participant (absent fields keep theirs). */
function merge(base: repo.StoredParticipant, v: ParticipantValues): repo.StoredParticipant {
  const out: repo.StoredParticipant = { ...base, bib: v.bib, raw: v.raw ?? null };
  if (v.external_id !== undefined) out.external_id = v.external_id;
  if (v.tags !== undefined) out.tags = v.tags;
  if (v.age !== undefined) out.age = v.age;
  if (v.gender !== undefined) out.gender = v.gender;
  for (const f of TEXT_FIELDS) {
    const value = v[f];
    if (value !== undefined) out[f] = value;
  }
  return out;
}

const EMPTY: repo.StoredParticipant = {
  external_id: null,
  bib: '',
  tags: [],
  first_name: null,
  last_name: null,
  age: null,
  gender: 'U',
  city: null,
  state: null,
  country: null,
  division: null,
  race: null,
  wave: null,
  team: null,
  custom_message: null,
  raw: null,
};

function stored(p: Participant): repo.StoredParticipant {
  const { id: _id, event_id: _event, updated_at: _updated, ...rest } = p;
  return { ...rest, raw: null };
}

/**
 * Upserts rows into an event inside an open partner transaction: matched by external id when
 * the row has one (else by bib), updated in place, counted as inserted/updated/unchanged.
 * Bad rows are reported and skipped; the good ones are written.
 */
export async function upsertInto(
  tx: Queryable,
  partnerId: number,
  eventId: number,
  inputs: readonly ParticipantInput[],
  opts: UpsertOptions = {},
): Promise<UpsertResult> {
  await requireEvent(tx, partnerId, eventId, true);
  const existing = await allParticipants(tx, partnerId, eventId);
  const byExt = new Map(existing.filter((p) => p.external_id !== null).map((p) => [p.external_id!, p]));
  const byBib = new Map(existing.map((p) => [p.bib, p]));
  const errors = new Map<number, string>();
  const protectedIds = new Set<number>();
  const rowNo = (i: number) => opts.rowNumbers?.[i] ?? i + 1;

  // Validate, refuse duplicates within the input, match against what is stored.
  interface Planned {
    row: number;
    values: ParticipantValues;
    match: Participant | undefined;
  }
  const planned: Planned[] = [];
  const seenBib = new Map<string, number>();
  const seenExt = new Map<string, number>();
  const claimedBy = new Map<number, number>();
  const planRow = (input: ParticipantInput, i: number) => {
    const row = rowNo(i);
    const parsed = participantInputSchema.safeParse(input);
    if (!parsed.success) {
      errors.set(row, reasonOf(parsed.error));
      // A row we cannot use still names who it is about: a full sync must not delete them.
      const ext = typeof input.external_id === 'string' ? byExt.get(input.external_id.trim()) : undefined;
      const bib = typeof input.bib === 'string' ? byBib.get(input.bib.trim()) : undefined;
      for (const p of [ext, bib]) if (p) protectedIds.add(p.id);
      return;
    }
    const v = parsed.data;
    const ext = v.external_id ?? undefined;
    const dupBib = seenBib.get(v.bib);
    if (dupBib !== undefined) return void errors.set(row, `duplicate bib ${v.bib} (also on row ${dupBib})`);
    if (ext !== undefined && seenExt.has(ext)) return void errors.set(row, `duplicate external id ${ext} (also on row ${seenExt.get(ext)})`);
    seenBib.set(v.bib, row);
    if (ext !== undefined) seenExt.set(ext, row);
    let match: Participant | undefined;
    if (ext !== undefined) {
      match = byExt.get(ext);
      // A participant typed in or uploaded without an id adopts the provider's id by bib.
      const holder = byBib.get(v.bib);
      if (!match && holder && holder.external_id === null) match = holder;
    } else {
      match = byBib.get(v.bib);
    }
    if (match) {
      const other = claimedBy.get(match.id);
      if (other !== undefined) return void errors.set(row, `matches the same participant as row ${other}`);
      claimedBy.set(match.id, row);
    }
    planned.push({ row, values: v, match });
  };
  for (const [i, input] of inputs.entries()) {
    if (i % ROWS_PER_SLICE === ROWS_PER_SLICE - 1) await yieldToLoop();
    planRow(input, i);
  }

  // A row may not take a bib held by a participant this import leaves alone. Dropping a row
  // leaves its participant alone too, which can block another row: repeat until stable.
  const removing = (p: Participant) => opts.removeMissing === true && !claimedBy.has(p.id) && !protectedIds.has(p.id);
  let live = planned;
  for (;;) {
    const blocked = live.filter((pl) => {
      const holder = byBib.get(pl.values.bib);
      return holder !== undefined && holder.id !== pl.match?.id && !claimedBy.has(holder.id) && !removing(holder);
    });
    if (blocked.length === 0) break;
    for (const pl of blocked) {
      errors.set(pl.row, `bib ${pl.values.bib} already belongs to another participant of this event`);
      if (pl.match) {
        claimedBy.delete(pl.match.id);
        protectedIds.add(pl.match.id);
      }
    }
    const dropped = new Set(blocked);
    live = live.filter((pl) => !dropped.has(pl));
  }

  const toRemove = opts.removeMissing ? existing.filter(removing).map((p) => p.id) : [];
  const removed = await repo.deleteParticipants(tx, partnerId, toRemove);
  await repo.deferBibUniqueness(tx);
  const updates: (repo.StoredParticipant & { id: number })[] = [];
  const inserts: repo.StoredParticipant[] = [];
  for (const [i, pl] of live.entries()) {
    if (i % ROWS_PER_SLICE === ROWS_PER_SLICE - 1) await yieldToLoop();
    if (pl.match) updates.push({ id: pl.match.id, ...merge(stored(pl.match), pl.values) });
    else inserts.push(merge(EMPTY, pl.values));
  }
  const updated = await repo.updateParticipants(tx, partnerId, updates);
  const inserted = await repo.insertParticipants(tx, partnerId, eventId, inserts);
  if (updated + inserted + removed > 0) await repo.touchEvent(tx, partnerId, eventId);
  return {
    inserted,
    updated,
    unchanged: updates.length - updated,
    removed,
    errors: [...errors].map(([row, reason]) => ({ row, reason })).sort((a, b) => a.row - b.row),
  };
}

export class Rosters {
  constructor(private readonly db: Database) {}

  async createEvent(partnerId: number, input: CreateEventInput): Promise<RosterEvent> {
    const parsed = createEventSchema.safeParse(input);
    if (!parsed.success) throw new AppError('bad_request', reasonOf(parsed.error));
    const e = parsed.data;
    try {
      return await withPartner(this.db, partnerId, (tx) => repo.insertEvent(tx, partnerId, { ...e, external_id: e.external_id ?? null }));
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', 'That event has already been imported.');
      throw err;
    }
  }

  /** The partner's events, most recently changed first, with participant counts. */
  listEvents(partnerId: number): Promise<RosterEventSummary[]> {
    return withPartner(this.db, partnerId, (tx) => repo.listEvents(tx, partnerId));
  }

  /** One event with its participant count (404 when it is not the partner's). */
  async getEventSummary(partnerId: number, eventId: number): Promise<RosterEventSummary> {
    const event = await withPartner(this.db, partnerId, (tx) => repo.getEventSummary(tx, partnerId, eventId));
    if (!event) throw new AppError('not_found', 'Roster event not found.');
    return event;
  }

  getEvent(partnerId: number, eventId: number): Promise<RosterEvent> {
    return withPartner(this.db, partnerId, (tx) => requireEvent(tx, partnerId, eventId));
  }

  async renameEvent(partnerId: number, eventId: number, name: string): Promise<RosterEvent> {
    const parsed = createEventSchema.shape.name.safeParse(name);
    if (!parsed.success) throw new AppError('bad_request', reasonOf(parsed.error));
    const event = await withPartner(this.db, partnerId, (tx) => repo.renameEvent(tx, partnerId, eventId, parsed.data));
    if (!event) throw new AppError('not_found', 'Roster event not found.');
    return event;
  }

  /** Deletes an event and its participants. */
  async deleteEvent(partnerId: number, eventId: number): Promise<void> {
    const deleted = await withPartner(this.db, partnerId, (tx) => repo.deleteEvent(tx, partnerId, eventId));
    if (!deleted) throw new AppError('not_found', 'Roster event not found.');
  }

  listParticipants(partnerId: number, eventId: number, page: { limit?: number; offset?: number } = {}): Promise<Participant[]> {
    return withPartner(this.db, partnerId, async (tx) => {
      await requireEvent(tx, partnerId, eventId);
      return repo.listParticipants(tx, partnerId, eventId, page);
    });
  }

  /**
   * A page of participants with the total: all of them, or those whose bib or name contains
   * `q` (trimmed; empty = all).
   */
  pageParticipants(
    partnerId: number,
    eventId: number,
    page: { limit: number; offset: number; q?: string | undefined },
  ): Promise<{ participants: Participant[]; total: number }> {
    return withPartner(this.db, partnerId, async (tx) => {
      await requireEvent(tx, partnerId, eventId);
      const q = cleanText(page.q ?? '');
      if (q !== '') return repo.searchParticipants(tx, partnerId, eventId, q, page);
      const [participants, total] = [await repo.listParticipants(tx, partnerId, eventId, page), await repo.countParticipants(tx, partnerId, eventId)];
      return { participants, total };
    });
  }

  /** A whole roster in id order (404 when the event is not the partner's), for RosterMatcher. */
  participantsOf(partnerId: number, eventId: number): Promise<Participant[]> {
    return withPartner(this.db, partnerId, async (tx) => {
      await requireEvent(tx, partnerId, eventId);
      return allParticipants(tx, partnerId, eventId);
    });
  }

  async getParticipant(partnerId: number, participantId: number): Promise<ParticipantWithRaw> {
    const p = await withPartner(this.db, partnerId, (tx) => repo.getParticipant(tx, partnerId, participantId));
    if (!p) throw new AppError('not_found', 'Participant not found.');
    return p;
  }

  /**
   * The participant a read belongs to, by tag code then bib, asking the database. For a stream
   * of reads use RosterMatcher, which asks it once.
   */
  lookupParticipant(partnerId: number, eventId: number, tag: string): Promise<Participant | undefined> {
    return withPartner(this.db, partnerId, (tx) => repo.lookupParticipant(tx, eventId, tag.trim()));
  }

  /** Upserts participants into an event in one transaction (see upsertInto). */
  upsertParticipants(partnerId: number, eventId: number, inputs: readonly ParticipantInput[], opts: UpsertOptions = {}): Promise<UpsertResult> {
    return conflictOnRace(
      withPartner(this.db, partnerId, async (tx) => {
        const result = await upsertInto(tx, partnerId, eventId, inputs, opts);
        if (opts.dryRun) throw new DryRun(result);
        if (opts.origin && result.inserted + result.updated > 0) await repo.adoptSource(tx, eventId, opts.origin);
        return result;
      }).catch((err: unknown) => {
        if (err instanceof DryRun) return err.result;
        throw err;
      }),
      'The roster changed during the import; nothing was saved. Try again.',
    );
  }

  /**
   * Creates or renames a provider's event (matched by source + external id) and syncs its
   * whole roster in one transaction: participants the provider no longer lists are removed.
   */
  importProviderRoster(
    partnerId: number,
    event: { source: RosterSource; externalId: string; name: string },
    inputs: readonly ParticipantInput[],
  ): Promise<UpsertResult & { event: RosterEvent }> {
    const parsed = createEventSchema.safeParse({ name: event.name, source: event.source, external_id: event.externalId });
    if (!parsed.success) throw new AppError('bad_request', reasonOf(parsed.error));
    const e = parsed.data;
    return conflictOnRace(
      withPartner(this.db, partnerId, async (tx) => {
        const stored = await repo.upsertEventByExternalId(tx, partnerId, e.source, e.external_id!, e.name);
        const result = await upsertInto(tx, partnerId, stored.id, inputs, { removeMissing: true });
        return { ...result, event: (await repo.getEvent(tx, partnerId, stored.id)) ?? stored };
      }),
      'The roster changed during the import; nothing was saved. Try again.',
    );
  }

  /**
   * Second step of a CSV upload: parse with the confirmed mapping and upsert. Bad rows (no bib,
   * bad age, too long…) come back by line number; the good rows are stored.
   */
  /** What importing this CSV would do (counts and every bad row), storing nothing: the preview's check. */
  checkCsv(partnerId: number, eventId: number, text: string, mapping: CsvMapping): Promise<CsvImportResult> {
    return this.importCsv(partnerId, eventId, text, mapping, true);
  }

  async importCsv(partnerId: number, eventId: number, text: string, mapping: CsvMapping, dryRun = false): Promise<CsvImportResult> {
    const parsed = await parseCsv(text);
    checkMapping(mapping, parsed.headers);
    const errors: RowError[] = [...parsed.errors];
    const inputs: ParticipantInput[] = [];
    const lines: number[] = [];
    for (const [i, { line, cells }] of parsed.rows.entries()) {
      if (i % ROWS_PER_SLICE === ROWS_PER_SLICE - 1) await yieldToLoop();
      const r = rowToParticipant(parsed.headers, cells, mapping);
      if (r.ok) {
        inputs.push(r.input);
        lines.push(line);
      } else {
        errors.push({ row: line, reason: r.reason });
      }
    }
    const result = await this.upsertParticipants(partnerId, eventId, inputs, { rowNumbers: lines, origin: 'csv', dryRun });
    return {
      ...result,
      rows: parsed.totalRows + parsed.errors.length,
      errors: [...errors, ...result.errors].sort((a, b) => a.row - b.row),
    };
  }

  /** Adds one participant by hand (409 when the bib or external id is taken). */
  async addParticipant(partnerId: number, eventId: number, input: ParticipantInput): Promise<ParticipantWithRaw> {
    const parsed = participantInputSchema.safeParse(input);
    if (!parsed.success) throw new AppError('bad_request', reasonOf(parsed.error));
    const v = parsed.data;
    try {
      return await withPartner(this.db, partnerId, async (tx) => {
        await requireEvent(tx, partnerId, eventId, true);
        if ((await repo.bibHolder(tx, partnerId, eventId, v.bib)) !== undefined) {
          throw new AppError('conflict', `Bib ${v.bib} is already taken in this event.`);
        }
        await repo.insertParticipants(tx, partnerId, eventId, [merge(EMPTY, v)]);
        const id = (await repo.bibHolder(tx, partnerId, eventId, v.bib))!;
        await repo.touchEvent(tx, partnerId, eventId);
        return (await repo.getParticipant(tx, partnerId, id))!;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', 'That external id is already used in this event.');
      throw err;
    }
  }

  /** Edits one participant by hand; absent fields keep their value, null clears one. */
  async updateParticipant(partnerId: number, participantId: number, patch: ParticipantPatch): Promise<ParticipantWithRaw> {
    const parsed = participantPatchSchema.safeParse(patch);
    if (!parsed.success) throw new AppError('bad_request', reasonOf(parsed.error));
    const v = parsed.data;
    try {
      return await withPartner(this.db, partnerId, async (tx) => {
        const current = await repo.getParticipant(tx, partnerId, participantId);
        if (!current) throw new AppError('not_found', 'Participant not found.');
        // Serializes with imports into the same event, which plan bibs from one snapshot.
        await requireEvent(tx, partnerId, current.event_id, true);
        const bib = v.bib ?? current.bib;
        const holder = await repo.bibHolder(tx, partnerId, current.event_id, bib);
        if (holder !== undefined && holder !== participantId) throw new AppError('conflict', `Bib ${bib} is already taken in this event.`);
        const row = { id: participantId, ...merge(stored(current), { ...v, bib, raw: current.raw }) };
        if ((await repo.updateParticipants(tx, partnerId, [row])) > 0) {
          await repo.touchEvent(tx, partnerId, current.event_id);
          // Named as hand-edited: a provider sync feeding this roster keeps them (and says so).
          const edited = (Object.keys(v) as (keyof typeof v)[]).filter((k) => v[k] !== undefined && JSON.stringify(v[k]) !== JSON.stringify((current as unknown as Record<string, unknown>)[k]));
          await repo.markEdited(tx, partnerId, participantId, edited);
        }
        return (await repo.getParticipant(tx, partnerId, participantId))!;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', 'That external id is already used in this event.');
      throw err;
    }
  }

  async deleteParticipant(partnerId: number, participantId: number): Promise<void> {
    const n = await withPartner(this.db, partnerId, async (tx) => {
      const current = await repo.getParticipant(tx, partnerId, participantId);
      if (!current) return 0;
      await repo.touchEvent(tx, partnerId, current.event_id);
      return repo.deleteParticipants(tx, partnerId, [participantId]);
    });
    if (n === 0) throw new AppError('not_found', 'Participant not found.');
  }
}

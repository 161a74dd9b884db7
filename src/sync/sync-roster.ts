/**
 * Roster feeding: a synced event's participants also go into a roster event the partner
 * chose (so a display can use them), in the pull's transaction, through the rosters' own
 * upsert (upsertInto: matched by external id, else by bib; bib swaps allowed). Like the
 * ChronoTrack Live roster import, but:
 *   - a column the partner edited by hand on the roster (participants.edited_fields) keeps
 *     its value, and the run's notices say what the provider had instead;
 *   - a participant a full pull no longer lists is marked removed (removed_at), not deleted,
 *     and is unmarked when the provider lists it again;
 *   - a registration without a bib cannot be a roster row (the roster is looked up by bib): it
 *     is counted in a notice, and stays in the warehouse.
 */
import type { Queryable } from '../db/database.js';
import { JobError } from '../jobs/registry.js';
import type { ProviderParticipant, ProviderRace } from '../providers/records.js';
import * as rosterRepo from '../rosters/roster.repo.js';
import type { ParticipantInput } from '../rosters/roster.schemas.js';
import { upsertInto } from '../rosters/roster.service.js';
import type { SyncNotice } from './sync-history.repo.js';

const FED_FIELDS = ['bib', 'first_name', 'last_name', 'age', 'gender', 'city', 'state', 'country', 'division', 'race', 'wave', 'team', 'tags'] as const;
type FedField = (typeof FED_FIELDS)[number];

export interface FeedOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
  kept: number;
  skipped: number;
}

export async function feedRoster(
  tx: Queryable,
  partnerId: number,
  rosterEventId: number,
  people: readonly ProviderParticipant[],
  races: readonly ProviderRace[],
  full: boolean,
  notices: SyncNotice[],
): Promise<FeedOutcome> {
  const roster = await rosterRepo.getEvent(tx, partnerId, rosterEventId, true);
  if (!roster) throw new JobError(`Roster event ${rosterEventId} not found: choose another roster for this sync.`, { retry: false });
  const raceName = new Map(races.map((r) => [r.externalId, r.name]));
  const stored = await tx.query<Record<FedField, unknown> & { id: number; external_id: string; edited_fields: string[] }>(
    `SELECT id, external_id, bib, first_name, last_name, age, gender, city, state, country, division, race, wave, team, tags, edited_fields
       FROM participants WHERE partner_id = $1 AND event_id = $2 AND external_id IS NOT NULL AND cardinality(edited_fields) > 0`,
    [partnerId, rosterEventId],
  );
  const edited = new Map(stored.rows.map((r) => [r.external_id, r]));
  let kept = 0;
  let skipped = 0;
  const inputs: ParticipantInput[] = [];
  for (const p of people) {
    if (!p.bib) {
      skipped += 1;
      continue;
    }
    const input: Record<FedField | 'external_id' | 'raw', unknown> = {
      external_id: p.externalId,
      bib: p.bib,
      tags: p.chip && p.chip !== p.bib ? [p.chip] : [],
      first_name: p.firstName,
      last_name: p.lastName,
      age: p.age,
      gender: p.gender,
      city: p.city,
      state: p.region,
      country: p.country,
      division: p.division,
      race: p.raceExternalId ? (raceName.get(p.raceExternalId) ?? null) : null,
      wave: p.wave,
      team: p.team,
      raw: p.raw,
    };
    const cur = edited.get(p.externalId);
    if (cur) {
      let differs = false;
      for (const f of cur.edited_fields) {
        if (!(FED_FIELDS as readonly string[]).includes(f)) continue;
        const k = f as FedField;
        if (JSON.stringify(input[k] ?? null) !== JSON.stringify(cur[k] ?? null)) {
          differs = true;
          notices.push({ record: p.externalId, field: f, message: `roster bib ${String(cur.bib)}: kept the hand edit of ${f} (${JSON.stringify(cur[k])}); the provider says ${JSON.stringify(input[k] ?? null)}` });
        }
        input[k] = cur[k];
      }
      if (differs) kept += 1;
    }
    inputs.push(input as ParticipantInput);
  }
  const r = await upsertInto(tx, partnerId, rosterEventId, inputs);
  for (const e of r.errors.slice(0, 20)) notices.push({ message: `roster: ${inputs[e.row - 1]?.external_id ?? `row ${e.row}`} not stored: ${e.reason}` });
  const listed = inputs.map((i) => String(i.external_id));
  await tx.query(`UPDATE participants SET removed_at = NULL WHERE partner_id = $1 AND event_id = $2 AND removed_at IS NOT NULL AND external_id = ANY($3::text[])`, [partnerId, rosterEventId, listed]);
  let removed = 0;
  if (full && people.length > 0) {
    const all = people.map((p) => p.externalId);
    const gone = await tx.query(
      `UPDATE participants SET removed_at = now(), updated_at = now()
        WHERE partner_id = $1 AND event_id = $2 AND removed_at IS NULL AND external_id IS NOT NULL AND external_id NOT IN (SELECT unnest($3::text[]))`,
      [partnerId, rosterEventId, all],
    );
    removed = gone.rowCount ?? 0;
    if (removed) notices.push({ message: `roster: ${removed} participant(s) no longer listed by the provider are marked removed (not deleted)` });
  }
  if (skipped) notices.push({ message: `roster: ${skipped} registration(s) without a bib are not in the roster (they are in the warehouse)` });
  return { inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, removed, kept, skipped };
}

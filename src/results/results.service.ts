/**
 * The results warehouse's rules: a results CSV import (events, races, entries, results and
 * splits from one file, re-import updates in place, places computed when the file gives none).
 * Provider sync writes through the same repo functions with its own provider name.
 */
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import type { RowError } from '../rosters/roster.schemas.js';
import { parseResultsCsv, type ResultRow } from './results-csv.js';
import * as repo from './results.repo.js';

export const CSV_PROVIDER = 'csv';
const BATCH = 2000;

export interface ResultsImportSummary {
  events: number;
  races: number;
  inserted: number;
  updated: number;
  splits: number;
  errors: RowError[];
}

/** The external ids a CSV row gets: its event by name and date, race by name, entry by bib. */
export function csvKeys(row: ResultRow): { event: string; race: string; entry: string } {
  const event = `${row.event.name.toLowerCase()}|${row.event.date ?? ''}`;
  const race = `${event}|${row.race.name.toLowerCase()}`;
  return { event, race, entry: `${race}|${row.entry.bib}` };
}

export class Results {
  constructor(private readonly db: Database) {}

  /** Imports a results CSV for the partner: good rows stored (in one transaction), the others reported by line. */
  async importCsv(partnerId: number, csv: string): Promise<ResultsImportSummary> {
    const parsed = await parseResultsCsv(csv);
    const summary: ResultsImportSummary = { events: 0, races: 0, inserted: 0, updated: 0, splits: 0, errors: parsed.errors };
    if (parsed.rows.length === 0) return summary;
    return withPartner(this.db, partnerId, async (tx) => {
      const eventIds = new Map<string, number>();
      const races = new Map<string, { id: number; eventId: number }>();
      for (const row of parsed.rows) {
        const k = csvKeys(row);
        if (!eventIds.has(k.event)) {
          const e = await repo.upsertEvent(tx, partnerId, CSV_PROVIDER, {
            external_id: k.event,
            name: row.event.name,
            start_date: row.event.date,
            city: row.event.city,
            state: row.event.state,
            country: row.event.country,
            raw: null,
          });
          eventIds.set(k.event, e.id);
        }
        if (!races.has(k.race)) {
          const eventId = eventIds.get(k.event)!;
          const r = await repo.upsertRace(tx, partnerId, CSV_PROVIDER, {
            external_id: k.race,
            event_id: eventId,
            name: row.race.name,
            distance_m: row.race.distance?.metres ?? null,
            distance_unit: row.race.distance?.unit ?? 'km',
            raw: null,
          });
          races.set(k.race, { id: r.id, eventId });
        }
      }
      summary.events = eventIds.size;
      summary.races = races.size;
      for (let i = 0; i < parsed.rows.length; i += BATCH) {
        const batch = parsed.rows.slice(i, i + BATCH);
        const keyed = batch.map((row) => ({ row, k: csvKeys(row), race: races.get(csvKeys(row).race)! }));
        const entries = await repo.upsertEntries(
          tx,
          partnerId,
          CSV_PROVIDER,
          keyed.map(({ row, k, race }) => ({ external_id: k.entry, event_id: race.eventId, race_id: race.id, ...row.entry, raw: row.raw })),
        );
        const results = await repo.upsertResults(
          tx,
          partnerId,
          CSV_PROVIDER,
          keyed.map(({ row, k, race }) => ({ external_id: k.entry, entry_id: entries.ids.get(k.entry)!, race_id: race.id, event_id: race.eventId, ...row.result, raw: null })),
        );
        summary.inserted += results.inserted;
        summary.updated += results.updated;
        const splits = keyed.flatMap(({ row, k }) =>
          row.splits.map((s, j) => ({
            external_id: `${k.entry}|${s.label.toLowerCase()}`,
            result_id: results.ids.get(k.entry)!,
            seq: j + 1,
            label: s.label,
            distance_m: s.distance?.metres ?? null,
            time_ms: s.time_ms,
            raw: null,
          })),
        );
        await repo.replaceSplits(tx, partnerId, CSV_PROVIDER, [...results.ids.values()], splits);
        summary.splits += splits.length;
      }
      await repo.refreshDerived(tx, [...new Set([...races.values()].map((r) => r.id))], !parsed.hasPlaces);
      return summary;
    });
  }
}

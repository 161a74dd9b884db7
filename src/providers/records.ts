/**
 * The neutral records provider adapters return. Providers are leaves: they speak HTTP and
 * map payloads to these shapes, and know nothing of rosters, results or displays; the sync
 * jobs (src/sync) write these records into our tables.
 */
import type { Gender } from '../shared/gender.js';

/** A person's entry in a provider's race, as registration data. Null = the provider sent nothing. */
export interface ProviderEntry {
  external_id: string | null;
  bib: string;
  first_name: string | null;
  last_name: string | null;
  gender: Gender;
  age: number | null;
  city: string | null;
  state: string | null;
  country: string | null;
  division: string | null;
  race: string | null;
  wave: string | null;
  team: string | null;
  /** The provider's payload, kept whole beside the normalized fields. */
  raw: unknown;
}

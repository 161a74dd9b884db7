/**
 * Haku: no public documentation was found (shared/spec/providers.md), so EVERYTHING here is
 * [guess]: the base URL, auth, paths, paging and row shapes. The fake server serves exactly
 * this; when Haku's real API is known, this file (and the mapping reading these types) is
 * what changes. The seed platform keeps one Haku organization per timing partner
 * (timing_partner_haku_orgs), hence the organization id in the credentials.
 */

export const HAKU_DEFAULT_BASE_URL = 'https://api.hakuapp.com/v1';

/** Bearer token of the organization's API key. */
export const AUTH_HEADER = (token: string) => ({ authorization: `Bearer ${token}` });

export const PATHS = {
  events: (org: string) => `/organizations/${org}/events`,
  event: (id: string) => `/events/${id}`,
  registrations: (id: string) => `/events/${id}/registrations`,
  results: (id: string) => `/events/${id}/results`,
};

/** Page-numbered lists: `?page=&per_page=` → `{ data: [...], meta: { page, per_page, total_pages, total } }`. */
export const PER_PAGE = 200;
export interface HakuList<T> {
  data: T[];
  meta?: { page?: number; per_page?: number; total_pages?: number; total?: number };
}

/** Incremental: `updated_since=<ISO>`, inclusive. */
export const UPDATED_SINCE_PARAM = 'updated_since';

export interface HakuRace {
  id: string | number;
  name: string;
  distance_meters?: number | null;
  start_time?: string | null;
  waves?: string[];
}
export interface HakuEvent {
  id: string | number;
  name: string;
  start_date?: string | null;
  time_zone?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  url?: string | null;
  status?: string | null;
  updated_at?: string | null;
  races?: HakuRace[];
}
export interface HakuRegistration {
  id: string | number;
  race_id?: string | number | null;
  bib?: string | number | null;
  first_name?: string | null;
  last_name?: string | null;
  gender?: string | null;
  date_of_birth?: string | null;
  email?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  team?: string | null;
  /** "active" | "cancelled" | "transferred" */
  status?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
}
export interface HakuResult {
  id: string | number;
  registration_id?: string | number | null;
  race_id?: string | number | null;
  bib?: string | number | null;
  first_name?: string | null;
  last_name?: string | null;
  gender?: string | null;
  age?: number | null;
  /** "finished" | "dnf" | "dns" | "dq" */
  status?: string | null;
  /** "H:MM:SS.s" (hours unbounded) or a status word. */
  chip_time?: string | null;
  gun_time?: string | null;
  overall_place?: number | null;
  gender_place?: number | null;
  division?: string | null;
  division_place?: number | null;
  splits?: { name: string; distance_meters?: number | null; time?: string | null }[];
}

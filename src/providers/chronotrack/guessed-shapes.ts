/**
 * ChronoTrack Live: what shared/spec/providers.md marks [guess] or does not say, in one place.
 * The fake server serves exactly these; if the real API differs, change it here.
 */

/** [guess] Event fields beyond event_id / event_name / event_start_time ([seen]). */
export const EVENT_FIELDS = { endTime: 'event_end_time', timezone: 'event_timezone', city: 'location_city', region: 'location_region', country: 'location_country', url: 'event_url' } as const;

/** [guess] `/event/{id}/race` rows: the id and name are [seen]; distance, unit and start are guessed. */
export const RACE_FIELDS = { id: 'race_id', name: 'race_name', distance: 'race_course_distance', unit: 'race_pref_distance_unit', start: 'race_planned_start_time' } as const;

/** [guess] `/event/{id}/wave` rows. */
export const WAVE_FIELDS = { id: 'wave_id', name: 'wave_name', raceId: 'wave_race_id' } as const;

/** [guess] An entry's race id (the documented entry carries race_name only). */
export const ENTRY_RACE_ID = 'race_id';

/** The interval name of the finish [seen]. */
export const FINISH_INTERVAL = 'Full Course';

/**
 * [guess] Posting results back: `POST /race/{race_id}/results?format=json` with a JSON body
 * `{ race_results: [...] }` (the same envelope and field names the results list uses) and an
 * answer `{ results_created, results_updated }`. No public client posts results; this is the
 * shape our fake accepts.
 */
export interface CtPushRow {
  results_entry_id?: string;
  results_bib: string;
  results_time: string;
  results_gun_time?: string;
  results_rank?: string;
  results_interval_name: string;
}
export interface CtPushAnswer {
  results_created?: number | string;
  results_updated?: number | string;
}

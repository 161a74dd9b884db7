/**
 * RunSignUp: what shared/spec/providers.md marks [guess] or does not say, in one place. The
 * fake server (fake-server.ts) serves exactly these; if the real API differs, change it here.
 */

/**
 * [guess] Which error codes of the HTTP-200 `{"error":{error_code,error_msg}}` answers mean
 * refused credentials or an unknown race. The codes are not documented; the client also
 * reads the message ("key", "secret", "not found"), which is what public clients do.
 */
export const AUTH_ERROR_CODES = new Set([6, 7, 8]);
export const NOT_FOUND_ERROR_CODES = new Set([201, 202]);

/**
 * [guess] The body of POST /race/{id}/results/full-results: the documented matching keys
 * (registration_id, bib_num, chip_num) and split columns (split-<id>) are [doc]; the wrapper
 * `{ results: [...] }`, the time columns' names and the status words in clock_time are guessed.
 */
export interface FullResultRow {
  registration_id?: string;
  bib_num: string;
  place?: number;
  clock_time: string;
  chip_time?: string;
  [split: `split-${string}`]: string;
}
export interface FullResultsBody {
  results: FullResultRow[];
}

/** [guess] What full-results answers: how many rows it stored. */
export interface FullResultsAnswer {
  num_results_created?: number;
  num_results_updated?: number;
}

/**
 * [guess] Narrowing GET /races to the races this key may manage: `only_partner_races=T`
 * (RunSignUp's partner API has such a filter; its exact name is not in providers.md).
 */
export const PARTNER_RACES_QUERY = { only_partner_races: 'T' } as const;

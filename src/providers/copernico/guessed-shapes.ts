/**
 * Copernico (Spain; undocumented API): what shared/spec/providers.md marks [guess] or does
 * not say, in one place. [seen]: the base, the x-api-key header, GET /{raceSlug}, the athlete
 * "full" record, presets answering {data:[flattened runners]}, double-encoded UTF-8.
 */

/** [guess] GET /{raceSlug} lists the race's events (our Races) as `events: [{id, name, distance (m), start (ISO)}]`. */
export const RACE_EVENT_FIELDS = { id: 'id', name: 'name', distance: 'distance', start: 'start' } as const;

/**
 * [guess] A preset's flattened runner: the athlete record's fields with the event's folded in
 * and places as pos/pos_gender/pos_category; `times` keeps the athlete record's shape
 * ({<split>: {distance, time (ms), netTime (ms)}}), the finish split being "FINISH".
 */
export const RUNNER_FIELDS = {
  id: 'id',
  bib: 'dorsal',
  firstName: 'name',
  lastName: 'surname',
  gender: 'gender',
  birthDate: 'birthdate',
  category: 'category',
  club: 'club',
  wave: 'wave',
  status: 'status',
  chip: 'chip',
  overallPlace: 'pos',
  genderPlace: 'pos_gender',
  categoryPlace: 'pos_category',
  times: 'times',
  city: 'city',
  country: 'nationality',
} as const;
export const FINISH_SPLIT = 'FINISH';

/** [guess] Runner status words: finished, dnf, dns, dsq (anything else: still running or not started = unknown). */
export const RUNNER_STATUS: Record<string, 'finished' | 'DNF' | 'DNS' | 'DQ'> = { finished: 'finished', dnf: 'DNF', dns: 'DNS', dsq: 'DQ', dq: 'DQ' };

/**
 * There is no "my races" endpoint we know of: a connection lists its race slugs. Presets are
 * named per timer: the connection names the login and the preset for entrants and results.
 */
export const DEFAULT_PRESETS = { participants: 'inscritos', results: 'clasificacion' } as const;

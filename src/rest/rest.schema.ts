/**
 * What the read API exposes: the views, their columns with types, and the relationships
 * embedding follows. This table is the allowlist: a name that is not here never reaches SQL.
 * rest.schema.test.ts checks it against the database's own catalogue.
 */

export type ColumnType = 'bigint' | 'integer' | 'numeric' | 'text' | 'date' | 'timestamptz' | 'interval';

export interface ViewDef {
  description: string;
  /** Columns in the view's order (what `select=*` returns). */
  columns: Record<string, ColumnType>;
  /** The column that identifies a row. */
  key: string;
}

const source = { provider: 'text', external_id: 'text' } as const;

export const VIEWS: Record<string, ViewDef> = {
  ct_events: {
    description: 'Results events (race days / meetings) a partner has timed or synced',
    key: 'event_id',
    columns: {
      event_id: 'bigint', event_name: 'text', event_start_time: 'timestamptz', event_date: 'date',
      event_city: 'text', event_state: 'text', event_country: 'text', ...source,
    },
  },
  ct_races: {
    description: "Races (courses) of an event; race_course_distance is in race_pref_distance_unit ('km', 'mi' or 'm')",
    key: 'race_id',
    columns: {
      race_id: 'bigint', event_id: 'bigint', race_name: 'text', race_course_distance: 'numeric', race_pref_distance_unit: 'text',
      race_distance_m: 'numeric', race_planned_start_time: 'timestamptz', ...source,
    },
  },
  ct_participants: {
    description: "Entries: one person's participation in a race",
    key: 'entry_id',
    columns: {
      entry_id: 'bigint', event_id: 'bigint', race_id: 'bigint', entry_bib: 'text', athlete_first_name: 'text', athlete_last_name: 'text',
      athlete_sex: 'text', entry_race_age: 'integer', athlete_birth_date: 'date', athlete_city: 'text', athlete_state: 'text',
      athlete_country: 'text', team_name: 'text', entry_division: 'text', entry_wave: 'text', entry_status: 'text', ...source,
    },
  },
  ct_results: {
    description: "Results: an entry's times (intervals; chip_time_ms/gun_time_ms in milliseconds), places and status",
    key: 'id',
    columns: {
      id: 'bigint', event_id: 'bigint', race_id: 'bigint', entry_id: 'bigint', results_bib: 'text', results_first_name: 'text',
      results_last_name: 'text', results_sex: 'text', results_age: 'integer', results_hometown: 'text', results_state_code: 'text',
      results_country_code: 'text', results_time: 'interval', results_gun_time: 'interval', results_pace: 'interval',
      results_rank: 'integer', results_gender_rank: 'integer', results_bracket_rank: 'integer', results_bracket_name: 'text',
      results_primary_bracket_name: 'text', results_status: 'text', chip_time_ms: 'bigint', gun_time_ms: 'bigint',
    },
  },
  ct_splits: {
    description: "Split times of a result, in course order (split_time from the start)",
    key: 'split_id',
    columns: {
      split_id: 'bigint', result_id: 'bigint', entry_id: 'bigint', race_id: 'bigint', split_seq: 'integer', split_label: 'text',
      split_distance_m: 'numeric', split_time: 'interval', split_time_ms: 'bigint',
    },
  },
};

/** Many-to-one links: rows of `from` point at one row of `to` (`from.column = to.references`). */
export interface Relationship {
  from: string;
  column: string;
  to: string;
  references: string;
}

export const RELATIONSHIPS: readonly Relationship[] = [
  { from: 'ct_races', column: 'event_id', to: 'ct_events', references: 'event_id' },
  { from: 'ct_participants', column: 'event_id', to: 'ct_events', references: 'event_id' },
  { from: 'ct_participants', column: 'race_id', to: 'ct_races', references: 'race_id' },
  { from: 'ct_results', column: 'event_id', to: 'ct_events', references: 'event_id' },
  { from: 'ct_results', column: 'race_id', to: 'ct_races', references: 'race_id' },
  { from: 'ct_results', column: 'entry_id', to: 'ct_participants', references: 'entry_id' },
  { from: 'ct_splits', column: 'result_id', to: 'ct_results', references: 'id' },
  { from: 'ct_splits', column: 'race_id', to: 'ct_races', references: 'race_id' },
  { from: 'ct_splits', column: 'entry_id', to: 'ct_participants', references: 'entry_id' },
];

/** Casts `select=col::type` may name, and the SQL type each means. */
export const CASTS: Record<string, string> = {
  text: 'text', int: 'integer', int4: 'integer', integer: 'integer', bigint: 'bigint', int8: 'bigint',
  numeric: 'numeric', float: 'double precision', float8: 'double precision', real: 'real', date: 'date',
  timestamptz: 'timestamptz', timestamp: 'timestamp', interval: 'interval', json: 'json', jsonb: 'jsonb', boolean: 'boolean', bool: 'boolean',
};

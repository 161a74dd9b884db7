/**
 * The fields a display template can show, shared by the server (sanitizer, enrichment) and
 * the builder and display page in ui/ (src/shared's tsconfig checks that it stays free of
 * Node APIs and outside imports).
 *
 * A template marks where a value goes with an element attribute, never with text
 * placeholders: `<div data-p88-field="name">Runner Name</div>`. The sample text is what the
 * builder shows; the display page replaces every field's text with the runner's value (or
 * nothing) before the design becomes visible, so a raw placeholder can never reach a screen.
 */

export const TEMPLATE_FIELDS = [
  'bib',
  'name',
  'first_name',
  'last_name',
  'city_state',
  'city',
  'state',
  'country',
  'age',
  'gender',
  'division',
  'race',
  'wave',
  'team',
  /** The participant's custom message, else the next of the link's rotating messages. */
  'message',
  /** One of the link's server messages, picked at random by the server per runner. */
  'server_message',
  'time_of_day',
  'elapsed',
  'location',
  /** In a list row: the row's place (1 = newest in a finisher list, fastest in a leaderboard). */
  'rank',
  /** Idle design only: the link's idle messages, rotating. */
  'idle_message',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** Attribute naming the field an element shows. */
export const FIELD_ATTR = 'data-p88-field';
/** Attribute on text the display shrinks until it fits its box (long names). */
export const FIT_ATTR = 'data-p88-fit';

/**
 * List blocks: an element with LIST_ATTR ('recent': the last N finishers, newest on top;
 * 'leaderboard': the top N by elapsed time) holds one ROW_ATTR element with fields in it, which
 * the screen repeats once per finisher. ROWS_ATTR is N; a leaderboard shows only the runners of
 * LIST_FILTER_ATTRS' values when set (e.g. data-p88-gender="F" data-p88-race="10K").
 */
export const LIST_ATTR = 'data-p88-list';
export const LIST_KINDS = ['recent', 'leaderboard'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const ROW_ATTR = 'data-p88-row';
export const ROWS_ATTR = 'data-p88-rows';
export const LIST_FILTER_ATTRS = { race: 'data-p88-race', gender: 'data-p88-gender', division: 'data-p88-division' } as const;
/** Rows of a list: default and most. */
export const LIST_ROWS_DEFAULT = 10;
export const LIST_ROWS_MAX = 50;

/** The design resolution a 16:9 template is drawn at; screens scale it to fit. */
export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;

/** A template is drawn for a landscape (16:9, 1920×1080) or a portrait (9:16, 1080×1920) screen. */
export const TEMPLATE_FORMATS = ['landscape', 'portrait'] as const;
export type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

/** The design resolution of a template format. */
export function designSize(format: TemplateFormat): { width: number; height: number } {
  return format === 'portrait' ? { width: DESIGN_HEIGHT, height: DESIGN_WIDTH } : { width: DESIGN_WIDTH, height: DESIGN_HEIGHT };
}

/** Sample values the builder and previews show in place of a runner. */
export const SAMPLE_VALUES: Record<TemplateField, string> = {
  bib: '1234',
  name: 'Alexandra Montgomery',
  first_name: 'Alexandra',
  last_name: 'Montgomery',
  city_state: 'Boulder, CO',
  city: 'Boulder',
  state: 'CO',
  country: 'USA',
  age: '34',
  gender: 'F',
  division: 'F30-34',
  race: 'Marathon',
  wave: 'Wave 1',
  team: 'Front Range Striders',
  message: 'Go Alex, we are so proud of you!',
  server_message: 'Great job!',
  time_of_day: '10:42:17',
  elapsed: '3:12:45',
  location: 'FINISH',
  rank: '1',
  idle_message: 'Welcome to Race Display',
};

/** One side of a template: the runner design or the idle design. */
export interface TemplateDesign {
  html: string;
  css: string;
}

/**
 * What a screen is sent for one read (the stream's `runner`; built in src/display/runner.ts);
 * '' for what is unknown.
 */
export interface Runner {
  bib: string;
  first_name: string;
  last_name: string;
  name: string;
  city: string;
  state: string;
  country: string;
  city_state: string;
  age: string;
  gender: string;
  division: string;
  race: string;
  wave: string;
  team: string;
  /** The participant's own message ('' = the screen uses its rotating list). */
  message: string;
  server_message: string;
  location: string;
  /** Epoch ms of the read (the screen shows it as time of day, in its own zone). */
  readTimeMs: number;
  /** Since the session's latest gun before the read; null without a gun. */
  elapsedMs: number | null;
  /** No participant has this tag or bib. */
  unknown: boolean;
}

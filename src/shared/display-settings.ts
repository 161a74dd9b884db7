/**
 * Display settings as data: their shape, the seed's defaults and the limits. Import-free
 * (src/shared's tsconfig checks it), so the dashboard (ui/) uses the very same values as the
 * server's zod schema (display/settings.ts) without bundling zod.
 */

export const DROP_POLICIES = ['oldest', 'newest'] as const;
export const UNKNOWN_BIB = ['show-bib', 'hide'] as const;
export const ANIMATIONS = ['none', 'fade', 'slide'] as const;

export interface DisplaySettings {
  /** Minimum time a runner stays on screen (seed: 5 s). */
  minDisplayMs: number;
  /** Runners waiting per screen before the drop policy applies. */
  maxQueue: number;
  dropPolicy: (typeof DROP_POLICIES)[number];
  /** Reads of the same tag at the same location within this window show once. */
  repeatWindowMs: number;
  /** A read whose tag matches nobody on the roster: show the bib alone, or nothing. */
  unknownBib: (typeof UNKNOWN_BIB)[number];
  idleMessages: string[];
  /** The server picks one at random per runner (the "server message" block). */
  serverMessages: string[];
  /** Shown in the "custom message" block, in turn, for runners without a message of their own. */
  rotatingMessages: string[];
  sound: boolean;
  animation: (typeof ANIMATIONS)[number];
  /** Show only runners of these races (the roster's race: a 5K and a 10K on one finish mat); empty = every race. */
  races: string[];
  /** Show only runners of these waves; empty = every wave. */
  waves: string[];
}

export const DISPLAY_SETTINGS_DEFAULTS: Readonly<DisplaySettings> = Object.freeze({
  minDisplayMs: 5_000,
  maxQueue: 50,
  dropPolicy: 'oldest',
  repeatWindowMs: 30_000,
  unknownBib: 'show-bib',
  idleMessages: ['Welcome to Race Display', 'Real-time timing data', 'Live race results'],
  serverMessages: ['Great job!', 'Way to go!', 'Strong finish!'],
  rotatingMessages: [],
  sound: false,
  animation: 'fade',
  races: [],
  waves: [],
});

/** [min, max] of the numbers; most entries of the lists; longest message. */
export const DISPLAY_SETTINGS_LIMITS = {
  minDisplayMs: [500, 60_000],
  maxQueue: [1, 1_000],
  repeatWindowMs: [0, 3_600_000],
  idleMessages: 20,
  serverMessages: 50,
  rotatingMessages: 50,
  messageLength: 200,
  /** Races or waves a link filters on, and the longest name of one. */
  groups: 20,
  groupLength: 64,
} as const;

/** What else a link binds: its name, and its location filter. */
export const DISPLAY_LINK_LIMITS = {
  name: 100,
  locations: 50,
  locationLength: 16,
} as const;

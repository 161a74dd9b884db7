/**
 * Display settings in the dashboard: the defaults (the same as src/display/settings.ts, which
 * the UI does not import to keep zod out of the bundle) and the form's text representation.
 */
import type { DisplayLink, DisplaySettings } from './api';

export const DEFAULT_SETTINGS: DisplaySettings = {
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
};

/** Limits the server checks (settings.ts, display-links.routes.ts), checked here first for a clear message. */
export const LIMITS = {
  minDisplaySeconds: [0.5, 60],
  maxQueue: [1, 1_000],
  repeatWindowSeconds: [0, 3_600],
  idleMessages: 20,
  serverMessages: 50,
  rotatingMessages: 50,
  messageLength: 200,
  locations: 50,
  locationLength: 16,
  name: 100,
} as const;

/** A stored link's settings with every default filled in (older links may lack newer fields). */
export function settingsOf(link: Pick<DisplayLink, 'settings'> | null): DisplaySettings {
  return { ...DEFAULT_SETTINGS, ...(link?.settings ?? {}) };
}

/** One message per line; blank lines dropped. */
export function linesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Free-text locations: separated by commas or new lines, blanks and repeats dropped. */
export function locationsOf(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((l) => l.trim()).filter((l) => l !== ''))];
}

/** An ISO time as the value of an <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an <input type="datetime-local"> (local time) as ISO, or null when empty or invalid. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The public address of a link's screen. */
export function displayUrl(id: string): string {
  return `${window.location.origin}/d/${encodeURIComponent(id)}`;
}

/** Live, expired or revoked, as the list shows it. */
export function linkStatus(link: Pick<DisplayLink, 'revoked_at' | 'expires_at'>, now = Date.now()): 'live' | 'expired' | 'revoked' {
  if (link.revoked_at) return 'revoked';
  if (link.expires_at && new Date(link.expires_at).getTime() <= now) return 'expired';
  return 'live';
}

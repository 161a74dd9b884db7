/** Display settings in the dashboard: the server's defaults and limits, and the form's text representation. */
import {
  DISPLAY_LINK_LIMITS,
  DISPLAY_SETTINGS_DEFAULTS,
  DISPLAY_SETTINGS_LIMITS,
  type DisplaySettings,
} from '../../src/shared/display-settings';
import type { DisplayLink } from './api';

export const DEFAULT_SETTINGS: Readonly<DisplaySettings> = DISPLAY_SETTINGS_DEFAULTS;

/** The server's limits (src/shared/display-settings.ts), in the form's units, checked here first for a clear message. */
export const LIMITS = {
  minDisplaySeconds: [DISPLAY_SETTINGS_LIMITS.minDisplayMs[0] / 1000, DISPLAY_SETTINGS_LIMITS.minDisplayMs[1] / 1000],
  maxQueue: DISPLAY_SETTINGS_LIMITS.maxQueue,
  repeatWindowSeconds: [DISPLAY_SETTINGS_LIMITS.repeatWindowMs[0] / 1000, DISPLAY_SETTINGS_LIMITS.repeatWindowMs[1] / 1000],
  idleMessages: DISPLAY_SETTINGS_LIMITS.idleMessages,
  serverMessages: DISPLAY_SETTINGS_LIMITS.serverMessages,
  rotatingMessages: DISPLAY_SETTINGS_LIMITS.rotatingMessages,
  groups: DISPLAY_SETTINGS_LIMITS.groups,
  groupLength: DISPLAY_SETTINGS_LIMITS.groupLength,
  messageLength: DISPLAY_SETTINGS_LIMITS.messageLength,
  ...DISPLAY_LINK_LIMITS,
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

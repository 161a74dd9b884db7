/**
 * The display-link form's fields as typed (numbers and lists as text), where they start from,
 * and the check that turns them into what the API takes, or the first problem in words.
 */
import type { DisplayLink, DisplayLinkInput, DisplaySettings } from '../api';
import { LIMITS, fromLocalInput, linesOf, locationsOf, settingsOf, toLocalInput } from '../displaySettings';
import type { LinkPreset } from './preset';

export interface SettingsDraft {
  minSeconds: string;
  maxQueue: string;
  dropPolicy: DisplaySettings['dropPolicy'];
  repeatSeconds: string;
  unknownBib: DisplaySettings['unknownBib'];
  idleMessages: string;
  serverMessages: string;
  rotatingMessages: string;
  sound: boolean;
  animation: DisplaySettings['animation'];
  /** Comma separated. */
  races: string;
  waves: string;
}

export interface LinkDraft {
  name: string;
  /** '' = the default design. */
  templateId: string;
  /** '' = the template's current version. */
  templateVersion: string;
  /** '' = no roster. */
  rosterId: string;
  /** null = follow the active session. */
  sessionId: number | null;
  /** Locations ticked among the known ones. */
  checked: string[];
  /** Locations typed by hand (comma separated). */
  otherLocations: string;
  /** datetime-local value; '' = never expires. */
  expires: string;
  settings: SettingsDraft;
}

/** The form for a stored link (editing) or a new one (from its preset). */
export function draftOf(link: DisplayLink | null, preset: LinkPreset): LinkDraft {
  const initial = settingsOf(link);
  return {
    name: link?.name ?? '',
    templateId: link?.template_id ? String(link.template_id) : preset.templateId ? String(preset.templateId) : '',
    templateVersion: link?.template_version ? String(link.template_version) : '',
    rosterId: link?.roster_event_id ? String(link.roster_event_id) : '',
    sessionId: link ? link.session_id : (preset.sessionId ?? null),
    checked: link?.locations ?? [],
    otherLocations: '',
    expires: toLocalInput(link?.expires_at ?? null),
    settings: {
      minSeconds: String(initial.minDisplayMs / 1000),
      maxQueue: String(initial.maxQueue),
      dropPolicy: initial.dropPolicy,
      repeatSeconds: String(initial.repeatWindowMs / 1000),
      unknownBib: initial.unknownBib,
      idleMessages: initial.idleMessages.join('\n'),
      serverMessages: initial.serverMessages.join('\n'),
      rotatingMessages: initial.rotatingMessages.join('\n'),
      sound: initial.sound,
      animation: initial.animation,
      races: initial.races.join(', '),
      waves: initial.waves.join(', '),
    },
  };
}

/**
 * What the form sends, checked against the server's limits first for a clear message.
 * `initialExpiry` is the stored expiry as the form showed it: left unchanged, a past one is not refused.
 */
export function linkInputOf(draft: LinkDraft, initialExpiry: string): DisplayLinkInput | string {
  const numberIn = (text: string, [min, max]: readonly [number, number], what: string): number | string => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) return `${what} must be between ${min} and ${max}.`;
    return n;
  };
  const s = draft.settings;
  const min = numberIn(s.minSeconds, LIMITS.minDisplaySeconds, 'Minimum display time (seconds)');
  if (typeof min === 'string') return min;
  const queue = numberIn(s.maxQueue, LIMITS.maxQueue, 'Maximum queue');
  if (typeof queue === 'string') return queue;
  if (!Number.isInteger(queue)) return 'Maximum queue must be a whole number.';
  const repeat = numberIn(s.repeatSeconds, LIMITS.repeatWindowSeconds, 'Repeat window (seconds)');
  if (typeof repeat === 'string') return repeat;

  const messages: Array<[string, string[], number]> = [
    ['Idle messages', linesOf(s.idleMessages), LIMITS.idleMessages],
    ['Server messages', linesOf(s.serverMessages), LIMITS.serverMessages],
    ['Rotating messages', linesOf(s.rotatingMessages), LIMITS.rotatingMessages],
  ];
  for (const [what, list, max] of messages) {
    if (list.length > max) return `${what}: at most ${max}.`;
    const long = list.find((m) => m.length > LIMITS.messageLength);
    if (long) return `${what}: “${long.slice(0, 30)}…” is longer than ${LIMITS.messageLength} characters.`;
  }
  const locations = [...new Set([...draft.checked, ...locationsOf(draft.otherLocations)])];
  if (locations.length > LIMITS.locations) return `At most ${LIMITS.locations} locations.`;
  const longLocation = locations.find((l) => l.length > LIMITS.locationLength);
  if (longLocation) return `Location “${longLocation}” is longer than ${LIMITS.locationLength} characters.`;

  const races = locationsOf(s.races);
  const waves = locationsOf(s.waves);
  for (const [what, list] of [['Races', races], ['Waves', waves]] as const) {
    if (list.length > LIMITS.groups) return `${what}: at most ${LIMITS.groups}.`;
    const long = list.find((g) => g.length > LIMITS.groupLength);
    if (long) return `${what}: “${long.slice(0, 30)}…” is longer than ${LIMITS.groupLength} characters.`;
  }

  let expiresAt: string | null = null;
  if (draft.expires) {
    expiresAt = fromLocalInput(draft.expires);
    if (!expiresAt) return 'The expiry is not a valid date and time.';
    if (draft.expires !== initialExpiry && new Date(expiresAt).getTime() <= Date.now()) return 'The expiry must be in the future.';
  }
  const settings: DisplaySettings = {
    minDisplayMs: Math.round(min * 1000),
    maxQueue: queue,
    dropPolicy: s.dropPolicy,
    repeatWindowMs: Math.round(repeat * 1000),
    unknownBib: s.unknownBib,
    idleMessages: linesOf(s.idleMessages),
    serverMessages: linesOf(s.serverMessages),
    rotatingMessages: linesOf(s.rotatingMessages),
    sound: s.sound,
    animation: s.animation,
    races,
    waves,
  };
  return {
    name: draft.name.trim(),
    session_id: draft.sessionId,
    locations,
    settings,
    template_id: draft.templateId ? Number(draft.templateId) : null,
    template_version: draft.templateId && draft.templateVersion ? Number(draft.templateVersion) : null,
    roster_event_id: draft.rosterId ? Number(draft.rosterId) : null,
    expires_at: expiresAt,
  };
}

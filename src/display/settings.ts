/** Display settings a link carries: the server's schema over the shared defaults and limits. */
import { z } from 'zod';
import {
  ANIMATIONS,
  DISPLAY_SETTINGS_DEFAULTS as D,
  DISPLAY_SETTINGS_LIMITS as L,
  DROP_POLICIES,
  UNKNOWN_BIB,
  type DisplaySettings,
} from '../shared/display-settings.js';

export type { DisplaySettings } from '../shared/display-settings.js';

const messages = (most: number, defaults: readonly string[]) => z.array(z.string().max(L.messageLength)).max(most).default(() => [...defaults]);

export const displaySettingsSchema = z.object({
  minDisplayMs: z.number().int().min(L.minDisplayMs[0]).max(L.minDisplayMs[1]).default(D.minDisplayMs),
  maxQueue: z.number().int().min(L.maxQueue[0]).max(L.maxQueue[1]).default(D.maxQueue),
  dropPolicy: z.enum(DROP_POLICIES).default(D.dropPolicy),
  repeatWindowMs: z.number().int().min(L.repeatWindowMs[0]).max(L.repeatWindowMs[1]).default(D.repeatWindowMs),
  unknownBib: z.enum(UNKNOWN_BIB).default(D.unknownBib),
  idleMessages: messages(L.idleMessages, D.idleMessages),
  serverMessages: messages(L.serverMessages, D.serverMessages),
  rotatingMessages: messages(L.rotatingMessages, D.rotatingMessages),
  sound: z.boolean().default(D.sound),
  animation: z.enum(ANIMATIONS).default(D.animation),
  races: z.array(z.string().trim().min(1).max(L.groupLength)).max(L.groups).default(() => []),
  waves: z.array(z.string().trim().min(1).max(L.groupLength)).max(L.groups).default(() => []),
}) satisfies z.ZodType<DisplaySettings, unknown>;

/** Stored settings (possibly from an older version) with every default filled in. */
export function withDefaults(stored: unknown): DisplaySettings {
  const parsed = displaySettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : displaySettingsSchema.parse({});
}

/** Display settings a link carries, with the seed's defaults. */
import { z } from 'zod';

export const displaySettingsSchema = z.object({
  /** Minimum time a runner stays on screen (seed: 5 s). */
  minDisplayMs: z.number().int().min(500).max(60_000).default(5_000),
  /** Runners waiting per screen before the drop policy applies. */
  maxQueue: z.number().int().min(1).max(1_000).default(50),
  dropPolicy: z.enum(['oldest', 'newest']).default('oldest'),
  /** Reads of the same tag at the same location within this window show once. */
  repeatWindowMs: z.number().int().min(0).max(3_600_000).default(30_000),
  /** A read whose tag matches nobody on the roster: show the bib alone, or nothing. */
  unknownBib: z.enum(['show-bib', 'hide']).default('show-bib'),
  idleMessages: z
    .array(z.string().max(200))
    .max(20)
    .default(['Welcome to Race Display', 'Real-time timing data', 'Live race results']),
  /** The server picks one at random per runner (the "server message" block). */
  serverMessages: z.array(z.string().max(200)).max(50).default(['Great job!', 'Way to go!', 'Strong finish!']),
  /** Shown in the "custom message" block, in turn, for runners without a message of their own. */
  rotatingMessages: z.array(z.string().max(200)).max(50).default([]),
  sound: z.boolean().default(false),
  animation: z.enum(['none', 'fade', 'slide']).default('fade'),
});

export type DisplaySettings = z.infer<typeof displaySettingsSchema>;

/** Stored settings (possibly from an older version) with every default filled in. */
export function withDefaults(stored: unknown): DisplaySettings {
  const parsed = displaySettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : displaySettingsSchema.parse({});
}

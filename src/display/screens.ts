/**
 * What each open screen reports about itself (on screen now, its queue), for the operator
 * console. Screens post their state when it changes and every few seconds; a screen not
 * heard from for SCREEN_TTL_MS is gone. Held in the web process's memory: the state is
 * seconds old by nature and a restart loses nothing a screen will not resend within seconds.
 * (Several web processes behind one balancer would each see only their own screens.)
 */
import { z } from 'zod';

export const SCREEN_TTL_MS = 30_000;
const MAX_SCREENS_PER_LINK = 100;
const MAX_LINKS = 10_000;

const runnerSummary = z.object({ bib: z.string().max(32), name: z.string().max(200) });
export const screenReportSchema = z.object({
  on_screen: runnerSummary.nullable(),
  queue: z.array(runnerSummary).max(20).describe('The first runners waiting'),
  queue_length: z.number().int().min(0).max(100_000),
  dropped: z.number().int().min(0).max(1e9),
  shown: z.number().int().min(0).max(1e9),
});
export type ScreenReport = z.infer<typeof screenReportSchema>;

export interface ScreenState extends ScreenReport {
  screen_id: string;
  last_seen: Date;
}

export class ScreenPresence {
  private byLink = new Map<string, Map<string, ScreenState>>();

  constructor(private readonly now: () => number = Date.now) {}

  report(linkId: string, screenId: string, state: ScreenReport): void {
    let screens = this.byLink.get(linkId);
    if (!screens) {
      if (this.byLink.size >= MAX_LINKS) this.sweep();
      if (this.byLink.size >= MAX_LINKS) return;
      screens = new Map();
      this.byLink.set(linkId, screens);
    }
    if (!screens.has(screenId) && screens.size >= MAX_SCREENS_PER_LINK) {
      this.expire(screens);
      if (screens.size >= MAX_SCREENS_PER_LINK) return;
    }
    screens.set(screenId, { ...state, screen_id: screenId, last_seen: new Date(this.now()) });
  }

  list(linkId: string): ScreenState[] {
    const screens = this.byLink.get(linkId);
    if (!screens) return [];
    this.expire(screens);
    return [...screens.values()].sort((a, b) => a.screen_id.localeCompare(b.screen_id));
  }

  private expire(screens: Map<string, ScreenState>): void {
    const cutoff = this.now() - SCREEN_TTL_MS;
    for (const [id, s] of screens) if (s.last_seen.getTime() < cutoff) screens.delete(id);
  }

  private sweep(): void {
    for (const [link, screens] of this.byLink) {
      this.expire(screens);
      if (screens.size === 0) this.byLink.delete(link);
    }
  }
}

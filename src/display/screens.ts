/**
 * What each open screen reports about itself (on screen now, its queue), for the operator
 * console. Screens post their state when it changes and every few seconds; a screen not
 * heard from for SCREEN_TTL_MS is gone. Held in each web process's memory (the state is
 * seconds old by nature and a restart loses nothing a screen will not resend within
 * seconds), and shared between web processes over the bus: behind a balancer, the console
 * shows every screen, whichever process its reports reach.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Bus } from '../bus/bus.js';
import type { Logger } from '../log.js';

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

/** Internal topic (web processes only) of screens' reports. */
export const SCREEN_REPORTS_TOPIC = 'p88_screen_reports';
/** Reports are sent on the bus in batches, at most this often. */
const RELAY_EVERY_MS = 500;
/** Reports waiting for the bus, at most (it is away: the newest are dropped, screens resend). */
const MAX_PENDING = 5_000;

interface RelayedReport {
  /** The web process that took the report (it already holds it). */
  origin: string;
  linkId: string;
  screenId: string;
  state: ScreenReport;
}

/**
 * Keeps a report here at once and sends it, batched, to the other web processes; takes
 * theirs from the bus into the same presence.
 */
export class ScreenReportRelay {
  private readonly origin = randomUUID();
  private pending: RelayedReport[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stop: (() => Promise<void>) | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly bus: Bus,
    private readonly presence: ScreenPresence,
    private readonly log: Logger,
  ) {}

  /**
   * Listens for the other processes' reports. A bus that cannot be reached yet does not stop
   * the web process from starting: this process's own screens still show, and it tries again.
   */
  async start(): Promise<void> {
    try {
      const stop = await this.bus.subscribe<RelayedReport>(SCREEN_REPORTS_TOPIC, (items) => {
        for (const r of items) if (r.origin !== this.origin) this.presence.report(r.linkId, r.screenId, r.state);
      });
      if (this.closed) await stop();
      else this.stop = stop;
    } catch (err) {
      if (this.closed) return;
      this.log.warn({ err: String(err) }, 'screen reports of other web processes unavailable; retrying');
      this.retry = setTimeout(() => void this.start(), 5_000);
      this.retry.unref();
    }
  }

  report(linkId: string, screenId: string, state: ScreenReport): void {
    this.presence.report(linkId, screenId, state);
    if (this.pending.length >= MAX_PENDING) return;
    this.pending.push({ origin: this.origin, linkId, screenId, state });
    this.timer ??= setTimeout(() => this.flush(), RELAY_EVERY_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.stop?.().catch(() => undefined);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.bus.publish(SCREEN_REPORTS_TOPIC, batch).catch((err: unknown) => this.log.warn({ err: String(err) }, 'could not share screen reports'));
  }
}

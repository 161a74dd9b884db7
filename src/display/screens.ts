/**
 * What each open screen reports about itself (on screen now, its queue), for the operator
 * console. Screens post their state when it changes and every few seconds; a screen not
 * heard from for SCREEN_TTL_MS is gone. Held in each web process's memory (the state is
 * seconds old by nature and a restart loses nothing a screen will not resend within
 * seconds), and shared between web processes over the bus: behind a balancer, the console
 * shows every screen, whichever process its reports reach.
 *
 * A report counts only for a screen with an open stream (issue 12, finding 7: anyone could
 * fill a console with fake screens): the stream names its screen (`?screen=<id>`), the
 * process holding it announces it on the bus while it is open, and reports for a screen no
 * process has open are refused (404) and never listed.
 *
 * Operators name screens ("Finish TV left"): names are kept here too, keyed by link + screen
 * id and apart from the screen's state, so a screen that reconnects (a network blip, a link
 * change reloading it) keeps its name; they are shared over the bus like the reports. A screen
 * closing says so (a beacon on pagehide) and leaves the console at once; one that vanishes
 * without a word is gone SCREEN_TTL_MS after its last report.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Bus } from '../bus/bus.js';
import type { Logger } from '../log.js';

/** A screen not heard from this long is gone (screens report every 3 s). */
export const SCREEN_TTL_MS = 10_000;
const MAX_SCREENS_PER_LINK = 100;
const MAX_LINKS = 10_000;
/** A name whose screen has not reported for this long is forgotten (that page is long closed). */
const NAME_TTL_MS = 6 * 60 * 60 * 1000;
/** Names kept at most (each process), across links. */
const MAX_NAMES = 100_000;
export const SCREEN_NAME_MAX = 60;
/** A screen's id as its page makes it. */
export const SCREEN_ID = /^[0-9A-Za-z]{8,32}$/;

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
  /** What an operator named it; null until then. */
  name: string | null;
  last_seen: Date;
}

const streamKey = (linkId: string, screenId: string) => `${linkId}\u0000${screenId}`;

export class ScreenPresence {
  private byLink = new Map<string, Map<string, ScreenState>>();
  /** Streams open in this process, per screen (a screen may reconnect before its old stream closes). */
  private readonly local = new Map<string, number>();
  /** Streams other processes announced, with when they last did. */
  private readonly remote = new Map<string, number>();
  /** Operators' names of screens, with when the screen was last heard of. */
  private readonly names = new Map<string, { name: string; seen: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  streamOpened(linkId: string, screenId: string): void {
    const k = streamKey(linkId, screenId);
    this.local.set(k, (this.local.get(k) ?? 0) + 1);
  }

  streamClosed(linkId: string, screenId: string): void {
    const k = streamKey(linkId, screenId);
    const n = (this.local.get(k) ?? 0) - 1;
    if (n > 0) {
      this.local.set(k, n);
      return;
    }
    this.local.delete(k);
    if (!this.isOpen(linkId, screenId)) this.byLink.get(linkId)?.delete(screenId);
  }

  remoteOpened(linkId: string, screenId: string): void {
    const k = streamKey(linkId, screenId);
    if (!this.remote.has(k) && this.remote.size >= MAX_LINKS * 10) this.sweepRemote();
    this.remote.set(k, this.now());
  }

  remoteClosed(linkId: string, screenId: string): void {
    this.remote.delete(streamKey(linkId, screenId));
    if (!this.isOpen(linkId, screenId)) this.byLink.get(linkId)?.delete(screenId);
  }

  /** Whether some process holds an open stream of this screen. */
  isOpen(linkId: string, screenId: string): boolean {
    const k = streamKey(linkId, screenId);
    if ((this.local.get(k) ?? 0) > 0) return true;
    const at = this.remote.get(k);
    return at !== undefined && this.now() - at < SCREEN_TTL_MS;
  }

  /** The screens with a stream open here, for announcing them to the other processes. */
  localStreams(): Array<{ linkId: string; screenId: string }> {
    return [...this.local.keys()].map((k) => {
      const [linkId, screenId] = k.split('\u0000') as [string, string];
      return { linkId, screenId };
    });
  }

  /** Records a report; false (nothing kept) for a screen without an open stream or past the bounds. */
  report(linkId: string, screenId: string, state: ScreenReport): boolean {
    if (!this.isOpen(linkId, screenId)) return false;
    let screens = this.byLink.get(linkId);
    if (!screens) {
      if (this.byLink.size >= MAX_LINKS) this.sweep();
      if (this.byLink.size >= MAX_LINKS) return false;
      screens = new Map();
      this.byLink.set(linkId, screens);
    }
    if (!screens.has(screenId) && screens.size >= MAX_SCREENS_PER_LINK) {
      this.expire(screens);
      if (screens.size >= MAX_SCREENS_PER_LINK) return false;
    }
    const named = this.names.get(streamKey(linkId, screenId));
    if (named) named.seen = this.now();
    screens.set(screenId, { ...state, screen_id: screenId, name: named?.name ?? null, last_seen: new Date(this.now()) });
    return true;
  }

  /** Names a screen ('' takes the name away); it keeps the name while it reconnects. */
  rename(linkId: string, screenId: string, name: string): void {
    const k = streamKey(linkId, screenId);
    const clean = name.trim().slice(0, SCREEN_NAME_MAX);
    if (clean === '') this.names.delete(k);
    else {
      if (!this.names.has(k) && this.names.size >= MAX_NAMES) this.sweepNames();
      if (this.names.size >= MAX_NAMES) return;
      this.names.set(k, { name: clean, seen: this.now() });
    }
    const state = this.byLink.get(linkId)?.get(screenId);
    if (state) state.name = clean === '' ? null : clean;
  }

  /** A screen said it is closing: off the console now (its name stays, should it come back). */
  forget(linkId: string, screenId: string): void {
    this.byLink.get(linkId)?.delete(screenId);
    this.remote.delete(streamKey(linkId, screenId));
  }

  list(linkId: string): ScreenState[] {
    const screens = this.byLink.get(linkId);
    if (!screens) return [];
    this.expire(screens);
    return [...screens.values()].filter((x) => this.isOpen(linkId, x.screen_id)).sort((a, b) => a.screen_id.localeCompare(b.screen_id));
  }

  private sweepNames(): void {
    const cutoff = this.now() - NAME_TTL_MS;
    for (const [k, n] of this.names) if (n.seen < cutoff) this.names.delete(k);
  }

  private sweepRemote(): void {
    const cutoff = this.now() - SCREEN_TTL_MS;
    for (const [k, at] of this.remote) if (at < cutoff) this.remote.delete(k);
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

/** Every this often, each process announces the streams it holds (they expire after SCREEN_TTL_MS). */
const ANNOUNCE_EVERY_MS = SCREEN_TTL_MS / 3;

interface RelayedReport {
  /** The web process that took the report (it already holds it). */
  origin: string;
  /** A report (absent: older processes' messages), a stream opened / still open / closed, a screen named or gone. */
  kind?: 'report' | 'open' | 'close' | 'name' | 'gone';
  linkId: string;
  screenId: string;
  state?: ScreenReport;
  name?: string;
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
  private announcer: NodeJS.Timeout | undefined;
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
        for (const r of items) {
          if (r.origin === this.origin) continue;
          if (r.kind === 'open') this.presence.remoteOpened(r.linkId, r.screenId);
          else if (r.kind === 'close') this.presence.remoteClosed(r.linkId, r.screenId);
          else if (r.kind === 'name') this.presence.rename(r.linkId, r.screenId, r.name ?? '');
          else if (r.kind === 'gone') this.presence.forget(r.linkId, r.screenId);
          else if (r.state) this.presence.report(r.linkId, r.screenId, r.state);
        }
      });
      this.announcer ??= setInterval(() => {
        for (const s of this.presence.localStreams()) this.queue({ origin: this.origin, kind: 'open', ...s });
      }, ANNOUNCE_EVERY_MS);
      this.announcer.unref();
      if (this.closed) await stop();
      else this.stop = stop;
    } catch (err) {
      if (this.closed) return;
      this.log.warn({ err: String(err) }, 'screen reports of other web processes unavailable; retrying');
      this.retry = setTimeout(() => void this.start(), 5_000);
      this.retry.unref();
    }
  }

  /** Keeps and shares a report; false when no process has this screen's stream open. */
  report(linkId: string, screenId: string, state: ScreenReport): boolean {
    if (!this.presence.report(linkId, screenId, state)) return false;
    this.queue({ origin: this.origin, kind: 'report', linkId, screenId, state });
    return true;
  }

  list(linkId: string): ScreenState[] {
    return this.presence.list(linkId);
  }

  /** An operator named a screen (here and on every process). */
  rename(linkId: string, screenId: string, name: string): void {
    this.presence.rename(linkId, screenId, name);
    this.queue({ origin: this.origin, kind: 'name', linkId, screenId, name });
  }

  /** A screen is closing (its pagehide beacon): gone from every process's console. */
  forget(linkId: string, screenId: string): void {
    this.presence.forget(linkId, screenId);
    this.queue({ origin: this.origin, kind: 'gone', linkId, screenId });
  }

  /** A screen's stream opened in this process; the others learn it from the bus. */
  streamOpened(linkId: string, screenId: string): void {
    this.presence.streamOpened(linkId, screenId);
    this.queue({ origin: this.origin, kind: 'open', linkId, screenId });
  }

  streamClosed(linkId: string, screenId: string): void {
    this.presence.streamClosed(linkId, screenId);
    if (!this.presence.localStreams().some((s) => s.linkId === linkId && s.screenId === screenId)) {
      this.queue({ origin: this.origin, kind: 'close', linkId, screenId });
    }
  }

  private queue(r: RelayedReport): void {
    if (this.pending.length >= MAX_PENDING) return;
    this.pending.push(r);
    this.timer ??= setTimeout(() => this.flush(), RELAY_EVERY_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.announcer);
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

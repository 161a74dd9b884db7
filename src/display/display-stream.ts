/**
 * What display screens receive: the link's reads as runners (participant, elapsed time,
 * server message), live from the bus, after any a screen missed (Last-Event-ID replay from
 * the database), plus the operator's commands for the link. Every screen on a link gets every
 * read; the per-screen queue and minimum display time run on the screen itself.
 *
 * One LinkFeed per link (and binding) per process serves all of that link's screens: it
 * subscribes once, filters and enriches each read once, encodes the frames once and writes
 * the same bytes to every screen (200 screens × 1,000 reads/s must not mean 200 × the work),
 * and checks the link once per heartbeat for all of them.
 */
import { displayControlTopic, readsTopic, type Bus } from '../bus/bus.js';
import type { LiveRead } from '../bus/live-read.js';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { findActiveSession } from '../timing/timing.repo.js';
import { findPublicLink, readsAfter, type PublicLink } from './display-links.repo.js';
import { runnerOf, type Runner, type RunnerResolver } from './runner.js';
import { withDefaults, type DisplaySettings } from './settings.js';

/** The most a reconnecting screen is sent from the past; older reads are history, not news. */
export const MAX_REPLAY = 500;
/**
 * Frames a feed keeps in memory for reconnecting screens: a Last-Event-ID inside this window
 * is answered from memory, without a database query (issue 12, finding 2).
 */
export const RECENT_FRAMES = 2000;
/** How long one database replay's answer is shared with screens asking for the same id. */
const REPLAY_SHARE_MS = 1000;
/** Frames a replay builds between two turns of the event loop. */
const REPLAY_YIELD_EVERY = 50;

export interface DisplayRead {
  id: number;
  kind: 'tag' | 'gun';
  tag: string;
  location: string;
  readTimeMs: number;
  sessionId: number;
  /** Who crossed (null for gun events). */
  runner: Runner | null;
}

/** A command for every screen of one link, sent on the partner's display control topic. */
export type DisplayControl =
  | { linkId: string; type: 'clear' }
  | { linkId: string; type: 'reload' }
  | { linkId: string; type: 'show'; runner: Runner; test: boolean };

/** Shows a tag once per location within a window: a runner is read many times per crossing. */
export class RepeatFilter {
  private lastShown = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  accept(tag: string, location: string, atMs: number): boolean {
    if (this.windowMs === 0) return true;
    const key = `${location}\u0000${tag}`;
    const last = this.lastShown.get(key);
    if (last !== undefined && Math.abs(atMs - last) < this.windowMs) return false;
    this.lastShown.set(key, atMs);
    if (this.lastShown.size > 50_000) this.prune(atMs);
    return true;
  }

  private prune(nowMs: number): void {
    for (const [k, t] of this.lastShown) if (nowMs - t > this.windowMs) this.lastShown.delete(k);
  }
}

/**
 * The read ids a feed has already handled, the most recent `capacity` of them. A bus message
 * can come twice (a NOTIFY retried after its answer was lost); with no repeat window the
 * runner would show twice.
 */
export class RecentIds {
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];
  private next = 0;

  constructor(private readonly capacity = 20_000) {}

  /** True the first time an id is offered. */
  add(id: number): boolean {
    if (this.seen.has(id)) return false;
    if (this.order.length < this.capacity) this.order.push(id);
    else {
      this.seen.delete(this.order[this.next]!);
      this.order[this.next] = id;
      this.next = (this.next + 1) % this.capacity;
    }
    this.seen.add(id);
    return true;
  }
}

/** The SSE frame of a read: `id`, event type and JSON data. */
export function sseFrame(read: DisplayRead): string {
  return `id: ${read.id}\nevent: ${read.kind === 'gun' ? 'gun' : 'read'}\ndata: ${JSON.stringify(read)}\n\n`;
}

/** An SSE frame without an id: it must not move the screen's Last-Event-ID. */
export function controlFrame(c: DisplayControl): string {
  const data = c.type === 'show' ? { runner: c.runner, test: c.test } : {};
  return `event: ${c.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const HEARTBEAT = Buffer.from(': heartbeat\n\n');
const ENDED = 'event: ended\ndata: {}\n\n';
/** Last words to a screen when the process stops: its EventSource reconnects by itself. */
const RECONNECT = ': server stopping\n\n';

function pick(list: readonly string[]): string {
  return list.length === 0 ? '' : (list[Math.floor(Math.random() * list.length)] ?? '');
}

export interface StreamDeps {
  db: Database;
  bus: Bus;
  runners: RunnerResolver;
  heartbeatMs: number;
  /** Told the collector's receive time of each read handed to screens (the live delay metric). */
  onDelivered?: ((receivedAtMs: number) => void) | undefined;
}

/** Where a screen's bytes go (the HTTP response), and how it is ended. */
export interface ScreenSink {
  write(chunk: string | Buffer): void;
  end(last: string): void;
}

interface Frame {
  id: number;
  text: string;
}

/** A batch of frames for the link's screens: the frames, and all of them encoded once. */
interface Batch {
  frames: Frame[];
  bytes: Buffer;
}

/** How long a reconnected screen checks live reads against its replay (commits overlapping it). */
const REPLAY_OVERLAP_MS = 30_000;

/** One screen attached to a feed. */
class Screen {
  /** Live batches held back while the screen's replay is read from the database. */
  pending: Batch[] | null;
  /** Ids the replay sent, so a live copy of one is not sent again (null: nothing replayed). */
  private replayed: Set<number> | null = null;
  private replayedAt = 0;

  constructor(
    readonly sink: ScreenSink,
    replaying: boolean,
  ) {
    this.pending = replaying ? [] : null;
  }

  /** Notes what the replay sent. */
  replayedIds(ids: number[]): void {
    if (ids.length === 0) return;
    this.replayed = new Set(ids);
    this.replayedAt = Date.now();
  }

  /**
   * Sends a live batch. Read ids are not a delivery order: the collector's writers commit
   * concurrently, so a batch of lower ids can arrive after a higher one. Only reads the
   * replay already sent are skipped, never "everything below the last id".
   */
  send(batch: Batch): void {
    if (this.pending) {
      this.pending.push(batch);
      return;
    }
    const replayed = this.replayed;
    if (replayed && Date.now() - this.replayedAt > REPLAY_OVERLAP_MS) this.replayed = null;
    if (!replayed || !batch.frames.some((f) => replayed.has(f.id))) {
      this.sink.write(batch.bytes); // the usual case: the very bytes every screen gets
      return;
    }
    const text = batch.frames.filter((f) => !replayed.has(f.id)).map((f) => f.text).join('');
    if (text) this.sink.write(text);
  }
}

/** Everything the screens of one link, with one binding, share in this process. */
export class LinkFeed {
  private readonly screens = new Set<Screen>();
  private readonly settings: DisplaySettings;
  private readonly repeat: RepeatFilter;
  private readonly handled = new RecentIds();
  private stops: Array<() => Promise<void>> = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private ready: Promise<void> | undefined;
  private ended = false;
  /** Frames sent or replayed, oldest arrival first; every frame with id > floor is here. */
  private readonly recent: Frame[] = [];
  private readonly recentIds = new Set<number>();
  /** null: memory cannot answer any replay yet (a complete database replay sets it). */
  private floor: number | null = null;
  /** Database replays in flight or just answered, by the id they replay after. */
  private readonly replays = new Map<number, { at: number; frames: Promise<Frame[]> }>();
  /** Replays answered from memory and from the database (tests, bench). */
  readonly replayCounts = { memory: 0, database: 0, shared: 0 };

  constructor(
    private readonly deps: StreamDeps,
    readonly link: PublicLink,
    private readonly onEmpty: () => void,
  ) {
    this.settings = withDefaults(link.settings);
    this.repeat = new RepeatFilter(this.settings.repeatWindowMs);
  }

  /** Subscribes to the bus (once) and starts the shared heartbeat. */
  start(): Promise<void> {
    this.ready ??= (async () => {
      const { bus, runners } = this.deps;
      // Roster and gun times in memory before the first read (a link following the active
      // session loads that session's guns).
      const partnerId = this.link.partner_id;
      const sessionId = this.link.session_id ?? (await withPartner(this.deps.db, partnerId, async (tx) => (await findActiveSession(tx, partnerId))?.id ?? null).catch(() => null));
      await runners.prepare(partnerId, this.link.roster_event_id, sessionId);
      this.stops.push(await bus.subscribe<LiveRead>(readsTopic(this.link.partner_id), (items) => this.onReads(items), () => this.onGap()));
      this.stops.push(await bus.subscribe<DisplayControl>(displayControlTopic(this.link.partner_id), (items) => this.onControl(items)));
      this.heartbeat = setInterval(() => void this.beat(), this.deps.heartbeatMs);
    })().catch((err: unknown) => {
      this.ready = undefined; // the next screen tries again
      throw err;
    });
    return this.ready;
  }

  /** Attaches a screen: live reads from now on, after what it missed since lastEventId. */
  async attach(sink: ScreenSink, lastEventId: number | null): Promise<() => void> {
    const screen = new Screen(sink, lastEventId !== null);
    this.screens.add(screen);
    const detach = () => {
      if (this.screens.delete(screen) && this.screens.size === 0) void this.close();
    };
    try {
      await this.start();
      if (lastEventId !== null) {
        try {
          const missed = await this.missedSince(lastEventId);
          if (missed.length > 0) sink.write(missed.map((f) => f.text).join(''));
          screen.replayedIds(missed.map((f) => f.id));
        } finally {
          const pending = screen.pending ?? [];
          screen.pending = null;
          for (const b of pending) screen.send(b);
        }
      }
    } catch (err) {
      detach(); // the caller answers the screen with an error; nothing of it stays here
      throw err;
    }
    return detach;
  }

  private onReads(items: LiveRead[]): void {
    const frames: Frame[] = [];
    for (const item of items) {
      if (!this.handled.add(item.id)) continue;
      // The gun counts for elapsed times wherever it was fired (usually the start, which a
      // finish screen does not show).
      if (item.kind === 'gun') this.deps.runners.noteGun(item.sessionId, item.readTimeMs);
      if (!this.wanted(item.sessionId, item.location)) continue;
      if (item.kind === 'tag' && !this.repeat.accept(item.tag, item.location, item.readTimeMs)) continue;
      const frame = this.frame({ id: item.id, kind: item.kind, tag: item.tag, location: item.location, readTimeMs: item.readTimeMs, sessionId: item.sessionId });
      if (!frame) continue;
      frames.push(frame);
      if (this.screens.size > 0) this.deps.onDelivered?.(item.receivedAt);
    }
    if (frames.length === 0) return;
    for (const f of frames) this.remember(f);
    const batch = { frames, bytes: Buffer.from(frames.map((f) => f.text).join('')) };
    for (const s of this.screens) s.send(batch);
  }

  /** Keeps a frame for reconnecting screens; the oldest go past RECENT_FRAMES (raising the floor). */
  private remember(f: Frame): void {
    if (this.recentIds.has(f.id)) return;
    this.recent.push(f);
    this.recentIds.add(f.id);
    this.trim();
  }

  private trim(): void {
    if (this.recent.length <= RECENT_FRAMES * 1.25) return;
    const evicted = this.recent.splice(0, this.recent.length - RECENT_FRAMES);
    for (const e of evicted) {
      this.recentIds.delete(e.id);
      if (this.floor !== null && e.id > this.floor) this.floor = e.id;
    }
  }

  get screenCount(): number {
    return this.screens.size;
  }

  /** Whether a screen replaying after this id needs no database query. */
  canAnswer(afterId: number): boolean {
    if (this.floor !== null && afterId >= this.floor) return true;
    const shared = this.replays.get(afterId);
    return shared !== undefined && Date.now() - shared.at < REPLAY_SHARE_MS;
  }

  /**
   * What a reconnecting screen missed: from memory when the id is within it, else from the
   * database (one query shared by screens asking for the same id within REPLAY_SHARE_MS),
   * merged with the frames this feed has sent since (a shared answer may predate them).
   */
  private async missedSince(afterId: number): Promise<Frame[]> {
    let frames: Frame[];
    // Memory answers for a read it holds: it has every frame after the floor, and the frames
    // that arrived after that read (reads with a lower id committed later, among them).
    const at = this.floor !== null && afterId >= this.floor ? this.recent.findIndex((f) => f.id === afterId) : -1;
    if (at >= 0) {
      this.replayCounts.memory++;
      frames = this.recent.slice(at + 1);
    } else {
      const shared = this.replays.get(afterId);
      let pending: Promise<Frame[]>;
      if (shared && Date.now() - shared.at < REPLAY_SHARE_MS) {
        this.replayCounts.shared++;
        pending = shared.frames;
      } else {
        this.replayCounts.database++;
        pending = this.replay(afterId);
        this.replays.set(afterId, { at: Date.now(), frames: pending });
        if (this.replays.size > 32) for (const [k, v] of this.replays) if (Date.now() - v.at >= REPLAY_SHARE_MS) this.replays.delete(k);
        pending.catch(() => this.replays.delete(afterId));
      }
      frames = await pending;
    }
    const seen = new Set(frames.map((f) => f.id));
    const all = frames.concat(this.recent.filter((f) => f.id > afterId && !seen.has(f.id)));
    return all.sort((a, b) => a.id - b.id).slice(0, 2 * MAX_REPLAY);
  }

  /**
   * The bus lost its connection and has it back: reads published meanwhile never reached
   * this feed. Each screen is told to reload, and reconnects with its Last-Event-ID: the
   * replay from the database brings what it missed.
   */
  private onGap(): void {
    const bytes = Buffer.from(controlFrame({ linkId: this.link.id, type: 'reload' }));
    for (const s of this.screens) s.sink.write(bytes);
  }

  private onControl(items: DisplayControl[]): void {
    let text = '';
    for (const c of items) if (c.linkId === this.link.id) text += controlFrame(c);
    if (!text) return;
    const bytes = Buffer.from(text);
    for (const s of this.screens) s.sink.write(bytes);
  }

  private wanted(sessionId: number, location: string): boolean {
    if (this.link.session_id !== null && sessionId !== this.link.session_id) return false;
    return this.link.locations.length === 0 || this.link.locations.includes(location);
  }

  /** Enriches one read (participant, elapsed, server message); null = not shown (unknown bib hidden). */
  private frame(r: Omit<DisplayRead, 'runner'>): Frame | null {
    const { runners } = this.deps;
    if (r.kind === 'gun') return { id: r.id, text: sseFrame({ ...r, runner: null }) };
    const partnerId = this.link.partner_id;
    const participant = runners.match(partnerId, this.link.roster_event_id, r.tag);
    const runner = runnerOf(participant, r.tag, r.location, r.readTimeMs, runners.elapsed(partnerId, r.sessionId, r.readTimeMs), pick(this.settings.serverMessages));
    if (runner.unknown && this.settings.unknownBib === 'hide') return null;
    // Race and wave filters: a 5K screen and a 10K screen on the same finish mat.
    const { races, waves } = this.settings;
    if (races.length > 0 && !races.includes(runner.race)) return null;
    if (waves.length > 0 && !waves.includes(runner.wave)) return null;
    return { id: r.id, text: sseFrame({ ...r, runner }) };
  }

  /**
   * What a reconnecting screen missed, from the database (its own repeat filter: a fresh view).
   * A complete answer (under MAX_REPLAY reads) is kept in memory: every later screen replaying
   * after the same id or a later one is then answered from memory.
   */
  private async replay(afterId: number): Promise<Frame[]> {
    const link = this.link;
    const missed = await withPartner(this.deps.db, link.partner_id, async (tx) => {
      const sessionId = link.session_id ?? (await findActiveSession(tx, link.partner_id))?.id ?? null;
      return sessionId === null ? [] : readsAfter(tx, sessionId, afterId, link.locations, MAX_REPLAY);
    });
    // Elapsed times need the session's gun, which the replay (of this link's locations) may not hold.
    const sessions = [...new Set(missed.map((r) => r.session_id))];
    await Promise.all(sessions.map((id) => this.deps.runners.prepare(link.partner_id, null, id)));
    const repeat = new RepeatFilter(this.settings.repeatWindowMs);
    const frames: Frame[] = [];
    let n = 0;
    for (const r of missed) {
      // Cooperative: a replay of hundreds of reads must not hold the event loop for everyone.
      if (++n % REPLAY_YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (r.read_kind === 'tag' && !repeat.accept(r.tag_code, r.location_name, r.read_time.getTime())) continue;
      const f = this.frame({ id: r.id, kind: r.read_kind, tag: r.tag_code, location: r.location_name, readTimeMs: r.read_time.getTime(), sessionId: r.session_id });
      if (f) frames.push(f);
    }
    // Complete when the reads after the id were not cut (the overlap before it has its own bound).
    if (missed.filter((r) => r.id > afterId).length < MAX_REPLAY) {
      // Subscribed before the query: all frames after afterId are in this answer or live.
      const merged = frames.filter((f) => !this.recentIds.has(f.id));
      this.recent.unshift(...merged);
      for (const f of merged) this.recentIds.add(f.id);
      this.floor = this.floor === null ? afterId : Math.min(this.floor, afterId);
      this.trim();
    }
    return frames;
  }

  /** Keeps proxies from closing idle streams; ends every screen once the link is revoked or expired. */
  private async beat(): Promise<void> {
    let live = true;
    try {
      live = (await findPublicLink(this.deps.db, this.link.id)) !== null;
    } catch {
      // The database is away: keep the screens (they show what they have) and try next time.
    }
    if (live) {
      for (const s of this.screens) s.sink.write(HEARTBEAT);
      return;
    }
    for (const s of this.screens) s.sink.end(ENDED);
    this.screens.clear();
    await this.close();
  }

  /** Ends every screen (the process is shutting down: they reconnect elsewhere, replaying). */
  async shutdown(): Promise<void> {
    for (const s of this.screens) s.sink.end(RECONNECT);
    this.screens.clear();
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.onEmpty();
    await this.ready?.catch(() => undefined);
    await Promise.all(this.stops.map((stop) => stop().catch(() => undefined)));
  }
}

/**
 * The process's feeds, one per link and binding: a screen of a link changed meanwhile (its
 * screens were told to reload) gets a feed of the new binding, while the old one ends with
 * its last screen.
 */
export class DisplayFeeds {
  private feeds = new Map<string, LinkFeed>();

  constructor(private readonly deps: StreamDeps) {}

  /** Opens a screen's stream; returns the function that ends it. */
  async open(link: PublicLink, lastEventId: number | null, sink: ScreenSink): Promise<() => void> {
    const key = JSON.stringify(link);
    let feed = this.feeds.get(key);
    if (!feed) {
      const created = new LinkFeed(this.deps, link, () => {
        if (this.feeds.get(key) === created) this.feeds.delete(key);
      });
      this.feeds.set(key, created);
      feed = created;
    }
    return feed.attach(sink, lastEventId);
  }

  /** Ends every screen of every feed: shutdown must not wait for streams that never end. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.feeds.values()].map((f) => f.shutdown()));
    this.feeds.clear();
  }

  /** Screens connected to this process, over every feed. */
  get screenCount(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.screenCount;
    return n;
  }

  /** Whether a screen of this link replaying after lastEventId needs no database query. */
  canAnswer(link: PublicLink, lastEventId: number): boolean {
    return this.feeds.get(JSON.stringify(link))?.canAnswer(lastEventId) ?? false;
  }

  /** Replays answered from memory, shared, and from the database, over the live feeds. */
  replayCounts(): { memory: number; database: number; shared: number } {
    const out = { memory: 0, database: 0, shared: 0 };
    for (const f of this.feeds.values()) {
      out.memory += f.replayCounts.memory;
      out.database += f.replayCounts.database;
      out.shared += f.replayCounts.shared;
    }
    return out;
  }

  get size(): number {
    return this.feeds.size;
  }
}

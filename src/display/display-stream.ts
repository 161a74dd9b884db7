/**
 * What one display screen receives: the link's reads as runners (participant, elapsed time,
 * server message), live from the bus, after any it missed (Last-Event-ID replay from the
 * database), plus the operator's commands for the link. Every screen on a link gets every
 * read; the per-screen queue and minimum display time run on the screen itself.
 */
import { displayControlTopic, readsTopic, type Bus } from '../bus/bus.js';
import type { LiveRead } from '../collector/live-read.js';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { activeSessionId, readsAfter, type PublicLink } from './display-links.repo.js';
import { runnerOf, type Runner, type RunnerResolver } from './runner.js';
import { withDefaults, type DisplaySettings } from './settings.js';

/** The most a reconnecting screen is sent from the past; older reads are history, not news. */
export const MAX_REPLAY = 500;

export interface DisplayRead {
  id: number;
  kind: 'tag' | 'gun';
  tag: string;
  location: string;
  readTime: number;
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

/** The SSE frame of a read: `id`, event type and JSON data. */
export function sseFrame(read: DisplayRead): string {
  return `id: ${read.id}\nevent: ${read.kind === 'gun' ? 'gun' : 'read'}\ndata: ${JSON.stringify(read)}\n\n`;
}

/** An SSE frame without an id: it must not move the screen's Last-Event-ID. */
export function controlFrame(c: DisplayControl): string {
  const data = c.type === 'show' ? { runner: c.runner, test: c.test } : {};
  return `event: ${c.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function pick(list: readonly string[]): string {
  return list.length === 0 ? '' : (list[Math.floor(Math.random() * list.length)] ?? '');
}

type Framed = { read: DisplayRead; frame: string | null };

/**
 * Frames by bus item and link: every screen of a process receives the same item objects, so
 * a read is enriched and serialized once per link, not once per screen (200 screens × 1,000
 * reads/s). A null frame = the link does not show this read (unknown bib hidden).
 */
const framesByItem = new WeakMap<LiveRead, Map<string, Framed>>();

export interface StreamDeps {
  db: Database;
  bus: Bus;
  runners: RunnerResolver;
}

/** Enriches one read for a link (participant, elapsed, server message). */
function enrich(deps: StreamDeps, link: PublicLink, settings: DisplaySettings, r: Omit<DisplayRead, 'runner'>): Framed {
  if (r.kind === 'gun') {
    deps.runners.noteGun(r.sessionId, r.readTime);
    const read = { ...r, runner: null };
    return { read, frame: sseFrame(read) };
  }
  const participant = deps.runners.match(link.partner_id, link.roster_event_id, r.tag);
  const runner = runnerOf(participant, r.tag, r.location, r.readTime, deps.runners.elapsed(link.partner_id, r.sessionId, r.readTime), pick(settings.serverMessages));
  const read = { ...r, runner };
  return { read, frame: runner.unknown && settings.unknownBib === 'hide' ? null : sseFrame(read) };
}

/**
 * Starts a screen's stream: subscribes first, replays what it missed, then passes live reads
 * through (skipping any the replay already sent). `write` receives ready SSE text, one call
 * per bus message rather than per read (one socket write each). Returns the stop function.
 */
export async function openDisplayStream(
  deps: StreamDeps,
  link: PublicLink,
  lastEventId: number | null,
  write: (frames: string) => void,
): Promise<() => Promise<void>> {
  const settings = withDefaults(link.settings);
  const repeat = new RepeatFilter(settings.repeatWindowMs);
  const wantedLocation = (loc: string) => link.locations.length === 0 || link.locations.includes(loc);
  let lastSent = lastEventId ?? 0;
  /** Whether this screen shows the read (and notes it as sent). */
  const passes = (r: DisplayRead): boolean => {
    if (r.id <= lastSent) return false;
    if (link.session_id !== null && r.sessionId !== link.session_id) return false;
    if (!wantedLocation(r.location)) return false;
    lastSent = r.id;
    // Gun events always pass: screens need them for elapsed times.
    return r.kind === 'gun' || repeat.accept(r.tag, r.location, r.readTime);
  };
  const deliver = (items: Framed[]) => {
    let text = '';
    for (const { read, frame } of items) if (passes(read) && frame !== null) text += frame;
    if (text) write(text);
  };
  const framed = (item: LiveRead): Framed => {
    let byLink = framesByItem.get(item);
    if (!byLink) framesByItem.set(item, (byLink = new Map()));
    let f = byLink.get(link.id);
    if (!f) {
      f = enrich(deps, link, settings, { id: item.id, kind: item.kind, tag: item.tag, location: item.location, readTime: item.readTime, sessionId: item.sessionId });
      byLink.set(link.id, f);
    }
    return f;
  };

  await deps.runners.prepare(link.partner_id, link.roster_event_id, link.session_id);
  let buffered: LiveRead[] | null = lastEventId !== null ? [] : null;
  const stopReads = await deps.bus.subscribe<LiveRead>(readsTopic(link.partner_id), (items) => {
    if (buffered) buffered.push(...items);
    else deliver(items.map(framed));
  });
  const stopControl = await deps.bus.subscribe<DisplayControl>(displayControlTopic(link.partner_id), (items) => {
    let text = '';
    for (const c of items) if (c.linkId === link.id) text += controlFrame(c);
    if (text) write(text);
  });

  if (lastEventId !== null) {
    try {
      const missed = await withPartner(deps.db, link.partner_id, async (tx) => {
        const sessionId = link.session_id ?? (await activeSessionId(tx, link.partner_id));
        return sessionId === null ? [] : readsAfter(tx, sessionId, lastEventId, link.locations, MAX_REPLAY);
      });
      deliver(
        missed.map((r) =>
          enrich(deps, link, settings, { id: r.id, kind: r.read_kind, tag: r.tag_code, location: r.location_name, readTime: r.read_time.getTime(), sessionId: r.session_id }),
        ),
      );
    } finally {
      const pending = buffered ?? [];
      buffered = null;
      deliver(pending.map(framed));
    }
  }
  return async () => {
    await Promise.all([stopReads(), stopControl()]);
  };
}

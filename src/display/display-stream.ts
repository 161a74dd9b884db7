/**
 * What one display screen receives: the link's reads, live from the bus, after any it missed
 * (Last-Event-ID replay from the database). Every screen on a link gets every read; the
 * per-screen queue and minimum display time run on the screen itself.
 */
import { readsTopic, type Bus } from '../bus/bus.js';
import type { LiveRead } from '../collector/live-read.js';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { activeSessionId, readsAfter, type PublicLink } from './display-links.repo.js';
import { withDefaults } from './settings.js';

/** The most a reconnecting screen is sent from the past; older reads are history, not news. */
export const MAX_REPLAY = 500;

export interface DisplayRead {
  id: number;
  kind: 'tag' | 'gun';
  tag: string;
  location: string;
  readTime: number;
  sessionId: number;
}

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

/**
 * Frames by bus item: every screen of a process receives the same item objects, so a read
 * is serialized once, not once per screen (200 screens × 1,000 reads/s).
 */
const framesByItem = new WeakMap<LiveRead, { read: DisplayRead; frame: string }>();

function framed(item: LiveRead): { read: DisplayRead; frame: string } {
  let f = framesByItem.get(item);
  if (!f) {
    const read: DisplayRead = { id: item.id, kind: item.kind, tag: item.tag, location: item.location, readTime: item.readTime, sessionId: item.sessionId };
    f = { read, frame: sseFrame(read) };
    framesByItem.set(item, f);
  }
  return f;
}

/**
 * Starts a screen's stream: subscribes first, replays what it missed, then passes live reads
 * through (skipping any the replay already sent). `write` receives ready SSE text, one call
 * per bus message rather than per read (one socket write each). Returns the stop function.
 */
export async function openDisplayStream(
  deps: { db: Database; bus: Bus },
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
  const deliver = (items: Array<{ read: DisplayRead; frame: string }>) => {
    let text = '';
    for (const { read, frame } of items) if (passes(read)) text += frame;
    if (text) write(text);
  };

  let buffered: LiveRead[] | null = lastEventId !== null ? [] : null;
  const unsubscribe = await deps.bus.subscribe<LiveRead>(readsTopic(link.partner_id), (items) => {
    if (buffered) buffered.push(...items);
    else deliver(items.map(framed));
  });

  if (lastEventId !== null) {
    try {
      const missed = await withPartner(deps.db, link.partner_id, async (tx) => {
        const sessionId = link.session_id ?? (await activeSessionId(tx, link.partner_id));
        return sessionId === null ? [] : readsAfter(tx, sessionId, lastEventId, link.locations, MAX_REPLAY);
      });
      deliver(
        missed.map((r) => {
          const read: DisplayRead = { id: r.id, kind: r.read_kind, tag: r.tag_code, location: r.location_name, readTime: r.read_time.getTime(), sessionId: r.session_id };
          return { read, frame: sseFrame(read) };
        }),
      );
    } finally {
      const pending = buffered ?? [];
      buffered = null;
      deliver(pending.map(framed));
    }
  }
  return unsubscribe;
}

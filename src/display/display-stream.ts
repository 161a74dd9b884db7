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

/**
 * Starts a screen's stream: subscribes first, replays what it missed, then passes live reads
 * through (skipping any the replay already sent). Returns the function that stops it.
 */
export async function openDisplayStream(
  deps: { db: Database; bus: Bus },
  link: PublicLink,
  lastEventId: number | null,
  send: (read: DisplayRead) => void,
): Promise<() => Promise<void>> {
  const settings = withDefaults(link.settings);
  const repeat = new RepeatFilter(settings.repeatWindowMs);
  const wantedLocation = (loc: string) => link.locations.length === 0 || link.locations.includes(loc);
  let lastSent = lastEventId ?? 0;
  const deliver = (r: DisplayRead) => {
    if (r.id <= lastSent) return;
    if (link.session_id !== null && r.sessionId !== link.session_id) return;
    if (!wantedLocation(r.location)) return;
    lastSent = r.id;
    // Gun events always pass: screens need them for elapsed times.
    if (r.kind === 'tag' && !repeat.accept(r.tag, r.location, r.readTime)) return;
    send(r);
  };

  let buffered: DisplayRead[] | null = lastEventId !== null ? [] : null;
  const unsubscribe = await deps.bus.subscribe<LiveRead>(readsTopic(link.partner_id), (items) => {
    for (const r of items) {
      const read: DisplayRead = { id: r.id, kind: r.kind, tag: r.tag, location: r.location, readTime: r.readTime, sessionId: r.sessionId };
      if (buffered) buffered.push(read);
      else deliver(read);
    }
  });

  if (lastEventId !== null) {
    try {
      const missed = await withPartner(deps.db, link.partner_id, async (tx) => {
        const sessionId = link.session_id ?? (await activeSessionId(tx, link.partner_id));
        return sessionId === null ? [] : readsAfter(tx, sessionId, lastEventId, link.locations, MAX_REPLAY);
      });
      for (const r of missed) {
        deliver({ id: r.id, kind: r.read_kind, tag: r.tag_code, location: r.location_name, readTime: r.read_time.getTime(), sessionId: r.session_id });
      }
    } finally {
      const pending = buffered ?? [];
      buffered = null;
      pending.forEach(deliver);
    }
  }
  return unsubscribe;
}

/**
 * From a read to the runner a screen shows: the participant (tag, else bib) from the link's
 * roster, the elapsed time since the session's gun, and a server message. The display page
 * formats and places these values; nothing here is HTML.
 *
 * The hot path (200 screens × 1,000 reads/s) never queries: rosters and gun times are held
 * in memory per process, shared by every link and screen, and refreshed in the background
 * when the roster's updated_at moves (checked at most every ROSTER_CHECK_MS).
 */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { eventUpdatedAt } from '../rosters/roster.repo.js';
import type { Participant } from '../rosters/roster.schemas.js';
import { RosterMatcher } from '../rosters/roster-matcher.js';
import { Rosters } from '../rosters/roster.service.js';
import type { Runner } from '../shared/template-fields.js';
import { gunTimes } from '../timing/timing.repo.js';

export type { Runner };

export const ROSTER_CHECK_MS = 2_000;


const text = z.string();
/** Runner as an API response (the operator console's "show bib" answer). */
export const runnerSchema = z.object({
  bib: text, first_name: text, last_name: text, name: text, city: text, state: text, country: text, city_state: text,
  age: text, gender: text, division: text, race: text, wave: text, team: text, message: text, server_message: text,
  location: text, readTimeMs: z.number(), elapsedMs: z.number().nullable(), unknown: z.boolean(),
}) satisfies z.ZodType<Runner>;

export function runnerOf(p: Participant | undefined, tag: string, location: string, readTimeMs: number, elapsedMs: number | null, serverMessage: string): Runner {
  const first = p?.first_name ?? '';
  const last = p?.last_name ?? '';
  const city = p?.city ?? '';
  const state = p?.state ?? '';
  return {
    bib: p?.bib ?? tag,
    first_name: first,
    last_name: last,
    name: [first, last].filter(Boolean).join(' '),
    city,
    state,
    country: p?.country ?? '',
    city_state: [city, state].filter(Boolean).join(', '),
    age: p?.age === null || p?.age === undefined ? '' : String(p.age),
    gender: p && p.gender !== 'U' ? p.gender : '',
    division: p?.division ?? '',
    race: p?.race ?? '',
    wave: p?.wave ?? '',
    team: p?.team ?? '',
    message: p?.custom_message ?? '',
    server_message: serverMessage,
    location,
    readTimeMs,
    elapsedMs,
    unknown: p === undefined,
  };
}

interface CachedRoster {
  matcher: RosterMatcher | null;
  loading: Promise<void> | null;
  checkedAt: number;
  updatedAt: number;
}

/** Process-wide roster and gun-time caches for display streams. */
export class RunnerResolver {
  private rosters = new Map<string, CachedRoster>();
  /** Gun times per session, ascending epoch ms (live ones, and the stored ones once loaded). */
  private guns = new Map<number, number[]>();
  private gunsLoaded = new Set<number>();
  private gunLoads = new Map<number, Promise<void>>();

  private readonly rosterSource: Rosters;

  constructor(private readonly db: Database) {
    this.rosterSource = new Rosters(db);
  }

  /** Loads what a stream needs before its first read (roster and gun times). */
  async prepare(partnerId: number, eventId: number | null, sessionId: number | null): Promise<void> {
    await Promise.all([eventId === null ? null : this.roster(partnerId, eventId, true), sessionId === null ? null : this.loadGuns(partnerId, sessionId)]);
  }

  /** The participant for a tag, from memory; starts a background check if the roster may have changed. */
  match(partnerId: number, eventId: number | null, tag: string): Participant | undefined {
    if (eventId === null) return undefined;
    const entry = this.rosters.get(`${partnerId}:${eventId}`);
    void this.roster(partnerId, eventId, false);
    return entry?.matcher?.match(tag);
  }

  /** A gun event seen live (idempotent); counts before the session's stored guns are loaded. */
  noteGun(sessionId: number, atMs: number): void {
    const list = this.guns.get(sessionId) ?? [];
    if (list.includes(atMs)) return;
    list.push(atMs);
    list.sort((a, b) => a - b);
    this.guns.set(sessionId, list);
  }

  /** Elapsed since the latest gun at or before the read; loads the session's stored guns on first use. */
  elapsed(partnerId: number, sessionId: number, readTimeMs: number): number | null {
    if (!this.gunsLoaded.has(sessionId)) void this.loadGuns(partnerId, sessionId);
    let gun: number | null = null;
    for (const g of this.guns.get(sessionId) ?? []) if (g <= readTimeMs) gun = g;
    return gun === null ? null : readTimeMs - gun;
  }

  private loadGuns(partnerId: number, sessionId: number): Promise<void> {
    if (this.gunsLoaded.has(sessionId)) return Promise.resolve();
    let loading = this.gunLoads.get(sessionId);
    if (!loading) {
      loading = withPartner(this.db, partnerId, (tx) => gunTimes(tx, sessionId))
        .then((times) => {
          for (const t of times) this.noteGun(sessionId, t);
          this.gunsLoaded.add(sessionId);
        })
        // Without gun times a runner shows no elapsed time; the next read tries again. (An
        // unhandled rejection here would end the web process.)
        .catch(() => undefined)
        .finally(() => this.gunLoads.delete(sessionId));
      this.gunLoads.set(sessionId, loading);
    }
    return loading;
  }

  /** Loads the roster, or re-checks its updated_at when the last check is old enough. */
  private roster(partnerId: number, eventId: number, wait: boolean): Promise<void> {
    const key = `${partnerId}:${eventId}`;
    let entry = this.rosters.get(key);
    if (!entry) {
      entry = { matcher: null, loading: null, checkedAt: 0, updatedAt: -1 };
      this.rosters.set(key, entry);
    }
    const e = entry;
    if (e.loading) return wait ? e.loading : Promise.resolve();
    if (Date.now() - e.checkedAt < ROSTER_CHECK_MS && e.matcher) return Promise.resolve();
    e.checkedAt = Date.now();
    e.loading = (async () => {
      const updatedAt = (await withPartner(this.db, partnerId, (tx) => eventUpdatedAt(tx, eventId)))?.getTime();
      if (updatedAt === undefined) {
        e.matcher = null; // deleted, or not this partner's: nobody matches
        return;
      }
      if (updatedAt !== e.updatedAt || !e.matcher) {
        e.matcher = await RosterMatcher.load(this.rosterSource, partnerId, eventId);
        e.updatedAt = updatedAt;
      }
    })()
      .catch(() => undefined) // keep the last roster; the next check tries again
      .finally(() => {
        e.loading = null;
      });
    return wait ? e.loading : Promise.resolve();
  }
}

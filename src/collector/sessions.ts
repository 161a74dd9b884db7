/**
 * Finds (or creates) each partner's active session. Reads route to it by the connection's
 * partner; the seed instead made one global session per process start.
 */
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { formatInZone, localDate } from '../time-zone.js';
import { findActiveSession, type ActiveSession } from '../timing/timing.repo.js';
import { createActiveSession, findSession } from './collector.repo.js';

const CACHE_MS = 5_000;

export class SessionResolver {
  private cache = new Map<number, { session: ActiveSession; at: number }>();
  private inflight = new Map<number, Promise<ActiveSession>>();
  /** Zone and date by session id; they do not change while reads are being written. */
  private byId = new Map<number, ActiveSession>();

  constructor(
    private readonly db: Database,
    private readonly nameFormat: string,
    private readonly timezone: string,
  ) {}

  /**
   * The partner's active session, created as `Session_%Y%m%d_%H%M%S` when there is none.
   * Once known, it is answered from memory and re-checked in the background every 5 s: a
   * batch of reads never waits for that query (it did, and it was a visible share of the
   * display latency's tail). A session switch reaches new reads within about 5 s.
   */
  async active(partnerId: number): Promise<ActiveSession> {
    const hit = this.cache.get(partnerId);
    if (hit) {
      if (Date.now() - hit.at >= CACHE_MS) this.refresh(partnerId).catch(() => undefined); // stays as it is until the database answers
      return hit.session;
    }
    return this.refresh(partnerId);
  }

  private refresh(partnerId: number): Promise<ActiveSession> {
    let p = this.inflight.get(partnerId);
    if (!p) {
      p = this.load(partnerId).finally(() => this.inflight.delete(partnerId));
      this.inflight.set(partnerId, p);
    }
    return p;
  }

  /** A session's clock (zone, event date) by id. */
  async session(partnerId: number, sessionId: number): Promise<ActiveSession> {
    const known = this.byId.get(sessionId);
    if (known) return known;
    const found = await withPartner(this.db, partnerId, (tx) => findSession(tx, sessionId));
    if (!found) throw new Error(`session ${sessionId} does not exist`);
    this.byId.set(found.id, found);
    return found;
  }

  /** A cached session id without touching the database (null if unknown). */
  cached(partnerId: number): number | null {
    return this.cache.get(partnerId)?.session.id ?? null;
  }

  private async load(partnerId: number): Promise<ActiveSession> {
    const now = new Date();
    const session = await withPartner(
      this.db,
      partnerId,
      async (tx) =>
        (await findActiveSession(tx, partnerId)) ??
        createActiveSession(tx, {
          partnerId,
          name: formatInZone(now, this.nameFormat, this.timezone),
          timezone: this.timezone,
          eventDate: localDate(now, this.timezone),
        }),
    );
    this.cache.set(partnerId, { session, at: Date.now() });
    this.byId.set(session.id, session);
    return session;
  }
}

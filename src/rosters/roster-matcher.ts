/**
 * One event's roster in memory for the display's hot path (200 screens × 1,000 reads/s):
 * tag → participant, else bib → participant, with no query per read. Call refresh() after an
 * import or edit.
 */
import type { Rosters } from './roster.service.js';
import type { Participant } from './roster.schemas.js';

export class RosterMatcher {
  private byTag = new Map<string, Participant>();
  private byBib = new Map<string, Participant>();
  private loading: Promise<void> | undefined;
  /** When the roster was last loaded (undefined before the first load). */
  loadedAt: Date | undefined;

  constructor(
    private readonly rosters: Pick<Rosters, 'participantsOf'>,
    readonly partnerId: number,
    readonly eventId: number,
  ) {}

  /** A matcher with the roster loaded (404 when the event is not the partner's). */
  static async load(rosters: Pick<Rosters, 'participantsOf'>, partnerId: number, eventId: number): Promise<RosterMatcher> {
    const m = new RosterMatcher(rosters, partnerId, eventId);
    await m.refresh();
    return m;
  }

  /** Reloads the roster; concurrent calls share one load. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const rows = await this.rosters.participantsOf(this.partnerId, this.eventId);
    const byTag = new Map<string, Participant>();
    const byBib = new Map<string, Participant>();
    // In id order: the lowest id wins a tag two participants share, as in the database lookup.
    // Built aside and swapped in whole (every web process rebuilds it after a roster edit).
    for (const p of rows) {
      for (const t of p.tags) if (!byTag.has(t)) byTag.set(t, p);
      byBib.set(p.bib, p);
    }
    this.byTag = byTag;
    this.byBib = byBib;
    this.loadedAt = new Date();
  }

  match(tag: string): Participant | undefined {
    const t = tag.trim();
    return this.byTag.get(t) ?? this.byBib.get(t);
  }

  get size(): number {
    return this.byBib.size;
  }
}

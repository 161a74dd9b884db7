/**
 * The finishers a screen's list blocks draw from: every runner who crossed, newest first (the
 * "last N finishers" list), and each runner's best elapsed time (the leaderboard, top N by
 * elapsed time, optionally of one race, gender or division). Pure, so it is tested without a
 * browser; the stage clones the template's row once per entry.
 */
import type { ListKind, Runner } from '../../../src/shared/template-fields.js';

export interface ListFilter {
  race?: string;
  gender?: string;
  division?: string;
}

/** The most finishers kept for the recent list (more than any list shows). */
const RECENT_KEEP = 200;

export class FinisherBoard {
  /**
   * Newest crossing first; one entry per bib (a runner read again later moves up). Ordered by
   * read time, not arrival: two ingest writers commit concurrently, so a screen can receive a
   * read a moment after one that crossed after it.
   */
  private recent: Runner[] = [];
  /** Best (lowest) elapsed time per bib, for the leaderboard. */
  private best = new Map<string, Runner>();

  /** A runner crossed. */
  add(r: Runner): void {
    const others = this.recent.filter((x) => x.bib !== r.bib);
    const at = others.findIndex((x) => x.readTimeMs <= r.readTimeMs);
    others.splice(at === -1 ? others.length : at, 0, r);
    this.recent = others.slice(0, RECENT_KEEP);
    if (r.elapsedMs === null) return;
    const known = this.best.get(r.bib);
    if (!known || known.elapsedMs === null || r.elapsedMs < known.elapsedMs) this.best.set(r.bib, r);
  }

  clear(): void {
    this.recent = [];
    this.best.clear();
  }

  rows(kind: ListKind, n: number, filter: ListFilter = {}): Runner[] {
    if (kind === 'recent') return this.recent.slice(0, n);
    const wanted = (r: Runner) =>
      (!filter.race || r.race === filter.race) && (!filter.gender || r.gender === filter.gender) && (!filter.division || r.division === filter.division);
    return [...this.best.values()]
      .filter(wanted)
      .sort((a, b) => a.elapsedMs! - b.elapsedMs! || a.readTimeMs - b.readTimeMs || a.bib.localeCompare(b.bib))
      .slice(0, n);
  }
}

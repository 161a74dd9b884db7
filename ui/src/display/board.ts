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

/**
 * Reads arriving this close together are put in crossing order; a read arriving later than
 * that goes on top whatever its time. Two ingest writers commit concurrently, so a screen can
 * receive a read a moment after one that crossed after it (the pair must not show swapped);
 * but a read that comes long after its crossing (a timing box sending what it buffered while
 * cut off) is news to the screen, and sorting it under older rows would hide it from a
 * "last N" list altogether.
 */
export const CROSSING_ORDER_WINDOW_MS = 2_000;

export class FinisherBoard {
  /** Newest first (see CROSSING_ORDER_WINDOW_MS); one entry per bib (a runner read again moves up). */
  private recent: Array<{ runner: Runner; arrivedAt: number }> = [];
  /** Best (lowest) elapsed time per bib, for the leaderboard. */
  private best = new Map<string, Runner>();

  /** A runner crossed; nowMs is when the screen received it. */
  add(r: Runner, nowMs: number = Date.now()): void {
    const others = this.recent.filter((x) => x.runner.bib !== r.bib);
    // Below the rows that arrived just now and crossed after it; above everything else.
    let at = 0;
    while (at < others.length && others[at]!.arrivedAt > nowMs - CROSSING_ORDER_WINDOW_MS && others[at]!.runner.readTimeMs > r.readTimeMs) at++;
    others.splice(at, 0, { runner: r, arrivedAt: nowMs });
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
    if (kind === 'recent') return this.recent.slice(0, n).map((x) => x.runner);
    const wanted = (r: Runner) =>
      (!filter.race || r.race === filter.race) && (!filter.gender || r.gender === filter.gender) && (!filter.division || r.division === filter.division);
    return [...this.best.values()]
      .filter(wanted)
      .sort((a, b) => a.elapsedMs! - b.elapsedMs! || a.readTimeMs - b.readTimeMs || a.bib.localeCompare(b.bib))
      .slice(0, n);
  }
}

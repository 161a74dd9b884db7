/**
 * The emission schedule of one connection: which locations the server has started, where each
 * stream stands, and which line is due next on the race clock. Push mode takes the earliest due
 * line across started streams, so lines go out in time order whatever the location; pull mode
 * (`getdata`) reads from its own cursors. Nothing here touches a socket.
 */
import type { LocationProgress } from './location-progress.js';
import { LineRenderer, type Race, type TagFormat } from './race.js';
import type { TimeFormat } from '../ctp01/index.js';

export interface Stream {
  loc: LocationProgress;
  /** Index into the location's observations of the next line to send. */
  next: number;
  render: LineRenderer;
}

export interface LineFormat {
  timeFormat: TimeFormat;
  tagFormat: TagFormat;
  /** guntimes=true was negotiated: guntime lines are sent, else skipped. */
  guntimes: boolean;
}

export class EmissionSchedule {
  private streams: Stream[] = [];
  private readonly pullCursor = new Map<string, number>();

  constructor(
    private readonly race: Race,
    private readonly format: LineFormat,
  ) {}

  /** Streams `loc` from `fromSeq` (restarting an existing stream there). */
  start(loc: LocationProgress, fromSeq: number): void {
    const existing = this.streams.find((s) => s.loc === loc);
    if (existing) existing.next = fromSeq - 1;
    else this.streams.push({ loc, next: fromSeq - 1, render: new LineRenderer(this.race, this.format.timeFormat, this.format.tagFormat) });
  }

  /** Stops one location's stream, or every stream. */
  stop(location?: string): void {
    this.streams = location === undefined ? [] : this.streams.filter((s) => s.loc.name !== location);
  }

  /** The started stream whose next line is earliest and due by `limit` (race ms), skipping unwanted guntimes. */
  nextDue(limit: number): Stream | null {
    let best: Stream | null = null;
    let bestMs = Infinity;
    for (const s of this.streams) {
      const obs = s.loc.track.observations;
      while (!this.format.guntimes && s.next < obs.length && obs[s.next]!.tag === 'guntime') s.next++;
      const o = obs[s.next];
      if (o && o.raceMs <= limit && o.raceMs < bestMs) {
        best = s;
        bestMs = o.raceMs;
      }
    }
    return best;
  }

  /** Race ms of the earliest line still to send on any started stream (Infinity when none). */
  earliestPending(): number {
    let earliest = Infinity;
    for (const s of this.streams) {
      const o = s.loc.track.observations[s.next];
      if (o && o.raceMs < earliest) earliest = o.raceMs;
    }
    return earliest;
  }

  /** Sets where pull mode reads a location from (`getdata~n~loc~seq`). */
  seekPull(location: string, fromSeq: number): void {
    this.pullCursor.set(location, Math.max(0, fromSeq - 1));
  }

  /**
   * Pull mode: up to `max` due lines from `targets`, each location from its own cursor; calls
   * onSent for every line taken.
   */
  pull(targets: LocationProgress[], max: number, limit: number, onSent: (loc: LocationProgress, seq: number) => void): string[] {
    const out: string[] = [];
    let left = max;
    for (const loc of targets) {
      const render = new LineRenderer(this.race, this.format.timeFormat, this.format.tagFormat);
      const obs = loc.track.observations;
      let i = this.pullCursor.get(loc.name) ?? 0;
      for (; left > 0 && i < obs.length; i++) {
        const o = obs[i]!;
        if (o.raceMs > limit) break;
        if (!this.format.guntimes && o.tag === 'guntime') continue;
        out.push(render.line(o));
        onSent(loc, o.sequence);
        left--;
      }
      this.pullCursor.set(loc.name, i);
    }
    return out;
  }
}

/**
 * What a simulated controller knows about one location's stream: which sequences it has
 * written, which the server said it holds (a `start~loc~seq` acknowledges 1..seq-1), and the
 * counters reported in its stats. "Covered" (sent or acknowledged) is what completion counts.
 */
import type { LocationTrack } from './race.js';

export interface LocationStats {
  observations: number;
  /** Tag lines written, resends included. */
  sent: number;
  /** Distinct sequences written at least once. */
  uniqueSent: number;
  highestSent: number;
  /** The seq of the server's latest `start` for this location (1 for a start without seq). */
  lastStartFrom: number | null;
  /** Highest seq the server has said it holds (its highest start seq − 1). */
  acknowledged: number;
  starts: number;
  online: boolean;
}

export class LocationProgress {
  online = false;
  everStarted = false;
  readonly stats: LocationStats;
  private readonly sentFlags: Uint8Array;
  private readonly covered: Uint8Array;
  private coveredCount = 0;
  private uncoveredGuntimes: number;

  constructor(readonly track: LocationTrack) {
    this.sentFlags = new Uint8Array(track.observations.length + 1);
    this.covered = new Uint8Array(track.observations.length + 1);
    this.uncoveredGuntimes = track.observations.filter((o) => o.tag === 'guntime').length;
    this.stats = {
      observations: track.observations.length, sent: 0, uniqueSent: 0, highestSent: 0,
      lastStartFrom: null, acknowledged: 0, starts: 0, online: false,
    };
  }

  get name(): string {
    return this.track.name;
  }

  markOnline(): void {
    this.online = true;
    this.stats.online = true;
  }

  /** The server asked for this location from `fromSeq`: everything before it is acknowledged. */
  started(fromSeq: number): void {
    this.everStarted = true;
    this.stats.starts++;
    this.stats.lastStartFrom = fromSeq;
    this.acknowledge(fromSeq - 1);
  }

  recordSent(seq: number): void {
    const st = this.stats;
    st.sent++;
    if (this.sentFlags[seq] === 0) {
      this.sentFlags[seq] = 1;
      st.uniqueSent++;
      this.cover(seq);
    }
    if (seq > st.highestSent) st.highestSent = seq;
  }

  /** Every observation is covered; a guntime the server did not ask for (guntimes=false) counts as done. */
  complete(guntimesWanted: boolean): boolean {
    return this.coveredCount + (guntimesWanted ? 0 : this.uncoveredGuntimes) >= this.stats.observations;
  }

  private acknowledge(upTo: number): void {
    const last = Math.min(upTo, this.stats.observations);
    for (let seq = this.stats.acknowledged + 1; seq <= last; seq++) this.cover(seq);
    if (upTo > this.stats.acknowledged) this.stats.acknowledged = upTo;
  }

  private cover(seq: number): void {
    if (this.covered[seq] !== 0) return;
    this.covered[seq] = 1;
    this.coveredCount++;
    if (this.track.observations[seq - 1]?.tag === 'guntime') this.uncoveredGuntimes--;
  }
}

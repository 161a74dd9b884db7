/**
 * Bounds the display replays that reach the database (a screen reconnecting with a
 * Last-Event-ID the link feed's memory cannot answer): at most `perLink` at once for one
 * link, `perAddress` for one client address, `total` for the process. Past a bound the stream
 * is refused at once: 429 when the address is over its share (one client hammering), 503 when
 * the link or the process is (the screen's EventSource retries by itself after `retry`).
 * Anonymous streams therefore hold at most `total` public-pool connections, whatever they send.
 */
import { AppError } from '../errors.js';

export interface ReplayGateLimits {
  perLink: number;
  perAddress: number;
  total: number;
}

export const REPLAY_LIMITS: ReplayGateLimits = { perLink: 2, perAddress: 2, total: 4 };

export class ReplayGate {
  private readonly byLink = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();
  private running = 0;
  /** Replays refused so far, by reason (bench, tests). */
  readonly refused = { address: 0, link: 0, total: 0 };

  constructor(readonly limits: ReplayGateLimits = REPLAY_LIMITS) {}

  /** Takes a slot for one replay; throws 429/503 past a bound. Call the result once, when done. */
  enter(linkId: string, address: string): () => void {
    if ((this.byAddress.get(address) ?? 0) >= this.limits.perAddress) {
      this.refused.address++;
      throw new AppError('too_many_requests', 'Too many display replays from this address at once; try again shortly.', { retryAfterSeconds: 2 });
    }
    if ((this.byLink.get(linkId) ?? 0) >= this.limits.perLink || this.running >= this.limits.total) {
      if (this.running >= this.limits.total) this.refused.total++;
      else this.refused.link++;
      throw new AppError('server_busy', 'Too many screens are catching up at once; try again shortly.', { retryAfterSeconds: 2 });
    }
    bump(this.byLink, linkId, 1);
    bump(this.byAddress, address, 1);
    this.running++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      bump(this.byLink, linkId, -1);
      bump(this.byAddress, address, -1);
      this.running--;
    };
  }

  get active(): number {
    return this.running;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/**
 * Rate limits for log lines that strangers can trigger at will (connects, refused
 * authorizations, bad lines): the first `perWindow` lines of a kind in each window are
 * logged, the rest counted, and the next logged line of that kind says how many were left out.
 */
export class LogLimiter {
  private readonly kinds = new Map<string, { windowStart: number; logged: number; suppressed: number }>();

  constructor(
    private readonly perWindow = 20,
    private readonly windowMs = 60_000,
  ) {}

  /** null: do not log. Otherwise log, adding `suppressed` (lines left out since the last one) if > 0. */
  take(kind: string, now = Date.now()): { suppressed: number } | null {
    let k = this.kinds.get(kind);
    if (!k || now - k.windowStart >= this.windowMs) {
      const suppressed = k?.suppressed ?? 0;
      k = { windowStart: now, logged: 0, suppressed: 0 };
      this.kinds.set(kind, k);
      k.logged++;
      return { suppressed };
    }
    if (k.logged < this.perWindow) {
      k.logged++;
      return { suppressed: 0 };
    }
    k.suppressed++;
    return null;
  }
}

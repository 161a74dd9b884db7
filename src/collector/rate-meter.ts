/** Events per second over a sliding window of whole seconds (for /status reads_per_second). */
export class RateMeter {
  private buckets: number[];
  private currentSecond = 0;

  constructor(private readonly windowSeconds = 10) {
    this.buckets = new Array<number>(windowSeconds).fill(0);
  }

  /** Records that the running total is now `total` (call it whenever convenient). */
  sample(total: number, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) {
      const gap = Math.min(second - this.currentSecond, this.windowSeconds);
      for (let i = 1; i <= gap; i++) this.buckets[(this.currentSecond + i) % this.windowSeconds] = total;
      this.currentSecond = second;
    }
  }

  /** Average rate over the window, given the running total now. */
  rate(total: number, now = Date.now()): number {
    this.sample(total, now);
    const oldest = this.buckets[(this.currentSecond + 1) % this.windowSeconds] ?? total;
    return Math.max(0, (total - oldest) / this.windowSeconds);
  }
}

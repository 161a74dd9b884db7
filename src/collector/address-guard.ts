/**
 * Limits per client address on the public CTP01 port: how many connections one address may
 * hold, and how fast it may guess credentials. Failed authorizations past a threshold make
 * each further attempt from that address wait (1 s, doubling to 30 s) before it is even
 * checked; a success clears the address. A legitimate source behind the same address still
 * gets in, just later: nothing here refuses a correct credential.
 */
export interface AddressGuardOptions {
  maxPerAddress: number;
  failuresBeforeBackoff: number;
  /** How long a failure is remembered. */
  failureMemoryMs?: number;
  maxDelayMs?: number;
}

export class AddressGuard {
  private readonly open = new Map<string, number>();
  private readonly failures = new Map<string, { count: number; last: number }>();
  private readonly memoryMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly opts: AddressGuardOptions) {
    this.memoryMs = opts.failureMemoryMs ?? 15 * 60_000;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
  }

  /** Counts a new connection from `ip`; false (and not counted) when the address is at its limit. */
  admit(ip: string): boolean {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.opts.maxPerAddress) return false;
    this.open.set(ip, n + 1);
    return true;
  }

  release(ip: string): void {
    const n = (this.open.get(ip) ?? 1) - 1;
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
  }

  /** How long an authorization attempt from `ip` must wait before it is checked. */
  authDelay(ip: string, now = Date.now()): number {
    const f = this.failures.get(ip);
    if (!f) return 0;
    if (now - f.last > this.memoryMs) {
      this.failures.delete(ip);
      return 0;
    }
    const over = f.count - this.opts.failuresBeforeBackoff;
    return over < 0 ? 0 : Math.min(this.maxDelayMs, 1000 * 2 ** over);
  }

  failed(ip: string, now = Date.now()): number {
    const f = this.failures.get(ip);
    const count = f && now - f.last <= this.memoryMs ? f.count + 1 : 1;
    this.failures.set(ip, { count, last: now });
    if (this.failures.size > 100_000) this.prune(now);
    return count;
  }

  succeeded(ip: string): void {
    this.failures.delete(ip);
  }

  /** Addresses with open connections (for tests and metrics). */
  get addresses(): number {
    return this.open.size;
  }

  private prune(now: number): void {
    for (const [ip, f] of this.failures) if (now - f.last > this.memoryMs) this.failures.delete(ip);
  }
}

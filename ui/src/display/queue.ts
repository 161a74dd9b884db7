/**
 * One screen's runner queue: a runner stays on screen at least minDisplayMs; runners who
 * cross meanwhile wait in order; an idle screen shows a runner at once; past maxQueue the
 * drop policy decides who is not shown (the oldest waiting, or the newcomer). After a
 * runner's time, the next waiting runner shows, or the screen goes idle.
 *
 * Pure and clock-driven (the caller passes `now` and calls tick() when nextChangeAt() comes),
 * so it is tested without timers or a browser.
 */
export interface QueueOptions {
  minDisplayMs: number;
  maxQueue: number;
  dropPolicy: 'oldest' | 'newest';
}

export class ScreenQueue<T> {
  private current: { item: T; since: number } | null = null;
  private waiting: T[] = [];
  /** Runners never shown because the queue was full. */
  dropped = 0;
  /** Runners put on screen. */
  shown = 0;

  constructor(private options: QueueOptions) {}

  setOptions(options: QueueOptions): void {
    this.options = options;
    while (this.waiting.length > options.maxQueue) this.drop();
  }

  get onScreen(): T | null {
    return this.current?.item ?? null;
  }

  get queue(): readonly T[] {
    return this.waiting;
  }

  /** A runner crossed: on screen now if the screen is idle, else queued. */
  push(item: T, now: number): void {
    if (this.current === null) {
      this.show(item, now);
      return;
    }
    if (this.waiting.length >= this.options.maxQueue) {
      if (this.options.dropPolicy === 'newest') {
        this.dropped++;
        return;
      }
      this.drop();
    }
    this.waiting.push(item);
  }

  /** Shows a runner at once, ahead of the queue (the operator's "show bib"). */
  showNow(item: T, now: number): void {
    this.show(item, now);
  }

  /** Advances: the current runner's time is up → next waiting runner, or idle. Returns whether anything changed. */
  tick(now: number): boolean {
    if (this.current === null || now - this.current.since < this.options.minDisplayMs) return false;
    const next = this.waiting.shift();
    if (next === undefined) this.current = null;
    else this.show(next, now);
    return true;
  }

  /** When tick() will next change something (null = nothing on screen). */
  nextChangeAt(): number | null {
    return this.current === null ? null : this.current.since + this.options.minDisplayMs;
  }

  /** Empties the queue and the screen (the operator's "clear"). */
  clear(): void {
    this.current = null;
    this.waiting = [];
  }

  private show(item: T, now: number): void {
    this.current = { item, since: now };
    this.shown++;
  }

  private drop(): void {
    this.waiting.shift();
    this.dropped++;
  }
}

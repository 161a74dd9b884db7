/**
 * Long CPU work on the web process's one thread (parsing and checking a 50,000-row roster)
 * must not hold the event loop: display streams, heartbeats and, on `p88 start`, the
 * collector share it. Such loops hand the loop back every so often.
 */

/** Lets timers and sockets run before the caller goes on. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Rows a loop handles between two yields (chosen with bench/roster: with these, the longest hold of an import stays near 50 ms). */
export const ROWS_PER_SLICE = 200;

/**
 * The live-event bus: how reads stored by the collector reach display streams, in the same
 * process or across processes. Every subscriber receives every message (fan-out): the seed's
 * single competing queue split reads between screens.
 *
 * Messages are arrays of items; a transport with a size limit (NOTIFY's 8 kB) splits a
 * large array into several messages, so a subscriber must treat each message as "more
 * items", not as "the whole batch".
 */
export interface Bus {
  readonly kind: 'memory' | 'postgres' | 'redis';
  publish<T>(topic: string, items: readonly T[]): Promise<void>;
  /**
   * Calls onItems for each message on the topic; returns the unsubscribe function. onGap is
   * called when the transport lost its connection and has it back: messages published
   * meanwhile were missed, and the subscriber catches up its own way.
   */
  subscribe<T>(topic: string, onItems: (items: T[]) => void, onGap?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** Items accepted by publish() and not yet handed to the transport (for backpressure); 0 if it never queues. */
  pending?(): number;
}

/** The topic of a partner's stored reads. Lowercase, no dots: valid as a NOTIFY channel. */
export function readsTopic(partnerId: number): string {
  return `p88_reads_${partnerId}`;
}

/**
 * Splits items into JSON messages of at most maxBytes each (an item larger than that is sent
 * alone). Used by size-limited transports.
 */
export function chunkJson<T>(items: readonly T[], maxBytes: number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    const bytes = Buffer.byteLength(json) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      out.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += bytes;
  }
  if (current.length > 0) out.push(`[${current.join(',')}]`);
  return out;
}

/** The topic of a partner's display control messages (operator console, link changes). */
export function displayControlTopic(partnerId: number): string {
  return `p88_display_${partnerId}`;
}

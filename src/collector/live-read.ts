import type { StoredRead } from './ingest.js';

/** A stored read as live consumers (display streams) receive it on the bus. */
export interface LiveRead {
  id: number;
  partnerId: number;
  sessionId: number;
  location: string;
  tag: string;
  kind: 'tag' | 'gun';
  /** The read's time (epoch ms). */
  readTime: number;
  receivedAt: number;
  sequence: number;
  lap: number;
  readerId: string;
  gator: number;
}

export function toLiveRead(r: StoredRead): LiveRead {
  return {
    id: r.id,
    partnerId: r.partnerId,
    sessionId: r.sessionId,
    location: r.location,
    tag: r.tag,
    kind: r.kind,
    readTime: r.readTimeMs,
    receivedAt: r.receivedAt,
    sequence: r.sequence,
    lap: r.lap,
    readerId: r.readerId,
    gator: r.gator,
  };
}

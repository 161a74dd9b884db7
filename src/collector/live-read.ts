import type { LiveRead } from '../bus/live-read.js';
import type { StoredRead } from './ingest.js';

/** What the bus carries of a stored read (src/bus/live-read.ts). */
export function toLiveRead(r: StoredRead): LiveRead {
  return {
    id: r.id,
    partnerId: r.partnerId,
    sessionId: r.sessionId,
    location: r.location,
    tag: r.tag,
    kind: r.kind,
    readTimeMs: r.readTimeMs,
    receivedAt: r.receivedAt,
    sequence: r.sequence,
    lap: r.lap,
    readerId: r.readerId,
    gator: r.gator,
  };
}

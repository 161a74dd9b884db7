import type { LiveRead } from '../bus/live-read.js';
import type { StoredRead } from './ingest.js';

/** What the bus carries of a stored read (src/bus/live-read.ts). */
export function toLiveRead({ record: r, id, sessionId, readTimeMs }: StoredRead): LiveRead {
  return { id, sessionId, location: r.location, tag: r.tag, kind: r.kind, readTimeMs, receivedAt: r.receivedAt };
}

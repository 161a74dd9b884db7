/**
 * Where each read stream stands, so a reconnecting client is asked to resume with
 * `start~<loc>~<last+1>` instead of replaying its whole backlog (the seed's fault).
 * "Last" is the highest sequence this process has accepted (queued, spooled or stored),
 * else the highest in the database: what a live process holds is on its way to storage, and
 * after a crash only the database and the spool count, so nothing is skipped.
 */
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { maxStoredSequence } from './collector.repo.js';
import { streamKey, type IngestRecord } from './ingest-record.js';

export class ResumeCursors {
  private accepted = new Map<string, { sessionId: number | null; seq: number }>();

  constructor(private readonly db: Database) {}

  note(r: IngestRecord): void {
    const key = streamKey(r.partnerId, r.sourceKey, r.location);
    const cur = this.accepted.get(key);
    if (!cur || r.sequence > cur.seq || cur.sessionId !== r.sessionId) {
      this.accepted.set(key, { sessionId: r.sessionId, seq: Math.max(r.sequence, cur?.sessionId === r.sessionId ? cur.seq : 0) });
    }
  }

  /** The last sequence to resume after (0 = from the beginning). */
  async last(partnerId: number, sessionId: number | null, sourceKey: string, location: string): Promise<number> {
    const mem = this.accepted.get(streamKey(partnerId, sourceKey, location));
    const memSeq = mem && (sessionId === null || mem.sessionId === null || mem.sessionId === sessionId) ? mem.seq : 0;
    if (sessionId === null) return memSeq;
    try {
      const stored = await withPartner(this.db, partnerId, (tx) => maxStoredSequence(tx, sessionId, sourceKey, location));
      return Math.max(memSeq, stored);
    } catch {
      // Database away: what this process accepted is the best knowledge; duplicates are absorbed.
      return memSeq;
    }
  }
}

import type { TimeKind } from '../ctp01/index.js';

/** One observation on its way from a socket to timing_reads (and, if the DB is away, the spool). */
export interface IngestRecord {
  partnerId: number;
  /** Null when the database was unreachable as the connection began; resolved at write time. */
  sessionId: number | null;
  sourceKey: string;
  connectionLogId: string;
  sequence: number;
  location: string;
  tag: string;
  kind: 'tag' | 'gun';
  timeKind: TimeKind;
  timeMs: number;
  timeText: string;
  lap: number;
  readerId: string;
  gator: number;
  rawLine: string;
  /** Epoch ms when the collector received the line. */
  receivedAt: number;
}

/** The identity of a read stream position: the idempotency key without the sequence. */
export function streamKey(partnerId: number, sourceKey: string, location: string): string {
  return `${partnerId}|${sourceKey}|${location}`;
}

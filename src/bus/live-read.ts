/**
 * A stored read as live consumers (display streams) receive it on a partner's reads topic.
 * Only what a display uses: under a flood every byte is encoded, NOTIFYed, decoded and
 * parsed by each web process (the partner is the topic's; the stream's sequence, lap and
 * reader stay in the database).
 */
export interface LiveRead {
  id: number;
  sessionId: number;
  location: string;
  tag: string;
  kind: 'tag' | 'gun';
  /** The read's time (epoch ms). */
  readTimeMs: number;
  /** When the collector received the line (epoch ms). */
  receivedAt: number;
}

/** A stored read as live consumers (display streams) receive it on a partner's reads topic. */
export interface LiveRead {
  id: number;
  partnerId: number;
  sessionId: number;
  location: string;
  tag: string;
  kind: 'tag' | 'gun';
  /** The read's time (epoch ms). */
  readTimeMs: number;
  /** When the collector received the line (epoch ms). */
  receivedAt: number;
  sequence: number;
  lap: number;
  readerId: string;
  gator: number;
}

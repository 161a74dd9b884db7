/**
 * CTP01 lines as typed messages, in both directions. Field order of tag lines follows
 * ChronoTrack's document: format~seq~location~tag~time~lap~reader~gator.
 */
import type { ParsedTime, TimeFormat } from './time.js';

export type AuthMethod = 'none' | 'plaintext' | 'hmac-sha1' | 'hmac-md5' | 'seed-sha1' | 'seed-md5';

export interface TagObservation {
  /**
   * The format id as sent (`CT01_33`, `CT01_13`, any `CTxx_yy`); the line's fields were split
   * on the character that follows it.
   */
  format: string;
  sequence: number;
  location: string;
  /** Tag code; on ChronoTrack systems equal to the bib. */
  tag: string;
  time: ParsedTime;
  /** The time field as sent, kept for audit. */
  timeText: string;
  lap: number;
  readerId: string;
  gator: number;
}

/** Lines a client (timing software) sends to the server. */
export type ClientMessage =
  | { type: 'greeting'; program: string; version: string }
  | ({ type: 'tag' } & TagObservation)
  /** Tag line whose tag is `guntime`: the start gun fired at this location. */
  | ({ type: 'guntime' } & TagObservation)
  /** Tag line whose tag is `newlocation`: a location came online after connecting. */
  | ({ type: 'newlocation' } & TagObservation)
  | { type: 'authorize'; userId: string; credential: string }
  | { type: 'ack'; command: string; args: string[] }
  | { type: 'err'; command: string; message: string }
  | { type: 'ping' }
  | { type: 'unknown'; command: string; args: string[] }
  | { type: 'invalid'; reason: string };

/** Lines a server sends to the client. */
export type ServerMessage =
  | { type: 'greeting'; program: string; version: string; optionCount: number }
  | { type: 'option'; name: string; value: string }
  | { type: 'command'; command: string; args: string[] }
  | { type: 'ack'; command: string; args: string[] }
  | { type: 'err'; command: string; message: string }
  | { type: 'invalid'; reason: string };

export interface GreetingOptions {
  location?: 'single' | 'multi';
  guntimes?: boolean;
  newlocations?: boolean;
  authentication?: AuthMethod;
  'authentication-seed'?: string;
  'stream-mode'?: 'push' | 'pull';
  'tagevent-format'?: string;
  'pushmode-ack'?: boolean;
  'time-format'?: TimeFormat;
  'connection-id'?: boolean;
}

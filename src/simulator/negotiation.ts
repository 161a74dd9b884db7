/**
 * What a collector's greeting options mean for the simulated controller: the line formats it
 * must send, whether it acknowledges push commands, announces new locations, sends guntimes,
 * and how it must authorize. Unknown or absent options fall back to the protocol's defaults.
 */
import type { AuthMethod, TimeFormat } from '../ctp01/index.js';
import type { TagFormat } from './race.js';

const TIME_FORMATS: readonly TimeFormat[] = ['normal', 'iso', 'unix', 'msecs'];
export const AUTH_METHODS: readonly AuthMethod[] = ['none', 'plaintext', 'hmac-sha1', 'hmac-md5', 'seed-sha1', 'seed-md5'];

export interface Negotiated {
  timeFormat: TimeFormat;
  tagFormat: TagFormat;
  pushAck: boolean;
  newLocations: boolean;
  guntimes: boolean;
  /** connection-id=true: newlocation events wait for the server's getconnectionid. */
  holdAnnouncements: boolean;
  /** The authentication the server offers (as sent; may be one we do not support). */
  authentication: string;
  authenticationSeed: string;
}

export function negotiate(o: Record<string, string>): Negotiated {
  const tf = o['time-format'];
  const newLocations = o.newlocations === 'true';
  return {
    timeFormat: tf && (TIME_FORMATS as readonly string[]).includes(tf) ? (tf as TimeFormat) : 'normal',
    tagFormat: o['tagevent-format'] === 'CT01_13' ? 'CT01_13' : 'CT01_33',
    pushAck: o['pushmode-ack'] === 'true',
    newLocations,
    guntimes: o.guntimes === 'true',
    holdAnnouncements: newLocations && o['connection-id'] === 'true',
    authentication: o.authentication ?? 'none',
    authenticationSeed: o['authentication-seed'] ?? '',
  };
}

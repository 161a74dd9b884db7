import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * An 8-character id from a cryptographic source (62^8 ≈ 2.2·10^14 ids). Rejection sampling
 * keeps every character uniform: bytes ≥ 248 (= 4·62) are drawn again, not folded.
 */
export function newLinkId(): string {
  let id = '';
  while (id.length < 8) {
    for (const b of randomBytes(16)) {
      if (b < 248 && id.length < 8) id += ALPHABET[b % 62];
    }
  }
  return id;
}

export function isLinkId(v: string): boolean {
  return /^[0-9A-Za-z]{8}$/.test(v);
}

import { describe, expect, it } from 'vitest';
import { collectorAddresses } from './collector-addresses.js';

const nics = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '::1', family: 'IPv6', internal: true }],
  eth0: [
    { address: '192.168.1.20', family: 'IPv4', internal: false },
    { address: 'fe80::1', family: 'IPv6', internal: false },
    { address: 'fd00::20', family: 'IPv6', internal: false },
  ],
  wlan0: [{ address: '10.0.0.5', family: 'IPv4', internal: false }],
} as never;

describe('collector addresses shown to timing laptops', () => {
  it('lists PUBLIC_URL host, then every LAN address (IPv4 first, no link-local, never loopback)', () => {
    expect(collectorAddresses('0.0.0.0', 'http://timing.example:5000', nics)).toEqual(['timing.example', '192.168.1.20', '10.0.0.5', 'fd00::20']);
    expect(collectorAddresses('0.0.0.0', undefined, nics)).toEqual(['192.168.1.20', '10.0.0.5', 'fd00::20']);
  });

  it('names the one address a collector bound to a single interface listens on', () => {
    expect(collectorAddresses('192.168.1.20', undefined, nics)).toEqual(['192.168.1.20']);
  });

  it('falls back to loopback on a machine with no network', () => {
    expect(collectorAddresses('0.0.0.0', undefined, { lo: [] } as never)).toEqual(['127.0.0.1']);
  });
});

/**
 * Where timing laptops reach the collector: PUBLIC_URL's host first (what the operator chose),
 * then, when the collector listens on every interface, each of the machine's non-loopback
 * addresses (a laptop at a venue is reached by its LAN address, never by "localhost"), else
 * the one address it listens on.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export function collectorAddresses(
  listenHost: string,
  publicUrl: string | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const out: string[] = [];
  const add = (a: string) => {
    if (a && !out.includes(a)) out.push(a);
  };
  if (publicUrl) {
    try {
      add(new URL(publicUrl).hostname.replace(/^\[|\]$/g, ''));
    } catch {
      // config validates PUBLIC_URL; nothing to add otherwise
    }
  }
  const everywhere = listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '';
  if (!everywhere) {
    add(listenHost);
    return out;
  }
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  // IPv4 first (what timing software is usually given), link-local IPv6 never (needs a zone).
  for (const a of all) if (!a.internal && a.family === 'IPv4') add(a.address);
  for (const a of all) if (!a.internal && a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80')) add(a.address);
  if (out.length === 0) add('127.0.0.1');
  return out;
}

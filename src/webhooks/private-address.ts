import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach unless private URLs are allowed (BEHAVIOUR.md §7 "Safety"; README
 * "Webhooks"): loopback, private, link-local, and every other range that is not the public internet (unspecified,
 * CGNAT, multicast, reserved, documentation, benchmarking, IPv6 unique-local and site-local, NAT64's local-use
 * prefix, IETF protocol assignments such as Teredo). IPv4 inside IPv6 (mapped, NAT64's well-known prefix,
 * 6to4) is judged by the IPv4 address it carries.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (a zone id dropped, a dotted IPv4 tail read). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined
    ? left
    : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Whether `address` (an IP) is one a webhook may not reach; anything that is not an IP counts as blocked. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const groups = ipv6Groups(address);
  const prefix96 = groups.slice(0, 6).join(':');
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
  if (prefix96 === '0:0:0:0:0:65535' || prefix96 === '100:65435:0:0:0:0') {
    return BLOCKED.check(ipv4Of(groups[6], groups[7]), 'ipv4');
  }
  // 2002:aabb:ccdd::/48 (6to4) carries a.b.c.d = aa.bb.cc.dd.
  if (groups[0] === 0x2002) return BLOCKED.check(ipv4Of(groups[1], groups[2]), 'ipv4');
  return BLOCKED.check(address.split('%')[0], 'ipv6');
}

/** The error of a connection refused because of its address; its code is what the delivery records. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for node:net (through http.request's options) that resolves the host and refuses it when any of
 * its addresses is private. node:net connects to exactly the addresses this returns, so the address checked is
 * the address connected to: no second resolution a DNS answer could change in between (no rebinding).
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked || addresses.length === 0) {
      return callback(new PrivateAddressError(`${hostname} resolves to a private address`), []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

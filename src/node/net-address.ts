/**
 * Converts Node's string socket addresses (`socket.remoteAddress`, `remotePort`) into BOLT 7
 * address descriptors, which the `PeerManager` reports back to peers in `init`'s `remote_addr`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { NetAddress } from '../wire/address.js';

function ipv4Bytes(ip: string): Uint8Array {
  return new Uint8Array(ip.split('.').map((x) => Number(x)));
}

function ipv6Bytes(ip: string): Uint8Array {
  let text = ip;
  // An embedded IPv4 tail (such as ::ffff:203.0.113.5) is rewritten as two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(tail);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  const groups = rest === undefined ? headGroups : [...headGroups, ...zeros, ...restGroups];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const v = parseInt(groups[i] ?? '0', 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  return out;
}

/**
 * The address descriptor for an IP and port as Node reports them, or `undefined` when either is
 * missing or not an IP literal. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) become IPv4.
 */
export function netAddressOf(
  ip: string | undefined,
  port: number | undefined,
): NetAddress | undefined {
  if (ip === undefined || port === undefined || !Number.isInteger(port)) return undefined;
  const bare = ip.split('%')[0]!; // drop an IPv6 zone id
  if (isIPv4(bare)) return { type: 'ipv4', addr: ipv4Bytes(bare), port };
  if (!isIPv6(bare)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped !== null) return { type: 'ipv4', addr: ipv4Bytes(mapped[1]!), port };
  return { type: 'ipv6', addr: ipv6Bytes(bare), port };
}

/**
 * Address descriptors: a network address as `node_announcement` lists them and `init`'s
 * `remote_addr` reports one (BOLT 7, "The node_announcement Message"; BOLT 1, "The init
 * Message"). Each is one type byte followed by data whose length the type fixes.
 *
 * An unknown type cannot be skipped (its length is unknown), so BOLT 7 says to ignore from the
 * first unknown descriptor on. We keep those bytes as one `unknown` entry, always the last, so a
 * re-encoded announcement has the bytes its signature covers.
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';
import type { WireReader } from './reader.js';
import type { WireWriter } from './writer.js';

/** Descriptor type numbers (BOLT 7). */
export const AddressType = {
  ipv4: 1,
  ipv6: 2,
  /** Deprecated Tor v2 onion service; BOLT 7 says to ignore it, but its length is known. */
  torv2: 3,
  torv3: 4,
  dns: 5,
} as const;

export interface Ipv4Address {
  readonly type: 'ipv4';
  /** 4 bytes, network order. */
  readonly addr: Uint8Array;
  readonly port: number;
}

export interface Ipv6Address {
  readonly type: 'ipv6';
  /** 16 bytes, network order. */
  readonly addr: Uint8Array;
  readonly port: number;
}

export interface TorV2Address {
  readonly type: 'torv2';
  /** 10 bytes. */
  readonly addr: Uint8Array;
  readonly port: number;
}

export interface TorV3Address {
  readonly type: 'torv3';
  /** 35 bytes: ed25519 public key (32), checksum (2), version (1). */
  readonly addr: Uint8Array;
  readonly port: number;
}

export interface DnsAddress {
  readonly type: 'dns';
  /** ASCII host name, at most 255 characters (BOLT 7: non-ASCII names use Punycode). */
  readonly hostname: string;
  readonly port: number;
}

/** The first descriptor of a type boltkit does not know, and every byte after it. */
export interface UnknownAddress {
  readonly type: 'unknown';
  readonly descriptorType: number;
  /** The bytes after the type byte, to the end of the address list. */
  readonly data: Uint8Array;
}

export type NetAddress =
  Ipv4Address | Ipv6Address | TorV2Address | TorV3Address | DnsAddress | UnknownAddress;

function decodeHostname(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b > 0x7f) throw new DecodeError('address: dns hostname is not ASCII');
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * Reads descriptors until `r` is exhausted. Throws `DecodeError` when a known descriptor is cut
 * short or a hostname is not ASCII.
 */
export function decodeAddresses(r: WireReader): NetAddress[] {
  const out: NetAddress[] = [];
  while (r.remaining() > 0) {
    const t = r.u8('address type');
    switch (t) {
      case AddressType.ipv4:
        out.push({ type: 'ipv4', addr: r.bytes(4, 'ipv4_addr'), port: r.u16('port') });
        break;
      case AddressType.ipv6:
        out.push({ type: 'ipv6', addr: r.bytes(16, 'ipv6_addr'), port: r.u16('port') });
        break;
      case AddressType.torv2:
        out.push({ type: 'torv2', addr: r.bytes(10, 'torv2 addr'), port: r.u16('port') });
        break;
      case AddressType.torv3:
        out.push({ type: 'torv3', addr: r.bytes(35, 'onion_addr'), port: r.u16('port') });
        break;
      case AddressType.dns: {
        const len = r.u8('hostname_len');
        const hostname = decodeHostname(r.bytes(len, 'hostname'));
        out.push({ type: 'dns', hostname, port: r.u16('port') });
        break;
      }
      default:
        out.push({ type: 'unknown', descriptorType: t, data: r.rest() });
    }
  }
  return out;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function fixed(w: WireWriter, type: number, addr: Uint8Array, len: number, port: number): void {
  w.u8(type);
  w.bytes(addr, len, 'address');
  w.u16(port, 'port');
}

/**
 * Writes descriptors in the given order. Throws `APIMisuseError` for a wrong length, a non-ASCII
 * or too long hostname, an `unknown` entry that is not last, or an unknown entry whose type
 * boltkit knows.
 */
export function encodeAddresses(w: WireWriter, addresses: readonly NetAddress[]): void {
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[i]!;
    switch (a.type) {
      case 'ipv4':
        fixed(w, AddressType.ipv4, a.addr, 4, a.port);
        break;
      case 'ipv6':
        fixed(w, AddressType.ipv6, a.addr, 16, a.port);
        break;
      case 'torv2':
        fixed(w, AddressType.torv2, a.addr, 10, a.port);
        break;
      case 'torv3':
        fixed(w, AddressType.torv3, a.addr, 35, a.port);
        break;
      case 'dns': {
        const h = a.hostname;
        if (typeof h !== 'string' || h.length > 255 || !isAscii(h)) {
          throw new APIMisuseError('address: dns hostname must be ASCII, at most 255 characters');
        }
        w.u8(AddressType.dns);
        w.u8(h.length);
        for (let j = 0; j < h.length; j++) w.u8(h.charCodeAt(j));
        w.u16(a.port, 'port');
        break;
      }
      case 'unknown':
        if (i !== addresses.length - 1) {
          throw new APIMisuseError('address: an unknown descriptor must be the last one');
        }
        if ((Object.values(AddressType) as number[]).includes(a.descriptorType)) {
          throw new APIMisuseError(`address: descriptor type ${a.descriptorType} is not unknown`);
        }
        w.u8(a.descriptorType, 'descriptor type');
        w.bytes(a.data);
        break;
      default:
        throw new APIMisuseError('address: unknown address kind');
    }
  }
}

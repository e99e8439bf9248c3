/**
 * BOLT 1 setup and control messages: `init`, `error`, `warning`, `ping`, `pong`.
 *
 * Each message is a plain object whose `type` is its BOLT name; fields follow the BOLT table
 * order, named in camelCase. Decoders read the payload after the 2-byte type; the rest of the
 * payload after the known fields is the message's TLV extension (BOLT 1, "Lightning Message
 * Format"), decoded with the message's TLV stream, or an empty one when the BOLT defines none.
 * Unknown odd records are kept in `unknownOddTlvs` (present only when non-empty).
 *
 * See BOLT 1, "Setup Messages" and "Control Messages".
 */
import { DecodeError } from '../../util/errors.js';
import { decodeAddresses, encodeAddresses, type NetAddress } from '../address.js';
import type { WireReader } from '../reader.js';
import {
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  tlvCodecs,
  type TlvCodec,
  type TlvRecord,
} from '../tlv.js';
import { decodeExtension, encodeExtension, withUnknown } from './extension.js';
import type { WireWriter } from '../writer.js';

/** An address descriptor as one TLV value: exactly one descriptor, or unknown bytes. */
const remoteAddrCodec: TlvCodec<NetAddress> = {
  decode: (r) => {
    const list = decodeAddresses(r);
    if (list.length !== 1) throw new DecodeError('remote_addr: expected one address descriptor');
    return list[0]!;
  },
  encode: (w, v) => {
    encodeAddresses(w, [v]);
  },
};

interface InitTlvs {
  /** `networks`: the chains the peer is interested in (chain hashes). */
  readonly networks?: readonly Uint8Array[];
  /** `remote_addr`: our address as the peer sees it. */
  readonly remoteAddr?: NetAddress;
}

const initTlvs = defineTlvStream<InitTlvs>('init_tlvs', {
  networks: { type: 1n, codec: tlvCodecs.chainHashes },
  remoteAddr: { type: 3n, codec: remoteAddrCodec },
});

/**
 * `init` (type 16): the first message on every connection. The two feature fields are kept as
 * sent; BOLT 1 says the receiver ORs them into one map (see `features.ts`).
 */
export interface InitMessage extends InitTlvs {
  readonly type: 'init';
  /** Legacy global feature bits (bits 0-13 at most), big-endian bit vector. */
  readonly globalFeatures: Uint8Array;
  /** Feature bits, big-endian bit vector (BOLT 9). */
  readonly features: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `init` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeInit(r: WireReader): InitMessage {
  const globalFeatures = r.u16Bytes('globalfeatures');
  const features = r.u16Bytes('features');
  const { values, unknownOddTlvs } = decodeTlvStream(r, initTlvs);
  return withUnknown({ type: 'init', globalFeatures, features, ...values }, unknownOddTlvs);
}

/** Writes a `init` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeInit(w: WireWriter, m: InitMessage): void {
  w.u16Bytes(m.globalFeatures, 'globalfeatures');
  w.u16Bytes(m.features, 'features');
  encodeTlvStream(w, initTlvs, m, m.unknownOddTlvs);
}

/**
 * `error` (type 17): the sender failed the channel `channelId`, or all channels when it is all
 * zero. `data` is free text the receiver should print only when it is printable ASCII.
 */
export interface ErrorMessage {
  readonly type: 'error';
  readonly channelId: Uint8Array;
  readonly data: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** `warning` (type 1): like `error`, but nothing is failed; the receiver logs it. */
export interface WarningMessage {
  readonly type: 'warning';
  readonly channelId: Uint8Array;
  readonly data: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `error` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeError(r: WireReader): ErrorMessage {
  const channelId = r.bytes32('channel_id');
  const data = r.u16Bytes('data');
  return withUnknown({ type: 'error', channelId, data }, decodeExtension(r));
}

/** Writes a `error` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeError(w: WireWriter, m: ErrorMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u16Bytes(m.data, 'data');
  encodeExtension(w, m.unknownOddTlvs);
}

/** Reads a `warning` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeWarning(r: WireReader): WarningMessage {
  const channelId = r.bytes32('channel_id');
  const data = r.u16Bytes('data');
  return withUnknown({ type: 'warning', channelId, data }, decodeExtension(r));
}

/** Writes a `warning` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeWarning(w: WireWriter, m: WarningMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u16Bytes(m.data, 'data');
  encodeExtension(w, m.unknownOddTlvs);
}

/**
 * `ping` (type 18). The receiver answers with a `pong` of `numPongBytes` bytes when that is
 * below 65532, and ignores the ping otherwise (BOLT 1).
 */
export interface PingMessage {
  readonly type: 'ping';
  readonly numPongBytes: number;
  /** Padding; senders set it to zeros. */
  readonly ignored: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** `pong` (type 19): the answer to a `ping`, with `ignored.length` equal to its `numPongBytes`. */
export interface PongMessage {
  readonly type: 'pong';
  readonly ignored: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** `num_pong_bytes` at or above this asks for no reply (BOLT 1). */
export const PING_NO_REPLY_THRESHOLD = 65532;

/** Reads a `ping` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodePing(r: WireReader): PingMessage {
  const numPongBytes = r.u16('num_pong_bytes');
  const ignored = r.u16Bytes('ignored');
  return withUnknown({ type: 'ping', numPongBytes, ignored }, decodeExtension(r));
}

/** Writes a `ping` payload (without the type); `APIMisuseError` on a bad field. */
export function encodePing(w: WireWriter, m: PingMessage): void {
  w.u16(m.numPongBytes, 'num_pong_bytes');
  w.u16Bytes(m.ignored, 'ignored');
  encodeExtension(w, m.unknownOddTlvs);
}

/** Reads a `pong` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodePong(r: WireReader): PongMessage {
  const ignored = r.u16Bytes('ignored');
  return withUnknown({ type: 'pong', ignored }, decodeExtension(r));
}

/** Writes a `pong` payload (without the type); `APIMisuseError` on a bad field. */
export function encodePong(w: WireWriter, m: PongMessage): void {
  w.u16Bytes(m.ignored, 'ignored');
  encodeExtension(w, m.unknownOddTlvs);
}

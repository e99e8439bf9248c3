/**
 * BOLT 7 gossip: `channel_announcement`, `node_announcement`, `channel_update` and the direct
 * `announcement_signatures`.
 *
 * Decoding gossip is hot (a full graph sync is hundreds of thousands of messages), so these
 * decoders build each object in one literal and check points by prefix only; the routing layer
 * verifies signatures, which proves the keys. Feature fields stay raw bytes, so a re-encoded
 * message is byte-identical and its signature still verifies.
 *
 * See BOLT 7, "The channel_announcement Message" and following sections.
 */
import { DecodeError } from '../../util/errors.js';
import { decodeAddresses, encodeAddresses, type NetAddress } from '../address.js';
import { MessageType } from '../message-types.js';
import type { WireReader } from '../reader.js';
import type { ShortChannelId } from '../short-channel-id.js';
import type { TlvRecord } from '../tlv.js';
import type { WireWriter } from '../writer.js';
import { decodeExtension, encodeExtension, withUnknown } from './extension.js';

/** `channel_announcement` (type 256): proof that a channel exists, signed by all four keys. */
export interface ChannelAnnouncementMessage {
  readonly type: 'channel_announcement';
  readonly nodeSignature1: Uint8Array;
  readonly nodeSignature2: Uint8Array;
  readonly bitcoinSignature1: Uint8Array;
  readonly bitcoinSignature2: Uint8Array;
  /** Channel feature bits, big-endian, as sent. */
  readonly features: Uint8Array;
  readonly chainHash: Uint8Array;
  readonly shortChannelId: ShortChannelId;
  /** The lexicographically lesser node id of the two. */
  readonly nodeId1: Uint8Array;
  readonly nodeId2: Uint8Array;
  readonly bitcoinKey1: Uint8Array;
  readonly bitcoinKey2: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `channel_announcement` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeChannelAnnouncement(r: WireReader): ChannelAnnouncementMessage {
  const m = {
    type: 'channel_announcement' as const,
    nodeSignature1: r.signature('node_signature_1'),
    nodeSignature2: r.signature('node_signature_2'),
    bitcoinSignature1: r.signature('bitcoin_signature_1'),
    bitcoinSignature2: r.signature('bitcoin_signature_2'),
    features: r.u16Bytes('features'),
    chainHash: r.chainHash(),
    shortChannelId: r.shortChannelId(),
    nodeId1: r.point('node_id_1'),
    nodeId2: r.point('node_id_2'),
    bitcoinKey1: r.point('bitcoin_key_1'),
    bitcoinKey2: r.point('bitcoin_key_2'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `channel_announcement` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeChannelAnnouncement(w: WireWriter, m: ChannelAnnouncementMessage): void {
  w.signature(m.nodeSignature1, 'node_signature_1');
  w.signature(m.nodeSignature2, 'node_signature_2');
  w.signature(m.bitcoinSignature1, 'bitcoin_signature_1');
  w.signature(m.bitcoinSignature2, 'bitcoin_signature_2');
  w.u16Bytes(m.features, 'features');
  w.chainHash(m.chainHash);
  w.shortChannelId(m.shortChannelId);
  w.point(m.nodeId1, 'node_id_1');
  w.point(m.nodeId2, 'node_id_2');
  w.point(m.bitcoinKey1, 'bitcoin_key_1');
  w.point(m.bitcoinKey2, 'bitcoin_key_2');
  encodeExtension(w, m.unknownOddTlvs);
}

/** `node_announcement` (type 257): a node's features, alias, colour and addresses. */
export interface NodeAnnouncementMessage {
  readonly type: 'node_announcement';
  readonly signature: Uint8Array;
  /** Node feature bits, big-endian, as sent. */
  readonly features: Uint8Array;
  /** Seconds; must grow with each announcement from the same node. */
  readonly timestamp: number;
  readonly nodeId: Uint8Array;
  /** 3 bytes: red, green, blue. */
  readonly rgbColor: Uint8Array;
  /** 32 bytes: UTF-8, zero-padded; untrusted text (BOLT 7 warns to sanitise it). */
  readonly alias: Uint8Array;
  /** Address descriptors in the order sent; an `unknown` entry, if any, is last. */
  readonly addresses: readonly NetAddress[];
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `node_announcement` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeNodeAnnouncement(r: WireReader): NodeAnnouncementMessage {
  const signature = r.signature();
  const features = r.u16Bytes('features');
  const timestamp = r.u32('timestamp');
  const nodeId = r.point('node_id');
  const rgbColor = r.bytes(3, 'rgb_color');
  const alias = r.bytes(32, 'alias');
  const addresses = decodeAddresses(r.sub(r.u16('addrlen'), 'addresses'));
  const m = {
    type: 'node_announcement' as const,
    signature,
    features,
    timestamp,
    nodeId,
    rgbColor,
    alias,
    addresses,
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `node_announcement` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeNodeAnnouncement(w: WireWriter, m: NodeAnnouncementMessage): void {
  w.signature(m.signature);
  w.u16Bytes(m.features, 'features');
  w.u32(m.timestamp, 'timestamp');
  w.point(m.nodeId, 'node_id');
  w.bytes(m.rgbColor, 3, 'rgb_color');
  w.bytes(m.alias, 32, 'alias');
  // addrlen goes before the addresses: write them once, then patch the length in.
  const lenAt = w.length;
  w.u16(0);
  encodeAddresses(w, m.addresses);
  w.patchU16(lenAt, w.length - lenAt - 2, 'addrlen');
  encodeExtension(w, m.unknownOddTlvs);
}

/** `channel_flags` bit 0 of `channel_update`: 0 when sent by `node_id_1`, 1 by `node_id_2`. */
export const CHANNEL_UPDATE_DIRECTION = 1;
/** `channel_flags` bit 1 of `channel_update`: the channel is disabled. */
export const CHANNEL_UPDATE_DISABLE = 2;
/** `message_flags` bit 0 of `channel_update`: always 1 now (`must_be_one`). */
export const CHANNEL_UPDATE_MUST_BE_ONE = 1;
/** `message_flags` bit 1 of `channel_update`: a private update, not to be relayed. */
export const CHANNEL_UPDATE_DONT_FORWARD = 2;

/** `channel_update` (type 258): one direction's relay fees and limits. */
export interface ChannelUpdateMessage {
  readonly type: 'channel_update';
  readonly signature: Uint8Array;
  readonly chainHash: Uint8Array;
  readonly shortChannelId: ShortChannelId;
  /** Seconds; must grow with each update for this channel and direction. */
  readonly timestamp: number;
  /** Bit 0 `must_be_one`, bit 1 `dont_forward`. */
  readonly messageFlags: number;
  /** Bit 0 `direction`, bit 1 `disable`. */
  readonly channelFlags: number;
  readonly cltvExpiryDelta: number;
  readonly htlcMinimumMsat: bigint;
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly htlcMaximumMsat: bigint;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `channel_update` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeChannelUpdate(r: WireReader): ChannelUpdateMessage {
  const m = {
    type: 'channel_update' as const,
    signature: r.signature(),
    chainHash: r.chainHash(),
    shortChannelId: r.shortChannelId(),
    timestamp: r.u32('timestamp'),
    messageFlags: r.u8('message_flags'),
    channelFlags: r.u8('channel_flags'),
    cltvExpiryDelta: r.u16('cltv_expiry_delta'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    feeBaseMsat: r.u32('fee_base_msat'),
    feeProportionalMillionths: r.u32('fee_proportional_millionths'),
    htlcMaximumMsat: r.u64('htlc_maximum_msat'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `channel_update` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeChannelUpdate(w: WireWriter, m: ChannelUpdateMessage): void {
  w.signature(m.signature);
  w.chainHash(m.chainHash);
  w.shortChannelId(m.shortChannelId);
  w.u32(m.timestamp, 'timestamp');
  w.u8(m.messageFlags, 'message_flags');
  w.u8(m.channelFlags, 'channel_flags');
  w.u16(m.cltvExpiryDelta, 'cltv_expiry_delta');
  w.u64(m.htlcMinimumMsat, 'htlc_minimum_msat');
  w.u32(m.feeBaseMsat, 'fee_base_msat');
  w.u32(m.feeProportionalMillionths, 'fee_proportional_millionths');
  w.u64(m.htlcMaximumMsat, 'htlc_maximum_msat');
  encodeExtension(w, m.unknownOddTlvs);
}

/**
 * `announcement_signatures` (type 259): sent to the channel peer only, with our two signatures
 * for the `channel_announcement`.
 */
export interface AnnouncementSignaturesMessage {
  readonly type: 'announcement_signatures';
  readonly channelId: Uint8Array;
  readonly shortChannelId: ShortChannelId;
  readonly nodeSignature: Uint8Array;
  readonly bitcoinSignature: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `announcement_signatures` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeAnnouncementSignatures(r: WireReader): AnnouncementSignaturesMessage {
  const m = {
    type: 'announcement_signatures' as const,
    channelId: r.bytes32('channel_id'),
    shortChannelId: r.shortChannelId(),
    nodeSignature: r.signature('node_signature'),
    bitcoinSignature: r.signature('bitcoin_signature'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `announcement_signatures` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeAnnouncementSignatures(
  w: WireWriter,
  m: AnnouncementSignaturesMessage,
): void {
  w.bytes32(m.channelId, 'channel_id');
  w.shortChannelId(m.shortChannelId);
  w.signature(m.nodeSignature, 'node_signature');
  w.signature(m.bitcoinSignature, 'bitcoin_signature');
  encodeExtension(w, m.unknownOddTlvs);
}

/**
 * The bytes a gossip signature covers, as a view into `message` (not a copy: hash it, do not
 * keep it) of a whole message, type included: everything after the signature fields, extension included (BOLT 7). The signature
 * is over the double-SHA256 of these bytes. Throws `DecodeError` for any other type or a
 * message too short to hold its signatures.
 */
export function gossipSignedBytes(message: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new DecodeError('gossip: expected a Uint8Array');
  if (message.length < 2) throw new DecodeError('gossip: message shorter than its type');
  const type = (message[0]! << 8) | message[1]!;
  let skip: number;
  if (type === MessageType.channel_announcement) skip = 2 + 4 * 64;
  else if (type === MessageType.node_announcement || type === MessageType.channel_update) {
    skip = 2 + 64;
  } else throw new DecodeError(`gossip: type ${type} is not a signed gossip message`);
  if (message.length < skip) throw new DecodeError('gossip: message shorter than its signatures');
  return new Uint8Array(message.buffer, message.byteOffset + skip, message.length - skip);
}

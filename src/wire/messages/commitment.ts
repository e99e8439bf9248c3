/**
 * BOLT 2 normal operation: adding and settling HTLCs, committing, revoking and updating the fee:
 * `update_add_htlc`, `update_fulfill_htlc`, `update_fail_htlc`, `update_fail_malformed_htlc`,
 * `commitment_signed`, `revoke_and_ack`, `update_fee`.
 *
 * Records boltkit does not interpret yet (`attribution_data` on fulfill and fail, the splicing
 * `funding_txid` on `commitment_signed`) are odd, so they are kept in `unknownOddTlvs` and survive
 * a round trip.
 *
 * See BOLT 2, "Normal Operation".
 */
import { DecodeError } from '../../util/errors.js';
import type { WireReader } from '../reader.js';
import {
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  tlvCodecs,
  type TlvRecord,
} from '../tlv.js';
import type { WireWriter } from '../writer.js';
import { decodeExtension, encodeExtension, withUnknown } from './extension.js';

/** Size of `onion_routing_packet` (BOLT 4: version, public key, 1300-byte payloads, HMAC). */
export const ONION_PACKET_LENGTH = 1366;

interface UpdateAddHtlcTlvs {
  /**
   * `blinded_path` record, field `path_key` (formerly `blinding_point`): set when this HTLC
   * travels inside a blinded route (BOLT 4, "Route Blinding").
   */
  readonly pathKey?: Uint8Array;
}

const updateAddHtlcTlvs = defineTlvStream<UpdateAddHtlcTlvs>('update_add_htlc_tlvs', {
  pathKey: { type: 0n, codec: tlvCodecs.point },
});

/** `update_add_htlc` (type 128): offer an HTLC. */
export interface UpdateAddHtlcMessage extends UpdateAddHtlcTlvs {
  readonly type: 'update_add_htlc';
  readonly channelId: Uint8Array;
  /** The HTLC id: 0 for the first HTLC the sender offers in this channel, then +1 each. */
  readonly id: bigint;
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  /** Absolute block height; BOLT 2 requires it below 500000000. */
  readonly cltvExpiry: number;
  /** The 1366-byte onion for the next hop. */
  readonly onionRoutingPacket: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `update_add_htlc` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeUpdateAddHtlc(r: WireReader): UpdateAddHtlcMessage {
  const m = {
    type: 'update_add_htlc' as const,
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    amountMsat: r.u64('amount_msat'),
    paymentHash: r.bytes32('payment_hash'),
    cltvExpiry: r.u32('cltv_expiry'),
    onionRoutingPacket: r.bytes(ONION_PACKET_LENGTH, 'onion_routing_packet'),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, updateAddHtlcTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `update_add_htlc` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeUpdateAddHtlc(w: WireWriter, m: UpdateAddHtlcMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u64(m.id, 'id');
  w.u64(m.amountMsat, 'amount_msat');
  w.bytes32(m.paymentHash, 'payment_hash');
  w.u32(m.cltvExpiry, 'cltv_expiry');
  w.bytes(m.onionRoutingPacket, ONION_PACKET_LENGTH, 'onion_routing_packet');
  encodeTlvStream(w, updateAddHtlcTlvs, m, m.unknownOddTlvs);
}

/** `update_fulfill_htlc` (type 130): settle HTLC `id` with its preimage. */
export interface UpdateFulfillHtlcMessage {
  readonly type: 'update_fulfill_htlc';
  readonly channelId: Uint8Array;
  readonly id: bigint;
  readonly paymentPreimage: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `update_fulfill_htlc` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeUpdateFulfillHtlc(r: WireReader): UpdateFulfillHtlcMessage {
  const m = {
    type: 'update_fulfill_htlc' as const,
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    paymentPreimage: r.bytes32('payment_preimage'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `update_fulfill_htlc` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeUpdateFulfillHtlc(w: WireWriter, m: UpdateFulfillHtlcMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u64(m.id, 'id');
  w.bytes32(m.paymentPreimage, 'payment_preimage');
  encodeExtension(w, m.unknownOddTlvs);
}

/** `update_fail_htlc` (type 131): fail HTLC `id`; `reason` is the encrypted BOLT 4 failure. */
export interface UpdateFailHtlcMessage {
  readonly type: 'update_fail_htlc';
  readonly channelId: Uint8Array;
  readonly id: bigint;
  readonly reason: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `update_fail_htlc` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeUpdateFailHtlc(r: WireReader): UpdateFailHtlcMessage {
  const m = {
    type: 'update_fail_htlc' as const,
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    reason: r.u16Bytes('reason'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `update_fail_htlc` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeUpdateFailHtlc(w: WireWriter, m: UpdateFailHtlcMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u64(m.id, 'id');
  w.u16Bytes(m.reason, 'reason');
  encodeExtension(w, m.unknownOddTlvs);
}

/**
 * `update_fail_malformed_htlc` (type 135): the onion of HTLC `id` could not be parsed; the
 * `failureCode` must have the BADONION bit (BOLT 4), which the channel layer checks.
 */
export interface UpdateFailMalformedHtlcMessage {
  readonly type: 'update_fail_malformed_htlc';
  readonly channelId: Uint8Array;
  readonly id: bigint;
  readonly sha256OfOnion: Uint8Array;
  readonly failureCode: number;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `update_fail_malformed_htlc` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeUpdateFailMalformedHtlc(r: WireReader): UpdateFailMalformedHtlcMessage {
  const m = {
    type: 'update_fail_malformed_htlc' as const,
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    sha256OfOnion: r.bytes32('sha256_of_onion'),
    failureCode: r.u16('failure_code'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `update_fail_malformed_htlc` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeUpdateFailMalformedHtlc(
  w: WireWriter,
  m: UpdateFailMalformedHtlcMessage,
): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u64(m.id, 'id');
  w.bytes32(m.sha256OfOnion, 'sha256_of_onion');
  w.u16(m.failureCode, 'failure_code');
  encodeExtension(w, m.unknownOddTlvs);
}

/**
 * `commitment_signed` (type 132): the signature for the receiver's new commitment transaction
 * and one signature per HTLC transaction, in BOLT 3 output order.
 */
export interface CommitmentSignedMessage {
  readonly type: 'commitment_signed';
  readonly channelId: Uint8Array;
  readonly signature: Uint8Array;
  readonly htlcSignatures: readonly Uint8Array[];
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `commitment_signed` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeCommitmentSigned(r: WireReader): CommitmentSignedMessage {
  const channelId = r.bytes32('channel_id');
  const signature = r.signature();
  const n = r.u16('num_htlcs');
  // Check the whole array fits before allocating for it: a lying count must not cost memory.
  if (r.remaining() < n * 64) {
    throw new DecodeError(`htlc_signature: ${n} signatures do not fit in ${r.remaining()} bytes`);
  }
  const htlcSignatures: Uint8Array[] = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) htlcSignatures[i] = r.signature('htlc_signature');
  const m = { type: 'commitment_signed' as const, channelId, signature, htlcSignatures };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `commitment_signed` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeCommitmentSigned(w: WireWriter, m: CommitmentSignedMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.signature(m.signature);
  w.u16(m.htlcSignatures.length, 'num_htlcs');
  for (const s of m.htlcSignatures) w.signature(s, 'htlc_signature');
  encodeExtension(w, m.unknownOddTlvs);
}

/**
 * `revoke_and_ack` (type 133): revoke the previous commitment by revealing its secret, and give
 * the point for the next one.
 */
export interface RevokeAndAckMessage {
  readonly type: 'revoke_and_ack';
  readonly channelId: Uint8Array;
  readonly perCommitmentSecret: Uint8Array;
  readonly nextPerCommitmentPoint: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `revoke_and_ack` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeRevokeAndAck(r: WireReader): RevokeAndAckMessage {
  const m = {
    type: 'revoke_and_ack' as const,
    channelId: r.bytes32('channel_id'),
    perCommitmentSecret: r.bytes32('per_commitment_secret'),
    nextPerCommitmentPoint: r.point('next_per_commitment_point'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `revoke_and_ack` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeRevokeAndAck(w: WireWriter, m: RevokeAndAckMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.bytes32(m.perCommitmentSecret, 'per_commitment_secret');
  w.point(m.nextPerCommitmentPoint, 'next_per_commitment_point');
  encodeExtension(w, m.unknownOddTlvs);
}

/** `update_fee` (type 134): the funder changes the commitment feerate. */
export interface UpdateFeeMessage {
  readonly type: 'update_fee';
  readonly channelId: Uint8Array;
  readonly feerateSatPerKw: number;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `update_fee` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeUpdateFee(r: WireReader): UpdateFeeMessage {
  const m = {
    type: 'update_fee' as const,
    channelId: r.bytes32('channel_id'),
    feerateSatPerKw: r.u32('feerate_per_kw'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `update_fee` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeUpdateFee(w: WireWriter, m: UpdateFeeMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u32(m.feerateSatPerKw, 'feerate_per_kw');
  encodeExtension(w, m.unknownOddTlvs);
}

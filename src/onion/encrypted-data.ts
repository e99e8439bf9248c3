/**
 * `encrypted_data_tlv`: what the creator of a blinded path tells each node of it, encrypted to
 * that node (BOLT 4, "Inside `encrypted_recipient_data`: `encrypted_data_tlv`"). Payment paths
 * use `short_channel_id` or `next_node_id`, `payment_relay` and `payment_constraints`; the
 * recipient's own record carries `path_id`; `padding` evens out lengths so records do not reveal
 * which node is last.
 */
import { APIMisuseError } from '../util/errors.js';
import { WireReader } from '../wire/reader.js';
import type { ShortChannelId } from '../wire/short-channel-id.js';
import {
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  tlvCodecs,
  type TlvCodec,
  type TlvRecord,
} from '../wire/tlv.js';
import { WireWriter } from '../wire/writer.js';

/** `payment_relay`: the fee and delta a blinded node charges, set by the path's creator. */
export interface PaymentRelay {
  /** u16: blocks between the incoming and outgoing HTLC expiry. */
  readonly cltvExpiryDelta: number;
  /** u32: proportional fee in millionths of the forwarded amount. */
  readonly feeProportionalMillionths: number;
  /** tu32: base fee in millisatoshis. */
  readonly feeBaseMsat: number;
}

/** `payment_constraints`: limits that keep a blinded path from being probed or reused. */
export interface PaymentConstraints {
  /** u32: the last block height at which the path may be used. */
  readonly maxCltvExpiry: number;
  /** tu64: the smallest HTLC the path accepts. */
  readonly htlcMinimumMsat: bigint;
}

/** The records of `encrypted_data_tlv`, by camelCase BOLT name. */
export interface EncryptedData {
  /** Type 1: padding, ignored by the reader. */
  readonly padding?: Uint8Array;
  /** Type 2: the outgoing channel. */
  readonly shortChannelId?: ShortChannelId;
  /** Type 4: the next node, when no channel is named. */
  readonly nextNodeId?: Uint8Array;
  /** Type 6: the recipient's own data, to recognise its path. */
  readonly pathId?: Uint8Array;
  /** Type 8: the path key to pass on instead of the derived one (joined paths). */
  readonly nextPathKeyOverride?: Uint8Array;
  /** Type 10. */
  readonly paymentRelay?: PaymentRelay;
  /** Type 12. */
  readonly paymentConstraints?: PaymentConstraints;
  /** Type 14: the features the payment may use, as a feature vector (empty today). */
  readonly allowedFeatures?: Uint8Array;
}

const paymentRelayCodec: TlvCodec<PaymentRelay> = {
  decode: (r) => ({
    cltvExpiryDelta: r.u16('cltv_expiry_delta'),
    feeProportionalMillionths: r.u32('fee_proportional_millionths'),
    feeBaseMsat: r.tu32('fee_base_msat'),
  }),
  encode: (w, v) => {
    w.u16(v.cltvExpiryDelta, 'cltv_expiry_delta');
    w.u32(v.feeProportionalMillionths, 'fee_proportional_millionths');
    w.tu32(v.feeBaseMsat, 'fee_base_msat');
  },
};

const paymentConstraintsCodec: TlvCodec<PaymentConstraints> = {
  decode: (r) => ({
    maxCltvExpiry: r.u32('max_cltv_expiry'),
    htlcMinimumMsat: r.tu64('htlc_minimum_msat'),
  }),
  encode: (w, v) => {
    w.u32(v.maxCltvExpiry, 'max_cltv_expiry');
    w.tu64(v.htlcMinimumMsat, 'htlc_minimum_msat');
  },
};

const encryptedDataStream = defineTlvStream<EncryptedData>('encrypted_data_tlv', {
  padding: { type: 1n, codec: tlvCodecs.bytes },
  shortChannelId: { type: 2n, codec: tlvCodecs.shortChannelId },
  nextNodeId: { type: 4n, codec: tlvCodecs.point },
  pathId: { type: 6n, codec: tlvCodecs.bytes },
  nextPathKeyOverride: { type: 8n, codec: tlvCodecs.point },
  paymentRelay: { type: 10n, codec: paymentRelayCodec },
  paymentConstraints: { type: 12n, codec: paymentConstraintsCodec },
  allowedFeatures: { type: 14n, codec: tlvCodecs.bytes },
});

/** A decoded `encrypted_data_tlv`, with the unknown odd records it carried. */
export interface DecodedEncryptedData {
  readonly data: EncryptedData;
  readonly unknownOddTlvs: readonly TlvRecord[];
}

/** Encodes an `encrypted_data_tlv`. Throws `APIMisuseError` for a value out of range. */
export function encodeEncryptedData(
  data: EncryptedData,
  unknownOddTlvs: readonly TlvRecord[] = [],
): Uint8Array {
  if (typeof data !== 'object' || data === null) {
    throw new APIMisuseError('encrypted data: expected an object');
  }
  const w = new WireWriter(64);
  encodeTlvStream(w, encryptedDataStream, data, unknownOddTlvs);
  return w.finish();
}

/** Decodes an `encrypted_data_tlv`. Throws `DecodeError` on any TLV or record violation. */
export function decodeEncryptedData(bytes: Uint8Array): DecodedEncryptedData {
  const { values, unknownOddTlvs } = decodeTlvStream(new WireReader(bytes), encryptedDataStream);
  return { data: values, unknownOddTlvs };
}

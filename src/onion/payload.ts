/**
 * The per-hop `payload` TLV stream of a payment onion (BOLT 4, "`payload` format"), plus the
 * keysend record. Decoding here checks only the stream (BOLT 1 TLV rules and each record's
 * encoding); which records a hop needs is checked in `payload-validation.ts`.
 *
 * A payload that does not decode is `invalid_onion_payload` (PERM|22): the error names the
 * record at fault and its byte offset in the stream, as BOLT 4 lets the hop report.
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';
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
import { InvalidOnionPayloadError } from './errors.js';

/** `payment_data` (type 8): the invoice's payment secret and the total of all parts. */
export interface PaymentData {
  /** The 32-byte `payment_secret` from the invoice. */
  readonly paymentSecret: Uint8Array;
  /** `total_msat`: the whole payment, of which this HTLC may be one part. */
  readonly totalMsat: bigint;
}

/** The records of a hop payload, by camelCase BOLT name. */
export interface HopPayload {
  /** Type 2 `amt_to_forward` (tu64): what the next hop (or the recipient) must receive. */
  readonly amtToForwardMsat?: bigint;
  /** Type 4 `outgoing_cltv_value` (tu32): the expiry the outgoing HTLC must carry. */
  readonly outgoingCltvValue?: number;
  /** Type 6 `short_channel_id`: the outgoing channel (forwarding hops only). */
  readonly shortChannelId?: ShortChannelId;
  /** Type 8 `payment_data` (final hop). */
  readonly paymentData?: PaymentData;
  /** Type 10 `encrypted_recipient_data`: the hop's record of a blinded path. */
  readonly encryptedRecipientData?: Uint8Array;
  /** Type 12 `current_path_key`: the path key, for the first node of a blinded path. */
  readonly currentPathKey?: Uint8Array;
  /** Type 16 `payment_metadata`: opaque invoice metadata, to echo in every part. */
  readonly paymentMetadata?: Uint8Array;
  /** Type 18 `total_amount_msat` (tu64): the payment total, for blinded final hops. */
  readonly totalAmountMsat?: bigint;
  /**
   * Type 5482373484: the payment preimage of a spontaneous ("keysend") payment, 32 bytes. Not a
   * BOLT record, but the type every implementation uses; it is even, so a node that does not do
   * keysend refuses the payment instead of accepting one it cannot claim.
   */
  readonly keysendPreimage?: Uint8Array;
}

/** The type numbers of the hop payload records. */
export const HopPayloadType = {
  amtToForward: 2n,
  outgoingCltvValue: 4n,
  shortChannelId: 6n,
  paymentData: 8n,
  encryptedRecipientData: 10n,
  currentPathKey: 12n,
  paymentMetadata: 16n,
  totalAmountMsat: 18n,
  keysendPreimage: 5482373484n,
} as const;

const paymentDataCodec: TlvCodec<PaymentData> = {
  decode: (r) => ({ paymentSecret: r.bytes32('payment_secret'), totalMsat: r.tu64('total_msat') }),
  encode: (w, v) => {
    w.bytes32(v.paymentSecret, 'payment_secret');
    w.tu64(v.totalMsat, 'total_msat');
  },
};

const hopPayloadStream = defineTlvStream<HopPayload>('payload', {
  amtToForwardMsat: { type: HopPayloadType.amtToForward, codec: tlvCodecs.tu64 },
  outgoingCltvValue: { type: HopPayloadType.outgoingCltvValue, codec: tlvCodecs.tu32 },
  shortChannelId: { type: HopPayloadType.shortChannelId, codec: tlvCodecs.shortChannelId },
  paymentData: { type: HopPayloadType.paymentData, codec: paymentDataCodec },
  encryptedRecipientData: {
    type: HopPayloadType.encryptedRecipientData,
    codec: tlvCodecs.bytes,
  },
  currentPathKey: { type: HopPayloadType.currentPathKey, codec: tlvCodecs.point },
  paymentMetadata: { type: HopPayloadType.paymentMetadata, codec: tlvCodecs.bytes },
  totalAmountMsat: { type: HopPayloadType.totalAmountMsat, codec: tlvCodecs.tu64 },
  keysendPreimage: { type: HopPayloadType.keysendPreimage, codec: tlvCodecs.bytes32 },
});

/** A decoded hop payload: the known records and the unknown odd ones, kept as they came. */
export interface DecodedHopPayload {
  readonly payload: HopPayload;
  readonly unknownOddTlvs: readonly TlvRecord[];
}

/**
 * Encodes a hop payload. `unknownOddTlvs` are custom records (odd types the recipient may read).
 * Throws `APIMisuseError` for a value out of range.
 */
export function encodeHopPayload(
  payload: HopPayload,
  unknownOddTlvs: readonly TlvRecord[] = [],
): Uint8Array {
  if (typeof payload !== 'object' || payload === null) {
    throw new APIMisuseError('payload: expected an object');
  }
  const w = new WireWriter(64);
  encodeTlvStream(w, hopPayloadStream, payload, unknownOddTlvs);
  return w.finish();
}

/**
 * Finds the record a failed decode is about: scans the records in order, decoding each known
 * value, and reports the first one at fault with its offset.
 */
function locateFault(bytes: Uint8Array, cause: unknown): InvalidOnionPayloadError {
  const r = new WireReader(bytes);
  let last = -1n;
  while (r.remaining() > 0) {
    const start = r.offset;
    let type: bigint | undefined;
    try {
      type = r.bigSize('type');
      if (type <= last) throw new DecodeError(`payload: type ${type} out of order`);
      last = type;
      const length = r.bigSize('length');
      if (length > BigInt(r.remaining())) throw new DecodeError('payload: length past the end');
      const sub = r.sub(Number(length));
      const field = hopPayloadStream.fields.find((f) => f.type === type);
      if (field === undefined) {
        if ((type & 1n) === 0n) throw new DecodeError(`payload: unknown even type ${type}`);
        continue;
      }
      field.codec.decode(sub);
      if (sub.remaining() !== 0) throw new DecodeError(`payload: ${field.key} too long`);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return new InvalidOnionPayloadError(`invalid_onion_payload: ${e.message}`, type, start, {
        cause: e,
      });
    }
  }
  return new InvalidOnionPayloadError('invalid_onion_payload: undecodable payload', undefined, 0, {
    cause,
  });
}

/**
 * Decodes a hop payload (the bytes `peelOnion` returns). Throws `InvalidOnionPayloadError`
 * (code `OnionError`, `failureCode` PERM|22) naming the offending record and its offset.
 */
export function decodeHopPayload(bytes: Uint8Array): DecodedHopPayload {
  if (!(bytes instanceof Uint8Array)) throw new APIMisuseError('payload: expected a Uint8Array');
  try {
    const { values, unknownOddTlvs } = decodeTlvStream(new WireReader(bytes), hopPayloadStream);
    return { payload: values, unknownOddTlvs };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw locateFault(bytes, e);
  }
}

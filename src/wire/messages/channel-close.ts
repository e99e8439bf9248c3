/**
 * BOLT 2 mutual close (legacy fee negotiation): `shutdown` and `closing_signed`.
 *
 * `closing_complete`/`closing_sig` (`option_simple_close`) are listed in `message-types.ts` but
 * not decoded yet.
 *
 * See BOLT 2, "Channel Close".
 */
import type { WireReader } from '../reader.js';
import { decodeTlvStream, defineTlvStream, encodeTlvStream, type TlvRecord } from '../tlv.js';
import type { WireWriter } from '../writer.js';
import { decodeExtension, encodeExtension, withUnknown } from './extension.js';

/** `shutdown` (type 38): start closing; `scriptpubkey` is where our funds go. */
export interface ShutdownMessage {
  readonly type: 'shutdown';
  readonly channelId: Uint8Array;
  readonly scriptpubkey: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `shutdown` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeShutdown(r: WireReader): ShutdownMessage {
  const m = {
    type: 'shutdown' as const,
    channelId: r.bytes32('channel_id'),
    scriptpubkey: r.u16Bytes('scriptpubkey'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `shutdown` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeShutdown(w: WireWriter, m: ShutdownMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u16Bytes(m.scriptpubkey, 'scriptpubkey');
  encodeExtension(w, m.unknownOddTlvs);
}

/** The `fee_range` record: the closing fees the sender accepts, inclusive. */
export interface ClosingFeeRange {
  readonly minFeeSatoshis: bigint;
  readonly maxFeeSatoshis: bigint;
}

interface ClosingSignedTlvs {
  readonly feeRange?: ClosingFeeRange;
}

const closingSignedTlvs = defineTlvStream<ClosingSignedTlvs>('closing_signed_tlvs', {
  feeRange: {
    type: 1n,
    codec: {
      decode: (r) => ({
        minFeeSatoshis: r.u64('min_fee_satoshis'),
        maxFeeSatoshis: r.u64('max_fee_satoshis'),
      }),
      encode: (w, v) => {
        w.u64(v.minFeeSatoshis, 'min_fee_satoshis');
        w.u64(v.maxFeeSatoshis, 'max_fee_satoshis');
      },
    },
  },
});

/** `closing_signed` (type 39): a proposed closing fee and the signature for it. */
export interface ClosingSignedMessage extends ClosingSignedTlvs {
  readonly type: 'closing_signed';
  readonly channelId: Uint8Array;
  readonly feeSatoshis: bigint;
  readonly signature: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `closing_signed` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeClosingSigned(r: WireReader): ClosingSignedMessage {
  const m = {
    type: 'closing_signed' as const,
    channelId: r.bytes32('channel_id'),
    feeSatoshis: r.u64('fee_satoshis'),
    signature: r.signature(),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, closingSignedTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `closing_signed` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeClosingSigned(w: WireWriter, m: ClosingSignedMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u64(m.feeSatoshis, 'fee_satoshis');
  w.signature(m.signature);
  encodeTlvStream(w, closingSignedTlvs, m, m.unknownOddTlvs);
}

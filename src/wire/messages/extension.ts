/**
 * The TLV extension of messages whose BOLT table defines no TLV stream. BOLT 1 ("Lightning
 * Message Format") lets any message end with a TLV stream: the receiver must reject an invalid
 * one (truncated, out of order, an unknown even type) and may ignore unknown odd records. We
 * keep those records so the message re-encodes to the same bytes.
 */
import type { WireReader } from '../reader.js';
import { decodeTlvStream, defineTlvStream, encodeTlvStream, type TlvRecord } from '../tlv.js';
import type { WireWriter } from '../writer.js';

const emptyStream = defineTlvStream<object>('extension', {});

/** Decodes the rest of `r` as a stream with no known records; returns the odd records. */
export function decodeExtension(r: WireReader): TlvRecord[] {
  if (r.remaining() === 0) return [];
  return decodeTlvStream(r, emptyStream).unknownOddTlvs;
}

/** Writes unknown odd records, if any, as the extension. */
export function encodeExtension(w: WireWriter, unknownOddTlvs?: readonly TlvRecord[]): void {
  if (unknownOddTlvs !== undefined && unknownOddTlvs.length > 0) {
    encodeTlvStream(w, emptyStream, {}, unknownOddTlvs);
  }
}

/** Adds `unknownOddTlvs` to a decoded message only when there are some. */
export function withUnknown<T extends object>(
  msg: T,
  unknownOddTlvs: TlvRecord[],
): T & { readonly unknownOddTlvs?: readonly TlvRecord[] } {
  return unknownOddTlvs.length > 0 ? { ...msg, unknownOddTlvs } : msg;
}

/**
 * The failure message a failing hop returns to the sender (`failuremsg`, BOLT 4 "Failure
 * Messages"): a 2-byte `failure_code`, the data that code defines, then an optional TLV stream.
 * Fields follow the table in `failure-codes.ts`, in wire order.
 *
 * Decoding is for the sender: BOLT 4 tells the origin node to ignore any extra bytes, so trailing
 * bytes that do not form a TLV stream are dropped rather than refused.
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { WireReader } from '../wire/reader.js';
import { decodeTlvRecords, type TlvRecord } from '../wire/tlv.js';
import { WireWriter } from '../wire/writer.js';
import { failureCodeTable, type FailureField } from './failure-codes.js';

/**
 * A failure message. Only the fields of `failureCode` (see `failureCodeTable`) are read or
 * written; the others stay absent.
 */
export interface FailureMessage {
  /** The u16 BOLT 4 failure code, flags included. */
  readonly failureCode: number;
  /** `sha256_of_onion` of the BADONION codes: SHA256 of the packet the hop could not parse. */
  readonly sha256OfOnion?: Uint8Array;
  /** `htlc_msat`: the HTLC amount the hop saw (what it means depends on the code). */
  readonly htlcMsat?: bigint;
  /** `cltv_expiry` of the HTLC (u32 block height). */
  readonly cltvExpiry?: number;
  /** `height`: the final node's best block height when the HTLC arrived. */
  readonly height?: number;
  /** `incoming_htlc_amt` of `final_incorrect_htlc_amount`. */
  readonly incomingHtlcAmtMsat?: bigint;
  /** `disabled_flags` of `channel_disabled` (none defined: 0). */
  readonly disabledFlags?: number;
  /**
   * The `channel_update` of an UPDATE code, as sent (raw bytes, not validated here). BOLT 4 no
   * longer requires it; an empty one decodes as absent. A sender may use it to retry this payment
   * but must not apply it to its graph or gossip it.
   */
  readonly channelUpdate?: Uint8Array;
  /** `invalid_onion_payload`: the TLV type at fault; absent when the hop did not narrow it. */
  readonly tlvType?: bigint;
  /** `invalid_onion_payload`: the byte offset of that record (present with `tlvType`). */
  readonly offset?: number;
  /** For a code BOLT 4 does not define: every byte after the code, uninterpreted. */
  readonly data?: Uint8Array;
  /** The trailing TLV stream, when there is one. */
  readonly tlvs?: readonly TlvRecord[];
}

function need<T>(value: T | undefined, code: number, field: string): T {
  if (value === undefined) {
    throw new APIMisuseError(`failure 0x${code.toString(16)}: ${field} is required`);
  }
  return value;
}

function writeField(w: WireWriter, m: FailureMessage, field: FailureField): void {
  const c = m.failureCode;
  switch (field) {
    case 'sha256OfOnion':
      w.bytes32(need(m.sha256OfOnion, c, field), 'sha256_of_onion');
      return;
    case 'htlcMsat':
      w.u64(need(m.htlcMsat, c, field), 'htlc_msat');
      return;
    case 'cltvExpiry':
      w.u32(need(m.cltvExpiry, c, field), 'cltv_expiry');
      return;
    case 'height':
      w.u32(need(m.height, c, field), 'height');
      return;
    case 'incomingHtlcAmtMsat':
      w.u64(need(m.incomingHtlcAmtMsat, c, field), 'incoming_htlc_amt');
      return;
    case 'disabledFlags':
      w.u16(m.disabledFlags ?? 0, 'disabled_flags');
      return;
    case 'channelUpdate':
      w.u16Bytes(m.channelUpdate ?? new Uint8Array(0), 'channel_update');
      return;
    case 'tlvType':
      // BOLT 4 lets the hop leave out type and offset when it cannot narrow the failure down.
      if (m.tlvType !== undefined) w.bigSize(m.tlvType, 'type');
      return;
    case 'offset':
      if (m.tlvType !== undefined) w.u16(m.offset ?? 0, 'offset');
      return;
  }
}

/**
 * Encodes `message` as `failuremsg`. Throws `APIMisuseError` when a field its code requires is
 * missing or out of range, or the TLV records are not in increasing type order.
 */
export function encodeFailureMessage(message: FailureMessage): Uint8Array {
  const w = new WireWriter(64);
  w.u16(message.failureCode, 'failure_code');
  const known = failureCodeTable.get(message.failureCode);
  if (known === undefined) {
    if (message.data !== undefined) w.bytes(message.data, undefined, 'data');
  } else {
    for (const f of known.fields) writeField(w, message, f);
  }
  let last = -1n;
  for (const t of message.tlvs ?? []) {
    if (typeof t.type !== 'bigint' || t.type <= last) {
      throw new APIMisuseError('failure tlvs: types must be bigints in strictly increasing order');
    }
    last = t.type;
    w.bigSize(t.type, 'tlv type');
    w.bigSize(BigInt(t.value.length), 'tlv length');
    w.bytes(t.value, undefined, 'tlv value');
  }
  return w.finish();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readField(r: WireReader, m: Mutable<FailureMessage>, field: FailureField): void {
  switch (field) {
    case 'sha256OfOnion':
      m.sha256OfOnion = r.bytes32('sha256_of_onion');
      return;
    case 'htlcMsat':
      m.htlcMsat = r.u64('htlc_msat');
      return;
    case 'cltvExpiry':
      m.cltvExpiry = r.u32('cltv_expiry');
      return;
    case 'height':
      m.height = r.u32('height');
      return;
    case 'incomingHtlcAmtMsat':
      m.incomingHtlcAmtMsat = r.u64('incoming_htlc_amt');
      return;
    case 'disabledFlags':
      m.disabledFlags = r.u16('disabled_flags');
      return;
    case 'channelUpdate': {
      const update = r.u16Bytes('channel_update');
      if (update.length > 0) m.channelUpdate = update;
      return;
    }
    case 'tlvType':
      if (r.remaining() > 0) m.tlvType = r.bigSize('type');
      return;
    case 'offset':
      if (m.tlvType !== undefined) m.offset = r.u16('offset');
      return;
  }
}

/**
 * Decodes `failuremsg`. Throws `DecodeError` when it is shorter than 2 bytes or the data of a
 * known code is truncated; extra bytes that are not a TLV stream are ignored.
 */
export function decodeFailureMessage(bytes: Uint8Array): FailureMessage {
  const r = new WireReader(bytes);
  const m: Mutable<FailureMessage> = { failureCode: r.u16('failure_code') };
  const known = failureCodeTable.get(m.failureCode);
  if (known === undefined) {
    m.data = r.rest();
    return m;
  }
  for (const f of known.fields) readField(r, m, f);
  if (r.remaining() > 0) {
    try {
      m.tlvs = decodeTlvRecords(r, 'failure_tlvs');
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  return m;
}

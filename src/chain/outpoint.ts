/**
 * A transaction output reference. At the public API a txid is display-order lowercase hex (what
 * explorers show); inside transactions it is serialized in internal byte order, which
 * `encodeOutPoint` and `decodeOutPoint` handle. A channel's funding outpoint is one of these
 * (BOLT 2 `funding_txid` and `funding_output_index`).
 */
import { DecodeError } from '../util/errors.js';
import { displayHexToHash, hashToDisplayHex, parseTxid } from './txid.js';

export interface OutPoint {
  /** Display-order lowercase hex txid. */
  readonly txid: string;
  /** Output index (u32). */
  readonly index: number;
}

/** Serialized length: 32-byte txid in internal order, then the index as u32 little-endian. */
export const OUTPOINT_LENGTH = 36;

const MAX_INDEX = 0xffffffff;

/**
 * Checks an outpoint that came from outside (a host, a store) and returns a plain copy. Throws
 * `DecodeError` unless the txid is 64 lowercase hex characters and the index an integer u32.
 */
export function checkOutPoint(value: unknown): OutPoint {
  if (typeof value !== 'object' || value === null) {
    throw new DecodeError('outpoint: expected an object with txid and index');
  }
  const { txid, index } = value as { txid?: unknown; index?: unknown };
  return { txid: parseTxid(txid), index: checkIndex(index) };
}

/** Parses `txid:index` (the form `formatOutPoint` writes). Throws `DecodeError`. */
export function parseOutPoint(text: string): OutPoint {
  if (typeof text !== 'string') throw new DecodeError('outpoint: expected a string');
  const m = /^([0-9a-f]{64}):(0|[1-9][0-9]{0,9})$/.exec(text);
  if (m === null) throw new DecodeError('outpoint: expected "<64 lowercase hex txid>:<index>"');
  return { txid: m[1]!, index: checkIndex(Number(m[2])) };
}

/** `txid:index`, one spelling per outpoint, usable as a map key. */
export function formatOutPoint(outpoint: OutPoint): string {
  const checked = checkOutPoint(outpoint);
  return `${checked.txid}:${checked.index}`;
}

/** True when both name the same output. */
export function outPointsEqual(a: OutPoint, b: OutPoint): boolean {
  return a.txid === b.txid && a.index === b.index;
}

/**
 * Total order for sorting: by txid in display order, then by index. Negative, zero or positive.
 * (Display order, not serialized order, so sorted lists read naturally next to an explorer.)
 */
export function compareOutPoints(a: OutPoint, b: OutPoint): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  return a.index - b.index;
}

/** The 36-byte form found in transaction inputs. */
export function encodeOutPoint(outpoint: OutPoint): Uint8Array {
  const checked = checkOutPoint(outpoint);
  const out = new Uint8Array(OUTPOINT_LENGTH);
  out.set(displayHexToHash(checked.txid, 'txid'), 0);
  new DataView(out.buffer).setUint32(32, checked.index, true);
  return out;
}

/** Reads the 36-byte form. Throws `DecodeError` for any other length. */
export function decodeOutPoint(bytes: Uint8Array): OutPoint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== OUTPOINT_LENGTH) {
    throw new DecodeError(`outpoint: expected ${OUTPOINT_LENGTH} bytes`);
  }
  const index = new DataView(bytes.buffer, bytes.byteOffset, OUTPOINT_LENGTH).getUint32(32, true);
  return { txid: hashToDisplayHex(bytes.subarray(0, 32)), index };
}

function checkIndex(index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
    throw new DecodeError('outpoint: index must be an integer in [0, 4294967295]');
  }
  return index;
}

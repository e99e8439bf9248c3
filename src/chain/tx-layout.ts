/**
 * Where the parts of a serialized Bitcoin transaction lie, found without building a transaction
 * object. Ids need the legacy (non-witness) serialization and blocks need each transaction's
 * exact length, so this walks the bytes once (BIP 144 serialization) and reports offsets.
 */
import { DecodeError } from '../util/errors.js';

/** Offsets into the bytes a transaction was read from; `end` is one past its last byte. */
export interface TxLayout {
  readonly start: number;
  readonly end: number;
  /** True when the BIP 144 marker and flag (0x00 0x01) follow the version. */
  readonly hasWitness: boolean;
  /** The input and output counts and lists: after the marker and flag, before any witness. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly inputCount: number;
  readonly outputCount: number;
}

/** The smallest input (36-byte outpoint, empty script, sequence) and output (value, empty script). */
const MIN_INPUT_BYTES = 41;
const MIN_OUTPUT_BYTES = 9;

class Cursor {
  readonly bytes: Uint8Array;
  pos: number;

  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new DecodeError(`transaction: short read in ${what} at offset ${this.pos}`);
    }
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Bitcoin CompactSize; rejects non-canonical encodings as Bitcoin Core does. */
  compactSize(what: string): number {
    this.need(1, what);
    const first = this.bytes[this.pos]!;
    this.pos += 1;
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    this.need(width, what);
    let value = 0;
    for (let i = width - 1; i >= 0; i--) value = value * 256 + this.bytes[this.pos + i]!;
    this.pos += width;
    const min = width === 2 ? 0xfd : width === 4 ? 0x10000 : 0x100000000;
    if (value < min) throw new DecodeError(`transaction: non-canonical CompactSize in ${what}`);
    // Anything this large cannot fit in the remaining bytes; reject before it misleads a loop.
    if (value > this.bytes.length) {
      throw new DecodeError(`transaction: ${what} of ${value} exceeds the available bytes`);
    }
    return value;
  }

  /** A count of items each at least `minItemBytes` long, bounded by the bytes left. */
  count(what: string, minItemBytes: number): number {
    const n = this.compactSize(what);
    if (n * minItemBytes > this.bytes.length - this.pos) {
      throw new DecodeError(`transaction: ${what} of ${n} exceeds the available bytes`);
    }
    return n;
  }
}

/**
 * Reads the layout of the transaction starting at `offset`. Throws `DecodeError` on a short read,
 * a non-canonical CompactSize, an unknown BIP 144 flag, or a witness flag with empty witnesses.
 */
export function readTxLayout(bytes: Uint8Array, offset = 0): TxLayout {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('transaction: expected Uint8Array');
  const c = new Cursor(bytes, offset);
  c.skip(4, 'version');
  let hasWitness = false;
  c.need(1, 'input count');
  if (bytes[c.pos] === 0x00) {
    c.need(2, 'segwit flag');
    if (bytes[c.pos + 1] !== 0x01) {
      throw new DecodeError(`transaction: unknown segwit flag ${bytes[c.pos + 1]}`);
    }
    hasWitness = true;
    c.pos += 2;
  }
  const bodyStart = c.pos;
  const inputCount = c.count('input count', MIN_INPUT_BYTES);
  for (let i = 0; i < inputCount; i++) {
    c.skip(36, 'outpoint');
    c.skip(c.compactSize('scriptSig length'), 'scriptSig');
    c.skip(4, 'sequence');
  }
  const outputCount = c.count('output count', MIN_OUTPUT_BYTES);
  for (let i = 0; i < outputCount; i++) {
    c.skip(8, 'value');
    c.skip(c.compactSize('scriptPubKey length'), 'scriptPubKey');
  }
  const bodyEnd = c.pos;
  if (hasWitness) {
    let anyItems = false;
    for (let i = 0; i < inputCount; i++) {
      const items = c.count('witness item count', 1);
      if (items > 0) anyItems = true;
      for (let j = 0; j < items; j++) c.skip(c.compactSize('witness item length'), 'witness item');
    }
    // BIP 144: a transaction with the flag set must carry at least one witness.
    if (!anyItems) throw new DecodeError('transaction: segwit flag set but every witness is empty');
  }
  c.skip(4, 'locktime');
  return {
    start: offset,
    end: c.pos,
    hasWitness,
    bodyStart,
    bodyEnd,
    inputCount,
    outputCount,
  };
}

/** The legacy serialization (no marker, flag or witnesses) that the txid commits to. */
export function legacySerialization(bytes: Uint8Array, layout: TxLayout): Uint8Array {
  if (!layout.hasWitness) return bytes.slice(layout.start, layout.end);
  const bodyLength = layout.bodyEnd - layout.bodyStart;
  const out = new Uint8Array(8 + bodyLength);
  out.set(bytes.subarray(layout.start, layout.start + 4), 0);
  out.set(bytes.subarray(layout.bodyStart, layout.bodyEnd), 4);
  out.set(bytes.subarray(layout.end - 4, layout.end), 4 + bodyLength);
  return out;
}

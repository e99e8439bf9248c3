/**
 * BigSize: the variable-length unsigned integer of BOLT 1 (like Bitcoin's CompactSize, but big
 * endian). Used for TLV types and lengths. Decoding enforces the minimal encoding, because a
 * non-minimal form would give two byte strings for one TLV stream and break signatures over it.
 *
 * See BOLT 1, "Appendix A: BigSize Test Vectors".
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';

/** The largest value a BigSize can carry (2^64 - 1). */
export const MAX_BIGSIZE = 0xffffffffffffffffn;

/** Number of bytes the minimal encoding of `value` takes: 1, 3, 5 or 9. */
export function bigSizeLength(value: bigint): number {
  if (value < 0xfdn) return 1;
  if (value <= 0xffffn) return 3;
  if (value <= 0xffffffffn) return 5;
  return 9;
}

/**
 * Writes the minimal encoding of `value` into `out` at `offset` and returns the offset after it.
 * The caller guarantees room for `bigSizeLength(value)` bytes.
 */
export function writeBigSize(out: Uint8Array, offset: number, value: bigint): number {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_BIGSIZE) {
    throw new APIMisuseError(`bigsize: expected a bigint in [0, 2^64-1], got ${String(value)}`);
  }
  if (value < 0xfdn) {
    out[offset] = Number(value);
    return offset + 1;
  }
  if (value <= 0xffffn) {
    const v = Number(value);
    out[offset] = 0xfd;
    out[offset + 1] = v >>> 8;
    out[offset + 2] = v & 0xff;
    return offset + 3;
  }
  if (value <= 0xffffffffn) {
    const v = Number(value);
    out[offset] = 0xfe;
    out[offset + 1] = v >>> 24;
    out[offset + 2] = (v >>> 16) & 0xff;
    out[offset + 3] = (v >>> 8) & 0xff;
    out[offset + 4] = v & 0xff;
    return offset + 5;
  }
  out[offset] = 0xff;
  new DataView(out.buffer, out.byteOffset + offset + 1, 8).setBigUint64(0, value);
  return offset + 9;
}

/** The minimal BigSize encoding of `value`, as a new array. */
export function encodeBigSize(value: bigint): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_BIGSIZE) {
    throw new APIMisuseError(`bigsize: expected a bigint in [0, 2^64-1], got ${String(value)}`);
  }
  const out = new Uint8Array(bigSizeLength(value));
  writeBigSize(out, 0, value);
  return out;
}

/**
 * Reads a BigSize from `bytes` at `offset`, not reading at or past `end`. Returns the value and
 * how many bytes it took. Throws `DecodeError` on a short read or a non-minimal encoding.
 */
export function readBigSize(
  bytes: Uint8Array,
  offset = 0,
  end: number = bytes.length,
): { value: bigint; length: number } {
  if (offset >= end) throw new DecodeError('bigsize: no bytes to read');
  const first = bytes[offset]!;
  if (first < 0xfd) return { value: BigInt(first), length: 1 };
  if (first === 0xfd) {
    if (end - offset < 3) throw new DecodeError('bigsize: short read (need 3 bytes)');
    const v = (bytes[offset + 1]! << 8) | bytes[offset + 2]!;
    if (v < 0xfd) throw new DecodeError('bigsize: not minimally encoded');
    return { value: BigInt(v), length: 3 };
  }
  if (first === 0xfe) {
    if (end - offset < 5) throw new DecodeError('bigsize: short read (need 5 bytes)');
    const v =
      bytes[offset + 1]! * 0x1000000 +
      ((bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 8) | bytes[offset + 4]!);
    if (v <= 0xffff) throw new DecodeError('bigsize: not minimally encoded');
    return { value: BigInt(v), length: 5 };
  }
  if (end - offset < 9) throw new DecodeError('bigsize: short read (need 9 bytes)');
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 8).getBigUint64(0);
  if (v <= 0xffffffffn) throw new DecodeError('bigsize: not minimally encoded');
  return { value: v, length: 9 };
}

/** Decodes a byte array that holds exactly one BigSize. */
export function decodeBigSize(bytes: Uint8Array): bigint {
  const { value, length } = readBigSize(bytes);
  if (length !== bytes.length) {
    throw new DecodeError(`bigsize: ${bytes.length - length} trailing bytes`);
  }
  return value;
}

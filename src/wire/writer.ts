/**
 * `WireWriter`: a growing buffer that writes the BOLT 1 fundamental types big-endian. Every
 * value is range-checked, so a bad field in a message being encoded gives `APIMisuseError`
 * instead of silently wrapping or a `RangeError`.
 *
 * See BOLT 1, "Fundamental Types".
 */
import { APIMisuseError } from '../util/errors.js';
import { bigSizeLength, writeBigSize } from './bigsize.js';
import type { ShortChannelId } from './short-channel-id.js';

const MAX_U64 = 0xffffffffffffffffn;
const MIN_S64 = -0x8000000000000000n;
const MAX_S64 = 0x7fffffffffffffffn;

function checkInt(value: number, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new APIMisuseError(`${what}: expected an integer in [${min}, ${max}], got ${value}`);
  }
}

function checkBig(value: bigint, min: bigint, max: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < min || value > max) {
    throw new APIMisuseError(`${what}: expected a bigint in [${min}, ${max}]`);
  }
}

function checkBytes(value: Uint8Array, length: number | undefined, what: string): void {
  if (!(value instanceof Uint8Array)) {
    throw new APIMisuseError(`${what}: expected a Uint8Array`);
  }
  if (length !== undefined && value.length !== length) {
    throw new APIMisuseError(`${what}: expected ${length} bytes, got ${value.length}`);
  }
}

export class WireWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private reserve(n: number): number {
    const p = this.pos;
    if (p + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < p + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, p));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.pos = p + n;
    return p;
  }

  u8(value: number, what = 'u8'): this {
    checkInt(value, 0, 0xff, what);
    const p = this.reserve(1);
    this.buf[p] = value;
    return this;
  }

  u16(value: number, what = 'u16'): this {
    checkInt(value, 0, 0xffff, what);
    const p = this.reserve(2);
    this.view.setUint16(p, value);
    return this;
  }

  u32(value: number, what = 'u32'): this {
    checkInt(value, 0, 0xffffffff, what);
    const p = this.reserve(4);
    this.view.setUint32(p, value);
    return this;
  }

  u64(value: bigint, what = 'u64'): this {
    checkBig(value, 0n, MAX_U64, what);
    const p = this.reserve(8);
    this.view.setBigUint64(p, value);
    return this;
  }

  s8(value: number, what = 's8'): this {
    checkInt(value, -0x80, 0x7f, what);
    const p = this.reserve(1);
    this.view.setInt8(p, value);
    return this;
  }

  s16(value: number, what = 's16'): this {
    checkInt(value, -0x8000, 0x7fff, what);
    const p = this.reserve(2);
    this.view.setInt16(p, value);
    return this;
  }

  s32(value: number, what = 's32'): this {
    checkInt(value, -0x80000000, 0x7fffffff, what);
    const p = this.reserve(4);
    this.view.setInt32(p, value);
    return this;
  }

  s64(value: bigint, what = 's64'): this {
    checkBig(value, MIN_S64, MAX_S64, what);
    const p = this.reserve(8);
    this.view.setBigInt64(p, value);
    return this;
  }

  private truncated(value: number): this {
    let n = 0;
    for (let v = value; v > 0; v = Math.floor(v / 256)) n++;
    const p = this.reserve(n);
    let v = value;
    for (let i = n - 1; i >= 0; i--) {
      this.buf[p + i] = v % 256;
      v = Math.floor(v / 256);
    }
    return this;
  }

  /** Minimal truncated u16 (0 to 2 bytes); only valid as the last field of a TLV value. */
  tu16(value: number, what = 'tu16'): this {
    checkInt(value, 0, 0xffff, what);
    return this.truncated(value);
  }

  /** Minimal truncated u32 (0 to 4 bytes); only valid as the last field of a TLV value. */
  tu32(value: number, what = 'tu32'): this {
    checkInt(value, 0, 0xffffffff, what);
    return this.truncated(value);
  }

  /** Minimal truncated u64 (0 to 8 bytes); only valid as the last field of a TLV value. */
  tu64(value: bigint, what = 'tu64'): this {
    checkBig(value, 0n, MAX_U64, what);
    let n = 0;
    for (let v = value; v > 0n; v >>= 8n) n++;
    const p = this.reserve(n);
    let v = value;
    for (let i = n - 1; i >= 0; i--) {
      this.buf[p + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this;
  }

  /** Minimal BigSize. */
  bigSize(value: bigint, what = 'bigsize'): this {
    checkBig(value, 0n, MAX_U64, what);
    const p = this.reserve(bigSizeLength(value));
    writeBigSize(this.buf, p, value);
    return this;
  }

  /** Raw bytes; when `length` is given the array must have exactly that length. */
  bytes(value: Uint8Array, length?: number, what = 'bytes'): this {
    checkBytes(value, length, what);
    const p = this.reserve(value.length);
    this.buf.set(value, p);
    return this;
  }

  /** A u16 length followed by the bytes (the `len*byte` pattern). */
  u16Bytes(value: Uint8Array, what = 'bytes'): this {
    checkBytes(value, undefined, what);
    this.u16(value.length, `${what} length`);
    return this.bytes(value, undefined, what);
  }

  /** A 33-byte compressed point (prefix 0x02 or 0x03). */
  point(value: Uint8Array, what = 'point'): this {
    checkBytes(value, 33, what);
    if (value[0] !== 0x02 && value[0] !== 0x03) {
      throw new APIMisuseError(`${what}: not a compressed point`);
    }
    return this.bytes(value, 33, what);
  }

  /** A 64-byte compact signature. */
  signature(value: Uint8Array, what = 'signature'): this {
    return this.bytes(value, 64, what);
  }

  chainHash(value: Uint8Array, what = 'chain_hash'): this {
    return this.bytes(value, 32, what);
  }

  /** A 32-byte value: `channel_id`, `sha256`, secrets and preimages. */
  bytes32(value: Uint8Array, what = 'bytes32'): this {
    return this.bytes(value, 32, what);
  }

  shortChannelId(value: ShortChannelId, what = 'short_channel_id'): this {
    return this.u64(value, what);
  }

  /**
   * Overwrites the u16 at `offset` (already written), for a length known only after the data
   * it prefixes has been written.
   */
  patchU16(offset: number, value: number, what = 'u16'): this {
    checkInt(value, 0, 0xffff, what);
    if (!Number.isInteger(offset) || offset < 0 || offset + 2 > this.pos) {
      throw new APIMisuseError(`${what}: cannot patch at offset ${offset}`);
    }
    this.view.setUint16(offset, value);
    return this;
  }

  /** The bytes written, as a new array the caller owns. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/**
 * `WireReader`: a cursor over a byte array that reads the BOLT 1 fundamental types. Every read
 * past the end throws `DecodeError`, so a decoder built on it never fails with a `RangeError` on
 * a short message. A reader can be bounded to a sub-range (a TLV value) without copying.
 *
 * Reads that return bytes return copies (`slice`), because decoded messages are stored and must
 * not alias a transport buffer that will be reused.
 *
 * See BOLT 1, "Fundamental Types".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { DecodeError } from '../util/errors.js';
import { readBigSize } from './bigsize.js';
import type { ShortChannelId } from './short-channel-id.js';

export class WireReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos: number;
  private readonly end: number;

  /** Reads `bytes[start, end)`; the default is the whole array. */
  constructor(bytes: Uint8Array, start = 0, end: number = bytes.length) {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError('reader: expected a Uint8Array');
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      end > bytes.length ||
      start > end
    ) {
      throw new DecodeError(`reader: bad range [${start}, ${end}) of ${bytes.length} bytes`);
    }
    // A subclass such as Node's Buffer would make `slice` return views of the caller's memory
    // (and Buffers); read through a plain Uint8Array view so every copy is a plain Uint8Array.
    this.buf =
      bytes.constructor === Uint8Array
        ? bytes
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** Current position, as an index into the underlying array. */
  get offset(): number {
    return this.pos;
  }

  /** How many bytes are left to read. */
  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    const p = this.pos;
    if (this.end - p < n) {
      throw new DecodeError(`${what}: short read, need ${n} bytes, ${this.end - p} left`);
    }
    this.pos = p + n;
    return p;
  }

  /**
   * A reader over the next `n` bytes, which this reader skips. The sub-reader shares the
   * underlying array (no copy); TLV values are decoded through it so a codec cannot read past
   * its record.
   */
  sub(n: number, what = 'sub-reader'): WireReader {
    const p = this.need(n, what);
    return new WireReader(this.buf, p, p + n);
  }

  /** Skips `n` bytes. */
  skip(n: number, what = 'skip'): void {
    this.need(n, what);
  }

  u8(what = 'u8'): number {
    return this.buf[this.need(1, what)]!;
  }

  u16(what = 'u16'): number {
    const p = this.need(2, what);
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  u32(what = 'u32'): number {
    return this.view.getUint32(this.need(4, what));
  }

  u64(what = 'u64'): bigint {
    return this.view.getBigUint64(this.need(8, what));
  }

  s8(what = 's8'): number {
    return this.view.getInt8(this.need(1, what));
  }

  s16(what = 's16'): number {
    return this.view.getInt16(this.need(2, what));
  }

  s32(what = 's32'): number {
    return this.view.getInt32(this.need(4, what));
  }

  s64(what = 's64'): bigint {
    return this.view.getBigInt64(this.need(8, what));
  }

  /**
   * A truncated unsigned integer of up to `maxBytes` bytes taking all remaining bytes (BOLT 1:
   * truncated integers only appear as the final value of a TLV record). Leading zero bytes are
   * rejected: the encoding must be minimal.
   */
  private truncated(maxBytes: number, what: string): number {
    const n = this.end - this.pos;
    if (n > maxBytes) throw new DecodeError(`${what}: ${n} bytes is longer than ${maxBytes}`);
    if (n > 0 && this.buf[this.pos] === 0) throw new DecodeError(`${what}: not minimal`);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos + i]!;
    this.pos += n;
    return v;
  }

  /** Truncated u16 over the remaining bytes (0 to 2), minimal. */
  tu16(what = 'tu16'): number {
    return this.truncated(2, what);
  }

  /** Truncated u32 over the remaining bytes (0 to 4), minimal. */
  tu32(what = 'tu32'): number {
    return this.truncated(4, what);
  }

  /** Truncated u64 over the remaining bytes (0 to 8), minimal. */
  tu64(what = 'tu64'): bigint {
    const n = this.end - this.pos;
    if (n > 8) throw new DecodeError(`${what}: ${n} bytes is longer than 8`);
    if (n > 0 && this.buf[this.pos] === 0) throw new DecodeError(`${what}: not minimal`);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.buf[this.pos + i]!);
    this.pos += n;
    return v;
  }

  /** A BigSize, minimal encoding enforced (BOLT 1 Appendix A). */
  bigSize(what = 'bigsize'): bigint {
    if (this.pos >= this.end) throw new DecodeError(`${what}: short read, no bytes left`);
    let r;
    try {
      r = readBigSize(this.buf, this.pos, this.end);
    } catch (e) {
      if (e instanceof DecodeError) throw new DecodeError(`${what}: ${e.message}`, { cause: e });
      throw e;
    }
    this.pos += r.length;
    return r.value;
  }

  /** `n` bytes, copied. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new DecodeError(`${what}: bad length ${n}`);
    const p = this.need(n, what);
    return this.buf.slice(p, p + n);
  }

  /** All remaining bytes, copied. */
  rest(): Uint8Array {
    const p = this.pos;
    this.pos = this.end;
    return this.buf.slice(p, this.end);
  }

  /** A u16 length followed by that many bytes (the `len*byte` pattern). */
  u16Bytes(what = 'bytes'): Uint8Array {
    return this.bytes(this.u16(`${what} length`), what);
  }

  /**
   * A 33-byte compressed point. Only the prefix byte (0x02 or 0x03) is checked: a full curve
   * check costs a square root, and BOLT 2 and 7 leave that to the consumer (channel setup,
   * signature checks). Use `validPoint` where a decode must prove the point is on the curve.
   */
  point(what = 'point'): Uint8Array {
    const p = this.need(33, what);
    const prefix = this.buf[p]!;
    if (prefix !== 0x02 && prefix !== 0x03) {
      throw new DecodeError(`${what}: not a compressed point (prefix ${prefix})`);
    }
    return this.buf.slice(p, p + 33);
  }

  /** A 33-byte point that must be on the curve. */
  validPoint(crypto: CryptoBackend, what = 'point'): Uint8Array {
    const pt = this.point(what);
    if (!crypto.isValidPublicKey(pt)) throw new DecodeError(`${what}: not a valid point`);
    return pt;
  }

  /** A 64-byte compact signature; its validity is checked when it is verified. */
  signature(what = 'signature'): Uint8Array {
    return this.bytes(64, what);
  }

  /** A 32-byte chain hash (genesis block hash, as BOLT 0 defines it). */
  chainHash(what = 'chain_hash'): Uint8Array {
    return this.bytes(32, what);
  }

  /** A 32-byte value: `channel_id`, `sha256`, secrets and preimages. */
  bytes32(what = 'bytes32'): Uint8Array {
    return this.bytes(32, what);
  }

  /** An 8-byte short channel id. */
  shortChannelId(what = 'short_channel_id'): ShortChannelId {
    return this.view.getBigUint64(this.need(8, what));
  }
}

/**
 * The building blocks of the stable event encoding (`event-codec.ts`, `payment-event-codec.ts`):
 * a TLV stream writer and reader (BOLT 1 style: BigSize type, BigSize length, value, types
 * strictly increasing; unknown odd types skipped, unknown even ones refused), typed field
 * accessors, and nested records: a record is itself a TLV stream carried as one value, and a
 * list is a BigSize count followed by each item as a BigSize length and its bytes.
 *
 * Nested values are TLV streams too, so a later version can add optional (odd) fields inside a
 * hop or a purpose as well as at the top of an event.
 */
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';

/** Text fields are stored as code units below 256; anything else becomes `?`. */
export function encodeText(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? code : 0x3f;
  });
}

export function u64Bytes(v: bigint): Uint8Array {
  return new WireWriter(8).u64(v).finish();
}

export function u32Bytes(v: number): Uint8Array {
  return new WireWriter(4).u32(v).finish();
}

export function u16Bytes(v: number): Uint8Array {
  return new WireWriter(2).u16(v).finish();
}

export function u128Bytes(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 128n) throw new DecodeError('userChannelId: expected a u128');
  return new WireWriter(16)
    .u64(v >> 64n)
    .u64(v & 0xffffffffffffffffn)
    .finish();
}

export function boolBytes(v: boolean): Uint8Array {
  return Uint8Array.of(v ? 1 : 0);
}

/** A JS number that must fit a u64 on the wire (milliseconds and the like). */
export function safeUintBytes(v: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new APIMisuseError(`${what}: expected a non-negative safe integer, got ${v}`);
  }
  return u64Bytes(BigInt(v));
}

/** `hex` of exactly `length` bytes, or nothing when absent (for optional fields). */
export function optionalHex(hex: string | undefined, length?: number): Uint8Array | undefined {
  return hex === undefined ? undefined : fromHex(hex, length);
}

/** Builds one TLV stream; records must be added in increasing type order. */
export class Records {
  readonly #w = new WireWriter();
  #last = -1;
  /** Adds a record; `undefined` (an absent optional field) adds nothing. */
  add(type: number, value: Uint8Array | undefined): this {
    if (value === undefined) return this;
    if (type <= this.#last) throw new DecodeError(`TLV type ${type} out of order`);
    this.#last = type;
    this.#w.bigSize(BigInt(type)).bigSize(BigInt(value.length)).bytes(value);
    return this;
  }
  finish(): Uint8Array {
    return this.#w.finish();
  }
}

/** A list of nested records: a BigSize count, then each item's length and bytes. */
export function encodeList<T>(
  items: readonly T[],
  encodeItem: (item: T) => Uint8Array,
): Uint8Array {
  const w = new WireWriter();
  w.bigSize(BigInt(items.length));
  for (const item of items) {
    const bytes = encodeItem(item);
    w.bigSize(BigInt(bytes.length)).bytes(bytes);
  }
  return w.finish();
}

/** Reads what `encodeList` wrote; `DecodeError` for a bad count, an overrun or trailing bytes. */
export function decodeList<T>(
  bytes: Uint8Array,
  decodeItem: (item: Uint8Array) => T,
  what: string,
): T[] {
  const r = new WireReader(bytes);
  const count = r.bigSize(`${what} count`);
  // Every item takes at least its one length byte, so a larger count cannot be honest.
  if (count > BigInt(r.remaining())) throw new DecodeError(`${what}: count ${count} too large`);
  const out: T[] = [];
  for (let i = 0n; i < count; i++) {
    const length = r.bigSize(`${what} item length`);
    if (length > BigInt(r.remaining())) throw new DecodeError(`${what}: item overruns the list`);
    out.push(decodeItem(r.bytes(Number(length), `${what} item`)));
  }
  if (r.remaining() !== 0) throw new DecodeError(`${what}: trailing bytes after the list`);
  return out;
}

/** Reads a TLV stream into a map, checking order and refusing unknown even types. */
export function readRecords(bytes: Uint8Array, known: readonly number[]): Map<number, Uint8Array> {
  const r = new WireReader(bytes);
  const out = new Map<number, Uint8Array>();
  let last = -1n;
  while (r.remaining() > 0) {
    const type = r.bigSize('tlv type');
    if (type <= last) throw new DecodeError(`event TLV type ${type} not increasing`);
    last = type;
    const length = r.bigSize('tlv length');
    if (length > BigInt(r.remaining())) throw new DecodeError('event TLV length past the end');
    const value = r.bytes(Number(length), 'tlv value');
    const t = Number(type);
    if (known.includes(t)) out.set(t, value);
    else if (type % 2n === 0n) throw new DecodeError(`event: unknown even TLV type ${type}`);
  }
  return out;
}

/** Typed reads of the records of one stream; every failure is a `DecodeError`. */
export class Fields {
  readonly map: Map<number, Uint8Array>;
  readonly what: string;
  constructor(map: Map<number, Uint8Array>, what: string) {
    this.map = map;
    this.what = what;
  }
  /** Reads `bytes` as a stream whose only known types are `known`. */
  static read(bytes: Uint8Array, known: readonly number[], what: string): Fields {
    return new Fields(readRecords(bytes, known), what);
  }
  bytes(t: number, length?: number): Uint8Array {
    const v = this.map.get(t);
    if (v === undefined) throw new DecodeError(`${this.what}: TLV ${t} missing`);
    if (length !== undefined && v.length !== length) {
      throw new DecodeError(`${this.what}: TLV ${t} expected ${length} bytes, got ${v.length}`);
    }
    return v;
  }
  hex(t: number, length?: number): string {
    return toHex(this.bytes(t, length));
  }
  u64(t: number): bigint {
    return new WireReader(this.bytes(t, 8)).u64();
  }
  u32(t: number): number {
    return new WireReader(this.bytes(t, 4)).u32();
  }
  u16(t: number): number {
    return new WireReader(this.bytes(t, 2)).u16();
  }
  u128(t: number): bigint {
    const r = new WireReader(this.bytes(t, 16));
    return (r.u64() << 64n) | r.u64();
  }
  /** A u64 that must also be a safe JS integer (it is held as a `number`). */
  safeUint(t: number): number {
    const v = this.u64(t);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DecodeError(`${this.what}: TLV ${t} exceeds the safe integer range`);
    }
    return Number(v);
  }
  bool(t: number): boolean {
    const b = this.bytes(t, 1)[0];
    if (b !== 0 && b !== 1) throw new DecodeError(`${this.what}: TLV ${t} expected a boolean`);
    return b === 1;
  }
  str(t: number): string {
    const b = this.bytes(t);
    let s = '';
    // In slices, so a long text cannot overflow the argument list.
    for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
    return s;
  }
  has(t: number): boolean {
    return this.map.has(t);
  }
  /** The field read by `read` when present, else `undefined`. */
  optional<T>(t: number, read: (t: number) => T): T | undefined {
    return this.map.has(t) ? read(t) : undefined;
  }
}

/**
 * TLV streams (BOLT 1, "Type-Length-Value Format"). A stream is declared once with
 * `defineTlvStream`: a schema naming each known record, its type number and a value codec.
 * Decoding applies every BOLT 1 receiving rule:
 *
 * - `type` and `length` must be minimal BigSize;
 * - types must be strictly increasing (so no duplicates);
 * - `length` must not exceed the bytes left;
 * - a known record's codec must consume exactly `length` bytes, minimally encoded;
 * - an unknown even type fails the stream; an unknown odd type is skipped but kept in
 *   `unknownOddTlvs`, so re-encoding gives back the same bytes (signatures over a message cover
 *   its extension, BOLT 1 Appendix C).
 *
 * Every failure is a `DecodeError`.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { WireReader } from './reader.js';
import type { ShortChannelId } from './short-channel-id.js';
import { WireWriter } from './writer.js';

/** One raw TLV record. */
export interface TlvRecord {
  readonly type: bigint;
  readonly value: Uint8Array;
}

/** How one known record's value is read and written. */
export interface TlvCodec<T> {
  /** Reads the value; the reader is bounded to exactly the record's bytes. */
  readonly decode: (r: WireReader) => T;
  readonly encode: (w: WireWriter, value: T) => void;
}

/** One known record of a stream. */
export interface TlvField<T> {
  readonly type: bigint;
  readonly codec: TlvCodec<T>;
}

/**
 * The schema of a stream whose decoded form is `V`, an object of optional properties, one per
 * known record.
 */
export type TlvSchema<V> = {
  readonly [K in keyof V]-?: TlvField<Exclude<V[K], undefined>>;
};

interface CompiledField {
  readonly key: string;
  readonly type: bigint;
  readonly codec: TlvCodec<unknown>;
}

/** A declared TLV stream; build it once at module load with `defineTlvStream`. */
export interface TlvStream<V> {
  /** The BOLT name of the stream, such as `open_channel_tlvs`, used in error messages. */
  readonly name: string;
  /** Known fields by ascending type. */
  readonly fields: readonly CompiledField[];
  /** Phantom marker tying the stream to its decoded form. */
  readonly _values?: V;
}

/** Declares a stream. Throws `APIMisuseError` for a duplicate type in the schema. */
export function defineTlvStream<V extends object>(
  name: string,
  schema: TlvSchema<V>,
): TlvStream<V> {
  const fields: CompiledField[] = [];
  const entries = Object.entries(schema) as [string, TlvField<unknown>][];
  for (const [key, f] of entries) {
    if (fields.some((x) => x.type === f.type)) {
      throw new APIMisuseError(`${name}: type ${f.type} declared twice`);
    }
    fields.push({ key, type: f.type, codec: f.codec });
  }
  fields.sort((a, b) => (a.type < b.type ? -1 : 1));
  return { name, fields };
}

/** The decoded form of a stream. */
export interface DecodedTlvStream<V> {
  readonly values: V;
  readonly unknownOddTlvs: TlvRecord[];
}

function findField(fields: readonly CompiledField[], type: bigint): CompiledField | undefined {
  // Streams have a handful of known types; a linear scan beats building a map per call.
  for (const f of fields) if (f.type === type) return f;
  return undefined;
}

/**
 * Decodes every remaining byte of `r` as the stream `stream`. Throws `DecodeError` on any BOLT 1
 * violation listed in this module's header.
 */
export function decodeTlvStream<V>(r: WireReader, stream: TlvStream<V>): DecodedTlvStream<V> {
  const values: Record<string, unknown> = {};
  const unknownOddTlvs: TlvRecord[] = [];
  let last = -1n;
  while (r.remaining() > 0) {
    const type = r.bigSize(`${stream.name} type`);
    if (type <= last) {
      throw new DecodeError(`${stream.name}: type ${type} after ${last}, not strictly increasing`);
    }
    last = type;
    const length = r.bigSize(`${stream.name} length`);
    if (length > BigInt(r.remaining())) {
      throw new DecodeError(
        `${stream.name}: record ${type} length ${length} exceeds the ${r.remaining()} bytes left`,
      );
    }
    const n = Number(length);
    const field = findField(stream.fields, type);
    if (field === undefined) {
      if ((type & 1n) === 0n) throw new DecodeError(`${stream.name}: unknown even type ${type}`);
      unknownOddTlvs.push({ type, value: r.bytes(n) });
      continue;
    }
    const sub = r.sub(n, `${stream.name} ${field.key}`);
    const value = field.codec.decode(sub);
    if (sub.remaining() !== 0) {
      throw new DecodeError(
        `${stream.name}: ${field.key} has ${sub.remaining()} bytes more than its encoding`,
      );
    }
    values[field.key] = value;
  }
  return { values: values as V, unknownOddTlvs };
}

/**
 * Reads every remaining byte of `r` as raw records, checking only the stream rules (minimal
 * BigSize, strictly increasing types, lengths in bounds); no type is treated as known.
 */
export function decodeTlvRecords(r: WireReader, name = 'tlv_stream'): TlvRecord[] {
  const out: TlvRecord[] = [];
  let last = -1n;
  while (r.remaining() > 0) {
    const type = r.bigSize(`${name} type`);
    if (type <= last) throw new DecodeError(`${name}: types not strictly increasing at ${type}`);
    last = type;
    const length = r.bigSize(`${name} length`);
    if (length > BigInt(r.remaining())) {
      throw new DecodeError(`${name}: record ${type} length ${length} exceeds the bytes left`);
    }
    out.push({ type, value: r.bytes(Number(length)) });
  }
  return out;
}

/**
 * Encodes the known `values` of `stream` and the `unknownOddTlvs` as one stream, in increasing
 * type order. Throws `APIMisuseError` when an unknown record is even, collides with a known
 * type or repeats a type: BOLT 1 forbids sending an even record the peer did not negotiate.
 */
export function encodeTlvStream<V>(
  w: WireWriter,
  stream: TlvStream<V>,
  values: V,
  unknownOddTlvs: readonly TlvRecord[] = [],
): void {
  const vals = values as Record<string, unknown>;
  const records: { type: bigint; field?: CompiledField; value: unknown }[] = [];
  for (const f of stream.fields) {
    const v = vals[f.key];
    if (v !== undefined) records.push({ type: f.type, field: f, value: v });
  }
  if (unknownOddTlvs.length > 0) {
    for (const rec of unknownOddTlvs) {
      if (typeof rec.type !== 'bigint' || rec.type < 0n || (rec.type & 1n) === 0n) {
        throw new APIMisuseError(`${stream.name}: unknown record type must be an odd bigint`);
      }
      if (findField(stream.fields, rec.type) !== undefined) {
        throw new APIMisuseError(`${stream.name}: unknown record ${rec.type} is a known type`);
      }
      records.push({ type: rec.type, value: rec.value });
    }
    records.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }
  let last = -1n;
  for (const rec of records) {
    if (rec.type === last) throw new APIMisuseError(`${stream.name}: type ${rec.type} repeated`);
    last = rec.type;
    let bytes: Uint8Array;
    if (rec.field === undefined) {
      if (!(rec.value instanceof Uint8Array)) {
        throw new APIMisuseError(`${stream.name}: record ${rec.type} value must be a Uint8Array`);
      }
      bytes = rec.value;
    } else {
      const sub = new WireWriter(64);
      rec.field.codec.encode(sub, rec.value);
      bytes = sub.finish();
    }
    w.bigSize(rec.type);
    w.bigSize(BigInt(bytes.length));
    w.bytes(bytes);
  }
}

/** The value codecs in `tlvCodecs`, typed so declarations need no inference. */
export interface TlvCodecTable {
  readonly bytes: TlvCodec<Uint8Array>;
  readonly u16: TlvCodec<number>;
  readonly u32: TlvCodec<number>;
  readonly u64: TlvCodec<bigint>;
  readonly tu16: TlvCodec<number>;
  readonly tu32: TlvCodec<number>;
  readonly tu64: TlvCodec<bigint>;
  readonly point: TlvCodec<Uint8Array>;
  readonly bytes32: TlvCodec<Uint8Array>;
  readonly shortChannelId: TlvCodec<ShortChannelId>;
  readonly chainHashes: TlvCodec<readonly Uint8Array[]>;
}

/** Codecs for the value shapes BOLT streams use. */
export const tlvCodecs: TlvCodecTable = {
  /** The whole value as bytes (`...*byte`). */
  bytes: {
    decode: (r) => r.rest(),
    encode: (w, v) => w.bytes(v),
  } satisfies TlvCodec<Uint8Array>,
  u16: { decode: (r) => r.u16(), encode: (w, v) => w.u16(v) } satisfies TlvCodec<number>,
  u32: { decode: (r) => r.u32(), encode: (w, v) => w.u32(v) } satisfies TlvCodec<number>,
  u64: { decode: (r) => r.u64(), encode: (w, v) => w.u64(v) } satisfies TlvCodec<bigint>,
  tu16: { decode: (r) => r.tu16(), encode: (w, v) => w.tu16(v) } satisfies TlvCodec<number>,
  tu32: { decode: (r) => r.tu32(), encode: (w, v) => w.tu32(v) } satisfies TlvCodec<number>,
  tu64: { decode: (r) => r.tu64(), encode: (w, v) => w.tu64(v) } satisfies TlvCodec<bigint>,
  /** A 33-byte point, prefix-checked only (see `WireReader.point`). */
  point: { decode: (r) => r.point(), encode: (w, v) => w.point(v) } satisfies TlvCodec<Uint8Array>,
  bytes32: {
    decode: (r) => r.bytes32(),
    encode: (w, v) => w.bytes32(v),
  } satisfies TlvCodec<Uint8Array>,
  shortChannelId: {
    decode: (r) => r.shortChannelId(),
    encode: (w, v) => w.shortChannelId(v),
  } satisfies TlvCodec<ShortChannelId>,
  /** Zero or more 32-byte chain hashes (`...*chain_hash`). */
  chainHashes: {
    decode: (r) => {
      if (r.remaining() % 32 !== 0)
        throw new DecodeError('chain hashes: length not a multiple of 32');
      const out: Uint8Array[] = [];
      while (r.remaining() > 0) out.push(r.chainHash());
      return out;
    },
    encode: (w, v) => {
      for (const h of v) w.chainHash(h);
    },
  } satisfies TlvCodec<readonly Uint8Array[]>,
} as const;

/** A point codec that checks the point is on the curve, for streams whose rules demand it. */
export function validPointCodec(crypto: CryptoBackend): TlvCodec<Uint8Array> {
  return { decode: (r) => r.validPoint(crypto), encode: (w, v) => w.point(v) };
}

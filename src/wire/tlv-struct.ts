/**
 * Codecs for persisted records built from TLV streams: a struct whose required fields must be
 * present, and a length-prefixed list. Channel state and monitors are saved with these, so that
 * newer versions can add odd fields that older readers skip (BOLT 1 "it's OK to be odd").
 */
import { DecodeError } from '../util/errors.js';
import {
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  type TlvCodec,
  type TlvSchema,
} from './tlv.js';
import { WireWriter } from './writer.js';

/** A struct as a TLV stream whose `required` fields must be present. */
export function structCodec<V extends object>(
  name: string,
  schema: TlvSchema<Partial<V>>,
  required: readonly (keyof V)[],
): TlvCodec<V> {
  const stream = defineTlvStream<Partial<V>>(name, schema);
  return {
    decode: (r) => {
      const { values } = decodeTlvStream(r, stream);
      for (const key of required) {
        if ((values as Record<string, unknown>)[key as string] === undefined) {
          throw new DecodeError(`${name}: missing field ${String(key)}`);
        }
      }
      return values as V;
    },
    encode: (w, v) => {
      encodeTlvStream(w, stream, v as Partial<V>);
    },
  };
}

/** A list: a BigSize count, then each item as a BigSize length and its bytes. */
export function listCodec<T>(item: TlvCodec<T>, what: string): TlvCodec<readonly T[]> {
  return {
    decode: (r) => {
      const count = r.bigSize(`${what} count`);
      if (count > BigInt(r.remaining())) throw new DecodeError(`${what}: count ${count} too large`);
      const out: T[] = [];
      for (let i = 0n; i < count; i++) {
        const len = r.bigSize(`${what} length`);
        if (len > BigInt(r.remaining())) throw new DecodeError(`${what}: item overruns`);
        const sub = r.sub(Number(len), what);
        out.push(item.decode(sub));
        if (sub.remaining() !== 0) throw new DecodeError(`${what}: item has trailing bytes`);
      }
      return out;
    },
    encode: (w, v) => {
      w.bigSize(BigInt(v.length));
      for (const x of v) {
        const sub = new WireWriter(64);
        item.encode(sub, x);
        const bytes = sub.finish();
        w.bigSize(BigInt(bytes.length));
        w.bytes(bytes);
      }
    },
  };
}

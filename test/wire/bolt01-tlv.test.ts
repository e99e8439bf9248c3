// TLV test vectors from BOLT 1, Appendix B, run against the n1 and n2 test namespaces defined in
// the same appendix.
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { WireReader } from '../../src/wire/reader.js';
import { formatShortChannelId } from '../../src/wire/short-channel-id.js';
import {
  decodeTlvRecords,
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  type TlvCodec,
  type TlvField,
  type TlvStream,
} from '../../src/wire/tlv.js';
import { WireWriter } from '../../src/wire/writer.js';
import { hex, loadVectors, toHex } from './vectors.js';

interface NsRecord {
  type: number;
  name: string;
  fields: [string, string][];
}
interface Vectors {
  namespaces: { n1: NsRecord[]; n2: NsRecord[] };
  decoding_failures: { namespace: string; stream: string; reason: string }[];
  decoding_successes: {
    namespace: string;
    stream: string;
    expected: 'ignored' | 'decoded';
    record?: string;
    values?: Record<string, string | number>;
  }[];
  stream_decoding_failures: { namespace: string; stream: string; reason: string }[];
}
const v = loadVectors('bolt01-tlv.json') as Vectors;

type Values = Record<string, unknown>;

/** A codec reading the record's fields in order, into an object keyed by field name. */
function recordCodec(fields: [string, string][]): TlvCodec<Values> {
  return {
    decode: (r) => {
      const out: Values = {};
      for (const [kind, name] of fields) {
        switch (kind) {
          case 'tu64':
            out[name] = r.tu64();
            break;
          case 'tu32':
            out[name] = r.tu32();
            break;
          case 'u64':
            out[name] = r.u64();
            break;
          case 'u16':
            out[name] = r.u16();
            break;
          case 'short_channel_id':
            out[name] = r.shortChannelId();
            break;
          case 'point':
            // The n1 namespace requires node_id to be a valid point.
            out[name] = r.validPoint(nobleBackend);
            break;
          default:
            throw new Error(`unhandled field kind ${kind}`);
        }
      }
      return out;
    },
    encode: (w, val) => {
      for (const [kind, name] of fields) {
        const x = val[name];
        switch (kind) {
          case 'tu64':
            w.tu64(x as bigint);
            break;
          case 'tu32':
            w.tu32(x as number);
            break;
          case 'u64':
            w.u64(x as bigint);
            break;
          case 'u16':
            w.u16(x as number);
            break;
          case 'short_channel_id':
            w.shortChannelId(x as bigint);
            break;
          case 'point':
            w.point(x as Uint8Array);
            break;
          default:
            throw new Error(`unhandled field kind ${kind}`);
        }
      }
    },
  };
}

function namespace(name: string, records: NsRecord[]): TlvStream<Record<string, Values>> {
  const schema: Record<string, TlvField<Values>> = {};
  for (const rec of records) {
    schema[rec.name] = { type: BigInt(rec.type), codec: recordCodec(rec.fields) };
  }
  return defineTlvStream<Record<string, Values>>(name, schema);
}

const streams: Record<string, TlvStream<Record<string, Values>>> = {
  n1: namespace('n1', v.namespaces.n1),
  n2: namespace('n2', v.namespaces.n2),
};

function namespacesOf(ns: string): string[] {
  return ns === 'any' || ns === 'either' ? ['n1', 'n2'] : [ns];
}

function decode(ns: string, stream: string) {
  return decodeTlvStream(new WireReader(hex(stream)), streams[ns]!);
}

function expectDecodeError(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ code: 'DecodeError' });
}

describe('BOLT 1 Appendix B: TLV decoding failures', () => {
  it('has the 33 vectors', () => expect(v.decoding_failures.length).toBe(33));
  for (const t of v.decoding_failures) {
    for (const ns of namespacesOf(t.namespace)) {
      it(`${ns}: ${t.stream.slice(0, 40)} (${t.reason})`, () => {
        expectDecodeError(() => decode(ns, t.stream));
      });
    }
  }
});

describe('BOLT 1 Appendix B: TLV decoding successes', () => {
  it('has the 19 vectors', () => expect(v.decoding_successes.length).toBe(19));
  for (const t of v.decoding_successes) {
    for (const ns of namespacesOf(t.namespace)) {
      it(`${ns}: ${t.stream.slice(0, 40)} (${t.expected})`, () => {
        const { values, unknownOddTlvs } = decode(ns, t.stream);
        if (t.expected === 'ignored') {
          expect(Object.keys(values)).toEqual([]);
          // Ignored records are kept so the stream re-encodes to the same bytes.
          const w = new WireWriter();
          encodeTlvStream(w, streams[ns]!, values, unknownOddTlvs);
          expect(toHex(w.finish())).toBe(t.stream);
          expect(decodeTlvRecords(new WireReader(hex(t.stream))).length).toBe(
            unknownOddTlvs.length,
          );
        } else {
          const rec = values[t.record!]!;
          expect(rec).toBeDefined();
          expect(unknownOddTlvs).toEqual([]);
          for (const [field, expected] of Object.entries(t.values!)) {
            const got = rec[field];
            if (typeof got === 'bigint' && field === 'scid') {
              expect(formatShortChannelId(got)).toBe(expected);
            } else if (typeof got === 'bigint') {
              expect(got).toBe(BigInt(expected));
            } else if (got instanceof Uint8Array) {
              expect(toHex(got)).toBe(expected);
            } else {
              expect(got).toBe(expected);
            }
          }
          const w = new WireWriter();
          encodeTlvStream(w, streams[ns]!, values, unknownOddTlvs);
          expect(toHex(w.finish())).toBe(t.stream);
        }
      });
    }
  }
});

describe('BOLT 1 Appendix B: TLV stream decoding failures', () => {
  it('has the 5 vectors', () => expect(v.stream_decoding_failures.length).toBe(5));
  for (const t of v.stream_decoding_failures) {
    it(`${t.namespace}: ${t.stream} (${t.reason})`, () => {
      expectDecodeError(() => decode(t.namespace, t.stream));
      expectDecodeError(() => decodeTlvRecords(new WireReader(hex(t.stream))));
    });
  }
});

describe('TLV encoding rules', () => {
  const misuse = expect.objectContaining({ code: 'APIMisuse' });
  it('refuses unknown even records, known types and repeats', () => {
    const n1 = streams.n1!;
    expect(() => encodeTlvStream(new WireWriter(), n1, {}, [{ type: 4n, value: hex('') }])).toThrow(
      misuse,
    );
    expect(() => encodeTlvStream(new WireWriter(), n1, {}, [{ type: 1n, value: hex('') }])).toThrow(
      misuse,
    );
    expect(() =>
      encodeTlvStream(new WireWriter(), n1, {}, [
        { type: 5n, value: hex('') },
        { type: 5n, value: hex('') },
      ]),
    ).toThrow(misuse);
  });

  it('merges unknown odd records in type order', () => {
    const w = new WireWriter();
    encodeTlvStream(w, streams.n1!, { tlv4: { cltv_delta: 550 } }, [
      { type: 0xffn, value: hex('') },
      { type: 5n, value: hex('aa') },
    ]);
    expect(toHex(w.finish())).toBe('0501aafd00fe020226fd00ff00');
  });
});

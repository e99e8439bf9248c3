// Fuzzing the decoders: random bytes and mutated valid encodings (bit flips, truncations,
// extensions, overwritten bytes). BOLT 1 says a bad message closes the connection, so every
// failure must be a `DecodeError` the PeerManager can act on: never a TypeError or RangeError.
// Whatever does decode must re-encode to the same bytes (the decoders accept only canonical
// encodings, which gossip signatures depend on).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/util/errors.js';
import { decodeAddresses } from '../../src/wire/address.js';
import { decodeBigSize } from '../../src/wire/bigsize.js';
import { Features, validateFeatureDependencies } from '../../src/wire/features.js';
import { decodeMessage, encodeMessage, isUnknownMessage } from '../../src/wire/message.js';
import { MessageType } from '../../src/wire/message-types.js';
import { gossipSignedBytes } from '../../src/wire/messages/gossip.js';
import { WireReader } from '../../src/wire/reader.js';
import { parseShortChannelId } from '../../src/wire/short-channel-id.js';
import { decodeTlvRecords } from '../../src/wire/tlv.js';
import { anyMessage } from './arbitraries.js';
import { deepEqual, FC_SEED } from './roundtrip.js';

/** Runs `fn`; any exception other than DecodeError fails the test. Returns whether it decoded. */
function onlyDecodeError(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    expect(e.code).toBe('DecodeError');
    return false;
  }
}

function checkMessage(bytes: Uint8Array): void {
  onlyDecodeError(() => {
    const m = decodeMessage(bytes);
    // A decoded message is canonical: it re-encodes to exactly the input.
    const again = encodeMessage(m);
    if (!deepEqual(again, bytes)) expect(again).toEqual(bytes);
    if (isUnknownMessage(m)) expect(m.payload.length).toBe(bytes.length - 2);
  });
}

const knownTypes = Object.values(MessageType);
const typePrefix = fc.oneof(fc.constantFrom(...knownTypes), fc.integer({ min: 0, max: 0xffff }));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'set'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
);

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of ms) {
    if (out.length === 0) break;
    switch (m.kind) {
      case 'flip':
        out[m.at % out.length]! ^= 1 << m.bit;
        break;
      case 'set':
        out[m.at % out.length] = m.value;
        break;
      case 'truncate':
        out = out.slice(0, m.at % out.length);
        break;
      case 'extend':
        out = Uint8Array.from([...out, ...m.extra]);
        break;
    }
  }
  return out;
}

describe('decoder fuzzing (only DecodeError, canonical when accepted)', () => {
  it('random payloads under every known and random message type', () => {
    fc.assert(
      fc.property(typePrefix, fc.uint8Array({ maxLength: 400 }), (type, payload) => {
        checkMessage(Uint8Array.from([type >> 8, type & 0xff, ...payload]));
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  it('mutated valid encodings of every message', () => {
    fc.assert(
      fc.property(anyMessage, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, ms) => {
        checkMessage(mutate(encodeMessage(m), ms));
      }),
      { seed: FC_SEED, numRuns: 1500 },
    );
  });

  it('short and empty inputs', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(1), new Uint8Array(2)])
      checkMessage(bytes);
    for (const type of knownTypes) checkMessage(Uint8Array.from([type >> 8, type & 0xff]));
  });

  it('the lower-level decoders', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        onlyDecodeError(() => decodeTlvRecords(new WireReader(bytes)));
        onlyDecodeError(() => decodeBigSize(bytes));
        onlyDecodeError(() => decodeAddresses(new WireReader(bytes)));
        onlyDecodeError(() => gossipSignedBytes(bytes));
        onlyDecodeError(() => validateFeatureDependencies(Features.fromBytes(bytes)));
        const r = new WireReader(bytes);
        onlyDecodeError(() => {
          while (r.remaining() > 0) r.bigSize();
        });
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        onlyDecodeError(() => parseShortChannelId(s));
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('wrong argument types to the byte-level entry points', () => {
    const bads: unknown[] = [undefined, null, 'ab', 12, {}, [1, 2]];
    for (const bad of bads) {
      expect(onlyDecodeError(() => decodeMessage(bad as Uint8Array))).toBe(false);
      expect(onlyDecodeError(() => Features.fromBytes(bad as Uint8Array))).toBe(false);
      if (typeof bad !== 'string') {
        expect(onlyDecodeError(() => parseShortChannelId(bad as string))).toBe(false);
      }
    }
  });
});

// BOLT 3 Appendix D: Per-commitment Secret Generation Test Vectors
// (test/vectors/bolt03-per-commitment-secrets.json): generation tests and storage tests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_COMMITMENT_INDEX,
  commitmentNumberToIndex,
  generateFromSeed,
  indexToCommitmentNumber,
} from '../../src/keys/per-commitment-secret.js';
import { PerCommitmentSecretStore } from '../../src/keys/per-commitment-secret-store.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';
import vectors from '../vectors/bolt03-per-commitment-secrets.json' with { type: 'json' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('BOLT 3 generate_from_seed vectors', () => {
  it('has the 5 generation vectors', () => {
    expect(vectors.generation).toHaveLength(5);
  });
  for (const v of vectors.generation) {
    it(v.name, () => {
      expect(toHex(generateFromSeed(fromHex(v.seed), v.I))).toBe(v.output);
    });
  }

  it('rejects bad seeds and indices with APIMisuse', () => {
    const seed = new Uint8Array(32);
    expect(codeOf(() => generateFromSeed(new Uint8Array(31), 0))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => generateFromSeed(seed, -1))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => generateFromSeed(seed, 2 ** 48))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => generateFromSeed(seed, 1.5))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => generateFromSeed(seed, NaN))).toBe(ErrorCode.APIMisuse);
  });
});

describe('commitment number <-> index mapping', () => {
  it('commitment 0 is index 2^48-1, counting down', () => {
    expect(commitmentNumberToIndex(0)).toBe(MAX_COMMITMENT_INDEX);
    expect(commitmentNumberToIndex(1)).toBe(MAX_COMMITMENT_INDEX - 1);
    expect(commitmentNumberToIndex(MAX_COMMITMENT_INDEX)).toBe(0);
    expect(indexToCommitmentNumber(MAX_COMMITMENT_INDEX - 7)).toBe(7);
    expect(codeOf(() => commitmentNumberToIndex(2 ** 48))).toBe(ErrorCode.APIMisuse);
  });
});

describe('BOLT 3 insert_secret storage vectors', () => {
  it('has the 9 storage vectors, 8 of them failing', () => {
    expect(vectors.storage).toHaveLength(9);
    const failing = vectors.storage.filter((v) => v.steps.some((s) => s.output === 'ERROR'));
    expect(failing).toHaveLength(8);
  });

  for (const v of vectors.storage) {
    it(v.name, () => {
      const store = new PerCommitmentSecretStore();
      for (const step of v.steps) {
        const secret = fromHex(step.secret);
        if (step.output === 'OK') {
          store.provideSecret(step.I, secret);
          expect(toHex(store.getSecret(step.I)!)).toBe(step.secret);
        } else {
          const before = toHex(store.serialize());
          expect(codeOf(() => store.provideSecret(step.I, secret))).toBe(ErrorCode.CryptoError);
          // A rejected secret leaves the store as it was.
          expect(toHex(store.serialize())).toBe(before);
        }
      }
    });
  }

  it('derives every earlier secret of the correct sequence and round-trips', () => {
    const v = vectors.storage[0]!;
    const store = new PerCommitmentSecretStore();
    for (const step of v.steps) store.provideSecret(step.I, fromHex(step.secret));
    const restored = PerCommitmentSecretStore.deserialize(store.serialize());
    for (const step of v.steps) {
      expect(toHex(restored.getSecret(step.I)!)).toBe(step.secret);
    }
    expect(restored.latestIndex).toBe(v.steps.at(-1)!.I);
  });
});

describe('PerCommitmentSecretStore', () => {
  const seed = fromHex('ff'.repeat(32));
  const secretAt = (i: number): Uint8Array => generateFromSeed(seed, i);

  it('stores many secrets in at most 49 slots and derives them all back', () => {
    const store = new PerCommitmentSecretStore();
    const n = 300;
    for (let c = 0; c < n; c++) {
      const i = commitmentNumberToIndex(c);
      store.provideSecret(i, secretAt(i));
    }
    expect(store.latestIndex).toBe(commitmentNumberToIndex(n - 1));
    expect(store.nextIndex).toBe(commitmentNumberToIndex(n));
    for (const c of [0, 1, 2, 127, 128, 255, 256, n - 1]) {
      const i = commitmentNumberToIndex(c);
      expect(toHex(store.getSecret(i)!)).toBe(toHex(secretAt(i)));
    }
    expect(store.getSecret(commitmentNumberToIndex(n))).toBeUndefined();
    const bytes = store.serialize();
    expect(bytes.length).toBeLessThanOrEqual(2 + 49 * 40);
    expect(toHex(PerCommitmentSecretStore.deserialize(bytes).serialize())).toBe(toHex(bytes));
  });

  it('round-trips after any number of in-order secrets (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), (n) => {
        const store = new PerCommitmentSecretStore();
        for (let c = 0; c < n; c++) {
          const i = commitmentNumberToIndex(c);
          store.provideSecret(i, secretAt(i));
        }
        const restored = PerCommitmentSecretStore.deserialize(store.serialize());
        expect(restored.nextIndex).toBe(store.nextIndex);
        if (n > 0) {
          const i = commitmentNumberToIndex(Math.floor(n / 2));
          expect(toHex(restored.getSecret(i)!)).toBe(toHex(secretAt(i)));
        }
      }),
      { seed: 3, numRuns: 25 },
    );
  });

  it('handles the bottom of the tree: a full store down to index 0 (slot 48)', () => {
    // Reaching index 0 in order takes 2^48 secrets, so write the state such a store would
    // serialize to: slot b holds index 2^b (b < 48), slot 48 holds index 0.
    const bytes = new Uint8Array(2 + 49 * 40);
    bytes[0] = 1;
    bytes[1] = 49;
    const view = new DataView(bytes.buffer);
    for (let b = 0; b <= 48; b++) {
      const index = b === 48 ? 0 : 2 ** b;
      const off = 2 + b * 40;
      view.setUint32(off, Math.floor(index / 2 ** 32));
      view.setUint32(off + 4, index >>> 0);
      bytes.set(secretAt(index), off + 8);
    }
    const store = PerCommitmentSecretStore.deserialize(bytes);
    expect(store.latestIndex).toBe(0);
    expect(store.nextIndex).toBeUndefined();
    for (const i of [0, 1, 2, 3, 5, 1000, 2 ** 40 + 12345, MAX_COMMITMENT_INDEX]) {
      expect(toHex(store.getSecret(i)!)).toBe(toHex(secretAt(i)));
    }
    // The same layout with one secret from another seed fails the derivation check.
    bytes.set(generateFromSeed(new Uint8Array(32), 2 ** 5), 2 + 5 * 40 + 8);
    expect(codeOf(() => PerCommitmentSecretStore.deserialize(bytes))).toBe(ErrorCode.DecodeError);
  });

  it('accepts the latest secret again (retransmission) but not a different one', () => {
    const store = new PerCommitmentSecretStore();
    const i = MAX_COMMITMENT_INDEX;
    store.provideSecret(i, secretAt(i));
    store.provideSecret(i - 1, secretAt(i - 1));
    store.provideSecret(i - 1, secretAt(i - 1));
    store.provideSecret(i, secretAt(i));
    expect(codeOf(() => store.provideSecret(i - 1, secretAt(i - 2)))).toBe(ErrorCode.CryptoError);
  });

  it('rejects out-of-order and malformed input with APIMisuse', () => {
    const store = new PerCommitmentSecretStore();
    const i = MAX_COMMITMENT_INDEX;
    expect(codeOf(() => store.provideSecret(i - 1, secretAt(i - 1)))).toBe(ErrorCode.APIMisuse);
    store.provideSecret(i, secretAt(i));
    expect(codeOf(() => store.provideSecret(i - 2, secretAt(i - 2)))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => store.provideSecret(i - 1, new Uint8Array(31)))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => store.provideSecret(2 ** 48, secretAt(0)))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => store.getSecret(-1))).toBe(ErrorCode.APIMisuse);
  });

  it('rejects corrupted serializations with DecodeError', () => {
    const store = new PerCommitmentSecretStore();
    for (let c = 0; c < 6; c++) {
      const i = commitmentNumberToIndex(c);
      store.provideSecret(i, secretAt(i));
    }
    const good = store.serialize();
    const mutate = (f: (b: Uint8Array) => Uint8Array): string | undefined =>
      codeOf(() => PerCommitmentSecretStore.deserialize(f(good.slice())));
    expect(mutate((b) => b.subarray(0, b.length - 1))).toBe(ErrorCode.DecodeError);
    expect(mutate(() => new Uint8Array(0))).toBe(ErrorCode.DecodeError);
    expect(
      mutate((b) => {
        b[0] = 9;
        return b;
      }),
    ).toBe(ErrorCode.DecodeError);
    // A flipped bit in a secret that a higher slot derives (slot 0 here, from slot 1) breaks
    // the derivation check. Secrets with no stored descendant carry no redundancy to check.
    expect(
      mutate((b) => {
        b[2 + 8]! ^= 1;
        return b;
      }),
    ).toBe(ErrorCode.DecodeError);
    // An index that moves its entry into the next entry's slot.
    expect(
      mutate((b) => {
        b[2 + 7]! ^= 1;
        return b;
      }),
    ).toBe(ErrorCode.DecodeError);
    // A slot missing from an otherwise well-formed list.
    expect(
      mutate((b) => {
        const out = new Uint8Array(b.length - 40);
        out.set(b.subarray(0, 2 + 40));
        out.set(b.subarray(2 + 80), 2 + 40);
        out[1] = b[1]! - 1;
        return out;
      }),
    ).toBe(ErrorCode.DecodeError);
    // Empty store round-trips.
    const empty = PerCommitmentSecretStore.deserialize(new PerCommitmentSecretStore().serialize());
    expect(empty.nextIndex).toBe(MAX_COMMITMENT_INDEX);
    expect(empty.latestIndex).toBeUndefined();
  });
});

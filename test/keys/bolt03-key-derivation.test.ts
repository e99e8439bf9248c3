// BOLT 3 Appendix E: Key Derivation Test Vectors (test/vectors/bolt03-key-derivation.json).
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import {
  deriveRevocationPrivateKey,
  deriveRevocationPublicKey,
  derivePrivateKey,
  derivePublicKey,
} from '../../src/keys/key-derivation.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';
import vectors from '../vectors/bolt03-key-derivation.json' with { type: 'json' };

type Inputs = Record<string, string>;

function run(outputName: string, inputs: Inputs): Uint8Array {
  const h = (name: string): Uint8Array => fromHex(inputs[name]!);
  switch (outputName) {
    case 'localpubkey':
      return derivePublicKey(h('basepoint'), h('per_commitment_point'));
    case 'localprivkey':
      return derivePrivateKey(h('basepoint_secret'), h('per_commitment_point'));
    case 'revocationpubkey':
      return deriveRevocationPublicKey(h('revocation_basepoint'), h('per_commitment_point'));
    case 'revocationprivkey':
      return deriveRevocationPrivateKey(
        h('revocation_basepoint_secret'),
        h('per_commitment_secret'),
      );
    default:
      throw new Error(`unknown vector output ${outputName}`);
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('BOLT 3 key derivation vectors', () => {
  it('has the four vectors of Appendix E', () => {
    expect(vectors.vectors).toHaveLength(4);
  });

  for (const v of vectors.vectors) {
    it(v.name, () => {
      expect(toHex(run(v.output_name, v.inputs as Inputs))).toBe(v.output);
    });
  }

  it('shared params agree: base_secret and per_commitment_secret give the vector points', () => {
    const p = vectors.params;
    expect(toHex(nobleBackend.getPublicKey(fromHex(p.base_secret)))).toBe(p.base_point);
    expect(toHex(nobleBackend.getPublicKey(fromHex(p.per_commitment_secret)))).toBe(
      p.per_commitment_point,
    );
  });

  it('private derivations match public derivations', () => {
    const p = vectors.params;
    const localPriv = derivePrivateKey(fromHex(p.base_secret), fromHex(p.per_commitment_point));
    expect(toHex(nobleBackend.getPublicKey(localPriv))).toBe(
      toHex(derivePublicKey(fromHex(p.base_point), fromHex(p.per_commitment_point))),
    );
    const revPriv = deriveRevocationPrivateKey(
      fromHex(p.base_secret),
      fromHex(p.per_commitment_secret),
    );
    expect(toHex(nobleBackend.getPublicKey(revPriv))).toBe(
      toHex(deriveRevocationPublicKey(fromHex(p.base_point), fromHex(p.per_commitment_point))),
    );
  });
});

describe('key derivation rejects bad keys with CryptoError', () => {
  const p = vectors.params;
  const point = fromHex(p.base_point);
  const secret = fromHex(p.base_secret);
  // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
  const offCurve = fromHex('02' + '00'.repeat(31) + '05');
  const uncompressed = nobleBackend.decompressPublicKey(point);
  const zero = new Uint8Array(32);
  const overOrder = fromHex('ff'.repeat(32));

  const cases: [string, () => unknown][] = [
    ['short basepoint', () => derivePublicKey(point.subarray(0, 32), point)],
    ['long per-commitment point', () => derivePublicKey(point, new Uint8Array(34))],
    ['uncompressed basepoint', () => derivePublicKey(uncompressed, point)],
    ['off-curve basepoint', () => derivePublicKey(offCurve, point)],
    ['off-curve per-commitment point', () => derivePublicKey(point, offCurve)],
    ['bad prefix', () => derivePublicKey(Uint8Array.of(4, ...point.subarray(1)), point)],
    ['short secret', () => derivePrivateKey(secret.subarray(1), point)],
    ['zero secret', () => derivePrivateKey(zero, point)],
    ['secret over the order', () => derivePrivateKey(overOrder, point)],
    ['off-curve point for privkey', () => derivePrivateKey(secret, offCurve)],
    ['off-curve revocation basepoint', () => deriveRevocationPublicKey(offCurve, point)],
    ['short revocation point', () => deriveRevocationPublicKey(point, new Uint8Array(0))],
    ['zero per-commitment secret', () => deriveRevocationPrivateKey(secret, zero)],
    ['long revocation secret', () => deriveRevocationPrivateKey(new Uint8Array(33), secret)],
    ['not bytes', () => derivePublicKey('02ab' as unknown as Uint8Array, point)],
  ];
  for (const [name, fn] of cases) {
    it(name, () => {
      expect(codeOf(fn)).toBe(ErrorCode.CryptoError);
    });
  }
});

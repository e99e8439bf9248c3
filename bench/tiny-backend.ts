/**
 * A `CryptoBackend` for benchmarks: noble hashes, AEAD and ECDH, with libsecp256k1 compiled to
 * WASM (`tiny-secp256k1`) for keys, points and signatures. It shows what a browser host gains by
 * plugging a WASM curve behind the same interface.
 */
import * as tiny from 'tiny-secp256k1';
import { nobleBackend, type CryptoBackend } from '../src/index.js';

function orThrow(v: Uint8Array | null, what: string): Uint8Array {
  if (v === null) throw new Error(`tiny-secp256k1: ${what} failed`);
  return v;
}

/** noble hashes, AEAD and ECDH with libsecp256k1-as-WASM for keys, points and signatures. */
export const tinyBackend: CryptoBackend = {
  ...nobleBackend,
  name: 'noble + tiny-secp256k1 (WASM)',
  isValidPublicKey: (pk) =>
    pk instanceof Uint8Array && (pk.length === 33 || pk.length === 65) && tiny.isPoint(pk),
  getPublicKey: (sk) => orThrow(tiny.pointFromScalar(sk, true), 'pointFromScalar'),
  pointAdd: (a, b) => orThrow(tiny.pointAdd(a, b, true), 'pointAdd'),
  pointMultiply: (p, t) => orThrow(tiny.pointMultiply(p, t, true), 'pointMultiply'),
  privateAdd: (sk, t) => orThrow(tiny.privateAdd(sk, t), 'privateAdd'),
  sign: (digest, sk) => tiny.sign(digest, sk),
  verify: (sig, digest, pk) => tiny.verify(digest, pk, sig, true),
};

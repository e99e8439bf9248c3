/**
 * The one interface every cryptographic operation in boltkit goes through. The default is pure
 * JavaScript on noble (portable to browsers and React Native); `boltkit/node` offers a faster one
 * on OpenSSL's AEAD, and a host may plug libsecp256k1 (WASM or native). Every backend must pass
 * the same test suite (`test/crypto/backend-suite.ts`).
 *
 * Keys are 32-byte secret keys and 33-byte compressed public keys unless a name says otherwise.
 * Signatures are 64-byte compact (r || s), low-S, with RFC 6979 deterministic nonces, so the same
 * key and message always give the same signature (BOLT 3 vectors depend on this).
 */
export interface CryptoBackend {
  /** Short name for benchmarks and logs, such as `noble` or `node-openssl`. */
  readonly name: string;

  sha256(data: Uint8Array): Uint8Array;
  /** RIPEMD160(SHA256(data)), as Bitcoin scripts use. */
  hash160(data: Uint8Array): Uint8Array;
  ripemd160(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;

  /** True when `secretKey` is 32 bytes and in [1, n-1]. */
  isValidSecretKey(secretKey: Uint8Array): boolean;
  /** True when `publicKey` is a valid compressed (33) or uncompressed (65) point on the curve. */
  isValidPublicKey(publicKey: Uint8Array): boolean;
  /** Compressed public key of a secret key. Throws `CryptoError` for an invalid secret key. */
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  /** Re-encodes a public key as 33 bytes compressed. Throws `CryptoError` when invalid. */
  compressPublicKey(publicKey: Uint8Array): Uint8Array;
  /** Re-encodes a public key as 65 bytes uncompressed. Throws `CryptoError` when invalid. */
  decompressPublicKey(publicKey: Uint8Array): Uint8Array;

  /** BOLT 8 / BOLT 4 ECDH: SHA256 of the compressed shared point. */
  ecdh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;

  /** ECDSA over a 32-byte digest; compact 64-byte low-S signature. */
  sign(digest32: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Recoverable ECDSA (BOLT 11): compact signature plus the recovery id 0..3. */
  signRecoverable(
    digest32: Uint8Array,
    secretKey: Uint8Array,
  ): { signature: Uint8Array; recoveryId: number };
  /** Verifies a compact signature; rejects high-S. Never throws: malformed input is `false`. */
  verify(signature64: Uint8Array, digest32: Uint8Array, publicKey: Uint8Array): boolean;
  /** Recovers the compressed public key. Throws `CryptoError` when no key recovers. */
  recoverPublicKey(signature64: Uint8Array, recoveryId: number, digest32: Uint8Array): Uint8Array;

  /** P + Q, compressed. Throws `CryptoError` for invalid points or the point at infinity. */
  pointAdd(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** P * tweak (tweak a 32-byte scalar), compressed. */
  pointMultiply(point: Uint8Array, tweak32: Uint8Array): Uint8Array;
  /** (secretKey + tweak) mod n. Throws `CryptoError` when the result is zero. */
  privateAdd(secretKey: Uint8Array, tweak32: Uint8Array): Uint8Array;
  /** (secretKey * tweak) mod n. */
  privateMultiply(secretKey: Uint8Array, tweak32: Uint8Array): Uint8Array;

  /** ChaCha20-Poly1305 (IETF, 12-byte nonce) encrypt; returns ciphertext || 16-byte tag. */
  aeadEncrypt(
    key32: Uint8Array,
    nonce12: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array;
  /**
   * Optional: `aeadEncrypt` writing ciphertext || tag into `output` (exactly plaintext length
   * + 16 bytes) instead of a new array, so the BOLT 8 transport assembles a frame without copying
   * it again. Throws `CryptoError` when `output` has the wrong length.
   */
  aeadEncryptInto?(
    key32: Uint8Array,
    nonce12: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    output: Uint8Array,
  ): void;
  /** ChaCha20-Poly1305 decrypt; returns `null` when the tag does not verify. */
  aeadDecrypt(
    key32: Uint8Array,
    nonce12: Uint8Array,
    ciphertext: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | null;
  /** Raw ChaCha20 keystream XOR (BOLT 4 onion streams), 12-byte nonce, counter 0. */
  chacha20(key32: Uint8Array, nonce12: Uint8Array, data: Uint8Array): Uint8Array;
}

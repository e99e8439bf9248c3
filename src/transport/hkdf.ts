/**
 * The HKDF of BOLT 8 ("Handshake State", `HKDF(salt, ikm)`): RFC 5869 with SHA-256, an empty
 * `info`, and exactly 64 bytes of output split into two 32-byte keys. The handshake uses it to
 * mix each ECDH result into the chaining key, and the message stream to rotate keys.
 */
import type { CryptoBackend } from '../crypto/backend.js';

const ONE = Uint8Array.of(1);

/** Returns `[first32, second32]` of HKDF-SHA256(salt, ikm, info = empty, L = 64). */
export function hkdf2(
  crypto: CryptoBackend,
  salt: Uint8Array,
  ikm: Uint8Array,
): [Uint8Array, Uint8Array] {
  const prk = crypto.hmacSha256(salt, ikm);
  const t1 = crypto.hmacSha256(prk, ONE);
  // T(2) = HMAC(prk, T(1) || 0x02): the previous block chains into the next (RFC 5869 §2.3).
  const block = new Uint8Array(33);
  block.set(t1, 0);
  block[32] = 2;
  const t2 = crypto.hmacSha256(prk, block);
  return [t1, t2];
}

/**
 * A cheap shape check for public keys going into scripts. Checking that a key is on the curve
 * costs a field square root, which adds up over hundreds of HTLC scripts, so script builders only
 * check the shape (33 bytes, 02/03 prefix) and the callers that take keys from outside check the
 * curve once: `buildCommitmentTransaction` validates its `CommitmentKeys`, and the funding script
 * builder validates both funding keys.
 */
import { CryptoError } from '../../util/errors.js';

/** Throws `CryptoError` unless `key` looks like a compressed public key (33 bytes, 02/03). */
export function assertCompressedKeyShape(key: unknown, what: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 33 || (key[0] !== 2 && key[0] !== 3)) {
    const got = key instanceof Uint8Array ? `length=${key.length}` : typeof key;
    throw new CryptoError(`${what}: expected a 33-byte compressed public key, got ${got}`);
  }
  return key;
}

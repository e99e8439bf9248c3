/**
 * BIP 32 private-key derivation, only what `KeysManager` needs: the master key from a seed and
 * child private keys (hardened or not). No extended-key serialization and no public derivation.
 *
 * https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki#private-parent-key--private-child-key
 *
 * HMAC-SHA512 comes from @noble/hashes directly rather than the `CryptoBackend`: it runs a few
 * times when a `KeysManager` is created, never on a hot path, so a faster backend would gain
 * nothing and the backend interface stays small. The scalar addition does go through the backend.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError, CryptoError } from '../util/errors.js';
import { U32_MAX, assertByteArray, assertUint } from './checks.js';

/** The first hardened child index, 2^31; written `i'` or `iH` in paths. */
export const HARDENED = 0x80000000;

/** A BIP 32 extended private key: the 32-byte secret and its 32-byte chain code. */
export interface ExtendedPrivateKey {
  readonly secretKey: Uint8Array;
  readonly chainCode: Uint8Array;
}

const MASTER_HMAC_KEY = Uint8Array.from('Bitcoin seed', (c) => c.charCodeAt(0));

function split(i: Uint8Array): { left: Uint8Array; right: Uint8Array } {
  return { left: i.slice(0, 32), right: i.slice(32, 64) };
}

/**
 * The master key of `seed` (BIP 32 "Master key generation"). BIP 32 allows 16 to 64 bytes;
 * anything else throws `APIMisuseError`. An invalid master key (probability below 2^-127) throws
 * `CryptoError`; BIP 32 says to discard such a seed.
 */
export function masterKeyFromSeed(
  seed: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): ExtendedPrivateKey {
  assertByteArray(seed, 'seed');
  if (seed.length < 16 || seed.length > 64) {
    throw new APIMisuseError(`seed: expected 16 to 64 bytes, got length=${seed.length}`);
  }
  const { left, right } = split(hmac(sha512, MASTER_HMAC_KEY, seed));
  if (!crypto.isValidSecretKey(left)) {
    throw new CryptoError('BIP 32 master key is invalid for this seed; use another seed');
  }
  return { secretKey: left, chainCode: right };
}

/**
 * CKDpriv: the child `index` of `parent`. Indices from `HARDENED` up are hardened (the HMAC
 * covers the parent secret, so a leaked child key and the parent public key reveal nothing
 * else). An invalid child (probability below 2^-127) throws `CryptoError`; BIP 32 says to move
 * to the next index, which the caller can do.
 */
export function deriveChild(
  parent: ExtendedPrivateKey,
  index: number,
  crypto: CryptoBackend = nobleBackend,
): ExtendedPrivateKey {
  assertUint(index, U32_MAX, 'index');
  const ser32 = new Uint8Array(4);
  new DataView(ser32.buffer).setUint32(0, index);
  const data =
    index >= HARDENED
      ? concatBytes(Uint8Array.of(0), parent.secretKey, ser32)
      : concatBytes(crypto.getPublicKey(parent.secretKey), ser32);
  const { left, right } = split(hmac(sha512, parent.chainCode, data));
  if (!crypto.isValidSecretKey(left)) {
    throw new CryptoError(`BIP 32 child ${index} is invalid; derive the next index instead`);
  }
  // privateAdd throws CryptoError when the sum is zero, the other invalid case of BIP 32.
  return { secretKey: crypto.privateAdd(parent.secretKey, left), chainCode: right };
}

/**
 * Derives along `path`, a list of child indices (add `HARDENED` for hardened steps), from
 * `root`. `derivePath(master, [HARDENED + 0, 1])` is `m/0'/1`.
 */
export function derivePath(
  root: ExtendedPrivateKey,
  path: readonly number[],
  crypto: CryptoBackend = nobleBackend,
): ExtendedPrivateKey {
  let key = root;
  for (const index of path) key = deriveChild(key, index, crypto);
  return key;
}

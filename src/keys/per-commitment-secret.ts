/**
 * Per-commitment secrets (BOLT 3 "Per-commitment Secret Requirements"): every commitment has a
 * secret derived from one 32-byte seed through a binary hash tree 48 levels deep, so that the
 * receiver of the revealed secrets can store them all in 49 slots (see
 * `per-commitment-secret-store.ts`).
 *
 * https://github.com/lightning/bolts/blob/master/03-transactions.md#per-commitment-secret-requirements
 *
 * ## Index and commitment number
 *
 * BOLT 3 numbers secrets by a 48-bit index `I` that counts DOWN: the first commitment
 * (commitment number 0) uses `I = 2^48 - 1`, the next one `2^48 - 2`, and so on. Elsewhere in
 * boltkit (and in BOLT 2's `next_commitment_number`) commitments are numbered UP from 0. The
 * mapping is therefore
 *
 *     index = 2^48 - 1 - commitmentNumber        commitmentNumber = 2^48 - 1 - index
 *
 * Counting down makes a later secret a tree ancestor of every earlier one, which is what lets
 * the receiver derive the older secrets instead of storing them.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import { assertLength } from './checks.js';

/** The largest per-commitment index, `2^48 - 1`: the index of commitment number 0. */
export const MAX_COMMITMENT_INDEX: number = 2 ** 48 - 1;

/** The largest commitment number a channel can reach (its index is 0). */
export const MAX_COMMITMENT_NUMBER: number = MAX_COMMITMENT_INDEX;

/** Throws `APIMisuseError` unless `index` is an integer in [0, 2^48 - 1]. */
export function assertCommitmentIndex(index: unknown, what = 'index'): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw new APIMisuseError(`${what}: expected an integer in [0, 2^48-1], got ${String(index)}`);
  }
  if (index > MAX_COMMITMENT_INDEX) {
    throw new APIMisuseError(`${what}: expected an integer in [0, 2^48-1], got ${index}`);
  }
  return index;
}

/** The BOLT 3 secret index of a commitment number (see the module comment). */
export function commitmentNumberToIndex(commitmentNumber: number): number {
  return MAX_COMMITMENT_INDEX - assertCommitmentIndex(commitmentNumber, 'commitmentNumber');
}

/** The commitment number of a BOLT 3 secret index (see the module comment). */
export function indexToCommitmentNumber(index: number): number {
  return MAX_COMMITMENT_INDEX - assertCommitmentIndex(index);
}

/** Bit `bit` (0..47) of a 48-bit index; JS bitwise operators only reach 32 bits. */
export function indexBit(index: number, bit: number): number {
  return bit >= 32 ? (Math.floor(index / 2 ** 32) >>> (bit - 32)) & 1 : (index >>> bit) & 1;
}

/**
 * BOLT 3 `derive_secret(base, bits, I)`: walks down from bit `bits - 1` to bit 0 and, for every
 * bit set in `index`, flips that bit of the running value and hashes it. With `bits = 48` and the
 * seed as `base` this is `generate_from_seed`; the store uses smaller `bits` to go from a stored
 * ancestor to an older secret. Returns a new array; `base` is not modified.
 */
export function deriveSecret(
  base: Uint8Array,
  bits: number,
  index: number,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  let p: Uint8Array = base.slice();
  for (let b = bits - 1; b >= 0; b--) {
    if (indexBit(index, b) === 1) {
      p[b >>> 3]! ^= 1 << (b & 7);
      p = crypto.sha256(p);
    }
  }
  return p;
}

/**
 * BOLT 3 `generate_from_seed(seed, I)`: the per-commitment secret of index `index` (not a
 * commitment number; see `commitmentNumberToIndex`). `seed` is the 32-byte commitment seed,
 * which must never leave the signer. Throws `APIMisuseError` for a seed that is not 32 bytes or
 * an index outside [0, 2^48 - 1].
 */
export function generateFromSeed(
  seed: Uint8Array,
  index: number,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertLength(seed, 32, 'seed');
  assertCommitmentIndex(index);
  return deriveSecret(seed, 48, index, crypto);
}

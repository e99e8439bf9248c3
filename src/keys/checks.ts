/**
 * Argument checks shared by the key modules, so bad input ends in a typed error before it reaches
 * the curve arithmetic. Keys that are malformed or not on the curve are `CryptoError`; other
 * arguments of the wrong shape (seeds, ids, digests, counters) are `APIMisuseError`.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { APIMisuseError, CryptoError } from '../util/errors.js';

function describe(value: unknown): string {
  return value instanceof Uint8Array ? `length=${value.length}` : typeof value;
}

/**
 * Throws `CryptoError` unless `key` is a 33-byte compressed point on secp256k1. BOLT 3 hashes
 * the compressed serialization of points, so only that form is accepted.
 */
export function assertPoint(key: unknown, what: string, crypto: CryptoBackend): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 33) {
    throw new CryptoError(
      `${what}: expected a 33-byte compressed public key, got ${describe(key)}`,
    );
  }
  if ((key[0] !== 2 && key[0] !== 3) || !crypto.isValidPublicKey(key)) {
    throw new CryptoError(`${what}: not a valid compressed secp256k1 point`);
  }
  return key;
}

/** Throws `CryptoError` unless `key` is a 32-byte secret key in [1, n-1]. */
export function assertSecretKey(key: unknown, what: string, crypto: CryptoBackend): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new CryptoError(`${what}: expected a 32-byte secret key, got ${describe(key)}`);
  }
  if (!crypto.isValidSecretKey(key)) {
    throw new CryptoError(`${what}: secret key out of range [1, n-1]`);
  }
  return key;
}

/** Throws `APIMisuseError` unless `value` is a `Uint8Array` of exactly `length` bytes. */
export function assertLength(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new APIMisuseError(
      `${what}: expected Uint8Array of length ${length}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Throws `APIMisuseError` unless `value` is a `Uint8Array` of any length. */
export function assertByteArray(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new APIMisuseError(`${what}: expected Uint8Array, got ${typeof value}`);
  }
  return value;
}

/** Throws `APIMisuseError` unless `value` is an integer in [0, max] (max at most 2^53-1). */
export function assertUint(value: unknown, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new APIMisuseError(`${what}: expected an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

/** 21 million bitcoin in satoshis: no output can hold more. */
export const MAX_MONEY_SAT = 2_100_000_000_000_000n;

/** Throws `APIMisuseError` unless `value` is a bigint in [0, MAX_MONEY_SAT]. */
export function assertSat(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_MONEY_SAT) {
    throw new APIMisuseError(
      `${what}: expected a bigint amount in [0, ${MAX_MONEY_SAT}] sat, got ${String(value)}`,
    );
  }
  return value;
}

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

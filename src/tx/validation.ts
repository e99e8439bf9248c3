/**
 * Argument checks shared by the transaction builders. Every builder validates what it is given
 * before touching it, so bad input ends in a typed error and never in a `TypeError` or
 * `RangeError` from deep inside a serializer.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { APIMisuseError, CryptoError } from '../util/errors.js';

/** 21 million bitcoin in satoshis: no amount in a valid transaction can exceed it. */
export const MAX_MONEY_SAT = 2_100_000_000_000_000n;
/** `MAX_MONEY_SAT` in millisatoshis. */
export const MAX_MONEY_MSAT: bigint = MAX_MONEY_SAT * 1000n;

/** Throws `CryptoError` unless `key` is a 33-byte compressed public key on the curve. */
export function assertPublicKey(key: unknown, what: string, crypto: CryptoBackend): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 33) {
    const got = key instanceof Uint8Array ? `length=${key.length}` : typeof key;
    throw new CryptoError(`${what}: expected a 33-byte compressed public key, got ${got}`);
  }
  if ((key[0] !== 2 && key[0] !== 3) || !crypto.isValidPublicKey(key)) {
    throw new CryptoError(`${what}: not a valid compressed secp256k1 point`);
  }
  return key;
}

/** Throws `APIMisuseError` unless `value` is a `Uint8Array` of exactly `length` bytes. */
export function assertLength(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    const got = value instanceof Uint8Array ? `length=${value.length}` : typeof value;
    throw new APIMisuseError(`${what}: expected Uint8Array of length ${length}, got ${got}`);
  }
  return value;
}

/** Throws `APIMisuseError` unless `value` is a `Uint8Array` (any length). */
export function assertBytesValue(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new APIMisuseError(`${what}: expected Uint8Array, got ${typeof value}`);
  }
  return value;
}

/** Throws `APIMisuseError` unless `value` is a bigint in [0, MAX_MONEY] satoshis. */
export function assertSat(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_MONEY_SAT) {
    throw new APIMisuseError(
      `${what}: expected a bigint amount in [0, ${MAX_MONEY_SAT}] sat, got ${String(value)}`,
    );
  }
  return value;
}

/** Throws `APIMisuseError` unless `value` is a bigint in [0, MAX_MONEY] millisatoshis. */
export function assertMsat(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_MONEY_MSAT) {
    throw new APIMisuseError(
      `${what}: expected a bigint amount in [0, ${MAX_MONEY_MSAT}] msat, got ${String(value)}`,
    );
  }
  return value;
}

/** Throws `APIMisuseError` unless `value` is an integer in [0, max]. */
export function assertUint(value: unknown, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new APIMisuseError(`${what}: expected an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

/** Throws `APIMisuseError` unless `value` is `{ txid: 32 bytes, vout: u32 }`. */
export function assertOutPoint(
  value: unknown,
  what: string,
): asserts value is { readonly txid: Uint8Array; readonly vout: number } {
  if (typeof value !== 'object' || value === null) {
    throw new APIMisuseError(`${what}: expected { txid, vout }`);
  }
  const v = value as { txid?: unknown; vout?: unknown };
  assertLength(v.txid, 32, `${what}.txid`);
  assertUint(v.vout, U32_MAX, `${what}.vout`);
}

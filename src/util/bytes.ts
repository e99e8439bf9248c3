/**
 * Byte helpers used across layers. Core code works on `Uint8Array` only; a Node `Buffer`
 * passed in still works (it is a `Uint8Array`), but we never return one.
 */
import { hex as scureHex } from '@scure/base';
import { DecodeError } from './errors.js';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return scureHex.encode(bytes);
}

/**
 * Parses lowercase or uppercase hex. Throws `DecodeError` on odd length or a non-hex character,
 * and when `expectedLength` (in bytes) is given and does not match.
 */
export function fromHex(hex: string, expectedLength?: number, what = 'hex'): Uint8Array {
  let out: Uint8Array;
  try {
    out = scureHex.decode(hex.toLowerCase());
  } catch (e) {
    throw new DecodeError(`${what}: invalid hex string`, { cause: e });
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new DecodeError(`${what}: expected ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}

/** Constant-shape comparison of two byte arrays (length first, then every byte). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Concatenates byte arrays into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Lexicographic comparison, as BIP69 and key sorting need: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Throws `DecodeError` unless `value` is a `Uint8Array` of exactly `length` bytes. */
export function assertBytes(
  value: unknown,
  length: number,
  what: string,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new DecodeError(`${what}: expected Uint8Array of length ${length}, got ${typeof value}`);
  }
  if (value.length !== length) {
    throw new DecodeError(
      `${what}: expected Uint8Array of length ${length}, got length=${value.length}`,
    );
  }
}

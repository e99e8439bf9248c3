/**
 * 5-bit words, the unit of a bech32 data part. BOLT 11 lays the timestamp, every tagged field
 * and the signature out in words, so a field's bytes are its words regrouped 8 bits at a time,
 * and its integers are big-endian in base 32.
 *
 * See BOLT 11, "Data Part" and "Tagged Fields".
 */
import { APIMisuseError } from '../util/errors.js';

/** Words are 0..31; bech32 decoding guarantees it on the way in. */
export type Words = readonly number[];

/**
 * The bytes held by `words[start..end)`: floor(5n / 8) of them. Bits left over at the end are
 * the writer's zero padding (BOLT 11: "MUST pad field data to a multiple of 5 bits, using 0s");
 * readers ignore them, as other implementations do.
 */
export function wordsToBytes(words: Words, start = 0, end: number = words.length): Uint8Array {
  const out = new Uint8Array(((end - start) * 5) >> 3);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = start; i < end && j < out.length; i++) {
    acc = ((acc << 5) | words[i]!) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** `bytes` as ceil(8n / 5) words, the last one zero-padded. */
export function bytesToWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0x1fff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

/**
 * The big-endian base-32 integer in `words[start..end)`, or `undefined` when it exceeds
 * `Number.MAX_SAFE_INTEGER`.
 */
export function wordsToUint(
  words: Words,
  start = 0,
  end: number = words.length,
): number | undefined {
  let v = 0;
  for (let i = start; i < end; i++) {
    if (v > (Number.MAX_SAFE_INTEGER - 31) / 32) return undefined;
    v = v * 32 + words[i]!;
  }
  return v;
}

/** The fewest words holding `value` (none for 0), as BOLT 11 asks of `x` and `c`. */
export function uintToWords(value: number, what: string): number[] {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new APIMisuseError(`${what}: expected a non-negative safe integer, got ${value}`);
  }
  const out: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 32)) out.push(v % 32);
  return out.reverse();
}

/**
 * Words packed into bytes MSB first, the last byte zero-padded: the form BOLT 11 hashes
 * ("with 0 bits appended to pad to a byte boundary").
 */
export function packWords(words: Words): Uint8Array {
  const out = new Uint8Array(Math.ceil((words.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0) out[j] = (acc << (8 - bits)) & 0xff;
  return out;
}

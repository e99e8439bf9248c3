/**
 * BOLT 11 tagged fields: each is a 5-bit type, a 10-bit `data_length` in words, then the data.
 * This module turns the words between the timestamp and the signature into typed fields and
 * back. Fields a reader must skip (an unknown type, an `f` field of an unknown version, a `p`,
 * `h`, `s` or `n` field of the wrong length) are kept as `ignored` entries with their words, so
 * the list re-encodes to exactly what was signed.
 *
 * On wrong lengths the spec is split: since bolts #1243 the reader text says to fail on a `p`,
 * `h`, `s` or `n` field of the wrong length, while the example "Same, but including fields
 * which must be ignored" (still listed as valid) marks such fields "(ignored)". boltkit follows
 * the example, as LDK does; the skipped fields are listed on the decoded invoice for callers
 * that want the stricter rule.
 *
 * See BOLT 11, "Tagged Fields" and "Feature Bits".
 */
import { utf8 } from '@scure/base';
import type { CryptoBackend } from '../crypto/backend.js';
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { Features } from '../wire/features.js';
import { InvoiceError, InvoiceErrorReason } from './errors.js';
import {
  fallbackProgramProblem,
  makeFallbackAddress,
  FALLBACK_VERSION_P2SH,
  type FallbackAddress,
} from './fallback-address.js';
import type { Network } from './network.js';
import { decodeRouteHint, encodeRouteHint, type RouteHint } from './route-hints.js';
import { bytesToWords, uintToWords, wordsToBytes, wordsToUint, type Words } from './words.js';

/** The bech32 alphabet: the letter of a 5-bit value is how BOLT 11 names a field type. */
const ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Field type numbers (BOLT 11 "Tagged Fields"); the comment is the letter the spec uses. */
export const FieldType = {
  paymentHash: 1, // p
  routeHint: 3, // r
  features: 5, // 9
  expiry: 6, // x
  fallback: 9, // f
  description: 13, // d
  paymentSecret: 16, // s
  payeeNodeId: 19, // n
  descriptionHash: 23, // h
  minFinalCltvExpiryDelta: 24, // c
  paymentMetadata: 27, // m
} as const;

/** `data_length` is 10 bits: at most 1023 words (639 bytes). */
const MAX_DATA_WORDS = 1023;
/** Words in a 32-byte field (256 bits + 4 padding bits) and a 33-byte one (264 + 1). */
const WORDS_32 = 52;
const WORDS_33 = 53;

/** Why a reader skipped a field. */
export type IgnoredFieldReason = 'unknown_type' | 'wrong_length' | 'unknown_fallback_version';

export type TaggedField =
  | { readonly type: 'paymentHash'; readonly paymentHash: string }
  | { readonly type: 'paymentSecret'; readonly paymentSecret: string }
  | { readonly type: 'description'; readonly description: string }
  | { readonly type: 'descriptionHash'; readonly descriptionHash: string }
  | { readonly type: 'payeeNodeId'; readonly payeeNodeId: string }
  | { readonly type: 'expiry'; readonly expirySecs: number }
  | { readonly type: 'minFinalCltvExpiryDelta'; readonly minFinalCltvExpiryDelta: number }
  | { readonly type: 'fallback'; readonly fallback: FallbackAddress }
  | { readonly type: 'routeHint'; readonly routeHint: RouteHint }
  | { readonly type: 'features'; readonly features: Features }
  | { readonly type: 'paymentMetadata'; readonly paymentMetadata: Uint8Array }
  | {
      readonly type: 'ignored';
      /** The field type as its bech32 letter (`p`, `2`, …). */
      readonly tag: string;
      /** The field's data words, as written. */
      readonly words: Words;
      readonly reason: IgnoredFieldReason;
    };

function invalid(letter: string, message: string, cause?: unknown): InvoiceError {
  return new InvoiceError(InvoiceErrorReason.InvalidField, `invoice field ${letter}: ${message}`, {
    field: letter,
    cause,
  });
}

/** Reads an `x` or `c` integer: minimal (BOLT 11 "SHOULD treat the invoice as invalid" otherwise). */
function minimalUint(words: Words, start: number, end: number, letter: string): number {
  if (end > start && words[start] === 0) {
    throw new InvoiceError(
      InvoiceErrorReason.NonMinimalField,
      `invoice field ${letter}: starts with a zero word`,
      { field: letter },
    );
  }
  const v = wordsToUint(words, start, end);
  if (v === undefined) throw invalid(letter, 'value exceeds 2^53 - 1');
  return v;
}

/** The `9` field: bit 0 is the lowest bit of the last word. */
function decodeFeatures(words: Words, start: number, end: number): Features {
  if (end > start && words[start] === 0) {
    throw new InvoiceError(
      InvoiceErrorReason.NonMinimalField,
      'invoice field 9: starts with a zero word',
      {
        field: '9',
      },
    );
  }
  const bits: number[] = [];
  for (let k = 0; k < end - start; k++) {
    const w = words[end - 1 - k]!;
    for (let b = 0; b < 5; b++) if ((w >> b) & 1) bits.push(k * 5 + b);
  }
  return Features.fromBits(bits);
}

function encodeFeatures(features: Features): number[] {
  const bits = features.bits();
  const n = bits.length === 0 ? 0 : Math.floor(bits[bits.length - 1]! / 5) + 1;
  const out = new Array<number>(n).fill(0);
  for (const bit of bits) out[n - 1 - Math.floor(bit / 5)]! |= 1 << (bit % 5);
  return out;
}

function decodeOne(
  type: number,
  words: Words,
  start: number,
  end: number,
  network: Network,
  crypto: CryptoBackend,
): TaggedField {
  const len = end - start;
  const letter = ALPHABET[type]!;
  const ignored = (reason: IgnoredFieldReason): TaggedField => ({
    type: 'ignored',
    tag: letter,
    words: words.slice(start, end),
    reason,
  });
  switch (type) {
    case FieldType.paymentHash:
    case FieldType.paymentSecret:
    case FieldType.descriptionHash: {
      if (len !== WORDS_32) return ignored('wrong_length');
      const hex = toHex(wordsToBytes(words, start, end));
      if (type === FieldType.paymentHash) return { type: 'paymentHash', paymentHash: hex };
      if (type === FieldType.paymentSecret) return { type: 'paymentSecret', paymentSecret: hex };
      return { type: 'descriptionHash', descriptionHash: hex };
    }
    case FieldType.payeeNodeId: {
      if (len !== WORDS_33) return ignored('wrong_length');
      const key = wordsToBytes(words, start, end);
      if ((key[0] !== 2 && key[0] !== 3) || !crypto.isValidPublicKey(key)) {
        throw invalid(letter, 'not a valid compressed public key');
      }
      return { type: 'payeeNodeId', payeeNodeId: toHex(key) };
    }
    case FieldType.description: {
      try {
        return { type: 'description', description: utf8.encode(wordsToBytes(words, start, end)) };
      } catch (e) {
        throw invalid(letter, 'description is not valid UTF-8', e);
      }
    }
    case FieldType.expiry:
      return { type: 'expiry', expirySecs: minimalUint(words, start, end, letter) };
    case FieldType.minFinalCltvExpiryDelta:
      return {
        type: 'minFinalCltvExpiryDelta',
        minFinalCltvExpiryDelta: minimalUint(words, start, end, letter),
      };
    case FieldType.fallback: {
      if (len === 0) throw invalid(letter, 'empty fallback field');
      const version = words[start]!;
      // BOLT 11: "MUST skip over `f` fields that use an unknown `version`".
      if (version > FALLBACK_VERSION_P2SH) return ignored('unknown_fallback_version');
      const program = wordsToBytes(words, start + 1, end);
      const problem = fallbackProgramProblem(version, program);
      if (problem !== undefined) throw invalid(letter, problem);
      return { type: 'fallback', fallback: makeFallbackAddress(version, program, network, crypto) };
    }
    case FieldType.routeHint: {
      const hops = decodeRouteHint(wordsToBytes(words, start, end), crypto);
      if (typeof hops === 'string') throw invalid(letter, hops);
      return { type: 'routeHint', routeHint: hops };
    }
    case FieldType.features:
      return { type: 'features', features: decodeFeatures(words, start, end) };
    case FieldType.paymentMetadata:
      return { type: 'paymentMetadata', paymentMetadata: wordsToBytes(words, start, end) };
    default:
      return ignored('unknown_type');
  }
}

/**
 * Reads the tagged fields in `words[start..end)` (after the timestamp, before the signature), in
 * order. Throws `InvoiceError`: `truncated_field` when a `data_length` runs past `end`,
 * `invalid_field` for a known field whose content cannot be valid, `non_minimal_field` for an
 * `x`, `c` or `9` field with leading zero words.
 */
export function decodeTaggedFields(
  words: Words,
  start: number,
  end: number,
  network: Network,
  crypto: CryptoBackend,
): TaggedField[] {
  const fields: TaggedField[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 3) {
      throw new InvoiceError(
        InvoiceErrorReason.TruncatedField,
        'invoice: a tagged field header is cut short',
      );
    }
    const type = words[pos]!;
    const len = words[pos + 1]! * 32 + words[pos + 2]!;
    const dataStart = pos + 3;
    if (dataStart + len > end) {
      throw new InvoiceError(
        InvoiceErrorReason.TruncatedField,
        `invoice field ${ALPHABET[type]}: data_length ${len} runs past the signature`,
        { field: ALPHABET[type]! },
      );
    }
    fields.push(decodeOne(type, words, dataStart, dataStart + len, network, crypto));
    pos = dataStart + len;
  }
  return fields;
}

function hexBytes(value: string, length: number, what: string): Uint8Array {
  try {
    return fromHex(value, length, what);
  } catch (e) {
    throw new APIMisuseError(`${what}: expected ${length}-byte hex`, { cause: e });
  }
}

function bytesOf(value: Uint8Array, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new APIMisuseError(`${what}: expected a Uint8Array`);
  return value;
}

/** The type number and data words of one field. */
function encodeData(field: TaggedField): [number, Words] {
  switch (field.type) {
    case 'paymentHash':
      return [FieldType.paymentHash, bytesToWords(hexBytes(field.paymentHash, 32, 'paymentHash'))];
    case 'paymentSecret':
      return [
        FieldType.paymentSecret,
        bytesToWords(hexBytes(field.paymentSecret, 32, 'paymentSecret')),
      ];
    case 'descriptionHash':
      return [
        FieldType.descriptionHash,
        bytesToWords(hexBytes(field.descriptionHash, 32, 'descriptionHash')),
      ];
    case 'payeeNodeId':
      return [FieldType.payeeNodeId, bytesToWords(hexBytes(field.payeeNodeId, 33, 'payeeNodeId'))];
    case 'description': {
      let bytes: Uint8Array;
      try {
        bytes = utf8.decode(field.description);
      } catch (e) {
        throw new APIMisuseError('description: expected a well-formed string', { cause: e });
      }
      return [FieldType.description, bytesToWords(bytes)];
    }
    case 'expiry':
      return [FieldType.expiry, uintToWords(field.expirySecs, 'expirySecs')];
    case 'minFinalCltvExpiryDelta':
      return [
        FieldType.minFinalCltvExpiryDelta,
        uintToWords(field.minFinalCltvExpiryDelta, 'minFinalCltvExpiryDelta'),
      ];
    case 'fallback': {
      const { version, program } = field.fallback;
      const problem = fallbackProgramProblem(version, bytesOf(program, 'fallback program'));
      if (problem !== undefined) throw new APIMisuseError(`fallback: ${problem}`);
      return [FieldType.fallback, [version, ...bytesToWords(program)]];
    }
    case 'routeHint':
      return [FieldType.routeHint, bytesToWords(encodeRouteHint(field.routeHint))];
    case 'features':
      if (!(field.features instanceof Features)) {
        throw new APIMisuseError('features: expected a Features value');
      }
      return [FieldType.features, encodeFeatures(field.features)];
    case 'paymentMetadata':
      return [
        FieldType.paymentMetadata,
        bytesToWords(bytesOf(field.paymentMetadata, 'paymentMetadata')),
      ];
    case 'ignored': {
      const type =
        typeof field.tag === 'string' && field.tag.length === 1 ? ALPHABET.indexOf(field.tag) : -1;
      if (type < 0) throw new APIMisuseError(`ignored field: tag must be one bech32 letter`);
      if (
        !Array.isArray(field.words) ||
        !field.words.every((w) => Number.isInteger(w) && w >= 0 && w < 32)
      ) {
        throw new APIMisuseError('ignored field: words must be integers in [0, 31]');
      }
      return [type, field.words];
    }
    default:
      throw new APIMisuseError(
        `tagged field: unknown type ${String((field as { type: unknown }).type)}`,
      );
  }
}

/**
 * One field as words: type, 10-bit `data_length`, data. Throws `APIMisuseError` for a value out
 * of range, malformed hex, or data longer than 1023 words (a description over 639 bytes).
 */
export function encodeTaggedField(field: TaggedField): number[] {
  const [type, data] = encodeData(field);
  if (data.length > MAX_DATA_WORDS) {
    throw new APIMisuseError(
      `${field.type}: ${data.length} words exceeds the ${MAX_DATA_WORDS}-word field limit`,
    );
  }
  return [type, data.length >> 5, data.length & 31, ...data];
}

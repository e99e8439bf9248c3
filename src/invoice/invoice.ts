/**
 * BOLT 11 invoices: `decodeInvoice` checks a payment request with every reader requirement and
 * returns its typed fields; `encodeInvoice` writes and signs one. Both are pure: the current time
 * is the caller's (`isExpired(invoice, nowSecs)`), and signing goes through a signer callback so
 * the node key can stay inside a `KeysInterface` or a remote signer.
 *
 * See BOLT 11, "Encoding Overview", "Data Part", "Tagged Fields" (reader requirements) and
 * "Payer / Payee Requirements".
 */
import { bech32, utf8 } from '@scure/base';
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { featureOfBit } from '../wire/feature-table.js';
import { Features, validateFeatureDependencies } from '../wire/features.js';
import { InvoiceError, InvoiceErrorReason } from './errors.js';
import { makeFallbackAddress, type FallbackAddress } from './fallback-address.js';
import { formatHrp, parseHrp } from './hrp.js';
import type { Network } from './network.js';
import type { RouteHint } from './route-hints.js';
import {
  isLowS,
  signingPreimage,
  type InvoiceSigner,
  type RecoverableSignature,
} from './signature.js';
import { decodeTaggedFields, encodeTaggedField, type TaggedField } from './tagged-fields.js';
import { bytesToWords, uintToWords, wordsToBytes, wordsToUint } from './words.js';

/** BOLT 11 defaults when `x` or `c` is absent. */
export const DEFAULT_EXPIRY_SECS = 3600;
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA = 18;

const BECH32_ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const TIMESTAMP_WORDS = 7;
/** 520 bits: 64-byte r || s and the recovery id byte. */
const SIGNATURE_WORDS = 104;
const MAX_TIMESTAMP = 2 ** 35 - 1;

/** A decoded invoice whose signature, payment hash, secret and features were all checked. */
export interface Invoice {
  readonly network: Network;
  /** Absent when the payer chooses the amount. */
  readonly amountMsat?: bigint;
  /** When it was created, in seconds since 1970 (35 bits). */
  readonly timestamp: number;
  /** Lowercase hex, 32 bytes: the first `p` field. */
  readonly paymentHash: string;
  /** Lowercase hex, 32 bytes: the first `s` field, for the onion's `payment_data`. */
  readonly paymentSecret: string;
  /** Exactly one of `description` and `descriptionHash` is present. */
  readonly description?: string;
  /** Lowercase hex SHA256 of a description delivered some other way (see `descriptionMatches`). */
  readonly descriptionHash?: string;
  /** Lowercase hex, 33 bytes: from the `n` field, or recovered from the signature. */
  readonly payeeNodeId: string;
  readonly payeeNodeIdFrom: 'n_field' | 'signature_recovery';
  /** Seconds after `timestamp` the payee stops accepting payment; 3600 when absent. */
  readonly expirySecs: number;
  /** Blocks the final HTLC must have left; 18 when absent. */
  readonly minFinalCltvExpiryDelta: number;
  /** On-chain fallbacks, most preferred first; versions the reader skips are not listed. */
  readonly fallbacks: readonly FallbackAddress[];
  /** Private routes to the payee, one per `r` field. */
  readonly routeHints: readonly RouteHint[];
  /** The `9` field; empty when absent. */
  readonly features: Features;
  /** To send back as the onion's `payment_metadata`. */
  readonly paymentMetadata?: Uint8Array;
  /** Every tagged field in order, skipped ones included: re-encoding them gives what was signed. */
  readonly taggedFields: readonly TaggedField[];
  /** The fields a reader must skip (unknown type, unknown fallback version, wrong length). */
  readonly ignoredFields: readonly Extract<TaggedField, { type: 'ignored' }>[];
  readonly signature: RecoverableSignature;
  /** The human-readable part, lowercase. */
  readonly hrp: string;
  /** The exact bytes signed: hrp bytes || packed data words (see `signingPreimage`). */
  readonly signedData: Uint8Array;
  /** SHA256 of `signedData`. */
  readonly signingHash: Uint8Array;
}

export interface DecodeInvoiceOptions {
  /** Refuse invoices for any other network (reason `network_mismatch`). */
  readonly network?: Network;
  readonly crypto?: CryptoBackend;
}

/** The fields of an invoice to write. Exactly one of `description` and `descriptionHash`. */
export interface InvoiceFields {
  readonly network: Network;
  /** Omit to let the payer choose. */
  readonly amountMsat?: bigint;
  /** Seconds since 1970; the caller's clock (the core has none). */
  readonly timestamp: number;
  readonly paymentHash: string;
  readonly paymentSecret: string;
  readonly description?: string;
  readonly descriptionHash?: string;
  /** Writes an `n` field; the signature is then checked against it. */
  readonly payeeNodeId?: string;
  readonly expirySecs?: number;
  /** BOLT 11 writers SHOULD include it. */
  readonly minFinalCltvExpiryDelta?: number;
  readonly fallbacks?: readonly { readonly version: number; readonly program: Uint8Array }[];
  readonly routeHints?: readonly RouteHint[];
  /** Omitted from the invoice when empty, as BOLT 11 requires. */
  readonly features?: Features;
  readonly paymentMetadata?: Uint8Array;
}

/** An invoice as written: its tagged fields in order. A decoded `Invoice` is one. */
export interface RawInvoice {
  readonly network: Network;
  readonly amountMsat?: bigint;
  readonly timestamp: number;
  readonly taggedFields: readonly TaggedField[];
}

export interface EncodeInvoiceOptions {
  readonly crypto?: CryptoBackend;
}

function fail(reason: InvoiceErrorReason, message: string, cause?: unknown): never {
  throw new InvoiceError(reason, `invoice: ${message}`, { cause });
}

/** BIP 173 framing, checked here so each failure gets its own reason. Returns the lowercase string. */
function checkBech32Framing(text: string): string {
  let lower = false;
  let upper = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) fail(InvoiceErrorReason.InvalidCharacter, `character ${c} at ${i}`);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper = true;
  }
  if (lower && upper) fail(InvoiceErrorReason.MixedCase, 'mixes upper and lower case');
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 0) fail(InvoiceErrorReason.NoBech32Separator, 'no "1" separator');
  if (sep === 0) fail(InvoiceErrorReason.UnknownPrefix, 'empty human-readable part');
  for (let i = sep + 1; i < s.length; i++) {
    if (!BECH32_ALPHABET.includes(s[i]!)) {
      fail(InvoiceErrorReason.InvalidCharacter, `"${s[i]}" at ${i} is not a bech32 character`);
    }
  }
  if (s.length - sep - 1 < 6) fail(InvoiceErrorReason.TooShort, 'no room for a checksum');
  return s;
}

/** Even bits are understood only when BOLT 9 lists their feature for invoices (context 9). */
function isKnownInvoiceBit(bit: number): boolean {
  const info = featureOfBit(bit);
  if (info === undefined) return false;
  const contexts = info.assumed ? (info.legacyContexts ?? []) : info.contexts;
  return contexts.includes('invoice');
}

function first<T extends TaggedField['type']>(
  fields: readonly TaggedField[],
  type: T,
): Extract<TaggedField, { type: T }> | undefined {
  return fields.find((f): f is Extract<TaggedField, { type: T }> => f.type === type);
}

/**
 * Decodes and checks a BOLT 11 invoice (upper or lower case, without a `lightning:` prefix).
 * Throws `InvoiceError` (code `InvalidInvoice`) whose `reason` names the rule broken: bech32
 * framing and checksum, unknown prefix or other network, amount, a malformed field, a missing
 * payment hash, payment secret or description, an unknown even feature bit or a missing feature
 * dependency, and a signature that does not verify or recover. Never throws anything else on
 * bad input, and runs in time linear in the string (plus one signature check).
 */
export function decodeInvoice(text: string, options: DecodeInvoiceOptions = {}): Invoice {
  const crypto = options.crypto ?? nobleBackend;
  if (typeof text !== 'string') fail(InvoiceErrorReason.InvalidCharacter, 'expected a string');
  const lower = checkBech32Framing(text);
  let words: number[];
  let hrp: string;
  try {
    ({ prefix: hrp, words } = bech32.decode(lower, false));
  } catch (e) {
    fail(InvoiceErrorReason.InvalidBech32Checksum, 'bech32 checksum does not match', e);
  }
  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS) {
    fail(InvoiceErrorReason.TooShort, `${words.length} data words, no room for a signature`);
  }
  const { network, amountMsat } = parseHrp(hrp);
  if (options.network !== undefined && options.network !== network) {
    fail(InvoiceErrorReason.NetworkMismatch, `for ${network}, expected ${options.network}`);
  }
  const sigStart = words.length - SIGNATURE_WORDS;
  const timestamp = wordsToUint(words, 0, TIMESTAMP_WORDS)!;
  const taggedFields = decodeTaggedFields(words, TIMESTAMP_WORDS, sigStart, network, crypto);

  const paymentHash = first(taggedFields, 'paymentHash');
  if (paymentHash === undefined) fail(InvoiceErrorReason.MissingPaymentHash, 'no payment hash');
  // BOLT 11: "if a valid `s` field is not provided: MUST fail the payment".
  const paymentSecret = first(taggedFields, 'paymentSecret');
  if (paymentSecret === undefined)
    fail(InvoiceErrorReason.MissingPaymentSecret, 'no payment secret');
  const description = first(taggedFields, 'description');
  const descriptionHash = first(taggedFields, 'descriptionHash');
  if (description === undefined && descriptionHash === undefined) {
    fail(InvoiceErrorReason.MissingDescription, 'neither a d nor an h field');
  }
  if (description !== undefined && descriptionHash !== undefined) {
    fail(InvoiceErrorReason.DescriptionAndHash, 'both a d and an h field');
  }
  const features = first(taggedFields, 'features')?.features ?? Features.empty();
  const unknownEven = features.bits().filter((b) => b % 2 === 0 && !isKnownInvoiceBit(b));
  if (unknownEven.length > 0) {
    fail(
      InvoiceErrorReason.UnknownEvenFeatureBit,
      `unknown required feature bits ${unknownEven.join(', ')}`,
    );
  }
  try {
    validateFeatureDependencies(features);
  } catch (e) {
    fail(InvoiceErrorReason.MissingFeatureDependency, (e as Error).message, e);
  }

  const sigBytes = wordsToBytes(words, sigStart);
  const signature: RecoverableSignature = {
    signature: sigBytes.slice(0, 64),
    recoveryId: sigBytes[64]!,
  };
  const signedData = signingPreimage(hrp, words.slice(0, sigStart));
  const signingHash = crypto.sha256(signedData);
  const payeeNodeId = checkSignature(
    signature,
    signingHash,
    first(taggedFields, 'payeeNodeId'),
    crypto,
  );

  const metadata = first(taggedFields, 'paymentMetadata');
  const ignoredFields = taggedFields.filter(
    (f): f is Extract<TaggedField, { type: 'ignored' }> => f.type === 'ignored',
  );
  return {
    network,
    ...(amountMsat !== undefined ? { amountMsat } : {}),
    timestamp,
    paymentHash: paymentHash.paymentHash,
    paymentSecret: paymentSecret.paymentSecret,
    ...(description !== undefined ? { description: description.description } : {}),
    ...(descriptionHash !== undefined ? { descriptionHash: descriptionHash.descriptionHash } : {}),
    payeeNodeId: payeeNodeId.key,
    payeeNodeIdFrom: payeeNodeId.from,
    expirySecs: first(taggedFields, 'expiry')?.expirySecs ?? DEFAULT_EXPIRY_SECS,
    minFinalCltvExpiryDelta:
      first(taggedFields, 'minFinalCltvExpiryDelta')?.minFinalCltvExpiryDelta ??
      DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
    fallbacks: taggedFields.flatMap((f) => (f.type === 'fallback' ? [f.fallback] : [])),
    routeHints: taggedFields.flatMap((f) => (f.type === 'routeHint' ? [f.routeHint] : [])),
    features,
    ...(metadata !== undefined ? { paymentMetadata: metadata.paymentMetadata } : {}),
    taggedFields,
    ignoredFields,
    signature,
    hrp,
    signedData,
    signingHash,
  };
}

/**
 * BOLT 11: with an `n` field, verify against it and refuse high-S; without one, recover the key,
 * accepting high-S as libsecp256k1's recovery does (the key recovered is then not the low-S
 * signer's: it is whatever key the signature as written commits to).
 */
function checkSignature(
  sig: RecoverableSignature,
  digest: Uint8Array,
  n: Extract<TaggedField, { type: 'payeeNodeId' }> | undefined,
  crypto: CryptoBackend,
): { key: string; from: Invoice['payeeNodeIdFrom'] } {
  if (n !== undefined) {
    if (!isLowS(sig.signature)) {
      fail(InvoiceErrorReason.HighSSignatureWithNField, 'high-S signature with an n field');
    }
    if (!crypto.verify(sig.signature, digest, fromHex(n.payeeNodeId))) {
      fail(InvoiceErrorReason.InvalidSignature, 'signature does not verify against the n field');
    }
    return { key: n.payeeNodeId, from: 'n_field' };
  }
  if (sig.recoveryId > 3) {
    fail(InvoiceErrorReason.SignatureNotRecoverable, `recovery id ${sig.recoveryId} is not 0..3`);
  }
  try {
    return {
      key: toHex(crypto.recoverPublicKey(sig.signature, sig.recoveryId, digest)),
      from: 'signature_recovery',
    };
  } catch (e) {
    return fail(
      InvoiceErrorReason.SignatureNotRecoverable,
      'no public key recovers from the signature',
      e,
    );
  }
}

/**
 * Writes and signs an invoice from its fields, in a fixed order: p, s, d or h, n, x, c, f…,
 * r…, 9, m. Throws `APIMisuseError` for fields BOLT 11 writers must not produce (no description
 * or both, malformed hex, values out of range, a description over 639 bytes), for a signer
 * answer that is not a 64-byte signature with a recovery id 0..3, and, when `payeeNodeId` is
 * given, for a signature that does not verify against it. Returns the invoice in lowercase
 * (uppercase it for QR codes, as BOLT 11 suggests).
 */
export function encodeInvoice(
  fields: InvoiceFields,
  sign: InvoiceSigner,
  options: EncodeInvoiceOptions = {},
): string {
  const crypto = options.crypto ?? nobleBackend;
  if ((fields.description === undefined) === (fields.descriptionHash === undefined)) {
    throw new APIMisuseError('invoice: give exactly one of description and descriptionHash');
  }
  const tagged: TaggedField[] = [
    { type: 'paymentHash', paymentHash: fields.paymentHash },
    { type: 'paymentSecret', paymentSecret: fields.paymentSecret },
  ];
  if (fields.description !== undefined)
    tagged.push({ type: 'description', description: fields.description });
  if (fields.descriptionHash !== undefined) {
    tagged.push({ type: 'descriptionHash', descriptionHash: fields.descriptionHash });
  }
  if (fields.payeeNodeId !== undefined)
    tagged.push({ type: 'payeeNodeId', payeeNodeId: fields.payeeNodeId });
  if (fields.expirySecs !== undefined)
    tagged.push({ type: 'expiry', expirySecs: fields.expirySecs });
  if (fields.minFinalCltvExpiryDelta !== undefined) {
    tagged.push({
      type: 'minFinalCltvExpiryDelta',
      minFinalCltvExpiryDelta: fields.minFinalCltvExpiryDelta,
    });
  }
  for (const f of fields.fallbacks ?? []) {
    tagged.push({
      type: 'fallback',
      fallback: makeFallbackAddress(f.version, f.program, fields.network, crypto),
    });
  }
  for (const routeHint of fields.routeHints ?? []) tagged.push({ type: 'routeHint', routeHint });
  if (fields.features !== undefined && !fields.features.isEmpty()) {
    tagged.push({ type: 'features', features: fields.features });
  }
  if (fields.paymentMetadata !== undefined) {
    tagged.push({ type: 'paymentMetadata', paymentMetadata: fields.paymentMetadata });
  }
  return encodeRawInvoice(
    {
      network: fields.network,
      ...(fields.amountMsat !== undefined ? { amountMsat: fields.amountMsat } : {}),
      timestamp: fields.timestamp,
      taggedFields: tagged,
    },
    sign,
    options,
  );
}

/**
 * Writes and signs an invoice with exactly the tagged fields given, in their order, skipped ones
 * included: `encodeRawInvoice(decodeInvoice(s), signer)` gives `s` back for any lowercase `s`
 * written with the shortest amount and signed by a deterministic signer. It does not enforce the
 * writer rules `encodeInvoice` does (so tests can build invoices a reader must refuse), except
 * that each field must encode and an `n` field, when present, must verify.
 */
export function encodeRawInvoice(
  raw: RawInvoice,
  sign: InvoiceSigner,
  options: EncodeInvoiceOptions = {},
): string {
  const crypto = options.crypto ?? nobleBackend;
  const hrp = formatHrp(raw.network, raw.amountMsat);
  if (!Number.isInteger(raw.timestamp) || raw.timestamp < 0 || raw.timestamp > MAX_TIMESTAMP) {
    throw new APIMisuseError(
      `invoice timestamp: expected an integer in [0, 2^35 - 1], got ${raw.timestamp}`,
    );
  }
  const ts = uintToWords(raw.timestamp, 'timestamp');
  const words: number[] = [...new Array<number>(TIMESTAMP_WORDS - ts.length).fill(0), ...ts];
  for (const field of raw.taggedFields) words.push(...encodeTaggedField(field));

  const preimage = signingPreimage(hrp, words);
  const { signature, recoveryId } = sign(preimage);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new APIMisuseError('invoice signer: expected a 64-byte compact signature');
  }
  if (!Number.isInteger(recoveryId) || recoveryId < 0 || recoveryId > 3) {
    throw new APIMisuseError(`invoice signer: recovery id must be 0..3, got ${recoveryId}`);
  }
  const n = first(raw.taggedFields, 'payeeNodeId');
  if (
    n !== undefined &&
    !crypto.verify(signature, crypto.sha256(preimage), fromHex(n.payeeNodeId))
  ) {
    throw new APIMisuseError('invoice signer: the signature does not verify against payeeNodeId');
  }
  const sig65 = new Uint8Array(65);
  sig65.set(signature);
  sig65[64] = recoveryId;
  return bech32.encode(hrp, [...words, ...bytesToWords(sig65)], false);
}

/**
 * True once `timestamp + expirySecs` has passed at `nowSecs` (seconds since 1970). BOLT 11: a
 * payer "SHOULD NOT attempt a payment" after that, and the payee "SHOULD NOT accept" one.
 */
export function isExpired(
  invoice: Pick<Invoice, 'timestamp' | 'expirySecs'>,
  nowSecs: number,
): boolean {
  if (typeof nowSecs !== 'number' || Number.isNaN(nowSecs)) {
    throw new APIMisuseError(`isExpired: nowSecs must be a number, got ${String(nowSecs)}`);
  }
  return nowSecs > invoice.timestamp + invoice.expirySecs;
}

/**
 * True when `description` is the one the invoice's `h` field commits to (BOLT 11: a reader
 * "MUST check that the SHA2 256-bit hash in the `h` field exactly matches the hashed
 * description"). False for an invoice with a `d` field instead.
 */
export function descriptionMatches(
  invoice: Pick<Invoice, 'descriptionHash'>,
  description: string,
  crypto: CryptoBackend = nobleBackend,
): boolean {
  if (invoice.descriptionHash === undefined) return false;
  let bytes: Uint8Array;
  try {
    bytes = utf8.decode(description);
  } catch (e) {
    throw new APIMisuseError('descriptionMatches: expected a well-formed string', { cause: e });
  }
  return toHex(crypto.sha256(bytes)) === invoice.descriptionHash;
}

/**
 * Stateless inbound payments: the payment hash and payment secret of an invoice are derived from
 * one 32-byte key (`KeysInterface.getInboundPaymentKeyMaterial`), so issuing an invoice stores
 * nothing. When an HTLC arrives, its `payment_hash` and the onion's `payment_secret` (BOLT 4
 * "Payload for the final node"; BOLT 11 `s` field) are enough to tell whether the invoice is ours
 * and to recover what it asked for: the minimum amount, the expiry time, the
 * `min_final_cltv_expiry_delta` if one was set and, for invoices whose preimage we chose, the
 * preimage itself.
 *
 * ## Design
 *
 * Four sub-keys come from the key material, each `HMAC-SHA256(keyMaterial, label)` with its own
 * ASCII label, so no key serves two purposes:
 *
 *     metadata key   encrypts the metadata inside the secret
 *     nonce key      turns the caller's random bytes into the published nonce
 *     preimage key   derives the preimage of a stateless invoice
 *     for-hash key   authenticates an invoice whose hash the host chose
 *
 * The 16-byte metadata, big-endian:
 *
 *     bytes 0..8    bit 63: kind (0 stateless, 1 for-hash); bit 62: a min final CLTV delta is set;
 *                   bit 61: reserved, 0; bits 0..60: minimum amount in msat, 0 for any amount
 *     bytes 8..14   expiry time, seconds since 1970 (u48)
 *     bytes 14..16  min_final_cltv_expiry_delta (u16), 0 when not set
 *
 * The payment secret is `nonce (16) || metadata XOR keystream (16)`, where the keystream is the
 * first 16 bytes of `HMAC-SHA256(metadata key, nonce)`. The nonce differs by kind:
 *
 * - Stateless (`createInboundPayment`): `nonce = HMAC-SHA256(nonce key, random || metadata)[0..16]`
 *   with 32 fresh random bytes from the caller, and `preimage = HMAC-SHA256(preimage key, nonce ||
 *   metadata)`, `payment_hash = SHA256(preimage)`. The receiver re-derives the preimage from the
 *   secret and checks it hashes to the HTLC's hash: this authenticates the whole secret (a changed
 *   nonce or metadata gives another preimage) and binds it to the hash. The random bytes are
 *   hashed rather than published as they are, so the invoice shows nothing of the entropy source.
 * - For-hash (`createInboundPaymentForHash`): the host keeps the preimage, and
 *   `nonce = HMAC-SHA256(for-hash key, metadata || payment_hash)[0..16]` is a 128-bit tag over
 *   the metadata and the hash, checked on receipt. The same hash and metadata always give the
 *   same secret (no randomness needed), and the tag, like a synthetic IV, also keys the
 *   encryption.
 *
 * The secret is therefore unforgeable without the key, and the metadata is hidden from payers
 * and from every node on the route (the secret only travels in the final hop's onion payload).
 * Comparisons of authenticators are constant-shape (`equalBytes`).
 *
 * Everything here is pure: no clock (the caller passes `nowSeconds`), no randomness (the caller
 * passes bytes from `KeysInterface.getSecureRandomBytes`), no storage. Checking the amount and
 * the expiry against an HTLC is the caller's job (BOLT 4 requires failing a final HTLC whose
 * amount is below the invoice amount with `incorrect_or_unknown_payment_details`); the helpers
 * at the end of this module do the comparisons.
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/noble.js';
import { concatBytes, equalBytes } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';

/**
 * The sub-keys of the module comment. Secret: anyone holding them can recognise our invoices and
 * compute the preimages of stateless ones. Derive them once (`deriveInboundPaymentKeys`) and keep
 * them in memory only.
 */
export interface InboundPaymentKeys {
  readonly metadataKey: Uint8Array;
  readonly nonceKey: Uint8Array;
  readonly preimageKey: Uint8Array;
  readonly forHashKey: Uint8Array;
}

/** What a verified payment secret says about its invoice. */
export interface VerifiedInboundPayment {
  /** `stateless` when boltkit chose the preimage, `forHash` when the host did. */
  readonly kind: 'stateless' | 'forHash';
  /** The preimage of a stateless invoice (32 bytes); `undefined` for the for-hash kind. */
  readonly paymentPreimage: Uint8Array | undefined;
  /** The amount the invoice asked for, in msat; `undefined` when it accepts any amount. */
  readonly minAmountMsat: bigint | undefined;
  /** The invoice expires after this time, in seconds since 1970. */
  readonly expiresAtSeconds: number;
  /** The invoice's `min_final_cltv_expiry_delta`, when one was set at creation. */
  readonly minFinalCltvExpiryDelta: number | undefined;
}

/** What an invoice asks for; common to both kinds. */
export interface InboundPaymentParams {
  /** The minimum amount to accept, in msat; leave out for an invoice of any amount. */
  readonly amountMsat?: bigint | undefined;
  /** Seconds from `nowSeconds` until the invoice expires (BOLT 11 `x` field); positive. */
  readonly expirySecs: number;
  /** The current time in seconds since 1970, as the host knows it. */
  readonly nowSeconds: number;
  /**
   * The `min_final_cltv_expiry_delta` to put in the invoice (BOLT 11 `c` field), remembered so
   * the receiver can enforce it; leave out to use the node's default.
   */
  readonly minFinalCltvExpiryDelta?: number | undefined;
}

/** `InboundPaymentParams` plus the randomness of a stateless invoice. */
export interface StatelessInboundPaymentParams extends InboundPaymentParams {
  /** 32 fresh random bytes (`KeysInterface.getSecureRandomBytes()`); never reuse them. */
  readonly randomBytes: Uint8Array;
}

/** The largest amount the metadata holds: 2^61 - 1 msat, above the 2.1e18 msat of all bitcoin. */
export const MAX_INBOUND_PAYMENT_AMOUNT_MSAT: bigint = (1n << 61n) - 1n;

/** The latest expiry the metadata holds, in seconds since 1970 (u48). */
const MAX_EXPIRES_AT_SECONDS = 2 ** 48 - 1;

const KIND_FOR_HASH = 1n << 63n;
const HAS_CLTV_DELTA = 1n << 62n;
const RESERVED = 1n << 61n;
const AMOUNT_MASK = RESERVED - 1n;

const METADATA_LENGTH = 16;
const NONCE_LENGTH = 16;

function label(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const LABELS = {
  metadataKey: label('boltkit inbound payment metadata key'),
  nonceKey: label('boltkit inbound payment nonce key'),
  preimageKey: label('boltkit inbound payment preimage key'),
  forHashKey: label('boltkit inbound payment for-hash key'),
} as const;

function assertBytes(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    const got = value instanceof Uint8Array ? `length=${value.length}` : typeof value;
    throw new APIMisuseError(`${what}: expected Uint8Array of length ${length}, got ${got}`);
  }
  return value;
}

function assertKeys(keys: InboundPaymentKeys): void {
  const k: unknown = keys;
  if (typeof k !== 'object' || k === null) {
    throw new APIMisuseError('keys: expected InboundPaymentKeys from deriveInboundPaymentKeys');
  }
  for (const k of ['metadataKey', 'nonceKey', 'preimageKey', 'forHashKey'] as const) {
    assertBytes(keys[k], 32, `keys.${k}`);
  }
}

/**
 * The sub-keys of `keyMaterial` (32 bytes, `KeysInterface.getInboundPaymentKeyMaterial()`).
 * Throws `APIMisuseError` for key material that is not 32 bytes.
 */
export function deriveInboundPaymentKeys(
  keyMaterial: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): InboundPaymentKeys {
  assertBytes(keyMaterial, 32, 'keyMaterial');
  return {
    metadataKey: crypto.hmacSha256(keyMaterial, LABELS.metadataKey),
    nonceKey: crypto.hmacSha256(keyMaterial, LABELS.nonceKey),
    preimageKey: crypto.hmacSha256(keyMaterial, LABELS.preimageKey),
    forHashKey: crypto.hmacSha256(keyMaterial, LABELS.forHashKey),
  };
}

/** Checks `params` and packs the metadata of the module comment. */
function encodeMetadata(params: InboundPaymentParams, forHash: boolean): Uint8Array {
  const p: unknown = params;
  if (typeof p !== 'object' || p === null) throw new APIMisuseError('params: expected an object');
  const { amountMsat, expirySecs, nowSeconds, minFinalCltvExpiryDelta } = params;
  if (
    amountMsat !== undefined &&
    (typeof amountMsat !== 'bigint' ||
      amountMsat <= 0n ||
      amountMsat > MAX_INBOUND_PAYMENT_AMOUNT_MSAT)
  ) {
    throw new APIMisuseError(
      `amountMsat: expected a bigint in [1, 2^61 - 1] or undefined, got ${String(amountMsat)}`,
    );
  }
  if (!Number.isSafeInteger(expirySecs) || expirySecs <= 0) {
    throw new APIMisuseError(`expirySecs: expected a positive integer, got ${String(expirySecs)}`);
  }
  if (!Number.isSafeInteger(nowSeconds) || nowSeconds < 0) {
    throw new APIMisuseError(
      `nowSeconds: expected a non-negative integer, got ${String(nowSeconds)}`,
    );
  }
  const expiresAt = nowSeconds + expirySecs;
  if (expiresAt > MAX_EXPIRES_AT_SECONDS) {
    throw new APIMisuseError(`nowSeconds + expirySecs: must not exceed 2^48 - 1, got ${expiresAt}`);
  }
  if (
    minFinalCltvExpiryDelta !== undefined &&
    (!Number.isInteger(minFinalCltvExpiryDelta) ||
      minFinalCltvExpiryDelta < 0 ||
      minFinalCltvExpiryDelta > 0xffff)
  ) {
    throw new APIMisuseError(
      `minFinalCltvExpiryDelta: expected an integer in [0, 65535] or undefined, got ${String(
        minFinalCltvExpiryDelta,
      )}`,
    );
  }
  let word = amountMsat ?? 0n;
  if (forHash) word |= KIND_FOR_HASH;
  if (minFinalCltvExpiryDelta !== undefined) word |= HAS_CLTV_DELTA;
  const out = new Uint8Array(METADATA_LENGTH);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, word);
  view.setUint16(8, Math.floor(expiresAt / 2 ** 32));
  view.setUint32(10, expiresAt >>> 0);
  view.setUint16(14, minFinalCltvExpiryDelta ?? 0);
  return out;
}

interface Metadata {
  readonly forHash: boolean;
  readonly minAmountMsat: bigint | undefined;
  readonly expiresAtSeconds: number;
  readonly minFinalCltvExpiryDelta: number | undefined;
}

/** Unpacks metadata; `undefined` for a layout we never write (reserved bit, stray delta). */
function decodeMetadata(metadata: Uint8Array): Metadata | undefined {
  const view = new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength);
  const word = view.getBigUint64(0);
  if ((word & RESERVED) !== 0n) return undefined;
  const hasDelta = (word & HAS_CLTV_DELTA) !== 0n;
  const delta = view.getUint16(14);
  if (!hasDelta && delta !== 0) return undefined;
  const amount = word & AMOUNT_MASK;
  return {
    forHash: (word & KIND_FOR_HASH) !== 0n,
    minAmountMsat: amount === 0n ? undefined : amount,
    expiresAtSeconds: view.getUint16(8) * 2 ** 32 + view.getUint32(10),
    minFinalCltvExpiryDelta: hasDelta ? delta : undefined,
  };
}

/** Metadata XOR the keystream of `nonce`; the same call decrypts. */
function xorMetadata(
  keys: InboundPaymentKeys,
  nonce: Uint8Array,
  metadata: Uint8Array,
  crypto: CryptoBackend,
): Uint8Array {
  const stream = crypto.hmacSha256(keys.metadataKey, nonce);
  const out = new Uint8Array(METADATA_LENGTH);
  for (let i = 0; i < METADATA_LENGTH; i++) out[i] = metadata[i]! ^ stream[i]!;
  return out;
}

function forHashNonce(
  keys: InboundPaymentKeys,
  metadata: Uint8Array,
  paymentHash: Uint8Array,
  crypto: CryptoBackend,
): Uint8Array {
  return crypto.hmacSha256(keys.forHashKey, concatBytes(metadata, paymentHash)).slice(0, 16);
}

/**
 * A new stateless invoice's payment hash and payment secret (32 bytes each; put them in the
 * BOLT 11 invoice). Nothing needs storing: `verifyInboundPayment` recovers the preimage and the
 * parameters from the hash and the secret. Throws `APIMisuseError` for parameters out of range:
 * `amountMsat` not in [1, 2^61 - 1], `expirySecs` not a positive integer, an expiry past 2^48
 * seconds, a `minFinalCltvExpiryDelta` that is not a u16, or `randomBytes` not 32 bytes.
 */
export function createInboundPayment(
  keys: InboundPaymentKeys,
  params: StatelessInboundPaymentParams,
  crypto: CryptoBackend = nobleBackend,
): { paymentHash: Uint8Array; paymentSecret: Uint8Array } {
  assertKeys(keys);
  const metadata = encodeMetadata(params, false);
  const random = assertBytes(params.randomBytes, 32, 'randomBytes');
  const nonce = crypto.hmacSha256(keys.nonceKey, concatBytes(random, metadata)).slice(0, 16);
  const preimage = crypto.hmacSha256(keys.preimageKey, concatBytes(nonce, metadata));
  return {
    paymentHash: crypto.sha256(preimage),
    paymentSecret: concatBytes(nonce, xorMetadata(keys, nonce, metadata, crypto)),
  };
}

/**
 * The payment secret of an invoice for `paymentHash` (32 bytes), whose preimage the host keeps
 * and hands to `claimFunds` itself. Deterministic: the same hash and parameters give the same
 * secret. Throws `APIMisuseError` like `createInboundPayment`, and for a hash not 32 bytes.
 */
export function createInboundPaymentForHash(
  keys: InboundPaymentKeys,
  paymentHash: Uint8Array,
  params: InboundPaymentParams,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertKeys(keys);
  assertBytes(paymentHash, 32, 'paymentHash');
  const metadata = encodeMetadata(params, true);
  const nonce = forHashNonce(keys, metadata, paymentHash, crypto);
  return concatBytes(nonce, xorMetadata(keys, nonce, metadata, crypto));
}

/**
 * Checks an arriving HTLC's `payment_hash` and `payment_secret` (32 bytes each) against our key:
 * `undefined` when the secret was not made by us for this hash (another node's invoice, a
 * different key, or any byte changed), else what the invoice asked for. It does not look at the
 * clock or the amount: compare with `isInboundPaymentExpired` and `meetsInboundPaymentAmount`.
 * Throws `APIMisuseError` only for arguments that are not 32-byte arrays.
 */
export function verifyInboundPayment(
  keys: InboundPaymentKeys,
  paymentHash: Uint8Array,
  paymentSecret: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): VerifiedInboundPayment | undefined {
  assertKeys(keys);
  assertBytes(paymentHash, 32, 'paymentHash');
  assertBytes(paymentSecret, NONCE_LENGTH + METADATA_LENGTH, 'paymentSecret');
  const nonce = paymentSecret.slice(0, NONCE_LENGTH);
  const metadata = xorMetadata(keys, nonce, paymentSecret.subarray(NONCE_LENGTH), crypto);
  const meta = decodeMetadata(metadata);
  if (meta === undefined) return undefined;
  let paymentPreimage: Uint8Array | undefined;
  if (meta.forHash) {
    if (!equalBytes(forHashNonce(keys, metadata, paymentHash, crypto), nonce)) return undefined;
  } else {
    const preimage = crypto.hmacSha256(keys.preimageKey, concatBytes(nonce, metadata));
    if (!equalBytes(crypto.sha256(preimage), paymentHash)) return undefined;
    paymentPreimage = preimage;
  }
  return {
    kind: meta.forHash ? 'forHash' : 'stateless',
    paymentPreimage,
    minAmountMsat: meta.minAmountMsat,
    expiresAtSeconds: meta.expiresAtSeconds,
    minFinalCltvExpiryDelta: meta.minFinalCltvExpiryDelta,
  };
}

/**
 * True when the invoice has expired at `nowSeconds`: strictly after its expiry time (BOLT 11
 * "timestamp plus expiry"). A receiver fails such an HTLC with
 * `incorrect_or_unknown_payment_details`; hosts whose clock lags may pass a little grace.
 */
export function isInboundPaymentExpired(
  payment: Pick<VerifiedInboundPayment, 'expiresAtSeconds'>,
  nowSeconds: number,
): boolean {
  return nowSeconds > payment.expiresAtSeconds;
}

/**
 * True when `receivedMsat` (the total over every part of the payment) covers what the invoice
 * asked for; always true for an any-amount invoice. BOLT 4: a payer may overpay, never underpay.
 */
export function meetsInboundPaymentAmount(
  payment: Pick<VerifiedInboundPayment, 'minAmountMsat'>,
  receivedMsat: bigint,
): boolean {
  return payment.minAmountMsat === undefined || receivedMsat >= payment.minAmountMsat;
}

/**
 * Returning a failure through the onion (BOLT 4, "Returning Errors"). The failing hop builds
 *
 *     hmac (32) || failure_len (u16) || failuremsg || pad_len (u16) || pad
 *
 * where the HMAC (key `um`) covers everything after it, and obfuscates it with its `ammag`
 * stream. Each hop on the way back applies its own `ammag` stream again. The sender removes the
 * layers one hop at a time and, after each, checks the HMAC with that hop's `um` key: the first
 * hop whose HMAC verifies is the one that failed.
 *
 * With `option_attribution_data`, each hop also extends the attribution data (see
 * `attribution-data.ts`), which lets the sender name the pair of nodes that corrupted a failure
 * it cannot otherwise attribute, and read each hop's hold time.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { equalBytes } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import {
  addAttributionHmacs,
  ATTRIBUTION_DATA_LENGTH,
  ATTRIBUTION_MAX_HOPS,
  checkHoldTime,
  cryptAttributionData,
  shiftAttributionLeft,
  shiftAttributionRight,
  verifyAttributionHop,
} from './attribution-data.js';
import {
  decodeFailureMessage,
  encodeFailureMessage,
  type FailureMessage,
} from './failure-message.js';
import { deriveOnionKey, OnionKeyType, xorStream } from './onion-keys.js';

/** BOLT 4: `failure_len + pad_len` should be 256, so most failures look the same on the wire. */
export const FAILURE_PADDED_LENGTH = 256;
/** The longest route a sender decrypts a failure for, and how often it always decrypts. */
export const MAX_FAILURE_HOPS = 27;
const HMAC_LENGTH = 32;

/** What goes back in `update_fail_htlc`. */
export interface FailurePacket {
  /** The obfuscated failure packet (`reason`). */
  readonly reason: Uint8Array;
  /** The 920-byte `attribution_data` TLV, when the path supports it. */
  readonly attributionData?: Uint8Array;
}

export interface CreateFailureOptions {
  readonly crypto?: CryptoBackend;
  /**
   * How long this hop held the HTLC, in 100 ms units (u32). When given, attribution data is
   * created (`option_attribution_data`); BOLT 4 leaves it out when the HTLC came with a
   * `path_key`.
   */
  readonly holdTime100ms?: number;
  /**
   * Minimum of `failure_len + pad_len`; 256 by default, as BOLT 4 recommends. A longer message
   * is padded to this length, never truncated.
   */
  readonly paddedLength?: number;
}

export interface WrapFailureOptions {
  readonly crypto?: CryptoBackend;
  /**
   * This hop's hold time in 100 ms units. When given, the attribution data is extended (or
   * started, when none came from downstream); otherwise it is dropped.
   */
  readonly holdTime100ms?: number;
}

function checkSecret(secret: unknown, what: string): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) {
    throw new APIMisuseError(`${what}: expected 32 bytes`);
  }
  return secret;
}

/**
 * The failing hop's packet for `failure` (a message, or `failuremsg` already encoded), under the
 * `sharedSecret` it got from peeling the HTLC's onion. Throws `APIMisuseError` for a bad secret
 * or a message longer than 65535 bytes.
 */
export function createFailurePacket(
  sharedSecret: Uint8Array,
  failure: FailureMessage | Uint8Array,
  options: CreateFailureOptions = {},
): FailurePacket {
  const crypto = options.crypto ?? nobleBackend;
  checkSecret(sharedSecret, 'sharedSecret');
  const message = failure instanceof Uint8Array ? failure : encodeFailureMessage(failure);
  const padded = options.paddedLength ?? FAILURE_PADDED_LENGTH;
  if (!Number.isInteger(padded) || padded < 0 || message.length > 0xffff) {
    throw new APIMisuseError('failure: message or padded length out of range');
  }
  const padLength = Math.min(Math.max(padded - message.length, 0), 0xffff);
  const packet = new Uint8Array(HMAC_LENGTH + 2 + message.length + 2 + padLength);
  const view = new DataView(packet.buffer);
  view.setUint16(HMAC_LENGTH, message.length);
  packet.set(message, HMAC_LENGTH + 2);
  view.setUint16(HMAC_LENGTH + 2 + message.length, padLength);
  const um = deriveOnionKey(crypto, OnionKeyType.Um, sharedSecret);
  packet.set(crypto.hmacSha256(um, packet.subarray(HMAC_LENGTH)), 0);

  let attributionData: Uint8Array | undefined;
  if (options.holdTime100ms !== undefined) {
    const data = new Uint8Array(ATTRIBUTION_DATA_LENGTH);
    addAttributionHmacs(crypto, sharedSecret, data, packet, checkHoldTime(options.holdTime100ms));
    attributionData = cryptAttributionData(crypto, sharedSecret, data);
  }
  const reason = xorStream(
    crypto,
    deriveOnionKey(crypto, OnionKeyType.Ammag, sharedSecret),
    packet,
  );
  return attributionData === undefined ? { reason } : { reason, attributionData };
}

/**
 * An intermediate hop's step on the way back: obfuscates the failure from downstream with its
 * own `sharedSecret` before passing it upstream in its own `update_fail_htlc`. Attribution data of
 * the wrong length is treated as absent.
 */
export function wrapFailurePacket(
  sharedSecret: Uint8Array,
  packet: FailurePacket,
  options: WrapFailureOptions = {},
): FailurePacket {
  const crypto = options.crypto ?? nobleBackend;
  checkSecret(sharedSecret, 'sharedSecret');
  if (typeof packet !== 'object' || packet === null || !(packet.reason instanceof Uint8Array)) {
    throw new APIMisuseError('reason: expected a Uint8Array');
  }
  let attributionData: Uint8Array | undefined;
  if (options.holdTime100ms !== undefined) {
    const holdTime = checkHoldTime(options.holdTime100ms);
    const received = packet.attributionData;
    const data = new Uint8Array(ATTRIBUTION_DATA_LENGTH);
    if (received instanceof Uint8Array && received.length === ATTRIBUTION_DATA_LENGTH) {
      data.set(received);
      shiftAttributionRight(data);
    }
    // The HMACs cover the packet as this hop received it, before its own obfuscation.
    addAttributionHmacs(crypto, sharedSecret, data, packet.reason, holdTime);
    attributionData = cryptAttributionData(crypto, sharedSecret, data);
  }
  const reason = xorStream(
    crypto,
    deriveOnionKey(crypto, OnionKeyType.Ammag, sharedSecret),
    packet.reason,
  );
  return attributionData === undefined ? { reason } : { reason, attributionData };
}

/** The sender's reading of a returned failure: which hop failed and why. */
export interface AttributedFailure {
  readonly kind: 'attributed';
  /** Index in the route (0 = first hop after the sender) of the hop that failed. */
  readonly failingHopIndex: number;
  /** The u16 BOLT 4 failure code. */
  readonly failureCode: number;
  /** The failure's data: every byte of `failuremsg` after the code. */
  readonly data: Uint8Array;
  /** The decoded message; absent when its data does not match its code. */
  readonly message?: FailureMessage;
  /** Hold times (100 ms units) the attribution data proved, for hops 0, 1, … in order. */
  readonly holdTimes: readonly number[];
}

/**
 * A hop's HMAC verified but its `failure_len` does not fit the packet or is shorter than a
 * failure code: that hop sent garbage on purpose.
 */
export interface MalformedFailure {
  readonly kind: 'malformed';
  readonly failingHopIndex: number;
  readonly holdTimes: readonly number[];
}

/**
 * No hop's HMAC verifies: some hop corrupted the failure. When attribution data came back,
 * `suspectHopIndex` is the first hop whose attribution HMAC failed: that hop or the one before it
 * (the sender itself, for 0) tampered with the packet.
 */
export interface UnattributableFailure {
  readonly kind: 'unattributable';
  readonly suspectHopIndex?: number;
  readonly holdTimes: readonly number[];
}

export type DecodedFailure = AttributedFailure | MalformedFailure | UnattributableFailure;

export interface DecodeFailureOptions {
  readonly crypto?: CryptoBackend;
}

// The secret used for the dummy rounds that keep the sender's work independent of the route
// length; its results are discarded.
const DUMMY_SECRET = new Uint8Array(32);

function readFailure(
  packet: Uint8Array,
  failingHopIndex: number,
  holdTimes: readonly number[],
): AttributedFailure | MalformedFailure {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const length = view.getUint16(HMAC_LENGTH);
  if (length < 2 || HMAC_LENGTH + 2 + length > packet.length) {
    return { kind: 'malformed', failingHopIndex, holdTimes };
  }
  const bytes = packet.slice(HMAC_LENGTH + 2, HMAC_LENGTH + 2 + length);
  const failureCode = view.getUint16(HMAC_LENGTH + 2);
  let message: FailureMessage | undefined;
  try {
    message = decodeFailureMessage(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
  const base = {
    kind: 'attributed',
    failingHopIndex,
    failureCode,
    data: bytes.slice(2),
    holdTimes,
  } as const;
  return message === undefined ? base : { ...base, message };
}

/**
 * The sender's decoding of `packet` (from `update_fail_htlc`) for the route whose per-hop
 * `sharedSecrets` it kept from `constructOnionPacket`. It always runs 27 rounds, whatever the
 * route length, so a hop timing the sender's retries learns nothing about its position (BOLT 4,
 * "Origin node"). Never throws for any `reason` or `attributionData` bytes; throws
 * `APIMisuseError` only for bad `sharedSecrets`.
 */
export function decodeFailurePacket(
  sharedSecrets: readonly Uint8Array[],
  packet: FailurePacket,
  options: DecodeFailureOptions = {},
): DecodedFailure {
  const crypto = options.crypto ?? nobleBackend;
  if (typeof packet !== 'object' || packet === null) {
    throw new APIMisuseError('packet: expected { reason, attributionData? }');
  }
  const list: unknown = sharedSecrets;
  if (!Array.isArray(list) || sharedSecrets.length === 0) {
    throw new APIMisuseError('sharedSecrets: expected at least one secret');
  }
  sharedSecrets.forEach((s, i) => checkSecret(s, `sharedSecrets[${i}]`));
  if (!(packet.reason instanceof Uint8Array)) {
    throw new APIMisuseError('reason: expected a Uint8Array');
  }
  const n = sharedSecrets.length;
  // A packet too short to hold an HMAC and two length fields cannot verify for any hop.
  const usable = packet.reason.length >= HMAC_LENGTH + 4;

  let attribution: Uint8Array | undefined =
    packet.attributionData instanceof Uint8Array &&
    packet.attributionData.length === ATTRIBUTION_DATA_LENGTH
      ? packet.attributionData.slice()
      : undefined;
  const attributable = Math.min(n, ATTRIBUTION_MAX_HOPS);
  const holdTimes: number[] = [];
  let suspectHopIndex: number | undefined;
  let result: AttributedFailure | MalformedFailure | undefined;

  let reason = packet.reason;
  for (let i = 0; i < Math.max(n, MAX_FAILURE_HOPS); i++) {
    const real = i < n && result === undefined;
    const secret = real ? sharedSecrets[i]! : DUMMY_SECRET;
    reason = xorStream(crypto, deriveOnionKey(crypto, OnionKeyType.Ammag, secret), reason);
    if (attribution !== undefined && real && i < attributable) {
      attribution = cryptAttributionData(crypto, secret, attribution);
      const holdTime = verifyAttributionHop(
        crypto,
        secret,
        attribution,
        reason,
        attributable - 1 - i,
      );
      if (holdTime === undefined) {
        suspectHopIndex = i;
        attribution = undefined;
      } else {
        holdTimes.push(holdTime);
        shiftAttributionLeft(attribution);
      }
    }
    if (!usable) continue;
    const um = deriveOnionKey(crypto, OnionKeyType.Um, secret);
    const ok = equalBytes(
      crypto.hmacSha256(um, reason.subarray(HMAC_LENGTH)),
      reason.subarray(0, HMAC_LENGTH),
    );
    if (real && ok) result = readFailure(reason, i, holdTimes);
  }
  if (result !== undefined) return result;
  return suspectHopIndex === undefined
    ? { kind: 'unattributable', holdTimes }
    : { kind: 'unattributable', suspectHopIndex, holdTimes };
}

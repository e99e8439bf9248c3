/**
 * Attribution data (`option_attribution_data`, BOLT 4 "Returning Errors"): a block that travels
 * next to a failure (and a fulfill) and lets the sender pin a corrupted failure on a pair of
 * nodes and learn how long each hop held the HTLC.
 *
 * Layout, 920 bytes: 20 hold times (u32, in 100 ms units; the nearest hop first) followed by 210
 * truncated 4-byte HMACs. A hop cannot know its position on the route, so it adds one HMAC for
 * each of the 20 positions it could hold: the block of the current hop has 20 HMACs, the block of
 * the hop downstream of it 19, and so on. In the block of hop `x`, slot `k` is for the position
 * `19 - x - k` (counted from the last attributable hop, 0).
 *
 * The HMAC for position `y`, keyed with the hop's `um` key, covers: the failure packet as the hop
 * received it (empty for a fulfill), the first `y + 1` hold times, and the `y` HMACs the
 * downstream hops added for the positions below. Every hop obfuscates the block with its
 * `ammagext` stream.
 *
 * Mutating helpers work in place on a 920-byte array the caller owns.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { equalBytes } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { deriveOnionKey, OnionKeyType, xorStream } from './onion-keys.js';

/** Hops the attribution data covers; hops beyond it are not attributable. */
export const ATTRIBUTION_MAX_HOPS = 20;
const HOLD_TIME_LENGTH = 4;
const HMAC_LENGTH = 4;
const HMAC_COUNT = (ATTRIBUTION_MAX_HOPS * (ATTRIBUTION_MAX_HOPS + 1)) / 2;
const HOLD_TIMES_LENGTH = ATTRIBUTION_MAX_HOPS * HOLD_TIME_LENGTH;
/** Length of `attribution_data` (the `update_fail_htlc` / `update_fulfill_htlc` TLV 1). */
export const ATTRIBUTION_DATA_LENGTH: number = HOLD_TIMES_LENGTH + HMAC_COUNT * HMAC_LENGTH;

/** Byte offset of HMAC number `index` (0..209). */
function hmacAt(index: number): number {
  return HOLD_TIMES_LENGTH + index * HMAC_LENGTH;
}

/** Index of the first HMAC of hop `x`'s block: blocks have 20, 19, … HMACs. */
function blockStart(x: number): number {
  return x * ATTRIBUTION_MAX_HOPS - (x * (x - 1)) / 2;
}

/** Obfuscates (or clears) `data` with the `ammagext` stream of `sharedSecret`. */
export function cryptAttributionData(
  crypto: CryptoBackend,
  sharedSecret: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  return xorStream(crypto, deriveOnionKey(crypto, OnionKeyType.Ammagext, sharedSecret), data);
}

/** The full HMAC for position `position` of the hop at the front of `data`. */
function positionHmac(
  crypto: CryptoBackend,
  um: Uint8Array,
  data: Uint8Array,
  message: Uint8Array,
  position: number,
): Uint8Array {
  const holdTimes = (position + 1) * HOLD_TIME_LENGTH;
  const input = new Uint8Array(message.length + holdTimes + position * HMAC_LENGTH);
  input.set(message, 0);
  input.set(data.subarray(0, holdTimes), message.length);
  let p = message.length + holdTimes;
  // The HMAC downstream hop j added for position `position - j` sits at the same slot index
  // (19 - position) of its block.
  for (let j = 1; j <= position; j++) {
    const at = hmacAt(blockStart(j) + ATTRIBUTION_MAX_HOPS - 1 - position);
    input.set(data.subarray(at, at + HMAC_LENGTH), p);
    p += HMAC_LENGTH;
  }
  return crypto.hmacSha256(um, input);
}

/**
 * Makes room at the front for one more hop (an intermediate node, before adding its own): hold
 * times move right by one, every HMAC block becomes the block of the hop one further away and
 * loses its slot for the highest position, which no longer fits in 20 hops.
 */
export function shiftAttributionRight(data: Uint8Array): void {
  data.copyWithin(HOLD_TIME_LENGTH, 0, HOLD_TIMES_LENGTH - HOLD_TIME_LENGTH);
  for (let x = ATTRIBUTION_MAX_HOPS - 2; x >= 0; x--) {
    const size = ATTRIBUTION_MAX_HOPS - x;
    // Old block x, without its first slot, becomes new block x + 1.
    data.copyWithin(
      hmacAt(blockStart(x + 1)),
      hmacAt(blockStart(x) + 1),
      hmacAt(blockStart(x) + size),
    );
  }
  data.fill(0, 0, HOLD_TIME_LENGTH);
  data.fill(0, hmacAt(0), hmacAt(ATTRIBUTION_MAX_HOPS));
}

/** The inverse of `shiftAttributionRight`, for the sender after checking one hop. */
export function shiftAttributionLeft(data: Uint8Array): void {
  data.copyWithin(0, HOLD_TIME_LENGTH, HOLD_TIMES_LENGTH);
  data.fill(0, HOLD_TIMES_LENGTH - HOLD_TIME_LENGTH, HOLD_TIMES_LENGTH);
  for (let x = 0; x < ATTRIBUTION_MAX_HOPS - 1; x++) {
    const size = ATTRIBUTION_MAX_HOPS - x - 1;
    data.copyWithin(
      hmacAt(blockStart(x) + 1),
      hmacAt(blockStart(x + 1)),
      hmacAt(blockStart(x + 1) + size),
    );
    // The slot for the highest position has no counterpart; it is never read for a route of
    // fewer hops than that position.
    data.fill(0, hmacAt(blockStart(x)), hmacAt(blockStart(x) + 1));
  }
  data.fill(0, hmacAt(HMAC_COUNT - 1), hmacAt(HMAC_COUNT));
}

/**
 * Puts this hop's `holdTime100ms` at the front and its 20 HMACs over `message` (the failure
 * packet as this hop received it, or empty for a fulfill). Call on fresh zeroed data at the
 * hop that fails or fulfils, and after `shiftAttributionRight` elsewhere.
 */
export function addAttributionHmacs(
  crypto: CryptoBackend,
  sharedSecret: Uint8Array,
  data: Uint8Array,
  message: Uint8Array,
  holdTime100ms: number,
): void {
  new DataView(data.buffer, data.byteOffset, data.byteLength).setUint32(0, holdTime100ms);
  const um = deriveOnionKey(crypto, OnionKeyType.Um, sharedSecret);
  for (let k = 0; k < ATTRIBUTION_MAX_HOPS; k++) {
    const position = ATTRIBUTION_MAX_HOPS - 1 - k;
    const full = positionHmac(crypto, um, data, message, position);
    data.set(full.subarray(0, HMAC_LENGTH), hmacAt(k));
  }
}

/**
 * The sender's check of the hop at the front of (already de-obfuscated) `data` for its
 * `position` (0 for the last attributable hop). Returns the hold time it reported, in 100 ms
 * units, or `undefined` when its HMAC does not verify.
 */
export function verifyAttributionHop(
  crypto: CryptoBackend,
  sharedSecret: Uint8Array,
  data: Uint8Array,
  message: Uint8Array,
  position: number,
): number | undefined {
  const um = deriveOnionKey(crypto, OnionKeyType.Um, sharedSecret);
  const full = positionHmac(crypto, um, data, message, position);
  const at = hmacAt(ATTRIBUTION_MAX_HOPS - 1 - position);
  if (!equalBytes(full.subarray(0, HMAC_LENGTH), data.subarray(at, at + HMAC_LENGTH))) {
    return undefined;
  }
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

/** Throws `APIMisuseError` unless `value` is a u32 hold time. */
export function checkHoldTime(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new APIMisuseError('holdTime100ms: expected a u32');
  }
  return value;
}

/**
 * A hop's attribution data for `update_fulfill_htlc` (BOLT 4, "Hold times for successful
 * payments"): the data `received` from downstream (absent at the recipient, or when the next
 * hop sent none) shifted right, this hop's `holdTime100ms` and HMACs over an empty message
 * added, and the whole obfuscated with its `ammagext` stream. Data of the wrong length counts as
 * absent.
 */
export function addFulfillAttribution(
  sharedSecret: Uint8Array,
  received: Uint8Array | undefined,
  holdTime100ms: number,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  if (!(sharedSecret instanceof Uint8Array) || sharedSecret.length !== 32) {
    throw new APIMisuseError('sharedSecret: expected 32 bytes');
  }
  const data = new Uint8Array(ATTRIBUTION_DATA_LENGTH);
  if (received instanceof Uint8Array && received.length === ATTRIBUTION_DATA_LENGTH) {
    data.set(received);
    shiftAttributionRight(data);
  }
  addAttributionHmacs(crypto, sharedSecret, data, new Uint8Array(0), checkHoldTime(holdTime100ms));
  return cryptAttributionData(crypto, sharedSecret, data);
}

/**
 * The sender's reading of the attribution data of a fulfill: the hold times (100 ms units) of
 * hops 0, 1, … for as long as their HMACs verify. A hop that does not support attribution data
 * ends the list there.
 */
export function decodeFulfillAttribution(
  sharedSecrets: readonly Uint8Array[],
  attributionData: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): number[] {
  const holdTimes: number[] = [];
  if (
    !(attributionData instanceof Uint8Array) ||
    attributionData.length !== ATTRIBUTION_DATA_LENGTH
  ) {
    return holdTimes;
  }
  const attributable = Math.min(sharedSecrets.length, ATTRIBUTION_MAX_HOPS);
  let data = attributionData;
  const empty = new Uint8Array(0);
  for (let i = 0; i < attributable; i++) {
    const secret = sharedSecrets[i]!;
    data = cryptAttributionData(crypto, secret, data);
    const holdTime = verifyAttributionHop(crypto, secret, data, empty, attributable - 1 - i);
    if (holdTime === undefined) break;
    holdTimes.push(holdTime);
    shiftAttributionLeft(data);
  }
  return holdTimes;
}

/**
 * Sphinx packet construction (BOLT 4, "Packet Structure", "Packet Construction" and "Filler
 * Generation"). The packet is
 *
 *     version (1) || public_key (33) || hop_payloads (1300) || hmac (32)
 *
 * and `hop_payloads` holds, for each hop, `bigsize(length) || payload || hmac`, followed by
 * filler. The packet is built from the last hop back: each step shifts the payloads right,
 * writes one hop's frame in front, obfuscates the whole field with that hop's rho stream and
 * computes the HMAC the previous hop will pass on. The filler is what the hops' own
 * left-shifts will have appended by the time the packet reaches the last hop, so that every
 * HMAC is computed over exactly the bytes its hop will see.
 *
 * Hop payloads are opaque bytes here (payment onions carry the `payload` TLV stream of
 * `payload.ts`); `hop_payloads` is 1300 bytes for payments and may be longer for onion messages.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import { bigSizeLength, writeBigSize } from '../wire/bigsize.js';
import { OnionRouteError } from './errors.js';
import { deriveOnionKey, generateStream, OnionKeyType } from './onion-keys.js';
import { computeOnionHopSecrets } from './shared-secrets.js';

/** The only packet version BOLT 4 defines. */
export const ONION_VERSION = 0;
/** Length of `hop_payloads` in a payment onion. */
export const HOP_PAYLOADS_LENGTH = 1300;
/** Length of an HMAC in the packet and in each hop frame. */
export const ONION_HMAC_LENGTH = 32;
/** Length of a payment onion: version, public key, payloads, HMAC. */
export const PAYMENT_ONION_LENGTH: number = 1 + 33 + HOP_PAYLOADS_LENGTH + ONION_HMAC_LENGTH;

/** One hop of a route, as the onion sees it. */
export interface OnionHop {
  /** The 33-byte key the hop decrypts with: its node id, or its blinded node id. */
  readonly nodeId: Uint8Array;
  /** The hop's payload, without its length prefix (for payments, a `payload` TLV stream). */
  readonly payload: Uint8Array;
}

export interface ConstructOnionOptions {
  readonly crypto?: CryptoBackend;
  /** Length of `hop_payloads`; 1300 (the default) for payments. */
  readonly payloadsLength?: number;
}

/** A constructed onion and the secrets the sender keeps to read a failure coming back. */
export interface ConstructedOnion {
  /** The packet for the first hop (1366 bytes for a payment). */
  readonly packet: Uint8Array;
  /** The secret shared with each hop, in route order. */
  readonly sharedSecrets: readonly Uint8Array[];
}

/** Bytes one hop's frame takes in `hop_payloads`: length prefix, payload and HMAC. */
export function hopFrameLength(payloadLength: number): number {
  return bigSizeLength(BigInt(payloadLength)) + payloadLength + ONION_HMAC_LENGTH;
}

/**
 * The filler: the tail the first `n - 1` hops append (as zeros, then obfuscated) while peeling.
 * Hop `i` pads its payloads with zeros, applies its rho stream to the padded field and drops its
 * frame from the front, so the filler after hop `i` is the previous filler followed by
 * `frame_i` zeros, XORed with the part of hop `i`'s stream that lands at the end of the field.
 * `streams[i]` is hop `i`'s stream, at least `payloadsLength + frame_i` bytes for `i < n - 1`.
 */
function generateFiller(
  streams: readonly Uint8Array[],
  frameLengths: readonly number[],
  payloadsLength: number,
): Uint8Array {
  let total = 0;
  for (let i = 0; i < frameLengths.length - 1; i++) total += frameLengths[i]!;
  const filler = new Uint8Array(total);
  let filled = 0;
  for (let i = 0; i < frameLengths.length - 1; i++) {
    filled += frameLengths[i]!;
    const stream = streams[i]!;
    const from = payloadsLength + frameLengths[i]! - filled;
    for (let j = 0; j < filled; j++) filler[j]! ^= stream[from + j]!;
  }
  return filler;
}

function checkPayload(hop: unknown, index: number): Uint8Array {
  const payload = typeof hop === 'object' && hop !== null ? (hop as OnionHop).payload : undefined;
  if (!(payload instanceof Uint8Array)) {
    throw new APIMisuseError(`hops[${index}].payload: expected a Uint8Array`);
  }
  // Lengths 0 and 1 are reserved (0 was the legacy fixed-size format).
  if (payload.length < 2) {
    throw new APIMisuseError(`hops[${index}].payload: expected at least 2 bytes`);
  }
  return payload;
}

/**
 * Builds the onion for `hops` (first hop first, at least one). `sessionKey` is a fresh 32-byte
 * secret from the host's entropy (`KeysInterface.getSecureRandomBytes`); reusing it links
 * payments. `associatedData` is committed to by every HMAC without being carried: the payment
 * hash for payments, empty for onion messages.
 *
 * Throws `OnionRouteError` when the route is empty or its frames exceed `hop_payloads`, and
 * `APIMisuseError` for an invalid key or payload.
 */
export function constructOnionPacket(
  hops: readonly OnionHop[],
  sessionKey: Uint8Array,
  associatedData: Uint8Array,
  options: ConstructOnionOptions = {},
): ConstructedOnion {
  const crypto = options.crypto ?? nobleBackend;
  const payloadsLength = options.payloadsLength ?? HOP_PAYLOADS_LENGTH;
  if (!Number.isInteger(payloadsLength) || payloadsLength < 1 || payloadsLength > 65535) {
    throw new APIMisuseError('payloadsLength: expected an integer in [1, 65535]');
  }
  if (!(associatedData instanceof Uint8Array)) {
    throw new APIMisuseError('associatedData: expected a Uint8Array');
  }
  const list: unknown = hops;
  if (!Array.isArray(list) || hops.length === 0) {
    throw new OnionRouteError('onion: a route needs at least one hop');
  }
  const frameLengths = hops.map((h, i) => hopFrameLength(checkPayload(h, i).length));
  const used = frameLengths.reduce((a, b) => a + b, 0);
  if (used > payloadsLength) {
    throw new OnionRouteError(
      `onion: the ${hops.length} hop payloads take ${used} bytes, more than the ${payloadsLength} available`,
    );
  }

  const { ephemeralPublicKeys, sharedSecrets } = computeOnionHopSecrets(
    sessionKey,
    hops.map((h) => h.nodeId),
    crypto,
  );
  // One rho stream per hop serves both the filler (its tail) and the hop's layer (its head).
  const streams = sharedSecrets.map((ss, i) =>
    generateStream(
      crypto,
      deriveOnionKey(crypto, OnionKeyType.Rho, ss),
      payloadsLength + (i < hops.length - 1 ? frameLengths[i]! : 0),
    ),
  );
  const filler = generateFiller(streams, frameLengths, payloadsLength);

  // The unused end of the field starts as pseudo-random bytes, so it does not reveal where the
  // last frame ends.
  const payloads = generateStream(
    crypto,
    deriveOnionKey(crypto, OnionKeyType.Pad, sessionKey),
    payloadsLength,
  );
  const hmacInput = new Uint8Array(payloadsLength + associatedData.length);
  hmacInput.set(associatedData, payloadsLength);
  let nextHmac: Uint8Array = new Uint8Array(ONION_HMAC_LENGTH);
  for (let i = hops.length - 1; i >= 0; i--) {
    const payload = hops[i]!.payload;
    const frame = frameLengths[i]!;
    payloads.copyWithin(frame, 0, payloadsLength - frame);
    let p = writeBigSize(payloads, 0, BigInt(payload.length));
    payloads.set(payload, p);
    p += payload.length;
    payloads.set(nextHmac, p);
    const stream = streams[i]!;
    for (let j = 0; j < payloadsLength; j++) payloads[j]! ^= stream[j]!;
    if (i === hops.length - 1) payloads.set(filler, payloadsLength - filler.length);
    hmacInput.set(payloads, 0);
    nextHmac = crypto.hmacSha256(
      deriveOnionKey(crypto, OnionKeyType.Mu, sharedSecrets[i]!),
      hmacInput,
    );
  }

  const packet = new Uint8Array(1 + 33 + payloadsLength + ONION_HMAC_LENGTH);
  packet[0] = ONION_VERSION;
  packet.set(ephemeralPublicKeys[0]!, 1);
  packet.set(payloads, 34);
  packet.set(nextHmac, 34 + payloadsLength);
  return { packet, sharedSecrets };
}

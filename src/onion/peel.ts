/**
 * Peeling one layer of a Sphinx onion at a hop (BOLT 4, "Onion Decryption"). The hop checks the
 * version and the ephemeral key, derives the shared secret with its node key, checks the HMAC
 * over `hop_payloads || associated_data`, then removes its rho stream from the payloads padded
 * with as many zero bytes, reads its own frame off the front and passes the rest on under the
 * blinded ephemeral key.
 *
 * The node key never enters this module: the hop's ECDH comes in as a function (the host's
 * `KeysInterface.ecdh`), so a hardware or remote signer works unchanged.
 *
 * Outcomes a peer can cause are returned, not thrown: a packet that cannot be decrypted is
 * `malformed` (answer with `update_fail_malformed_htlc`), a decrypted packet whose frame is
 * broken is `fail` (answer with `update_fail_htlc`, encrypted with `sharedSecret`).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes, equalBytes } from '../util/bytes.js';
import { APIMisuseError, CryptoError, DecodeError } from '../util/errors.js';
import { readBigSize } from '../wire/bigsize.js';
import { FailureCode } from './failure-codes.js';
import type { FailureMessage } from './failure-message.js';
import { deriveOnionKey, OnionKeyType, xorStream } from './onion-keys.js';
import { HOP_PAYLOADS_LENGTH, ONION_HMAC_LENGTH, ONION_VERSION } from './packet.js';

/**
 * ECDH with the hop's node key: SHA256 of the compressed point `publicKey * nodeSecret`, 32
 * bytes. Pass the host signer's, as `(pk) => keys.ecdh(pk)` for a `KeysInterface`. It is only
 * called with valid points; what it throws is passed through.
 */
export type NodeEcdh = (publicKey: Uint8Array) => Uint8Array;

export interface PeelOnionOptions {
  readonly crypto?: CryptoBackend;
  /**
   * The `path_key` that came with the packet (the `update_add_htlc` `blinded_path` record, or
   * the `onion_message` field): the hop is inside a blinded path, and the sender encrypted the
   * onion to its blinded node id.
   */
  readonly pathKey?: Uint8Array;
  /** Length of `hop_payloads`; 1300 (the default) for payments. */
  readonly payloadsLength?: number;
}

/** The hop forwards: `nextPacket` goes to the next hop. */
export interface PeeledForward {
  readonly kind: 'forward';
  /** This hop's payload, without its length prefix. */
  readonly payload: Uint8Array;
  /** The packet for the next hop, as long as the incoming one. */
  readonly nextPacket: Uint8Array;
  /** Shared with the sender; keep it with the HTLC to encrypt a failure returned later. */
  readonly sharedSecret: Uint8Array;
  /** `SHA256(ECDH(path_key, node key))` when a `pathKey` was given (see `route-blinding.ts`). */
  readonly pathSharedSecret?: Uint8Array;
}

/** This hop is the last one (the next HMAC is all zero). */
export interface PeeledFinal {
  readonly kind: 'final';
  readonly payload: Uint8Array;
  readonly sharedSecret: Uint8Array;
  readonly pathSharedSecret?: Uint8Array;
}

/**
 * The packet cannot be decrypted: bad version, bad ephemeral key, bad HMAC (or, in a blinded
 * path, a bad `path_key`). Answer with `update_fail_malformed_htlc` carrying `failureCode`
 * (which has the BADONION bit) and `sha256OfOnion`.
 */
export interface PeeledMalformed {
  readonly kind: 'malformed';
  readonly failureCode: number;
  /** SHA256 of the whole incoming packet. */
  readonly sha256OfOnion: Uint8Array;
}

/**
 * The packet decrypted, but this hop's part of it is unusable. Answer with `update_fail_htlc`:
 * `failure` encrypted with `sharedSecret` (see `createFailurePacket`).
 */
export interface PeeledFail {
  readonly kind: 'fail';
  readonly failure: FailureMessage;
  readonly sharedSecret: Uint8Array;
}

export type PeelResult = PeeledForward | PeeledFinal | PeeledMalformed | PeeledFail;

function isCompressedPoint(crypto: CryptoBackend, key: Uint8Array): boolean {
  return key.length === 33 && (key[0] === 2 || key[0] === 3) && crypto.isValidPublicKey(key);
}

function callEcdh(nodeEcdh: NodeEcdh, publicKey: Uint8Array): Uint8Array {
  const ss = nodeEcdh(publicKey);
  if (!(ss instanceof Uint8Array) || ss.length !== 32) {
    throw new CryptoError('nodeEcdh: expected a 32-byte shared secret');
  }
  return ss;
}

function malformed(
  crypto: CryptoBackend,
  failureCode: number,
  packet: Uint8Array,
): PeeledMalformed {
  return { kind: 'malformed', failureCode, sha256OfOnion: crypto.sha256(packet) };
}

function badFrame(sharedSecret: Uint8Array): PeeledFail {
  return {
    kind: 'fail',
    failure: { failureCode: FailureCode.invalidOnionPayload },
    sharedSecret,
  };
}

/**
 * Peels `packet` (1366 bytes for a payment) with the hop's `nodeEcdh`. `associatedData` must be
 * what the sender committed to: the HTLC's `payment_hash`, or empty for onion messages.
 *
 * Throws `APIMisuseError` when `packet` is not a `Uint8Array` of the expected length (the wire
 * decoder guarantees it), and rethrows whatever `nodeEcdh` throws; every other outcome is a
 * `PeelResult`.
 */
export function peelOnion(
  packet: Uint8Array,
  nodeEcdh: NodeEcdh,
  associatedData: Uint8Array,
  options: PeelOnionOptions = {},
): PeelResult {
  const crypto = options.crypto ?? nobleBackend;
  const payloadsLength = options.payloadsLength ?? HOP_PAYLOADS_LENGTH;
  const total = 1 + 33 + payloadsLength + ONION_HMAC_LENGTH;
  if (!(packet instanceof Uint8Array) || packet.length !== total) {
    throw new APIMisuseError(`onion: expected a Uint8Array of ${total} bytes`);
  }
  if (!(associatedData instanceof Uint8Array)) {
    throw new APIMisuseError('associatedData: expected a Uint8Array');
  }
  if (typeof nodeEcdh !== 'function') throw new APIMisuseError('nodeEcdh: expected a function');

  if (packet[0] !== ONION_VERSION) {
    return malformed(crypto, FailureCode.invalidOnionVersion, packet);
  }
  const publicKey = packet.slice(1, 34);
  if (!isCompressedPoint(crypto, publicKey)) {
    return malformed(crypto, FailureCode.invalidOnionKey, packet);
  }

  // Inside a blinded path the sender encrypted to our blinded node id `b * N`; tweaking the
  // ephemeral key by `b` instead of our secret gives the same shared secret without a tweaked
  // ECDH on the signer.
  let ecdhKey: Uint8Array = publicKey;
  let pathSharedSecret: Uint8Array | undefined;
  if (options.pathKey !== undefined) {
    const pathKey = options.pathKey;
    if (!(pathKey instanceof Uint8Array) || !isCompressedPoint(crypto, pathKey)) {
      return malformed(crypto, FailureCode.invalidOnionBlinding, packet);
    }
    pathSharedSecret = callEcdh(nodeEcdh, pathKey);
    const tweak = deriveOnionKey(crypto, OnionKeyType.BlindedNodeId, pathSharedSecret);
    try {
      ecdhKey = crypto.pointMultiply(publicKey, tweak);
    } catch {
      // Only a tweak of zero or at least the group order lands here; the path is unusable.
      return malformed(crypto, FailureCode.invalidOnionBlinding, packet);
    }
  }
  const sharedSecret = callEcdh(nodeEcdh, ecdhKey);

  const payloads = packet.subarray(34, 34 + payloadsLength);
  const mu = deriveOnionKey(crypto, OnionKeyType.Mu, sharedSecret);
  const expected = crypto.hmacSha256(mu, concatBytes(payloads, associatedData));
  if (!equalBytes(expected, packet.subarray(34 + payloadsLength))) {
    return malformed(crypto, FailureCode.invalidOnionHmac, packet);
  }

  const padded = new Uint8Array(2 * payloadsLength);
  padded.set(payloads);
  const rho = deriveOnionKey(crypto, OnionKeyType.Rho, sharedSecret);
  const unwrapped = xorStream(crypto, rho, padded);

  let length: bigint;
  let prefix: number;
  try {
    const r = readBigSize(unwrapped, 0, unwrapped.length);
    length = r.value;
    prefix = r.length;
  } catch (e) {
    if (e instanceof DecodeError) return badFrame(sharedSecret);
    throw e;
  }
  // A payload shorter than 2 bytes is reserved; a frame longer than the field would make the
  // forwarded payloads shorter than the incoming ones.
  if (length < 2n || BigInt(prefix + ONION_HMAC_LENGTH) + length > BigInt(payloadsLength)) {
    return badFrame(sharedSecret);
  }
  const payloadEnd = prefix + Number(length);
  const payload = unwrapped.slice(prefix, payloadEnd);
  const nextHmac = unwrapped.subarray(payloadEnd, payloadEnd + ONION_HMAC_LENGTH);
  const extra = pathSharedSecret === undefined ? {} : { pathSharedSecret };

  if (nextHmac.every((b) => b === 0)) {
    return { kind: 'final', payload, sharedSecret, ...extra };
  }

  const blindingFactor = crypto.sha256(concatBytes(publicKey, sharedSecret));
  const nextPacket = new Uint8Array(total);
  nextPacket[0] = ONION_VERSION;
  nextPacket.set(crypto.pointMultiply(publicKey, blindingFactor), 1);
  nextPacket.set(
    unwrapped.subarray(
      payloadEnd + ONION_HMAC_LENGTH,
      payloadEnd + ONION_HMAC_LENGTH + payloadsLength,
    ),
    34,
  );
  nextPacket.set(nextHmac, 34 + payloadsLength);
  return { kind: 'forward', payload, nextPacket, sharedSecret, ...extra };
}

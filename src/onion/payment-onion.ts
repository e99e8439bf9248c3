/**
 * The payment onion as the channel layer uses it: the sender builds it from typed hop payloads;
 * each hop peels it into one typed instruction (forward, receive, or their blinded forms) or the
 * failure to send back. This is `peelOnion` + `decodeHopPayload` + `validateHopPayload` + route
 * unblinding, with BOLT 4's choice of failure for each case:
 *
 * - an onion that does not decrypt: `malformed` (BADONION code, `update_fail_malformed_htlc`);
 * - a bad payload: `fail` with `invalid_onion_payload` (`update_fail_htlc`);
 * - anything wrong inside a blinded path: `invalid_onion_blinding`, as `malformed` when the HTLC
 *   came with a `path_key` and as `fail` at the introduction node, so a prober learns nothing
 *   about which check failed (BOLT 4, "Failure Messages" requirements).
 *
 * Amount and expiry checks against the incoming HTLC stay with the channel layer, which knows
 * the HTLC (`blindedForwardValues` computes a blinded hop's outgoing values).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import type { ShortChannelId } from '../wire/short-channel-id.js';
import type { TlvRecord } from '../wire/tlv.js';
import type { PaymentConstraints, PaymentRelay } from './encrypted-data.js';
import { InvalidOnionPayloadError, OnionError } from './errors.js';
import { FailureCode } from './failure-codes.js';
import { constructOnionPacket, type ConstructedOnion } from './packet.js';
import { decodeHopPayload, encodeHopPayload, type HopPayload } from './payload.js';
import {
  validateHopPayload,
  type ForwardHopPayload,
  type ReceiveHopPayload,
} from './payload-validation.js';
import { peelOnion, type NodeEcdh, type PeeledFail, type PeeledMalformed } from './peel.js';
import { checkAllowedFeatures, unblindHop } from './route-blinding.js';

/** One hop of a payment route: the key the onion is encrypted to and the hop's payload. */
export interface PaymentRouteHop {
  /** The node id, or the blinded node id inside a blinded path. */
  readonly nodeId: Uint8Array;
  readonly payload: HopPayload;
  /** Custom records (odd types) for this hop, usually the recipient. */
  readonly customTlvs?: readonly TlvRecord[];
}

/**
 * Builds the 1366-byte onion for `update_add_htlc`, committed to `paymentHash`. Keep
 * `sharedSecrets` (or `sessionKey`) with the payment to decode a failure coming back. Throws
 * `OnionRouteError` when the payloads do not fit and `APIMisuseError` for bad input.
 */
export function constructPaymentOnion(
  hops: readonly PaymentRouteHop[],
  sessionKey: Uint8Array,
  paymentHash: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): ConstructedOnion {
  if (!(paymentHash instanceof Uint8Array) || paymentHash.length !== 32) {
    throw new APIMisuseError('paymentHash: expected 32 bytes');
  }
  const list: unknown = hops;
  const encoded = Array.isArray(list)
    ? hops.map((h) => ({ nodeId: h.nodeId, payload: encodeHopPayload(h.payload, h.customTlvs) }))
    : [];
  return constructOnionPacket(encoded, sessionKey, paymentHash, { crypto });
}

export interface PeelPaymentOnionOptions {
  /** ECDH with this node's key (`KeysInterface.ecdh`). */
  readonly nodeEcdh: NodeEcdh;
  /** The HTLC's `payment_hash`: the onion's associated data. */
  readonly paymentHash: Uint8Array;
  /** The `path_key` of the `update_add_htlc` `blinded_path` record, when present. */
  readonly pathKey?: Uint8Array;
  readonly crypto?: CryptoBackend;
}

interface Peeled {
  /** Keep with the HTLC: a failure returned for it is encrypted with this secret. */
  readonly sharedSecret: Uint8Array;
}

/** Forward `nextPacket` over `shortChannelId` (or another channel to the same peer). */
export interface ForwardPaymentHop extends Omit<ForwardHopPayload, 'kind'>, Peeled {
  readonly kind: 'forward';
  readonly nextPacket: Uint8Array;
}

/** This node is the recipient. */
export interface ReceivePaymentHop extends Omit<ReceiveHopPayload, 'kind'>, Peeled {
  readonly kind: 'receive';
}

/** Forward inside a blinded path, with the values its creator set. */
export interface BlindedForwardPaymentHop extends Peeled {
  readonly kind: 'blinded-forward';
  /** The outgoing channel, when the record names one. */
  readonly shortChannelId?: ShortChannelId;
  /** The next node, when the record names a node instead of a channel. */
  readonly nextNodeId?: Uint8Array;
  /** Fee and delta this node applies (see `blindedForwardValues`). */
  readonly paymentRelay: PaymentRelay;
  readonly paymentConstraints?: PaymentConstraints;
  /** Goes in the outgoing `update_add_htlc` `blinded_path` record. */
  readonly nextPathKey: Uint8Array;
  readonly nextPacket: Uint8Array;
  /** The path key came in the payload: this node introduces the path. */
  readonly isIntroductionNode: boolean;
}

/** This node is the recipient at the end of a blinded path. */
export interface BlindedReceivePaymentHop extends Peeled {
  readonly kind: 'blinded-receive';
  readonly amtToForwardMsat: bigint;
  readonly outgoingCltvValue: number;
  readonly totalMsat: bigint;
  /** The recipient's own data from when it created the path; check it is ours. */
  readonly pathId?: Uint8Array;
  readonly paymentConstraints?: PaymentConstraints;
  readonly isIntroductionNode: boolean;
  readonly unknownOddTlvs: readonly TlvRecord[];
}

export type PaymentOnionResult =
  | ForwardPaymentHop
  | ReceivePaymentHop
  | BlindedForwardPaymentHop
  | BlindedReceivePaymentHop
  | PeeledMalformed
  | PeeledFail;

/**
 * Peels a payment onion at this node and tells the channel layer what to do. Never throws for
 * anything in `packet`; throws `APIMisuseError` for a packet of the wrong length or bad options,
 * and rethrows what `nodeEcdh` throws.
 */
export function peelPaymentOnion(
  packet: Uint8Array,
  options: PeelPaymentOnionOptions,
): PaymentOnionResult {
  const crypto = options.crypto ?? nobleBackend;
  if (!(options.paymentHash instanceof Uint8Array) || options.paymentHash.length !== 32) {
    throw new APIMisuseError('paymentHash: expected 32 bytes');
  }
  const inside = options.pathKey !== undefined;
  // Inside a blinded path every failure is the same malformed invalid_onion_blinding.
  const blindedMalformed = (): PeeledMalformed => ({
    kind: 'malformed',
    failureCode: FailureCode.invalidOnionBlinding,
    sha256OfOnion: crypto.sha256(packet),
  });
  const peeled = peelOnion(packet, options.nodeEcdh, options.paymentHash, {
    crypto,
    ...(inside ? { pathKey: options.pathKey } : {}),
  });
  if (peeled.kind === 'malformed' || peeled.kind === 'fail') {
    return inside ? blindedMalformed() : peeled;
  }
  const { sharedSecret } = peeled;
  const isFinal = peeled.kind === 'final';
  // Set exactly when the hop is not final, which is when validation yields a forwarding kind.
  const nextPacket = peeled.kind === 'forward' ? peeled.nextPacket : undefined;

  let hop;
  try {
    hop = validateHopPayload(decodeHopPayload(peeled.payload), {
      isFinal,
      hasIncomingPathKey: inside,
    });
  } catch (e) {
    if (!(e instanceof InvalidOnionPayloadError)) throw e;
    if (inside) return blindedMalformed();
    const failure =
      e.tlvType === undefined
        ? { failureCode: e.failureCode }
        : { failureCode: e.failureCode, tlvType: e.tlvType, offset: e.offset };
    return { kind: 'fail', failure, sharedSecret };
  }

  switch (hop.kind) {
    case 'forward': {
      const { kind: _kind, ...rest } = hop;
      return { kind: 'forward', ...rest, nextPacket: nextPacket!, sharedSecret };
    }
    case 'receive': {
      const { kind: _kind, ...rest } = hop;
      return { kind: 'receive', ...rest, sharedSecret };
    }
    case 'blinded-forward':
    case 'blinded-receive':
      break;
  }

  // A blinded hop: unblind its record with the path key from update_add_htlc or the payload.
  const pathKey = options.pathKey ?? hop.currentPathKey!;
  const isIntroductionNode = !inside;
  const blindingFailure = (): PeeledMalformed | PeeledFail =>
    inside
      ? blindedMalformed()
      : {
          kind: 'fail',
          failure: {
            failureCode: FailureCode.invalidOnionBlinding,
            sha256OfOnion: crypto.sha256(packet),
          },
          sharedSecret,
        };
  try {
    const secret =
      peeled.pathSharedSecret === undefined
        ? { nodeEcdh: options.nodeEcdh }
        : { pathSharedSecret: peeled.pathSharedSecret };
    const { data, nextPathKey } = unblindHop(pathKey, hop.encryptedRecipientData, secret, crypto);
    checkAllowedFeatures(data.allowedFeatures);
    const constraints =
      data.paymentConstraints === undefined ? {} : { paymentConstraints: data.paymentConstraints };
    if (hop.kind === 'blinded-forward') {
      // Exactly one next hop, and the creator's relay terms; a path_id belongs to the recipient.
      const next =
        data.shortChannelId !== undefined
          ? { shortChannelId: data.shortChannelId }
          : data.nextNodeId !== undefined
            ? { nextNodeId: data.nextNodeId }
            : undefined;
      if (
        next === undefined ||
        (data.shortChannelId !== undefined && data.nextNodeId !== undefined) ||
        data.paymentRelay === undefined ||
        data.pathId !== undefined
      ) {
        return blindingFailure();
      }
      return {
        kind: 'blinded-forward',
        ...next,
        paymentRelay: data.paymentRelay,
        ...constraints,
        nextPathKey,
        nextPacket: nextPacket!,
        sharedSecret,
        isIntroductionNode,
      };
    }
    if (data.shortChannelId !== undefined || data.nextNodeId !== undefined) {
      return blindingFailure();
    }
    return {
      kind: 'blinded-receive',
      amtToForwardMsat: hop.amtToForwardMsat,
      outgoingCltvValue: hop.outgoingCltvValue,
      totalMsat: hop.totalMsat,
      ...(data.pathId === undefined ? {} : { pathId: data.pathId }),
      ...constraints,
      sharedSecret,
      isIntroductionNode,
      unknownOddTlvs: hop.unknownOddTlvs,
    };
  } catch (e) {
    if (e instanceof OnionError) return blindingFailure();
    throw e;
  }
}

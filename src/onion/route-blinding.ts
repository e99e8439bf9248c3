/**
 * Route blinding (BOLT 4, "Route Blinding"): the recipient builds a path to itself whose node
 * ids are blinded and whose per-node instructions (`encrypted_data_tlv`) are encrypted to each
 * node, and each node of the path unblinds its own part.
 *
 * For path key `E_i` (first `E_0 = e_0 * G`) and node `N_i`:
 *
 * - `ss_i = SHA256(e_i * N_i) = SHA256(k_i * E_i)`;
 * - the blinded node id is `B_i = HMAC256("blinded_node_id", ss_i) * N_i`;
 * - the record is ChaCha20-Poly1305 under `rho_i = HMAC256("rho", ss_i)`, zero nonce, no AAD;
 * - the next path key is `E_{i+1} = SHA256(E_i || ss_i) * E_i`, unless the record overrides it.
 *
 * The node side needs only ECDH with its node key (`KeysInterface.ecdh`), never the secret.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { Features } from '../wire/features.js';
import {
  decodeEncryptedData,
  type DecodedEncryptedData,
  type PaymentConstraints,
  type PaymentRelay,
} from './encrypted-data.js';
import { OnionError } from './errors.js';
import { FailureCode } from './failure-codes.js';
import { deriveOnionKey, OnionKeyType } from './onion-keys.js';
import type { NodeEcdh } from './peel.js';
import { checkNodeId } from './shared-secrets.js';

const ZERO_NONCE = new Uint8Array(12);
const NO_AAD = new Uint8Array(0);
const MILLION = 1_000_000n;

/** One node of a path to blind: its real id and its encoded `encrypted_data_tlv`. */
export interface BlindedPathInput {
  readonly nodeId: Uint8Array;
  /** The node's `encrypted_data_tlv`, encoded (see `encodeEncryptedData`). */
  readonly encryptedData: Uint8Array;
}

/** One node of a blinded path, as the sender sees it. */
export interface BlindedHop {
  readonly blindedNodeId: Uint8Array;
  readonly encryptedRecipientData: Uint8Array;
}

/** A blinded path (BOLT 4 `blinded_path`), handed to senders in an invoice or offer. */
export interface BlindedPath {
  /** The introduction node: the first node, unblinded. */
  readonly firstNodeId: Uint8Array;
  /** `E_0`, the path key the introduction node starts from. */
  readonly firstPathKey: Uint8Array;
  readonly hops: readonly BlindedHop[];
}

/** `E_{i+1} = SHA256(E_i || ss_i) * E_i`. */
export function computeNextPathKey(
  pathKey: Uint8Array,
  pathSharedSecret: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  return crypto.pointMultiply(pathKey, crypto.sha256(concatBytes(pathKey, pathSharedSecret)));
}

/**
 * Blinds a path to `hops` (first node first; the last is the recipient itself). `sessionKey`
 * (`e_0`) is a fresh 32-byte secret. Throws `APIMisuseError` for an invalid key or empty path.
 */
export function createBlindedPath(
  sessionKey: Uint8Array,
  hops: readonly BlindedPathInput[],
  crypto: CryptoBackend = nobleBackend,
): BlindedPath {
  if (!(sessionKey instanceof Uint8Array) || !crypto.isValidSecretKey(sessionKey)) {
    throw new APIMisuseError('sessionKey: expected a valid 32-byte secp256k1 secret key');
  }
  const list: unknown = hops;
  if (!Array.isArray(list) || hops.length === 0) {
    throw new APIMisuseError('blinded path: expected at least one hop');
  }
  let e = sessionKey;
  let pathKey = crypto.getPublicKey(e);
  const firstPathKey = pathKey;
  const out: BlindedHop[] = [];
  hops.forEach((hop, i) => {
    const nodeId = checkNodeId(crypto, hop.nodeId, `hops[${i}].nodeId`);
    if (!(hop.encryptedData instanceof Uint8Array)) {
      throw new APIMisuseError(`hops[${i}].encryptedData: expected a Uint8Array`);
    }
    const ss = crypto.ecdh(e, nodeId);
    out.push({
      blindedNodeId: crypto.pointMultiply(
        nodeId,
        deriveOnionKey(crypto, OnionKeyType.BlindedNodeId, ss),
      ),
      encryptedRecipientData: crypto.aeadEncrypt(
        deriveOnionKey(crypto, OnionKeyType.Rho, ss),
        ZERO_NONCE,
        hop.encryptedData,
        NO_AAD,
      ),
    });
    if (i + 1 < hops.length) {
      e = crypto.privateMultiply(e, crypto.sha256(concatBytes(pathKey, ss)));
      pathKey = crypto.getPublicKey(e);
    }
  });
  return { firstNodeId: hops[0]!.nodeId, firstPathKey, hops: out };
}

/** What a node of a blinded path learns from its `encrypted_recipient_data`. */
export interface UnblindedHop extends DecodedEncryptedData {
  /** `SHA256(ECDH(path_key, node key))`. */
  readonly pathSharedSecret: Uint8Array;
  /** The path key for the next node: the record's override, or the derived one. */
  readonly nextPathKey: Uint8Array;
}

function blindingError(message: string, cause?: unknown): OnionError {
  return new OnionError(FailureCode.invalidOnionBlinding, message, { cause });
}

/**
 * Decrypts and decodes this node's `encryptedRecipientData` for `pathKey`, and derives the next
 * path key. `pathSharedSecret` may be passed when already known (`peelOnion` returns it);
 * otherwise it comes from `nodeEcdh`. Throws `OnionError` (`invalid_onion_blinding`) when the
 * record does not decrypt or decode.
 */
export function unblindHop(
  pathKey: Uint8Array,
  encryptedRecipientData: Uint8Array,
  secret: { readonly nodeEcdh: NodeEcdh } | { readonly pathSharedSecret: Uint8Array },
  crypto: CryptoBackend = nobleBackend,
): UnblindedHop {
  if (
    !(pathKey instanceof Uint8Array) ||
    pathKey.length !== 33 ||
    !crypto.isValidPublicKey(pathKey)
  ) {
    throw blindingError('invalid_onion_blinding: the path key is not a valid point');
  }
  const pathSharedSecret =
    'pathSharedSecret' in secret ? secret.pathSharedSecret : secret.nodeEcdh(pathKey);
  if (!(pathSharedSecret instanceof Uint8Array) || pathSharedSecret.length !== 32) {
    throw new APIMisuseError('pathSharedSecret: expected 32 bytes');
  }
  const plain = crypto.aeadDecrypt(
    deriveOnionKey(crypto, OnionKeyType.Rho, pathSharedSecret),
    ZERO_NONCE,
    encryptedRecipientData,
    NO_AAD,
  );
  if (plain === null) {
    throw blindingError('invalid_onion_blinding: encrypted_recipient_data does not decrypt');
  }
  let decoded: DecodedEncryptedData;
  try {
    decoded = decodeEncryptedData(plain);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw blindingError(`invalid_onion_blinding: ${e.message}`, e);
  }
  const nextPathKey =
    decoded.data.nextPathKeyOverride ?? computeNextPathKey(pathKey, pathSharedSecret, crypto);
  return { ...decoded, pathSharedSecret, nextPathKey };
}

/**
 * Checks `allowed_features`: BOLT 4 has the reader refuse any feature bit it does not know, and
 * no payment feature is defined for blinded paths yet, so any bit set is refused.
 */
export function checkAllowedFeatures(allowedFeatures: Uint8Array | undefined): void {
  if (allowedFeatures !== undefined && !Features.fromBytes(allowedFeatures).isEmpty()) {
    throw blindingError('invalid_onion_blinding: allowed_features has an unknown feature bit');
  }
}

/**
 * What a blinded forwarding node sends on, from the HTLC it received and the creator's
 * `payment_relay` (BOLT 4 reader requirements):
 *
 * - `amt_to_forward = ceil((amount_msat - fee_base_msat) * 10^6 / (10^6 + fee_proportional_millionths))`;
 * - `outgoing_cltv_value = cltv_expiry - cltv_expiry_delta`.
 *
 * Throws `OnionError` (`invalid_onion_blinding`) when the HTLC breaks `payment_constraints`
 * (expiry above `max_cltv_expiry`, amount below `htlc_minimum_msat`) or cannot pay the fee.
 */
export function blindedForwardValues(
  incomingAmountMsat: bigint,
  incomingCltvExpiry: number,
  relay: PaymentRelay,
  constraints?: PaymentConstraints,
): { readonly amtToForwardMsat: bigint; readonly outgoingCltvValue: number } {
  checkPaymentConstraints(incomingAmountMsat, incomingCltvExpiry, constraints);
  const base = BigInt(relay.feeBaseMsat);
  const prop = BigInt(relay.feeProportionalMillionths);
  if (incomingAmountMsat < base || incomingCltvExpiry < relay.cltvExpiryDelta) {
    throw blindingError('invalid_onion_blinding: the HTLC cannot pay the relay fee or delta');
  }
  return {
    amtToForwardMsat:
      ((incomingAmountMsat - base) * MILLION + MILLION + prop - 1n) / (MILLION + prop),
    outgoingCltvValue: incomingCltvExpiry - relay.cltvExpiryDelta,
  };
}

/** Throws `OnionError` (`invalid_onion_blinding`) when the HTLC breaks `constraints`. */
export function checkPaymentConstraints(
  amountMsat: bigint,
  cltvExpiry: number,
  constraints: PaymentConstraints | undefined,
): void {
  if (constraints === undefined) return;
  if (cltvExpiry > constraints.maxCltvExpiry) {
    throw blindingError('invalid_onion_blinding: cltv_expiry above max_cltv_expiry');
  }
  if (amountMsat < constraints.htlcMinimumMsat) {
    throw blindingError('invalid_onion_blinding: amount below htlc_minimum_msat');
  }
}

/** The fees and delta of a whole blinded path, as its creator tells senders (`blinded_payinfo`). */
export interface BlindedPayInfo {
  /** u32, as in BOLT 12 `blinded_payinfo`. */
  readonly feeBaseMsat: number;
  /** u32. */
  readonly feeProportionalMillionths: number;
  /** u16. */
  readonly cltvExpiryDelta: number;
}

/**
 * Aggregates the `payment_relay` of the forwarding nodes (first node first) into the path's
 * totals, rounding fees up as BOLT 4 prescribes so the sender never underpays;
 * `minFinalCltvExpiryDelta` is the recipient's own delta. Throws `APIMisuseError` when a total
 * does not fit its field.
 */
export function aggregateBlindedPayInfo(
  relays: readonly PaymentRelay[],
  minFinalCltvExpiryDelta: number,
): BlindedPayInfo {
  let base = 0n;
  let prop = 0n;
  let cltv = minFinalCltvExpiryDelta;
  // BOLT 4 folds from the node nearest the recipient back to the introduction node.
  for (let i = relays.length - 1; i >= 0; i--) {
    const r = relays[i]!;
    const b = BigInt(r.feeBaseMsat);
    const p = BigInt(r.feeProportionalMillionths);
    base = (b * MILLION + base * (MILLION + p) + MILLION - 1n) / MILLION;
    prop = ((prop + p) * MILLION + prop * p + MILLION - 1n) / MILLION;
    cltv += r.cltvExpiryDelta;
  }
  if (base > 0xffffffffn || prop > 0xffffffffn || cltv > 0xffff) {
    throw new APIMisuseError('blinded path: aggregated fees or delta do not fit blinded_payinfo');
  }
  return {
    feeBaseMsat: Number(base),
    feeProportionalMillionths: Number(prop),
    cltvExpiryDelta: cltv,
  };
}

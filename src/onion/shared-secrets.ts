/**
 * The sender's side of the Sphinx key schedule: from one session key, the ephemeral key every
 * hop sees and the secret it shares with the sender. The ephemeral key is blinded at each hop
 * so hops along one route cannot link the packets they see:
 *
 * - `ss_k = SHA256(compressed(ek_k * N_k))` (the ECDH of BOLT 4 and libsecp256k1);
 * - `b_k = SHA256(epk_k || ss_k)`;
 * - `ek_{k+1} = ek_k * b_k`, `epk_{k+1} = ek_{k+1} * G`.
 *
 * The sender keeps the shared secrets (or the session key, to derive them again after a
 * restart): they are what attributes a returned failure to a hop.
 *
 * See BOLT 4, "Shared Secret", "Blinding Ephemeral Onion Keys" and "Packet Construction".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';

/** Per-hop keys of one route, in route order. */
export interface OnionHopSecrets {
  /** The 33-byte ephemeral public key hop `k` finds in its packet. */
  readonly ephemeralPublicKeys: readonly Uint8Array[];
  /** The 32-byte secret hop `k` shares with the sender. */
  readonly sharedSecrets: readonly Uint8Array[];
}

/** Throws `APIMisuseError` unless `key` is a 33-byte compressed point on the curve. */
export function checkNodeId(crypto: CryptoBackend, key: unknown, what: string): Uint8Array {
  if (
    !(key instanceof Uint8Array) ||
    key.length !== 33 ||
    (key[0] !== 2 && key[0] !== 3) ||
    !crypto.isValidPublicKey(key)
  ) {
    throw new APIMisuseError(`${what}: expected a 33-byte compressed secp256k1 point`);
  }
  return key;
}

/**
 * The ephemeral keys and shared secrets of a route to `nodeIds` (33-byte compressed keys, first
 * hop first) under `sessionKey` (32 bytes, a fresh secret per onion). Throws `APIMisuseError`
 * for an invalid session key or node id.
 */
export function computeOnionHopSecrets(
  sessionKey: Uint8Array,
  nodeIds: readonly Uint8Array[],
  crypto: CryptoBackend = nobleBackend,
): OnionHopSecrets {
  if (!(sessionKey instanceof Uint8Array) || !crypto.isValidSecretKey(sessionKey)) {
    throw new APIMisuseError('sessionKey: expected a valid 32-byte secp256k1 secret key');
  }
  const ephemeralPublicKeys: Uint8Array[] = [];
  const sharedSecrets: Uint8Array[] = [];
  let ek = sessionKey;
  let epk = crypto.getPublicKey(ek);
  for (let k = 0; k < nodeIds.length; k++) {
    const nodeId = checkNodeId(crypto, nodeIds[k], `nodeIds[${k}]`);
    const ss = crypto.ecdh(ek, nodeId);
    ephemeralPublicKeys.push(epk);
    sharedSecrets.push(ss);
    if (k + 1 < nodeIds.length) {
      // The last hop's successor key is never used; skip its two curve operations.
      const blindingFactor = crypto.sha256(concatBytes(epk, ss));
      ek = crypto.privateMultiply(ek, blindingFactor);
      epk = crypto.getPublicKey(ek);
    }
  }
  return { ephemeralPublicKeys, sharedSecrets };
}

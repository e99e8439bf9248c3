/**
 * BOLT 3 per-commitment key derivation: every commitment transaction uses fresh keys, tweaked
 * from each side's long-lived basepoints with the per-commitment point, so that a revoked
 * commitment can be punished and no two commitments share a script.
 *
 * BOLT 3 "Key Derivation": https://github.com/lightning/bolts/blob/master/03-transactions.md#key-derivation
 *
 * Points are 33-byte compressed keys and secrets 32-byte scalars; a malformed or off-curve input
 * throws `CryptoError`.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes } from '../util/bytes.js';
import { assertPoint, assertSecretKey } from './checks.js';

/**
 * `localpubkey`, `remotepubkey`, `local_htlcpubkey`, `remote_htlcpubkey`, `local_delayedpubkey`
 * and `remote_delayedpubkey` all derive the same way (BOLT 3 "`localpubkey`, `remotepubkey`, …
 * Derivation"):
 *
 *     pubkey = basepoint + SHA256(per_commitment_point || basepoint) * G
 *
 * The tweak binds the key to both points, so a key of one commitment says nothing about another.
 */
export function derivePublicKey(
  basepoint: Uint8Array,
  perCommitmentPoint: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertPoint(basepoint, 'basepoint', crypto);
  assertPoint(perCommitmentPoint, 'perCommitmentPoint', crypto);
  const tweak = crypto.sha256(concatBytes(perCommitmentPoint, basepoint));
  return crypto.pointAdd(basepoint, crypto.getPublicKey(tweak));
}

/**
 * The secret key matching `derivePublicKey` for the side that holds the basepoint secret:
 *
 *     privkey = basepoint_secret + SHA256(per_commitment_point || basepoint)
 *
 * The basepoint is recomputed from the secret, so the caller cannot pass a mismatched pair.
 */
export function derivePrivateKey(
  basepointSecret: Uint8Array,
  perCommitmentPoint: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertSecretKey(basepointSecret, 'basepointSecret', crypto);
  assertPoint(perCommitmentPoint, 'perCommitmentPoint', crypto);
  const basepoint = crypto.getPublicKey(basepointSecret);
  const tweak = crypto.sha256(concatBytes(perCommitmentPoint, basepoint));
  return crypto.privateAdd(basepointSecret, tweak);
}

/**
 * `revocationpubkey` (BOLT 3 "`revocationpubkey` Derivation"):
 *
 *     revocationpubkey = revocation_basepoint * SHA256(revocation_basepoint || per_commitment_point)
 *                      + per_commitment_point * SHA256(per_commitment_point || revocation_basepoint)
 *
 * Neither side alone knows its secret: the revocation basepoint belongs to the countersignatory
 * and the per-commitment secret to the broadcaster, who reveals it only to revoke the commitment.
 */
export function deriveRevocationPublicKey(
  revocationBasepoint: Uint8Array,
  perCommitmentPoint: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertPoint(revocationBasepoint, 'revocationBasepoint', crypto);
  assertPoint(perCommitmentPoint, 'perCommitmentPoint', crypto);
  const basepointTweak = crypto.sha256(concatBytes(revocationBasepoint, perCommitmentPoint));
  const pointTweak = crypto.sha256(concatBytes(perCommitmentPoint, revocationBasepoint));
  return crypto.pointAdd(
    crypto.pointMultiply(revocationBasepoint, basepointTweak),
    crypto.pointMultiply(perCommitmentPoint, pointTweak),
  );
}

/**
 * `revocationprivkey`, which the countersignatory can compute once the broadcaster has revealed
 * the per-commitment secret of a revoked commitment:
 *
 *     revocationprivkey = revocation_basepoint_secret * SHA256(revocation_basepoint || per_commitment_point)
 *                       + per_commitment_secret * SHA256(per_commitment_point || revocation_basepoint)
 */
export function deriveRevocationPrivateKey(
  revocationBasepointSecret: Uint8Array,
  perCommitmentSecret: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertSecretKey(revocationBasepointSecret, 'revocationBasepointSecret', crypto);
  assertSecretKey(perCommitmentSecret, 'perCommitmentSecret', crypto);
  const revocationBasepoint = crypto.getPublicKey(revocationBasepointSecret);
  const perCommitmentPoint = crypto.getPublicKey(perCommitmentSecret);
  const basepointTweak = crypto.sha256(concatBytes(revocationBasepoint, perCommitmentPoint));
  const pointTweak = crypto.sha256(concatBytes(perCommitmentPoint, revocationBasepoint));
  return crypto.privateAdd(
    crypto.privateMultiply(revocationBasepointSecret, basepointTweak),
    crypto.privateMultiply(perCommitmentSecret, pointTweak),
  );
}

/**
 * The public keys one commitment transaction locks to, named from its broadcaster's side
 * (BOLT 3 `local`/`remote`). All but the funding keys and `remotePaymentPubkey` change with every
 * commitment because they are derived from the broadcaster's per-commitment point.
 *
 * BOLT 3 "Key Derivation".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { ChannelPublicKeys } from '../keys/channel-signer.js';
import { derivePublicKey, deriveRevocationPublicKey } from '../keys/key-derivation.js';
import { APIMisuseError } from '../util/errors.js';
import { assertPublicKey } from './validation.js';

export interface CommitmentKeys {
  /** `revocationpubkey`: from the countersignatory's revocation basepoint and the broadcaster's
   * per-commitment point; lets the countersignatory take everything once this state is revoked. */
  readonly revocationPubkey: Uint8Array;
  /** `local_delayedpubkey`: the broadcaster's delayed payment key (to_local, HTLC tx outputs). */
  readonly localDelayedPubkey: Uint8Array;
  /** `local_htlcpubkey`: the broadcaster's HTLC key. */
  readonly localHtlcPubkey: Uint8Array;
  /** `remote_htlcpubkey`: the countersignatory's HTLC key. */
  readonly remoteHtlcPubkey: Uint8Array;
  /** `remotepubkey`: with `option_static_remotekey`, the countersignatory's payment basepoint. */
  readonly remotePaymentPubkey: Uint8Array;
  /** The broadcaster's funding key (its anchor locks to it). */
  readonly localFundingPubkey: Uint8Array;
  /** The countersignatory's funding key. */
  readonly remoteFundingPubkey: Uint8Array;
}

/** Throws `CryptoError` unless every key is a valid 33-byte compressed point. */
export function validateCommitmentKeys(
  keys: CommitmentKeys,
  crypto: CryptoBackend = nobleBackend,
): void {
  if (typeof keys !== 'object' || keys === null) {
    throw new APIMisuseError('keys: expected a CommitmentKeys object');
  }
  assertPublicKey(keys.revocationPubkey, 'keys.revocationPubkey', crypto);
  assertPublicKey(keys.localDelayedPubkey, 'keys.localDelayedPubkey', crypto);
  assertPublicKey(keys.localHtlcPubkey, 'keys.localHtlcPubkey', crypto);
  assertPublicKey(keys.remoteHtlcPubkey, 'keys.remoteHtlcPubkey', crypto);
  assertPublicKey(keys.remotePaymentPubkey, 'keys.remotePaymentPubkey', crypto);
  assertPublicKey(keys.localFundingPubkey, 'keys.localFundingPubkey', crypto);
  assertPublicKey(keys.remoteFundingPubkey, 'keys.remoteFundingPubkey', crypto);
}

/**
 * The keys of one commitment from both sides' channel basepoints and the broadcaster's
 * per-commitment point (BOLT 3 "Key Derivation"):
 *
 * - `revocationpubkey` from the countersignatory's revocation basepoint,
 * - `local_delayedpubkey` and `local_htlcpubkey` from the broadcaster's basepoints,
 * - `remote_htlcpubkey` from the countersignatory's HTLC basepoint,
 * - `remotepubkey` is the countersignatory's payment basepoint itself (`option_static_remotekey`,
 *   which both supported channel types use).
 *
 * For our own (holder) commitment, `broadcaster` is us and the point is ours; for the
 * counterparty's, swap both and use their point. Throws `CryptoError` for invalid points.
 */
export function deriveCommitmentKeys(
  args: {
    readonly broadcaster: ChannelPublicKeys;
    readonly countersignatory: ChannelPublicKeys;
    readonly perCommitmentPoint: Uint8Array;
  },
  crypto: CryptoBackend = nobleBackend,
): CommitmentKeys {
  const { broadcaster, countersignatory, perCommitmentPoint } = args;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null;
  if (!isObject(broadcaster) || !isObject(countersignatory)) {
    throw new APIMisuseError('broadcaster, countersignatory: expected ChannelPublicKeys objects');
  }
  const keys: CommitmentKeys = {
    revocationPubkey: deriveRevocationPublicKey(
      countersignatory.revocationBasepoint,
      perCommitmentPoint,
      crypto,
    ),
    localDelayedPubkey: derivePublicKey(
      broadcaster.delayedPaymentBasepoint,
      perCommitmentPoint,
      crypto,
    ),
    localHtlcPubkey: derivePublicKey(broadcaster.htlcBasepoint, perCommitmentPoint, crypto),
    remoteHtlcPubkey: derivePublicKey(countersignatory.htlcBasepoint, perCommitmentPoint, crypto),
    remotePaymentPubkey: countersignatory.paymentBasepoint,
    localFundingPubkey: broadcaster.fundingPubkey,
    remoteFundingPubkey: countersignatory.fundingPubkey,
  };
  assertPublicKey(keys.remotePaymentPubkey, 'countersignatory.paymentBasepoint', crypto);
  assertPublicKey(keys.localFundingPubkey, 'broadcaster.fundingPubkey', crypto);
  assertPublicKey(keys.remoteFundingPubkey, 'countersignatory.fundingPubkey', crypto);
  return keys;
}

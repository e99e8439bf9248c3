/**
 * `ChannelSigner`: the one object per channel that holds the channel's secrets and signs for it
 * (LDK's `ChannelSigner` + `EcdsaChannelSigner`). The channel and monitor layers build the
 * transactions and hand them over as `SignableInput`s; the signer computes each BIP 143 digest
 * itself and answers with 64-byte compact signatures (r || s, low-S). Turning them into DER plus
 * a sighash byte for a witness is the transaction layer's job.
 *
 * A host can implement this interface itself (a remote or hardware signer); `InMemorySigner` is
 * the default. Key names follow BOLT 3 "Keys"; "holder" is us, "counterparty" the peer.
 *
 * https://github.com/lightning/bolts/blob/master/03-transactions.md#keys
 */
import type { SignableInput } from './signable-tx.js';

/** The five public keys a side announces in `open_channel` / `accept_channel` (BOLT 2). */
export interface ChannelPublicKeys {
  /** Key of the 2-of-2 funding output; also signs `channel_announcement` and owns the anchor. */
  readonly fundingPubkey: Uint8Array;
  /** Basepoint the other side tweaks into `revocationpubkey` for our commitments' punishment. */
  readonly revocationBasepoint: Uint8Array;
  /** With `option_static_remotekey`, the exact key of the other side's `to_remote` output to us. */
  readonly paymentBasepoint: Uint8Array;
  /** Basepoint of `local_delayedpubkey`: our `to_local` and second-stage HTLC outputs. */
  readonly delayedPaymentBasepoint: Uint8Array;
  /** Basepoint of `local_htlcpubkey` / `remote_htlcpubkey` in HTLC scripts. */
  readonly htlcBasepoint: Uint8Array;
}

/**
 * The commitment formats the signer knows; the strings match the transaction layer's
 * `ChannelType`. Both use `option_static_remotekey`; with anchors, the counterparty signs our HTLC
 * transactions with SIGHASH_SINGLE|ANYONECANPAY (BOLT 3 "HTLC-Timeout and HTLC-Success").
 */
export type SignerChannelType = 'static_remotekey' | 'anchors_zero_fee_htlc_tx';

/** The funding output of the channel. */
export interface FundingOutpoint {
  /** Funding transaction id, lowercase hex as block explorers show it (reversed byte order). */
  readonly txid: string;
  readonly outputIndex: number;
}

/** What the signer learns once the channel is negotiated (after `accept_channel`). */
export interface ChannelParameters {
  readonly counterpartyPubkeys: ChannelPublicKeys;
  /** True when we opened the channel (we are the funder). */
  readonly isOutbound: boolean;
  /** Blocks our own `to_local` outputs wait: the `to_self_delay` the counterparty sent us. */
  readonly holderToSelfDelay: number;
  /** Blocks the counterparty's `to_local` outputs wait: the `to_self_delay` we sent. */
  readonly counterpartyToSelfDelay: number;
  readonly fundingOutpoint: FundingOutpoint;
  readonly channelType: SignerChannelType;
}

/** Ask to sign the counterparty's next commitment and its HTLC transactions. */
export interface CounterpartyCommitmentRequest {
  /** The counterparty commitment number (BOLT 2 numbering, 0 for the first). */
  readonly commitmentNumber: number;
  /** Spends the funding output; signed with our funding key, SIGHASH_ALL. */
  readonly commitmentTx: SignableInput;
  /** One per untrimmed HTLC output, in output order; signed with our HTLC key for their
   * commitment. Anchor channels need SIGHASH_SINGLE|ANYONECANPAY here, others SIGHASH_ALL. */
  readonly htlcTxs: readonly SignableInput[];
  /** The counterparty's per-commitment point for this commitment. */
  readonly counterpartyPerCommitmentPoint: Uint8Array;
}

/** The `commitment_signed` signatures (BOLT 2): 64-byte compact each. */
export interface CounterpartyCommitmentSignatures {
  readonly signature: Uint8Array;
  readonly htlcSignatures: readonly Uint8Array[];
}

/**
 * One channel's signer. Every method is synchronous and throws `SignerError` when it refuses
 * (with a stable `reason`), `CryptoError` for invalid keys, `APIMisuseError` for malformed
 * arguments and `DecodeError` for an unsigned transaction that does not parse.
 *
 * Commitment numbers are BOLT 2's, counting up from 0; `per-commitment-secret.ts` maps them to
 * BOLT 3 secret indices.
 */
export interface ChannelSigner {
  /** Our five public keys for `open_channel` / `accept_channel`. */
  readonly pubkeys: ChannelPublicKeys;
  /** 32 bytes from which the `KeysInterface` re-derives this signer; persist it with the channel. */
  readonly channelKeysId: Uint8Array;

  /** Our per-commitment point for holder commitment `commitmentNumber` (BOLT 3). */
  getPerCommitmentPoint(commitmentNumber: number): Uint8Array;
  /**
   * Reveals the secret of holder commitment `commitmentNumber`, revoking it (`revoke_and_ack`).
   * Secrets go out strictly in order: the next unrevoked commitment, or the last one revealed
   * again for a retransmission. Persist `serializeState()` before sending the secret.
   */
  releaseCommitmentSecret(commitmentNumber: number): Uint8Array;
  /** Gives the negotiated parameters; required before any funding-key signature. */
  provideChannelParameters(params: ChannelParameters): void;

  signCounterpartyCommitment(
    request: CounterpartyCommitmentRequest,
  ): CounterpartyCommitmentSignatures;
  /**
   * Our signature on our own commitment, only when about to broadcast it (force close). Refuses
   * a commitment whose secret was already released: broadcasting it would let the counterparty
   * take the whole channel balance.
   */
  signHolderCommitment(request: {
    readonly commitmentNumber: number;
    readonly commitmentTx: SignableInput;
  }): Uint8Array;
  /** Our signature on the HTLC-success/timeout transaction of our own commitment. */
  signHolderHtlcTransaction(request: {
    readonly commitmentNumber: number;
    readonly htlcTx: SignableInput;
    readonly perCommitmentPoint: Uint8Array;
  }): Uint8Array;
  /** Our signature on a mutual close transaction (`closing_signed`), with the funding key. */
  signClosingTransaction(closingTx: SignableInput): Uint8Array;
  /** Penalty: spends the `to_local` output of a revoked counterparty commitment. */
  signJusticeRevokedOutput(request: {
    readonly tx: SignableInput;
    readonly perCommitmentSecret: Uint8Array;
  }): Uint8Array;
  /** Penalty: spends an HTLC output (or second-stage HTLC output) of a revoked commitment. */
  signJusticeRevokedHtlc(request: {
    readonly tx: SignableInput;
    readonly perCommitmentSecret: Uint8Array;
  }): Uint8Array;
  /** Claims an HTLC output of the counterparty's commitment (preimage or timeout). */
  signCounterpartyHtlcClaim(request: {
    readonly tx: SignableInput;
    readonly counterpartyPerCommitmentPoint: Uint8Array;
  }): Uint8Array;
  /** Sweeps our `to_local` (or a second-stage HTLC output) after `to_self_delay`. */
  signHolderToLocalSweep(request: {
    readonly tx: SignableInput;
    readonly perCommitmentPoint: Uint8Array;
  }): Uint8Array;
  /** Sweeps our `to_remote` output of the counterparty's commitment (payment basepoint key). */
  signCounterpartyPaymentInput(tx: SignableInput): Uint8Array;
  /** Spends our anchor output (BOLT 3 "to_local_anchor and to_remote_anchor") for CPFP. */
  signAnchorInput(tx: SignableInput): Uint8Array;
  /** Our `bitcoin_signature` of a `channel_announcement` digest (BOLT 7). */
  signChannelAnnouncementWithFundingKey(digest32: Uint8Array): Uint8Array;

  /** State to persist with the channel (the released-secret high-water mark). */
  serializeState(): Uint8Array;
  /** Restores `serializeState()` output into a freshly derived signer; never moves it back. */
  restoreState(state: Uint8Array): void;
}

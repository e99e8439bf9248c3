/**
 * What a `ChannelSigner` is asked to sign: one input of an unsigned transaction, with everything
 * needed for the BIP 143 (segwit v0) signature hash. The transaction layer builds these; the
 * signer computes the sighash itself, so a remote or hardware signer sees the whole transaction
 * and not only a digest it would have to trust.
 */
export interface SignableInput {
  /** The unsigned transaction, serialized without witnesses. */
  readonly unsignedTx: Uint8Array;
  /** Which input to sign. */
  readonly inputIndex: number;
  /** The witness script of the output being spent (BIP 143 scriptCode). */
  readonly witnessScript: Uint8Array;
  /** Value of the output being spent, in satoshis. */
  readonly valueSat: bigint;
  /** Sighash type: SIGHASH_ALL (1) everywhere, except SIGHASH_SINGLE|ANYONECANPAY (0x83) for
   * the counterparty's signatures on anchor-channel HTLC transactions (BOLT 3). */
  readonly sighashType: number;
}

/**
 * The sighash types BOLT 3 uses. Every signature is SIGHASH_ALL except the counterparty's
 * signatures on HTLC transactions of `option_anchors` channels, which are
 * SIGHASH_SINGLE|SIGHASH_ANYONECANPAY so the holder can add fee inputs and outputs (BOLT 3
 * "HTLC-Timeout and HTLC-Success Transactions").
 */
export const SighashType = {
  All: 0x01,
  SingleAnyoneCanPay: 0x83,
} as const;
export type SighashType = (typeof SighashType)[keyof typeof SighashType];

/**
 * Sweep transactions: one input sweeping one output of a funding spend to the host's destination
 * script (`KeysInterface.getDestinationScript`), signed by the channel signer. BOLT 5 "Local
 * Commitment" (`to_local` after `to_self_delay`), "Remote Commitment" (`to_remote`) and
 * "Revoked Transaction Close Handling" (the peer's `to_local` with the revocation key, the
 * justice transaction), and the HTLC outputs of the peer's commitment ("Remote Commitment
 * Transaction: HTLC Output Handling": by preimage, or after expiry).
 *
 * One claim per transaction keeps each independent: a claim the peer races (a revoked
 * `to_local` it sweeps after its delay) never holds back the others. Fees come from the
 * `UrgentOnChainSweep` estimate for justice and `OutputSpendingFee` otherwise; bumping a
 * claim that lingers in the mempool is left for later (the same transaction is rebroadcast each
 * block until a spend of the output confirms).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { ChannelSigner } from '../keys/channel-signer.js';
import { hasAnchors, type ChannelType } from '../tx/channel-type.js';
import { feeForWeight } from '../tx/fees.js';
import { signableInput } from '../tx/sighash.js';
import { SighashType } from '../tx/signature-encoding.js';
import {
  offeredHtlcPreimageWitness,
  p2wpkhWitness,
  receivedHtlcTimeoutWitness,
  toLocalDelayedWitness,
  toLocalRevokedWitness,
  toRemoteAnchorsWitness,
  type Witness,
} from '../tx/scripts/witness.js';
import {
  serializeTransaction,
  transactionWeight,
  txidFromHex,
  withWitness,
  type Transaction,
} from '../tx/transaction.js';
import { APIMisuseError } from '../util/errors.js';
import { ClaimKind, type ClaimRecord } from './channel-monitor-state.js';
import { ConfirmationTarget } from './fee-estimator.js';

/**
 * The smallest output a claim creates: 330 sat, the dust limit of a P2WSH output (a P2WPKH
 * destination's is 294), so a claim never makes an output relays would refuse.
 */
export const CLAIM_DUST_LIMIT_SAT = 330n;

/** The largest DER signature with its sighash byte: what fee estimates assume. */
const MAX_SIGNATURE_BYTES = 73;

/** The feerate target a claim of this kind pays. */
export function claimFeeTarget(kind: ClaimKind): ConfirmationTarget {
  switch (kind) {
    case ClaimKind.RevokedToLocal:
    case ClaimKind.CounterpartyHtlcTimeout:
    case ClaimKind.CounterpartyHtlcPreimage:
      // The peer can take these too (after its delay, or by the other HTLC branch).
      return ConfirmationTarget.UrgentOnChainSweep;
    default:
      return ConfirmationTarget.OutputSpendingFee;
  }
}

/** The witness of `claim`'s input for `signature` (compact, 64 bytes). */
function claimWitness(claim: ClaimRecord, signature: Uint8Array, ctx: ClaimContext): Witness {
  switch (claim.kind) {
    case ClaimKind.HolderToLocal:
      return toLocalDelayedWitness(signature, claim.witnessScript);
    case ClaimKind.RevokedToLocal:
      return toLocalRevokedWitness(signature, claim.witnessScript);
    case ClaimKind.CounterpartyToRemote:
      return hasAnchors(ctx.channelType)
        ? toRemoteAnchorsWitness(signature, claim.witnessScript)
        : p2wpkhWitness(signature, ctx.paymentBasepoint);
    case ClaimKind.CounterpartyHtlcTimeout:
      return receivedHtlcTimeoutWitness(signature, claim.witnessScript);
    case ClaimKind.CounterpartyHtlcPreimage:
      return offeredHtlcPreimageWitness(signature, ctx.paymentPreimage!, claim.witnessScript);
    case ClaimKind.HolderHtlcTimeout:
    case ClaimKind.HolderHtlcSuccess:
    case ClaimKind.RevokedHtlcOutput:
      throw new APIMisuseError(`${claim.kind}: not swept by a claim transaction`);
  }
}

/** The witness with every signature replaced by a maximum-size placeholder, for weighing. */
function placeholderWitness(witness: Witness): Witness {
  return witness.map((item, i) => (i === 0 ? new Uint8Array(MAX_SIGNATURE_BYTES) : item));
}

export interface ClaimContext {
  readonly signer: ChannelSigner;
  readonly channelType: ChannelType;
  /** Our payment basepoint: the key of a P2WPKH `to_remote`. */
  readonly paymentBasepoint: Uint8Array;
  readonly destinationScript: Uint8Array;
  readonly feerateSatPerKw: number;
  /** nLockTime: a recent height, so a claim cannot be mined in a reorganized older block. */
  readonly locktime: number;
  /** For `RevokedToLocal`: the peer's revealed secret of the revoked commitment. */
  readonly perCommitmentSecret: Uint8Array | undefined;
  /** For `CounterpartyHtlcPreimage`: the HTLC's payment preimage. */
  readonly paymentPreimage: Uint8Array | undefined;
  readonly crypto: CryptoBackend;
}

/**
 * The signed claim of `claim`, or `undefined` when its value cannot pay the fee and leave more
 * than `CLAIM_DUST_LIMIT_SAT` (the output is then left unclaimed). Throws `SignerError` if the
 * signer refuses.
 */
export function buildClaimTransaction(
  claim: ClaimRecord,
  ctx: ClaimContext,
): Uint8Array | undefined {
  const unsigned = (valueSat: bigint): Transaction => ({
    version: 2,
    inputs: [
      {
        prevout: { txid: txidFromHex(claim.outpoint.txid), vout: claim.outpoint.index },
        scriptSig: new Uint8Array(0),
        sequence: claim.sequence,
        witness: [],
      },
    ],
    outputs: [{ valueSat, scriptPubkey: ctx.destinationScript }],
    locktime: ctx.locktime,
  });
  const dummy = new Uint8Array(64).fill(1);
  const weighed = withWitness(
    unsigned(claim.valueSat),
    0,
    placeholderWitness(claimWitness(claim, dummy, ctx)),
  );
  const feeSat = feeForWeight(ctx.feerateSatPerKw, transactionWeight(weighed));
  if (claim.valueSat - feeSat <= CLAIM_DUST_LIMIT_SAT) return undefined;
  const tx = unsigned(claim.valueSat - feeSat);
  const input = signableInput({
    tx,
    inputIndex: 0,
    witnessScript: claim.witnessScript,
    valueSat: claim.valueSat,
    sighashType: SighashType.All,
  });
  let signature: Uint8Array;
  switch (claim.kind) {
    case ClaimKind.HolderToLocal:
      signature = ctx.signer.signHolderToLocalSweep({
        tx: input,
        perCommitmentPoint: claim.perCommitmentPoint!,
      });
      break;
    case ClaimKind.RevokedToLocal:
      signature = ctx.signer.signJusticeRevokedOutput({
        tx: input,
        perCommitmentSecret: ctx.perCommitmentSecret!,
      });
      break;
    case ClaimKind.CounterpartyToRemote:
      signature = ctx.signer.signCounterpartyPaymentInput(input);
      break;
    case ClaimKind.CounterpartyHtlcTimeout:
    case ClaimKind.CounterpartyHtlcPreimage:
      signature = ctx.signer.signCounterpartyHtlcClaim({
        tx: input,
        counterpartyPerCommitmentPoint: claim.perCommitmentPoint!,
      });
      break;
    case ClaimKind.HolderHtlcTimeout:
    case ClaimKind.HolderHtlcSuccess:
    case ClaimKind.RevokedHtlcOutput:
      throw new APIMisuseError(`${claim.kind}: not swept by a claim transaction`);
  }
  return serializeTransaction(withWitness(tx, 0, claimWitness(claim, signature, ctx)));
}

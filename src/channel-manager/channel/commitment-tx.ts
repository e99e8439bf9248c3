/**
 * From a `CommitmentSpec` to transactions: our own commitment (whose signatures the peer sends
 * us) and the peer's (which we sign), with their HTLC transactions, through the transaction
 * layer's builders (BOLT 3 "Commitment Transaction Construction"). Both peers build the same
 * bytes from the same spec, so checking the peer's signatures is building our commitment and
 * verifying against it.
 */
import type { CounterpartyCommitmentSignatures } from '../../keys/channel-signer.js';
import { SighashType } from '../../keys/signable-tx.js';
import {
  buildCommitmentTransaction,
  commitmentSignableInput,
  type CommitmentParams,
  type CommitmentTransaction,
} from '../../tx/commitment.js';
import { deriveCommitmentKeys } from '../../tx/commitment-keys.js';
import { hasAnchors } from '../../tx/channel-type.js';
import {
  buildHtlcTransactions,
  htlcSignableInput,
  type HtlcTransaction,
} from '../../tx/htlc-tx.js';
import { segwitV0Sighash, sighashOfSignable } from '../../tx/sighash.js';
import type { OutPoint } from '../../tx/transaction.js';
import type { MonitorHtlc } from '../../chain/channel-monitor-update-steps.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError } from './errors.js';
import type { ChannelState, CommitmentSpec, SideParams } from './state.js';
import { fundedView } from './state.js';

/** A commitment transaction and its HTLC transactions (in output order). */
export interface BuiltCommitment {
  readonly commitment: CommitmentTransaction;
  readonly htlcTxs: readonly HtlcTransaction[];
}

interface Parties {
  readonly counterpartyParams: SideParams;
  readonly fundingOutpoint: OutPoint;
}

function parties(state: ChannelState): Parties {
  const { counterpartyParams, funding } = fundedViewOrPending(state);
  return {
    counterpartyParams,
    fundingOutpoint: { txid: funding.txid, vout: funding.outputIndex },
  };
}

/** During funding the commitments do not exist yet, but parameters and outpoint do. */
function fundedViewOrPending(state: ChannelState): {
  counterpartyParams: SideParams;
  funding: { txid: Uint8Array; outputIndex: number };
} {
  if (state.counterpartyParams === undefined || state.funding === undefined) {
    return fundedView(state); // throws the descriptive APIMisuseError
  }
  return { counterpartyParams: state.counterpartyParams, funding: state.funding };
}

function openerAndAccepterBasepoints(
  state: ChannelState,
  counterparty: SideParams,
): { openerPaymentBasepoint: Uint8Array; accepterPaymentBasepoint: Uint8Array } {
  const ours = state.holderParams.pubkeys.paymentBasepoint;
  const theirs = counterparty.pubkeys.paymentBasepoint;
  return state.isOutbound
    ? { openerPaymentBasepoint: ours, accepterPaymentBasepoint: theirs }
    : { openerPaymentBasepoint: theirs, accepterPaymentBasepoint: ours };
}

/** The transaction-layer parameters of our own commitment `commitmentNumber`. */
export function holderCommitmentParams(
  ctx: ChannelContext,
  spec: CommitmentSpec,
  commitmentNumber: number,
): CommitmentParams {
  const { state, crypto } = ctx;
  const { counterpartyParams, fundingOutpoint } = parties(state);
  const keys = deriveCommitmentKeys(
    {
      broadcaster: state.holderParams.pubkeys,
      countersignatory: counterpartyParams.pubkeys,
      perCommitmentPoint: ctx.signer.getPerCommitmentPoint(commitmentNumber),
    },
    crypto,
  );
  return {
    fundingOutpoint,
    fundingValueSat: state.fundingValueSat,
    commitmentNumber,
    ...openerAndAccepterBasepoints(state, counterpartyParams),
    // Our outputs wait the delay the peer chose; outputs under our dust limit are trimmed.
    toSelfDelay: counterpartyParams.toSelfDelay,
    dustLimitSat: state.holderParams.dustLimitSat,
    feerateSatPerKw: spec.feerateSatPerKw,
    channelType: state.channelType,
    funder: state.isOutbound ? 'local' : 'remote',
    keys,
    toLocalMsat: spec.toHolderMsat,
    toRemoteMsat: spec.toCounterpartyMsat,
    htlcs: spec.htlcs.map((h) => ({
      offered: h.direction === 'offered',
      amountMsat: h.amountMsat,
      paymentHash: h.paymentHash,
      cltvExpiry: h.cltvExpiry,
    })),
    // BOLT 2 "Updating Fees": after an update_fee race the funder may owe more than it has; the
    // commitment then pays what is left (BOLT 3 "Fee Payment").
    allowFeeAboveFunderBalance: true,
  };
}

/** The transaction-layer parameters of the peer's commitment, seen from the peer's side. */
export function counterpartyCommitmentParams(
  ctx: ChannelContext,
  spec: CommitmentSpec,
  commitmentNumber: number,
  perCommitmentPoint: Uint8Array,
): CommitmentParams {
  const { state, crypto } = ctx;
  const { counterpartyParams, fundingOutpoint } = parties(state);
  const keys = deriveCommitmentKeys(
    {
      broadcaster: counterpartyParams.pubkeys,
      countersignatory: state.holderParams.pubkeys,
      perCommitmentPoint,
    },
    crypto,
  );
  return {
    fundingOutpoint,
    fundingValueSat: state.fundingValueSat,
    commitmentNumber,
    ...openerAndAccepterBasepoints(state, counterpartyParams),
    toSelfDelay: state.holderParams.toSelfDelay,
    dustLimitSat: counterpartyParams.dustLimitSat,
    feerateSatPerKw: spec.feerateSatPerKw,
    channelType: state.channelType,
    funder: state.isOutbound ? 'remote' : 'local',
    keys,
    toLocalMsat: spec.toCounterpartyMsat,
    toRemoteMsat: spec.toHolderMsat,
    htlcs: spec.htlcs.map((h) => ({
      offered: h.direction === 'received',
      amountMsat: h.amountMsat,
      paymentHash: h.paymentHash,
      cltvExpiry: h.cltvExpiry,
    })),
    allowFeeAboveFunderBalance: true,
  };
}

function build(ctx: ChannelContext, params: CommitmentParams): BuiltCommitment {
  const commitment = buildCommitmentTransaction(params, ctx.crypto);
  return { commitment, htlcTxs: buildHtlcTransactions(commitment, ctx.crypto) };
}

/** Our commitment `commitmentNumber` for `spec`. */
export function buildHolderCommitment(
  ctx: ChannelContext,
  spec: CommitmentSpec,
  commitmentNumber: number,
): BuiltCommitment {
  return build(ctx, holderCommitmentParams(ctx, spec, commitmentNumber));
}

/** The peer's commitment `commitmentNumber` for `spec`. */
export function buildCounterpartyCommitment(
  ctx: ChannelContext,
  spec: CommitmentSpec,
  commitmentNumber: number,
  perCommitmentPoint: Uint8Array,
): BuiltCommitment {
  return build(ctx, counterpartyCommitmentParams(ctx, spec, commitmentNumber, perCommitmentPoint));
}

/**
 * Checks the peer's signatures on our commitment (BOLT 2 `commitment_signed` receiver, and
 * `funding_created`/`funding_signed`): the commitment signature with its funding key, SIGHASH_ALL;
 * exactly one HTLC signature per untrimmed HTLC, each with its HTLC key for this commitment,
 * SIGHASH_SINGLE|ANYONECANPAY with anchors (BOLT 3). Low-S is enforced by `verify`. Throws a
 * `close` `ChannelError` naming the first failure.
 */
export function verifyHolderCommitmentSignatures(
  ctx: ChannelContext,
  built: BuiltCommitment,
  signature: Uint8Array,
  htlcSignatures: readonly Uint8Array[],
  badSignatureCheck:
    typeof ChannelCheck.BadCommitmentSignature | typeof ChannelCheck.BadFundingSignature,
): void {
  const { state, crypto } = ctx;
  const { params } = built.commitment;
  const digest = sighashOfSignable(commitmentSignableInput(built.commitment), crypto);
  if (!crypto.verify(signature, digest, params.keys.remoteFundingPubkey)) {
    throw closeError(
      badSignatureCheck,
      `signature: not a valid signature of commitment ${params.commitmentNumber} by the peer's funding key`,
      state.channelId,
    );
  }
  if (htlcSignatures.length !== built.htlcTxs.length) {
    throw closeError(
      ChannelCheck.HtlcSignatureCountMismatch,
      `num_htlcs: expected ${built.htlcTxs.length} HTLC signatures for commitment ${params.commitmentNumber}, got ${htlcSignatures.length}`,
      state.channelId,
    );
  }
  const sighashType = hasAnchors(state.channelType)
    ? SighashType.SingleAnyoneCanPay
    : SighashType.All;
  built.htlcTxs.forEach((htlcTx, i) => {
    const d = segwitV0Sighash(
      {
        tx: htlcTx.tx,
        inputIndex: 0,
        witnessScript: htlcTx.witnessScript,
        valueSat: htlcTx.inputValueSat,
        sighashType,
      },
      crypto,
    );
    if (!crypto.verify(htlcSignatures[i]!, d, params.keys.remoteHtlcPubkey)) {
      throw closeError(
        ChannelCheck.BadHtlcSignature,
        `htlc_signature[${i}]: not a valid signature of the ${htlcTx.kind} transaction for output ${htlcTx.commitmentOutputIndex}`,
        state.channelId,
      );
    }
  });
}

/** Our signatures on the peer's commitment, for `commitment_signed` / `funding_*`. */
export function signCounterpartyCommitment(
  ctx: ChannelContext,
  built: BuiltCommitment,
  perCommitmentPoint: Uint8Array,
): CounterpartyCommitmentSignatures {
  return ctx.signer.signCounterpartyCommitment({
    commitmentNumber: built.commitment.params.commitmentNumber,
    commitmentTx: commitmentSignableInput(built.commitment),
    htlcTxs: built.htlcTxs.map((t) => htlcSignableInput(t, 'remote')),
    counterpartyPerCommitmentPoint: perCommitmentPoint,
  });
}

/**
 * The HTLCs of a built commitment for a monitor step, from our side: output index (or trimmed)
 * and, for our own commitments, the peer's signature on each HTLC transaction.
 */
export function monitorHtlcs(
  spec: CommitmentSpec,
  built: BuiltCommitment,
  counterpartyHtlcSignatures?: readonly Uint8Array[],
): MonitorHtlc[] {
  const sigByHtlcIndex = new Map<number, Uint8Array>();
  if (counterpartyHtlcSignatures !== undefined) {
    built.htlcTxs.forEach((t, i) => {
      if (t.htlcIndex !== undefined)
        sigByHtlcIndex.set(t.htlcIndex, counterpartyHtlcSignatures[i]!);
    });
  }
  return spec.htlcs.map((h, i) => ({
    offered: h.direction === 'offered',
    id: h.id,
    amountMsat: h.amountMsat,
    paymentHash: h.paymentHash,
    cltvExpiry: h.cltvExpiry,
    outputIndex: built.commitment.htlcOutputIndices[i] ?? undefined,
    counterpartySignature: sigByHtlcIndex.get(i),
  }));
}

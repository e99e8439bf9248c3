/**
 * Channel establishment v1, funding half (BOLT 2 "The funding_created Message", "The
 * funding_signed Message"): the funder hands over the funding outpoint with its signature of the
 * accepter's first commitment; the accepter checks it and signs the funder's. Each side, once it
 * holds a valid signature of its own first commitment, creates the monitor (update 0) before the
 * next message or broadcast goes out.
 */
import { txidToHex } from '../../tx/transaction.js';
import { findFundingOutput, hasOnlySegwitInputs } from '../../tx/funding.js';
import { satToMsat } from '../../tx/fees.js';
import { parseTransaction } from '../../tx/transaction.js';
import { equalBytes, toHex } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type {
  FundingCreatedMessage,
  FundingSignedMessage,
} from '../../wire/messages/channel-establish.js';
import { channelIdFromFunding } from './channel-id.js';
import { sendChannelReadyIfDeep } from './channel-ready.js';
import {
  buildCounterpartyCommitment,
  buildHolderCommitment,
  signCounterpartyCommitment,
  verifyHolderCommitmentSignatures,
} from './commitment-tx.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError } from './errors.js';
import {
  channelSetupStep,
  counterpartyCommitmentStep,
  holderCommitmentStep,
} from './monitor-steps.js';
import { ChannelPhase, type ChannelState, type CommitmentSpec } from './state.js';

/** Both first commitments: the funder has funding minus push, the accepter the push. */
function initialSpec(state: ChannelState): CommitmentSpec {
  const funderMsat = satToMsat(state.fundingValueSat) - state.pushMsat;
  return {
    htlcs: [],
    toHolderMsat: state.isOutbound ? funderMsat : state.pushMsat,
    toCounterpartyMsat: state.isOutbound ? state.pushMsat : funderMsat,
    feerateSatPerKw: state.initialFeerateSatPerKw,
  };
}

/** Records the funding outpoint and gives the signer the negotiated parameters. */
function setFunding(
  ctx: ChannelContext,
  txid: Uint8Array,
  outputIndex: number,
  tx: Uint8Array | undefined,
): void {
  const { state } = ctx;
  const counterparty = state.counterpartyParams!;
  state.funding = { txid: txid.slice(), outputIndex, tx, confirmationHeight: undefined };
  state.channelId = channelIdFromFunding(txid, outputIndex);
  ctx.signer.provideChannelParameters({
    counterpartyPubkeys: counterparty.pubkeys,
    isOutbound: state.isOutbound,
    holderToSelfDelay: counterparty.toSelfDelay,
    counterpartyToSelfDelay: state.holderParams.toSelfDelay,
    fundingOutpoint: { txid: txidToHex(txid), outputIndex },
    channelType: state.channelType,
  });
}

/** Signs the peer's commitment 0 and records it. */
function signFirstCounterpartyCommitment(ctx: ChannelContext): Uint8Array {
  const { state } = ctx;
  const point = state.counterpartyFirstPerCommitmentPoint!;
  const spec = initialSpec(state);
  const built = buildCounterpartyCommitment(ctx, spec, 0, point);
  const { signature } = signCounterpartyCommitment(ctx, built, point);
  state.counterpartyCommitment = {
    commitmentNumber: 0,
    perCommitmentPoint: point,
    spec,
    txid: built.commitment.txid,
  };
  return signature;
}

/** Checks the peer's signature of our commitment 0, records it and creates the monitor. */
function acceptFirstHolderCommitment(ctx: ChannelContext, signature: Uint8Array): void {
  const { state } = ctx;
  const spec = initialSpec(state);
  const built = buildHolderCommitment(ctx, spec, 0);
  verifyHolderCommitmentSignatures(ctx, built, signature, [], ChannelCheck.BadFundingSignature);
  state.holderCommitment = {
    commitmentNumber: 0,
    spec,
    txid: built.commitment.txid,
    counterpartySignature: signature.slice(),
    counterpartyHtlcSignatures: [],
  };
  const counterparty = state.counterpartyCommitment!;
  const counterpartyBuilt = buildCounterpartyCommitment(
    ctx,
    counterparty.spec,
    0,
    counterparty.perCommitmentPoint,
  );
  ctx.out.monitorUpdate([
    channelSetupStep(state),
    holderCommitmentStep(ctx, state.holderCommitment, built),
    counterpartyCommitmentStep(counterparty, counterpartyBuilt),
  ]);
  state.phase = ChannelPhase.AwaitingChannelReady;
}

/**
 * The host built the funding transaction (signed, not broadcast): finds the 2-of-2 output of
 * `fundingValueSat`, signs the peer's first commitment and sends `funding_created`. Throws
 * `APIMisuseError` in the wrong phase, when no output pays the funding script with the agreed
 * value, or when an input is not segwit (BOLT 2: the funding txid must not be malleable).
 */
export function fundingTransactionGenerated(ctx: ChannelContext, fundingTx: Uint8Array): void {
  const { state, crypto } = ctx;
  if (state.phase !== ChannelPhase.FundingNegotiated) {
    throw new APIMisuseError(
      `fundingTransactionGenerated: expected phase ${ChannelPhase.FundingNegotiated}, got ${state.phase}`,
    );
  }
  let output;
  try {
    const tx = parseTransaction(fundingTx);
    if (!hasOnlySegwitInputs(tx)) {
      throw new APIMisuseError('funding transaction: every input must spend a segwit output');
    }
    output = findFundingOutput(
      tx,
      {
        localFundingPubkey: state.holderParams.pubkeys.fundingPubkey,
        remoteFundingPubkey: state.counterpartyParams!.pubkeys.fundingPubkey,
      },
      crypto,
    );
  } catch (e) {
    if (e instanceof APIMisuseError) throw e;
    throw new APIMisuseError('funding transaction: does not parse', { cause: e });
  }
  if (output === undefined) {
    throw new APIMisuseError('funding transaction: no output pays the 2-of-2 funding script');
  }
  if (output.valueSat !== state.fundingValueSat) {
    throw new APIMisuseError(
      `funding transaction: the funding output holds ${output.valueSat} sat, expected ${state.fundingValueSat}`,
    );
  }
  if (output.outpoint.vout > 0xffff) {
    throw new APIMisuseError('funding transaction: funding_output_index must fit a u16');
  }
  setFunding(ctx, output.outpoint.txid, output.outpoint.vout, fundingTx.slice());
  const signature = signFirstCounterpartyCommitment(ctx);
  state.phase = ChannelPhase.AwaitingFundingSigned;
  ctx.out.send({
    type: 'funding_created',
    temporaryChannelId: state.temporaryChannelId,
    fundingTxid: output.outpoint.txid,
    fundingOutputIndex: output.outpoint.vout,
    signature,
  });
}

/**
 * The accepter receives the funding outpoint and the funder's signature of our commitment 0:
 * verify it (BOLT 2: MUST fail on an invalid or high-S signature), sign the funder's, create the
 * monitor and send `funding_signed` once it is stored.
 */
export function handleFundingCreated(ctx: ChannelContext, m: FundingCreatedMessage): void {
  const { state } = ctx;
  if (state.phase !== ChannelPhase.TheirInitSent) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `funding_created: expected in phase ${ChannelPhase.TheirInitSent}, got it in ${state.phase}`,
      state.channelId,
    );
  }
  if (!equalBytes(m.temporaryChannelId, state.temporaryChannelId)) {
    throw closeError(
      ChannelCheck.TemporaryChannelIdMismatch,
      `temporary_channel_id: expected ${toHex(state.temporaryChannelId)}, got ${toHex(m.temporaryChannelId)}`,
      state.channelId,
    );
  }
  // A failure below fails the channel (nothing was sent yet), so partial state is never used.
  setFunding(ctx, m.fundingTxid, m.fundingOutputIndex, undefined);
  const signature = signFirstCounterpartyCommitment(ctx);
  acceptFirstHolderCommitment(ctx, m.signature);
  ctx.out.send({ type: 'funding_signed', channelId: state.channelId, signature });
  channelPending(ctx);
  sendChannelReadyIfDeep(ctx);
}

/**
 * The funder receives the accepter's signature of our commitment 0: verify it, create the
 * monitor, then (once stored) the funding transaction may be broadcast.
 */
export function handleFundingSigned(ctx: ChannelContext, m: FundingSignedMessage): void {
  const { state } = ctx;
  if (state.phase !== ChannelPhase.AwaitingFundingSigned) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `funding_signed: expected in phase ${ChannelPhase.AwaitingFundingSigned}, got it in ${state.phase}`,
      state.channelId,
    );
  }
  if (!equalBytes(m.channelId, state.channelId)) {
    throw closeError(
      ChannelCheck.ChannelIdMismatch,
      `channel_id: expected ${toHex(state.channelId)} (funding txid XOR output index), got ${toHex(m.channelId)}`,
      state.channelId,
    );
  }
  acceptFirstHolderCommitment(ctx, m.signature);
  ctx.out.event({
    type: 'FundingTxBroadcastSafe',
    channelId: toHex(state.channelId),
    fundingTx: state.funding!.tx!,
  });
  channelPending(ctx);
  sendChannelReadyIfDeep(ctx);
}

function channelPending(ctx: ChannelContext): void {
  const { state } = ctx;
  ctx.out.event({
    type: 'ChannelPending',
    channelId: toHex(state.channelId),
    fundingTxid: txidToHex(state.funding!.txid),
    fundingOutputIndex: state.funding!.outputIndex,
  });
}

/**
 * The mutual close fee negotiation with `closing_signed` (BOLT 2 "Legacy Closing Negotiation",
 * with `fee_range`): the funder proposes a fee and the range it accepts; the other side picks a
 * fee in the overlap of both ranges; the funder confirms it. Without `fee_range` each side moves
 * "strictly between" its last offer and the other's until they meet. Each proposal carries a
 * signature of the closing transaction at that fee (BOLT 3 "Legacy Closing Transaction"); once
 * both sides signed the same fee, the transaction is complete and handed to the manager.
 *
 * The fees come from the fee estimator, or from the host's target feerate when the close was
 * started with one (`ourRange`): the funder then opens at the target, and a non-funder answers
 * a `fee_range` with the fee nearest the target that the funder's range allows. Against a peer
 * without `fee_range` the target only sets our first offer and our range.
 */
import { ConfirmationTarget } from '../../chain/fee-estimator.js';
import {
  buildClosingTransaction,
  closingSignableInput,
  finalizeClosingTransaction,
  type ClosingTransaction,
} from '../../tx/closing.js';
import { TransactionError } from '../../tx/errors.js';
import { feeForWeight, msatToSatFloor } from '../../tx/fees.js';
import { sighashOfSignable } from '../../tx/sighash.js';
import { serializeTransaction, transactionWeight } from '../../tx/transaction.js';
import { toHex } from '../../util/bytes.js';
import type { ClosingSignedMessage } from '../../wire/messages/channel-close.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError, warnError } from './errors.js';
import { ChannelPhase, fundedView, type ClosingNegotiation } from './state.js';

/** The 2-of-2 witness adds about 224 weight units (marker, flag, two signatures, script). */
const FUNDING_WITNESS_WEIGHT = 224;

/** The closing transaction at `feeSat` as built with `dustLimitSat`. */
function closingTx(ctx: ChannelContext, feeSat: bigint, dustLimitSat: bigint): ClosingTransaction {
  const { state, crypto } = ctx;
  const { holder, funding, counterpartyParams } = fundedView(state);
  return buildClosingTransaction(
    {
      fundingOutpoint: { txid: funding.txid, vout: funding.outputIndex },
      fundingValueSat: state.fundingValueSat,
      localFundingPubkey: state.holderParams.pubkeys.fundingPubkey,
      remoteFundingPubkey: counterpartyParams.pubkeys.fundingPubkey,
      localScriptPubkey: state.holderShutdownScript!,
      remoteScriptPubkey: state.counterpartyShutdownScript!,
      toLocalMsat: holder.spec.toHolderMsat,
      toRemoteMsat: holder.spec.toCounterpartyMsat,
      feeSat,
      funder: state.isOutbound ? 'local' : 'remote',
      dustLimitSat,
    },
    crypto,
  );
}

/** The funder's balance in whole satoshis: the most the closing fee can be. */
function funderBalanceSat(ctx: ChannelContext): bigint {
  const { holder } = fundedView(ctx.state);
  return msatToSatFloor(
    ctx.state.isOutbound ? holder.spec.toHolderMsat : holder.spec.toCounterpartyMsat,
  );
}

/** The closing fee at `feerateSatPerKw`, for the transaction with both outputs. */
function feeAtFeerate(ctx: ChannelContext, feerateSatPerKw: number): bigint {
  const tx = closingTx(ctx, 0n, ctx.state.holderParams.dustLimitSat).tx;
  const weight = transactionWeight(tx) + FUNDING_WITNESS_WEIGHT;
  return feeForWeight(feerateSatPerKw, weight);
}

function clamp(v: bigint, min: bigint, max: bigint): bigint {
  return v < min ? min : v > max ? max : v;
}

/**
 * Our `fee_range` and the fee we propose, in satoshis, all capped by what the funder can pay.
 *
 * - The proposal is the fee at the host's target feerate when `closeChannel` gave one, else at
 *   the estimator's `NonAnchorChannelFee` (a close is not meant to need a fee bump).
 * - The minimum is the fee at the estimator's `ChannelCloseMinimum`, or at the target when that
 *   is lower: a host asking for a cheap close accepts one (BOLT 2: "a fairly low value").
 * - The funder pays at most twice its proposal; the other side accepts anything the funder can
 *   pay (BOLT 2 rationale: the non-funder has no reason for a maximum).
 */
function ourRange(ctx: ChannelContext): { min: bigint; max: bigint; proposal: bigint } {
  const { state, feeEstimator } = ctx;
  const cap = funderBalanceSat(ctx);
  const target = state.targetClosingFeerateSatPerKw;
  const closeMinimum = feeEstimator.getEstSatPer1000Weight(ConfirmationTarget.ChannelCloseMinimum);
  const minRate = target === undefined ? closeMinimum : Math.min(closeMinimum, target);
  const proposalRate =
    target ?? feeEstimator.getEstSatPer1000Weight(ConfirmationTarget.NonAnchorChannelFee);
  const min = clamp(feeAtFeerate(ctx, minRate), 0n, cap);
  const proposal = clamp(feeAtFeerate(ctx, proposalRate), min, cap);
  const max = state.isOutbound ? clamp(proposal * 2n, proposal, cap) : cap;
  return { min, max, proposal };
}

function sendClosingSigned(
  ctx: ChannelContext,
  c: ClosingNegotiation,
  feeSat: bigint,
  tx?: ClosingTransaction,
): void {
  const closing = tx ?? closingTx(ctx, feeSat, ctx.state.holderParams.dustLimitSat);
  const signature = ctx.signer.signClosingTransaction(closingSignableInput(closing));
  ctx.state.closing = { ...c, lastSentFeeSat: feeSat };
  ctx.out.send({
    type: 'closing_signed',
    channelId: ctx.state.channelId,
    feeSatoshis: feeSat,
    signature,
    feeRange: { minFeeSatoshis: c.ourMinFeeSat, maxFeeSatoshis: c.ourMaxFeeSat },
  });
}

/** Fixes our fee range and, as funder, sends the first `closing_signed`. */
export function startClosingNegotiation(ctx: ChannelContext): void {
  const { state } = ctx;
  if (state.awaitingReestablish) return;
  let c = state.closing;
  if (c === undefined) {
    const r = ourRange(ctx);
    c = {
      ourMinFeeSat: r.min,
      ourMaxFeeSat: r.max,
      lastSentFeeSat: undefined,
      lastReceivedFeeSat: undefined,
    };
    state.closing = c;
  }
  if (state.isOutbound && c.lastSentFeeSat === undefined) {
    sendClosingSigned(ctx, c, clamp(ourRange(ctx).proposal, c.ourMinFeeSat, c.ourMaxFeeSat));
  }
}

/** The variant of the closing transaction the peer signed, or `undefined` (BOLT 3: either). */
function signedVariant(
  ctx: ChannelContext,
  m: ClosingSignedMessage,
): ClosingTransaction | undefined {
  const { state, crypto } = ctx;
  const theirKey = fundedView(state).counterpartyParams.pubkeys.fundingPubkey;
  for (const dust of [state.counterpartyParams!.dustLimitSat, state.holderParams.dustLimitSat]) {
    let tx: ClosingTransaction;
    try {
      tx = closingTx(ctx, m.feeSatoshis, dust);
    } catch (e) {
      if (e instanceof TransactionError) continue;
      throw e;
    }
    const digest = sighashOfSignable(closingSignableInput(tx), crypto);
    if (crypto.verify(m.signature, digest, theirKey)) return tx;
  }
  return undefined;
}

function complete(
  ctx: ChannelContext,
  tx: ClosingTransaction,
  theirSignature: Uint8Array,
  reply: boolean,
): void {
  const { state } = ctx;
  const c = state.closing!;
  if (reply) sendClosingSigned(ctx, c, tx.params.feeSat, tx);
  const ours = ctx.signer.signClosingTransaction(closingSignableInput(tx));
  const signed = finalizeClosingTransaction(tx, {
    localSignature: ours,
    remoteSignature: theirSignature,
  });
  state.phase = ChannelPhase.Closed;
  state.closeReason = 'cooperative close';
  const channelId = toHex(state.channelId);
  ctx.out.event({ type: 'ClosingTxReady', channelId, closingTx: serializeTransaction(signed) });
  ctx.out.event({
    type: 'ChannelClosed',
    channelId,
    kind: 'CooperativeClosure',
    reason: state.closeReason,
  });
}

/**
 * The peer's `closing_signed`: verify the signature on either variant of the closing
 * transaction (`close` on failure), then agree, counter or fail as BOLT 2 lists.
 */
export function handleClosingSigned(ctx: ChannelContext, m: ClosingSignedMessage): void {
  const { state } = ctx;
  const id = state.channelId;
  const c = state.closing;
  if (state.phase !== ChannelPhase.ClosingNegotiation || c === undefined) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `closing_signed: not accepted in phase ${state.phase}`,
      id,
    );
  }
  if (m.feeSatoshis > funderBalanceSat(ctx)) {
    throw closeError(
      ChannelCheck.ClosingFeeOutOfRange,
      `fee_satoshis: ${m.feeSatoshis} is more than the funder's ${funderBalanceSat(ctx)} sat`,
      id,
    );
  }
  const tx = signedVariant(ctx, m);
  if (tx === undefined) {
    throw closeError(
      ChannelCheck.BadClosingSignature,
      `signature: not valid for the closing transaction paying ${m.feeSatoshis} sat`,
      id,
    );
  }
  if (m.feeSatoshis === c.lastSentFeeSat) {
    complete(ctx, tx, m.signature, false);
    return;
  }
  const previous = c;
  state.closing = { ...c, lastReceivedFeeSat: m.feeSatoshis };
  if (m.feeRange !== undefined) {
    const lo =
      m.feeRange.minFeeSatoshis > c.ourMinFeeSat ? m.feeRange.minFeeSatoshis : c.ourMinFeeSat;
    const hi =
      m.feeRange.maxFeeSatoshis < c.ourMaxFeeSat ? m.feeRange.maxFeeSatoshis : c.ourMaxFeeSat;
    if (lo > hi) {
      state.closing = previous;
      throw warnError(
        ChannelCheck.ClosingFeeRangeDisjoint,
        `fee_range: [${m.feeRange.minFeeSatoshis}, ${m.feeRange.maxFeeSatoshis}] does not meet ours [${c.ourMinFeeSat}, ${c.ourMaxFeeSat}]`,
        id,
      );
    }
    const inOverlap = m.feeSatoshis >= lo && m.feeSatoshis <= hi;
    if (state.isOutbound || c.lastSentFeeSat !== undefined) {
      // The funder must get a fee in the overlap; a non-funder that already answered must get its own fee back.
      if (!state.isOutbound || !inOverlap) {
        throw closeError(
          ChannelCheck.ClosingFeeOutOfRange,
          `fee_satoshis: ${m.feeSatoshis} is not in the overlap [${lo}, ${hi}]${state.isOutbound ? '' : ` nor our ${c.lastSentFeeSat}`}`,
          id,
        );
      }
      complete(ctx, tx, m.signature, true);
      return;
    }
    // A non-funder with a target feerate answers with the fee at its target, moved into the
    // overlap; otherwise it takes the funder's fee when it can (BOLT 2: any fee in the overlap).
    const wanted =
      state.targetClosingFeerateSatPerKw === undefined
        ? m.feeSatoshis
        : clamp(ourRange(ctx).proposal, c.ourMinFeeSat, c.ourMaxFeeSat);
    const reply = clamp(wanted, lo, hi);
    if (reply === m.feeSatoshis) complete(ctx, tx, m.signature, true);
    else sendClosingSigned(ctx, state.closing, reply);
    return;
  }
  // Legacy negotiation: each new fee strictly between the last two, until equal.
  const last = c.lastSentFeeSat;
  const prev = c.lastReceivedFeeSat;
  if (last !== undefined && prev !== undefined) {
    const lo = last < prev ? last : prev;
    const hi = last < prev ? prev : last;
    if (m.feeSatoshis <= lo || m.feeSatoshis >= hi) {
      throw closeError(
        ChannelCheck.ClosingFeeNotBetween,
        `fee_satoshis: expected strictly between ${lo} and ${hi}, got ${m.feeSatoshis}`,
        id,
      );
    }
  }
  if (m.feeSatoshis >= c.ourMinFeeSat && m.feeSatoshis <= c.ourMaxFeeSat) {
    complete(ctx, tx, m.signature, true);
    return;
  }
  const target = clamp(m.feeSatoshis, c.ourMinFeeSat, c.ourMaxFeeSat);
  const next = last === undefined ? target : (last + m.feeSatoshis) / 2n;
  if (next === m.feeSatoshis) complete(ctx, tx, m.signature, true);
  else sendClosingSigned(ctx, state.closing, next);
}

/**
 * `update_fee` (BOLT 2 "Updating Fees"): only the funder sets the commitment feerate. Like any
 * update it goes to the receiver's commitment first and is committed with `commitment_signed`.
 * The receiver checks the sender is the funder, the feerate is neither too low to confirm nor
 * unreasonably high (our `FeeEstimator`'s bounds, as for `open_channel`), and that the funder can
 * pay it and keep its reserve.
 *
 * Not applied: BOLT 2's optional dust-exposure check of an `update_fee` on non-anchor channels
 * (a higher feerate trims more HTLCs); `maxDustHtlcExposureMsat` is enforced when HTLCs are added.
 */
import { ConfirmationTarget } from '../../chain/fee-estimator.js';
import { hasAnchors } from '../../tx/channel-type.js';
import { satToMsat } from '../../tx/fees.js';
import { APIMisuseError } from '../../util/errors.js';
import type { UpdateFeeMessage } from '../../wire/messages/commitment.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError, ignoreError } from './errors.js';
import { funderCostMsat, type CommitmentView } from './htlc-limits.js';

import { checkFeerate } from './open-checks.js';
import { nextCounterpartySpec, nextHolderSpec } from './spec.js';
import { acceptsUpdates, fundedView } from './state.js';

/**
 * Proposes a new commitment feerate (we must be the funder): checks we can pay it on both
 * commitments while keeping the reserve the peer asked of us, logs and sends `update_fee`. The
 * manager commits it with `sendCommitment`. Refusals are `ignore` `ChannelError`s.
 */
export function proposeFeeUpdate(ctx: ChannelContext, feerateSatPerKw: number): void {
  const { state } = ctx;
  if (!Number.isInteger(feerateSatPerKw) || feerateSatPerKw < 0 || feerateSatPerKw > 0xffffffff) {
    throw new APIMisuseError(`feerateSatPerKw: expected a u32, got ${feerateSatPerKw}`);
  }
  if (!state.isOutbound) {
    throw ignoreError(
      ChannelCheck.NotFunder,
      'proposeFeeUpdate: only the funder sends update_fee',
      state.channelId,
    );
  }
  if (!acceptsUpdates(state)) {
    throw ignoreError(
      ChannelCheck.ChannelNotReady,
      `proposeFeeUpdate: not possible in phase ${state.phase}`,
      state.channelId,
    );
  }
  if (state.awaitingReestablish) {
    throw ignoreError(
      ChannelCheck.PeerDisconnected,
      'proposeFeeUpdate: the peer is not connected',
      state.channelId,
    );
  }
  const { counterpartyParams } = fundedView(state);
  const m: UpdateFeeMessage = { type: 'update_fee', channelId: state.channelId, feerateSatPerKw };
  const reserveMsat = satToMsat(counterpartyParams.channelReserveSat);
  const holderView: CommitmentView = {
    owner: 'holder',
    dustLimitSat: state.holderParams.dustLimitSat,
    channelType: state.channelType,
  };
  const counterpartyView: CommitmentView = {
    owner: 'counterparty',
    dustLimitSat: counterpartyParams.dustLimitSat,
    channelType: state.channelType,
  };
  const theirs = nextCounterpartySpec(state, [m]);
  const ours = nextHolderSpec(state);
  const ourNext = { ...ours, feerateSatPerKw };
  for (const [view, spec] of [
    [counterpartyView, theirs],
    [holderView, ourNext],
  ] as const) {
    const left = spec.toHolderMsat - funderCostMsat(view, spec);
    if (left < reserveMsat) {
      throw ignoreError(
        ChannelCheck.FunderCannotAffordFee,
        `feerate_per_kw: ${feerateSatPerKw} would leave us ${left} msat after fees, below the ${reserveMsat} msat reserve`,
        state.channelId,
      );
    }
  }
  state.updates.ourProposed.push(m);
  ctx.out.send(m);
}

/** The peer's `update_fee`: every BOLT 2 receiver check, then logged (`close` on failure). */
export function handleUpdateFee(ctx: ChannelContext, m: UpdateFeeMessage): void {
  const { state, feeEstimator } = ctx;
  if (state.isOutbound) {
    throw closeError(
      ChannelCheck.UpdateFeeFromNonFunder,
      'update_fee: the peer is not the funder and must not send it',
      state.channelId,
    );
  }
  if (!acceptsUpdates(state)) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `update_fee: not accepted in phase ${state.phase}`,
      state.channelId,
    );
  }
  checkFeerate(m.feerateSatPerKw, state.channelType, feeEstimator, state.channelId);
  const next = nextHolderSpec(state, [m]);
  const view: CommitmentView = {
    owner: 'holder',
    dustLimitSat: state.holderParams.dustLimitSat,
    channelType: state.channelType,
  };
  const left = next.toCounterpartyMsat - funderCostMsat(view, next);
  const reserveMsat = satToMsat(state.holderParams.channelReserveSat);
  if (left < reserveMsat) {
    throw closeError(
      ChannelCheck.FunderCannotAffordFee,
      `feerate_per_kw: ${m.feerateSatPerKw} leaves the funder ${left} msat after fees, below its ${reserveMsat} msat reserve`,
      state.channelId,
    );
  }
  state.updates.theirProposed.push(m);
}

/**
 * The feerate the funder should move to, for the manager's timer: the estimator's commitment
 * target, when it differs from the current (or pending) feerate by more than a fifth upwards or
 * by half downwards (LDK's thresholds, so the channel does not update on every small change).
 * `undefined` when no update is due or we are not the funder.
 */
export function feerateToPropose(ctx: ChannelContext): number | undefined {
  const { state } = ctx;
  if (!state.isOutbound || !acceptsUpdates(state) || state.holderCommitment === undefined)
    return undefined;
  const target = hasAnchors(state.channelType)
    ? ConfirmationTarget.AnchorChannelFee
    : ConfirmationTarget.NonAnchorChannelFee;
  const wanted = ctx.feeEstimator.getEstSatPer1000Weight(target);
  const current = nextCounterpartySpec(state).feerateSatPerKw;
  if (wanted > current + Math.floor(current / 5) || wanted < Math.floor(current / 2)) return wanted;
  return undefined;
}

/**
 * Building the `ChannelMonitorUpdate` steps (`src/chain/channel-monitor-update-steps.ts`) from
 * the channel state: what the monitor must know after each change that affects funds.
 */
import type {
  ChannelSetupStep,
  LatestCounterpartyCommitmentStep,
  LatestHolderCommitmentStep,
} from '../../chain/channel-monitor-update-steps.js';
import { serializeTransaction } from '../../tx/transaction.js';
import type { BuiltCommitment } from './commitment-tx.js';
import { monitorHtlcs } from './commitment-tx.js';
import type { ChannelContext } from './context.js';
import type { ChannelState, CounterpartyCommitment, HolderCommitment } from './state.js';
import { fundedView } from './state.js';

/** The fixed facts of a funded channel (first step of update 0). */
export function channelSetupStep(state: ChannelState): ChannelSetupStep {
  const { counterpartyParams, funding } = fundedView(state);
  return {
    type: 'ChannelSetup',
    channelKeysId: state.channelKeysId,
    isOutbound: state.isOutbound,
    channelType: state.channelType,
    fundingTxid: funding.txid,
    fundingOutputIndex: funding.outputIndex,
    fundingValueSat: state.fundingValueSat,
    holderPubkeys: state.holderParams.pubkeys,
    counterpartyPubkeys: counterpartyParams.pubkeys,
    holderToSelfDelay: counterpartyParams.toSelfDelay,
    counterpartyToSelfDelay: state.holderParams.toSelfDelay,
    holderDustLimitSat: state.holderParams.dustLimitSat,
    counterpartyDustLimitSat: counterpartyParams.dustLimitSat,
  };
}

/** Our new commitment with the peer's signatures: what the monitor broadcasts on a close. */
export function holderCommitmentStep(
  ctx: ChannelContext,
  holder: HolderCommitment,
  built: BuiltCommitment,
): LatestHolderCommitmentStep {
  return {
    type: 'LatestHolderCommitment',
    commitmentNumber: holder.commitmentNumber,
    perCommitmentPoint: ctx.signer.getPerCommitmentPoint(holder.commitmentNumber),
    feerateSatPerKw: holder.spec.feerateSatPerKw,
    toHolderMsat: holder.spec.toHolderMsat,
    toCounterpartyMsat: holder.spec.toCounterpartyMsat,
    unsignedTx: serializeTransaction(built.commitment.tx, { witness: false }),
    counterpartySignature: holder.counterpartySignature,
    htlcs: monitorHtlcs(holder.spec, built, holder.counterpartyHtlcSignatures),
  };
}

/** A peer commitment we signed: what the monitor claims from if it confirms. */
export function counterpartyCommitmentStep(
  commitment: CounterpartyCommitment,
  built: BuiltCommitment,
): LatestCounterpartyCommitmentStep {
  return {
    type: 'LatestCounterpartyCommitment',
    commitmentNumber: commitment.commitmentNumber,
    perCommitmentPoint: commitment.perCommitmentPoint,
    txid: commitment.txid,
    feerateSatPerKw: commitment.spec.feerateSatPerKw,
    toHolderMsat: commitment.spec.toHolderMsat,
    toCounterpartyMsat: commitment.spec.toCounterpartyMsat,
    htlcs: monitorHtlcs(commitment.spec, built),
  };
}

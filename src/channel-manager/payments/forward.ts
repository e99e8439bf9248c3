/**
 * Forwarding an HTLC (BOLT 4 "Accepting and Forwarding a Payment", BOLT 7 fees): the checks a
 * relaying node makes against the outgoing channel and our `UserConfig`, each failing with its
 * BOLT 4 code (UPDATE codes carry our `channel_update` for the scid the onion named), then the
 * outgoing HTLC, remembered with its upstream so a fulfil or failure goes back the way it came.
 */
import type { FailureMessage } from '../../onion/failure-message.js';
import { FailureCode } from '../../onion/failure-codes.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';
import { ourChannelUpdate } from './channel-update.js';
import { CLTV_FAR_FAR_AWAY, FORWARD_EXPIRY_GRACE } from './payment-limits.js';
import { entryByScid, failIncoming, isUsable, trySendHtlc } from './payment-helpers.js';
import { outgoingKey, type PendingHtlc } from './payment-state.js';

type PendingForward = Extract<PendingHtlc, { kind: 'forward' }>;

/** BOLT 7: `fee_base_msat + amount_to_forward * fee_proportional_millionths / 1000000`. */
export function forwardingFeeMsat(entry: ChannelEntry, amountToForwardMsat: bigint): bigint {
  return (
    BigInt(entry.config.forwardingFeeBaseMsat) +
    (amountToForwardMsat * BigInt(entry.config.forwardingFeeProportionalMillionths)) / 1_000_000n
  );
}

/** The failure for a forward `out` cannot carry, or undefined when it may go. */
function check(
  ctx: ManagerContext,
  p: PendingForward,
  out: ChannelEntry,
): FailureMessage | undefined {
  const update = (disabled = false): Uint8Array =>
    ourChannelUpdate(ctx, out, p.nextShortChannelId, disabled);
  const height = ctx.bestBlock.height;
  if (!ctx.peers.has(out.counterpartyNodeId) || out.channel.state.awaitingReestablish) {
    return {
      failureCode: FailureCode.channelDisabled,
      disabledFlags: 0,
      channelUpdate: update(true),
    };
  }
  if (!isUsable(ctx, out)) {
    return { failureCode: FailureCode.temporaryChannelFailure, channelUpdate: update() };
  }
  const minimum = out.channel.state.counterpartyParams?.htlcMinimumMsat ?? 1n;
  if (p.amountToForwardMsat < minimum) {
    return {
      failureCode: FailureCode.amountBelowMinimum,
      htlcMsat: p.incomingAmountMsat,
      channelUpdate: update(),
    };
  }
  if (
    p.incomingAmountMsat <
    p.amountToForwardMsat + forwardingFeeMsat(out, p.amountToForwardMsat)
  ) {
    return {
      failureCode: FailureCode.feeInsufficient,
      htlcMsat: p.incomingAmountMsat,
      channelUpdate: update(),
    };
  }
  if (p.incomingCltvExpiry < p.outgoingCltvValue + out.config.cltvExpiryDelta) {
    return {
      failureCode: FailureCode.incorrectCltvExpiry,
      cltvExpiry: p.incomingCltvExpiry,
      channelUpdate: update(),
    };
  }
  if (p.outgoingCltvValue <= height + FORWARD_EXPIRY_GRACE) {
    return { failureCode: FailureCode.expiryTooSoon, channelUpdate: update() };
  }
  if (p.incomingCltvExpiry > height + CLTV_FAR_FAR_AWAY) {
    return { failureCode: FailureCode.expiryTooFar };
  }
  return undefined;
}

/** Forwards one pending HTLC, or fails it back with the reason. */
export function processForward(ctx: ManagerContext, p: PendingForward): void {
  const ref = {
    channelId: p.prevChannelId,
    counterpartyNodeId: p.prevCounterpartyNodeId,
    htlcId: p.prevHtlcId,
    sharedSecret: p.sharedSecret,
  };
  const out = entryByScid(ctx, p.nextShortChannelId);
  if (out === undefined) {
    failIncoming(ctx, ref, { message: { failureCode: FailureCode.unknownNextPeer } });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: p.prevChannelId,
      failedNextDestination: {
        type: 'UnknownNextHop',
        requestedForwardScid: p.nextShortChannelId,
      },
    });
    return;
  }
  const failed = (message: FailureMessage): void => {
    failIncoming(ctx, ref, { message });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: p.prevChannelId,
      failedNextDestination: {
        type: 'NextHopChannel',
        nodeId: out.counterpartyNodeId,
        channelId: out.channel.channelId,
      },
    });
  };
  const failure = check(ctx, p, out);
  if (failure !== undefined) {
    failed(failure);
    return;
  }
  const sent = trySendHtlc(ctx, out, {
    amountMsat: p.amountToForwardMsat,
    paymentHash: p.paymentHash,
    cltvExpiry: p.outgoingCltvValue,
    onionRoutingPacket: p.nextOnion,
  });
  if ('error' in sent) {
    ctx.log(
      'info',
      `forward refused: ${sent.error}`,
      out.counterpartyNodeId,
      out.channel.channelId,
    );
    failed({
      failureCode: FailureCode.temporaryChannelFailure,
      channelUpdate: ourChannelUpdate(ctx, out, p.nextShortChannelId),
    });
    return;
  }
  ctx.payments.outgoingHtlcs.set(outgoingKey(out.channel.channelId, sent.htlcId), {
    channelId: out.channel.channelId,
    htlcId: sent.htlcId,
    amountMsat: p.amountToForwardMsat,
    source: {
      kind: 'forward',
      prevChannelId: p.prevChannelId,
      prevCounterpartyNodeId: p.prevCounterpartyNodeId,
      prevHtlcId: p.prevHtlcId,
      sharedSecret: p.sharedSecret,
      incomingAmountMsat: p.incomingAmountMsat,
      blinded: p.blinded,
    },
  });
}

/**
 * The resolution of an HTLC we offered, routed to what it belongs to: our own payment
 * (`send.ts`), or a forward whose incoming HTLC now settles the same way (BOLT 4: a preimage is
 * claimed upstream at once; a failure is wrapped with the incoming onion's shared secret, and an
 * `update_fail_malformed_htlc` from downstream becomes our own failure with its code and
 * `sha256_of_onion`, as "Returning Errors" asks).
 */
import type { ChannelEvent } from '../channel/events.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';
import { entryByChannelId, failIncoming, preimageToClosedChannel } from './payment-helpers.js';
import { outgoingKey } from './payment-state.js';
import { onOutboundFailed, onOutboundFulfilled } from './send.js';

type HtlcFulfilled = Extract<ChannelEvent, { type: 'HtlcFulfilled' }>;
type HtlcFailed = Extract<ChannelEvent, { type: 'HtlcFailed' }>;

/** The peer fulfilled an HTLC we offered. */
export function onHtlcFulfilled(ctx: ManagerContext, entry: ChannelEntry, e: HtlcFulfilled): void {
  const key = outgoingKey(e.channelId, e.htlcId);
  const out = ctx.payments.outgoingHtlcs.get(key);
  if (out === undefined) {
    ctx.log(
      'debug',
      `HTLC ${e.htlcId} fulfilled with no payment of ours`,
      entry.counterpartyNodeId,
    );
    return;
  }
  ctx.payments.outgoingHtlcs.delete(key);
  ctx.markDirty();
  const source = out.source;
  if (source.kind === 'outbound') {
    onOutboundFulfilled(ctx, source, e.paymentPreimage);
    return;
  }
  const preimage = e.paymentPreimage.slice();
  ctx.defer(() => {
    const prev = entryByChannelId(ctx, source.prevChannelId);
    if (prev === undefined) {
      // The incoming channel went to chain: its monitor claims the HTLC there.
      preimageToClosedChannel(ctx, source.prevChannelId, preimage);
    } else {
      ctx.run(prev, () => prev.channel.claimHtlc(source.prevHtlcId, preimage));
      ctx.touch(prev);
    }
  });
  ctx.queueEvent({
    type: 'PaymentForwarded',
    prevChannelId: source.prevChannelId,
    nextChannelId: e.channelId,
    prevNodeId: source.prevCounterpartyNodeId,
    nextNodeId: entry.counterpartyNodeId,
    totalFeeEarnedMsat: source.incomingAmountMsat - out.amountMsat,
    outboundAmountForwardedMsat: out.amountMsat,
    claimFromOnchainTx: false,
  });
}

/** The peer's failure of an HTLC we offered is committed. */
export function onHtlcFailed(ctx: ManagerContext, entry: ChannelEntry, e: HtlcFailed): void {
  const key = outgoingKey(e.channelId, e.htlcId);
  const out = ctx.payments.outgoingHtlcs.get(key);
  if (out === undefined) {
    ctx.log('debug', `HTLC ${e.htlcId} failed with no payment of ours`, entry.counterpartyNodeId);
    return;
  }
  ctx.payments.outgoingHtlcs.delete(key);
  ctx.markDirty();
  const source = out.source;
  if (source.kind === 'outbound') {
    onOutboundFailed(ctx, source, e);
    return;
  }
  const ref = {
    channelId: source.prevChannelId,
    counterpartyNodeId: source.prevCounterpartyNodeId,
    htlcId: source.prevHtlcId,
    sharedSecret: source.sharedSecret,
  };
  const reason = e.reason;
  const malformed = e.malformed;
  ctx.defer(() => {
    if (reason !== undefined) {
      failIncoming(ctx, ref, { packet: { reason } });
    } else if (malformed !== undefined) {
      failIncoming(ctx, ref, {
        message: { failureCode: malformed.failureCode, sha256OfOnion: malformed.sha256OfOnion },
      });
    }
  });
  ctx.queueEvent({
    type: 'HTLCHandlingFailed',
    prevChannelId: source.prevChannelId,
    failedNextDestination: {
      type: 'NextHopChannel',
      nodeId: entry.counterpartyNodeId,
      channelId: e.channelId,
    },
  });
}

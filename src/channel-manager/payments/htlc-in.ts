/**
 * An HTLC the peer offered us became irrevocably committed (BOLT 2: only then may it be forwarded
 * or claimed). Its onion is peeled here (BOLT 4 "Accepting and Forwarding a Payment"):
 *
 * - an onion that does not decrypt is failed at once with `update_fail_malformed_htlc`;
 * - a payload that does not validate is failed at once with the failure `peelPaymentOnion` chose;
 * - an HTLC the channel refused (dust exposure, fee spike buffer, closing) fails with
 *   `temporary_channel_failure`;
 * - a forward or a payment to us waits in `pendingHtlcs` for `processPendingHtlcForwards`, which
 *   `PendingHTLCsForwardable` asks the host to call (the delay batches HTLCs and hides timing).
 *
 * Blinded paths end here for now: an HTLC inside one is failed with `invalid_onion_blinding`
 * the way BOLT 4 asks (malformed when it came with a `path_key`). Receiving over blinded paths
 * comes with offers.
 */
import { FailureCode } from '../../onion/failure-codes.js';
import { peelPaymentOnion } from '../../onion/payment-onion.js';
import { toHex } from '../../util/bytes.js';
import type { ChannelEvent } from '../channel/events.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';
import { failIncoming } from './payment-helpers.js';
import type { PendingHtlc } from './payment-state.js';

/** How long the host should wait before `processPendingHtlcForwards` (LDK uses the same order). */
export const FORWARD_DELAY_MS = 100;

type HtlcReceived = Extract<ChannelEvent, { type: 'HtlcReceived' }>;

/** Handles a committed incoming HTLC (see the module comment). */
export function onHtlcReceived(ctx: ManagerContext, entry: ChannelEntry, e: HtlcReceived): void {
  const nodeId = entry.counterpartyNodeId;
  let peeled;
  try {
    peeled = peelPaymentOnion(e.onionRoutingPacket, {
      nodeEcdh: (publicKey) => ctx.keys.ecdh(publicKey),
      paymentHash: e.paymentHash,
      crypto: ctx.crypto,
      ...(e.pathKey === undefined ? {} : { pathKey: e.pathKey }),
    });
  } catch (err) {
    // Only a broken signer gets here: the HTLC is failed as an onion we could not read.
    ctx.log('error', `peeling an onion failed: ${String(err)}`, nodeId, e.channelId);
    peeled = {
      kind: 'malformed',
      failureCode: FailureCode.invalidOnionKey,
      sha256OfOnion: ctx.crypto.sha256(e.onionRoutingPacket),
    } as const;
  }
  const malformed = (failureCode: number, sha256OfOnion: Uint8Array): void => {
    ctx.defer(() => {
      ctx.run(entry, () => entry.channel.failMalformedHtlc(e.htlcId, sha256OfOnion, failureCode));
      ctx.touch(entry);
    });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: e.channelId,
      failedNextDestination: { type: 'InvalidOnion' },
    });
  };
  if (peeled.kind === 'malformed') {
    malformed(peeled.failureCode, peeled.sha256OfOnion);
    return;
  }
  const ref = {
    channelId: e.channelId,
    counterpartyNodeId: nodeId,
    htlcId: e.htlcId,
    sharedSecret: peeled.sharedSecret,
  };
  if (peeled.kind === 'fail') {
    const failure = peeled.failure;
    ctx.defer(() => {
      failIncoming(ctx, ref, { message: failure });
    });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: e.channelId,
      failedNextDestination: { type: 'InvalidOnion' },
    });
    return;
  }
  if (peeled.kind === 'blinded-forward' || peeled.kind === 'blinded-receive') {
    if (e.pathKey !== undefined) {
      malformed(FailureCode.invalidOnionBlinding, ctx.crypto.sha256(e.onionRoutingPacket));
    } else {
      ctx.defer(() => {
        failIncoming(ctx, ref, {
          message: {
            failureCode: FailureCode.invalidOnionBlinding,
            sha256OfOnion: ctx.crypto.sha256(e.onionRoutingPacket),
          },
        });
      });
    }
    return;
  }
  if (e.refusal !== undefined) {
    ctx.log('info', `failing HTLC ${e.htlcId}: ${e.refusal}`, nodeId, e.channelId);
    ctx.defer(() => {
      failIncoming(ctx, ref, { message: { failureCode: FailureCode.temporaryChannelFailure } });
    });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: e.channelId,
      failedNextDestination:
        peeled.kind === 'forward'
          ? { type: 'UnknownNextHop', requestedForwardScid: peeled.shortChannelId }
          : { type: 'FailedPayment', paymentHash: toHex(e.paymentHash) },
    });
    return;
  }
  let pending: PendingHtlc;
  if (peeled.kind === 'forward') {
    pending = {
      kind: 'forward',
      prevChannelId: e.channelId,
      prevCounterpartyNodeId: nodeId,
      prevHtlcId: e.htlcId,
      incomingAmountMsat: e.amountMsat,
      incomingCltvExpiry: e.cltvExpiry,
      sharedSecret: peeled.sharedSecret,
      blinded: false,
      paymentHash: e.paymentHash,
      nextShortChannelId: peeled.shortChannelId,
      amountToForwardMsat: peeled.amtToForwardMsat,
      outgoingCltvValue: peeled.outgoingCltvValue,
      nextOnion: peeled.nextPacket,
    };
  } else {
    pending = {
      kind: 'receive',
      htlc: {
        channelId: e.channelId,
        counterpartyNodeId: nodeId,
        userChannelId: entry.channel.state.userChannelId,
        htlcId: e.htlcId,
        amountMsat: e.amountMsat,
        cltvExpiry: e.cltvExpiry,
        totalMsat: peeled.totalMsat,
        sharedSecret: peeled.sharedSecret,
        blinded: false,
      },
      paymentHash: e.paymentHash,
      amountToForwardMsat: peeled.amtToForwardMsat,
      outgoingCltvValue: peeled.outgoingCltvValue,
      paymentSecret: peeled.paymentSecret,
      paymentMetadata: peeled.paymentMetadata,
      keysendPreimage: peeled.keysendPreimage,
    };
  }
  ctx.payments.pendingHtlcs.push(pending);
  signalForwardable(ctx);
}

/** Raises `PendingHTLCsForwardable` once until `processPendingHtlcForwards` runs. */
export function signalForwardable(ctx: ManagerContext): void {
  if (ctx.payments.forwardableSignalled) return;
  ctx.payments.forwardableSignalled = true;
  ctx.queueEvent({ type: 'PendingHTLCsForwardable', timeForwardableMs: FORWARD_DELAY_MS });
}

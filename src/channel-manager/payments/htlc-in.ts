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
import type { HtlcDestination } from '../../events/payment-events.js';
import { FailureCode } from '../../onion/failure-codes.js';
import type { FailureMessage } from '../../onion/failure-message.js';
import { peelPaymentOnion } from '../../onion/payment-onion.js';
import { toHex } from '../../util/bytes.js';
import type { ChannelEvent } from '../channel/events.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';
import { entryByScid, failIncoming } from './payment-helpers.js';
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
  /** Fails the HTLC back once this channel call is done, and tells the host where it was going. */
  const reject = (
    destination: HtlcDestination,
    failure:
      | { readonly malformed: number }
      | { readonly message: FailureMessage; readonly sharedSecret: Uint8Array },
  ): void => {
    ctx.defer(() => {
      if ('malformed' in failure) {
        const sha256OfOnion = ctx.crypto.sha256(e.onionRoutingPacket);
        ctx.run(entry, () =>
          entry.channel.failMalformedHtlc(e.htlcId, sha256OfOnion, failure.malformed),
        );
        ctx.touch(entry);
      } else {
        failIncoming(
          ctx,
          { channelId: e.channelId, counterpartyNodeId: nodeId, htlcId: e.htlcId, ...failure },
          { message: failure.message },
        );
      }
    });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: e.channelId,
      failedNextDestination: destination,
    });
  };
  const invalidOnion = { type: 'InvalidOnion' } as const;
  if (peeled.kind === 'malformed') {
    reject(invalidOnion, { malformed: peeled.failureCode });
    return;
  }
  const sharedSecret = peeled.sharedSecret;
  if (peeled.kind === 'fail') {
    reject(invalidOnion, { message: peeled.failure, sharedSecret });
    return;
  }
  if (peeled.kind === 'blinded-forward' || peeled.kind === 'blinded-receive') {
    if (e.pathKey !== undefined) {
      reject(invalidOnion, { malformed: FailureCode.invalidOnionBlinding });
    } else {
      const sha256OfOnion = ctx.crypto.sha256(e.onionRoutingPacket);
      const message = { failureCode: FailureCode.invalidOnionBlinding, sha256OfOnion };
      reject(invalidOnion, { message, sharedSecret });
    }
    return;
  }
  if (e.refusal !== undefined) {
    ctx.log('info', `failing HTLC ${e.htlcId}: ${e.refusal}`, nodeId, e.channelId);
    const message = { failureCode: FailureCode.temporaryChannelFailure };
    reject(destinationOf(ctx, peeled, e.paymentHash), { message, sharedSecret });
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

/** Where a peeled HTLC was going, for `HTLCHandlingFailed`. */
function destinationOf(
  ctx: ManagerContext,
  peeled:
    { readonly kind: 'forward'; readonly shortChannelId: bigint } | { readonly kind: 'receive' },
  paymentHash: Uint8Array,
): HtlcDestination {
  if (peeled.kind === 'receive') return { type: 'FailedPayment', paymentHash: toHex(paymentHash) };
  const next = entryByScid(ctx, peeled.shortChannelId);
  return next === undefined
    ? { type: 'UnknownNextHop', requestedForwardScid: peeled.shortChannelId }
    : {
        type: 'NextHopChannel',
        nodeId: next.counterpartyNodeId,
        channelId: next.channel.channelId,
      };
}

/** Raises `PendingHTLCsForwardable` once until `processPendingHtlcForwards` runs. */
export function signalForwardable(ctx: ManagerContext): void {
  if (ctx.payments.forwardableSignalled) return;
  ctx.payments.forwardableSignalled = true;
  ctx.queueEvent({ type: 'PendingHTLCsForwardable', timeForwardableMs: FORWARD_DELAY_MS });
}

/**
 * Payments to us (BOLT 4 "Requirements" for the final node, "Basic Multi-Part Payments"): each
 * HTLC is checked against what the payment secret proves (`inbound-payment.ts`: ours, not
 * expired, amount, final CLTV) or against the keysend preimage, collected with the other parts
 * of its payment hash until they reach `total_msat`, and then offered to the host as
 * `PaymentClaimable`. The host answers `claimFunds(preimage)` or `failHtlcBackwards(hash)`.
 *
 * A set that stays incomplete for `MPP_TIMEOUT_TICKS` timer ticks fails with `mpp_timeout`; a
 * claimable payment left unclaimed until `HTLC_FAIL_BACK_BUFFER` blocks before its earliest
 * expiry fails back, so no channel has to go to chain for a payment we did not want.
 */
import { FailureCode } from '../../onion/failure-codes.js';
import type { FailureMessage } from '../../onion/failure-message.js';
import { equalBytes, toHex } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type { PaymentPurpose } from '../../events/payment-events.js';
import type { ManagerContext } from '../manager-context.js';
import { verifyInboundPayment } from './inbound-payment.js';
import { entryByChannelId, failIncoming, preimageToClosedChannel } from './payment-helpers.js';
import {
  FINAL_CLTV_TOLERANCE,
  HTLC_FAIL_BACK_BUFFER,
  MIN_FINAL_CLTV_EXPIRY_DELTA,
  MPP_TIMEOUT_TICKS,
} from './payment-limits.js';
import type { ClaimableHtlc, InboundPayment, PendingHtlc } from './payment-state.js';

type PendingReceive = Extract<PendingHtlc, { kind: 'receive' }>;

/** BOLT 4: the final node's catch-all failure, with the HTLC amount and our height. */
function unknownDetails(ctx: ManagerContext, h: ClaimableHtlc): FailureMessage {
  return {
    failureCode: FailureCode.incorrectOrUnknownPaymentDetails,
    htlcMsat: h.amountMsat,
    height: ctx.bestBlock.height,
  };
}

function failHtlcs(
  ctx: ManagerContext,
  paymentHash: Uint8Array,
  htlcs: readonly ClaimableHtlc[],
  failure: (h: ClaimableHtlc) => FailureMessage,
): void {
  for (const h of htlcs) {
    failIncoming(ctx, h, { message: failure(h) });
    ctx.queueEvent({
      type: 'HTLCHandlingFailed',
      prevChannelId: h.channelId,
      failedNextDestination: { type: 'FailedPayment', paymentHash: toHex(paymentHash) },
    });
  }
}

type Purpose = InboundPayment['purpose'];

/** The purpose `p` proves, or the failure to send back. */
function purposeOf(ctx: ManagerContext, p: PendingReceive): Purpose | FailureMessage {
  const h = p.htlc;
  const height = ctx.bestBlock.height;
  if (p.keysendPreimage !== undefined) {
    if (
      !ctx.config.acceptKeysend ||
      !equalBytes(ctx.crypto.sha256(p.keysendPreimage), p.paymentHash) ||
      h.totalMsat !== p.amountToForwardMsat ||
      h.cltvExpiry < height + MIN_FINAL_CLTV_EXPIRY_DELTA - FINAL_CLTV_TOLERANCE
    ) {
      return unknownDetails(ctx, h);
    }
    return { type: 'SpontaneousPayment', paymentPreimage: p.keysendPreimage };
  }
  if (p.paymentSecret === undefined) return unknownDetails(ctx, h);
  const proof = verifyInboundPayment(ctx.inboundKeys, p.paymentHash, p.paymentSecret, ctx.crypto);
  if (proof === undefined || proof.expiresAtSeconds < ctx.nowSeconds()) {
    return unknownDetails(ctx, h);
  }
  const minFinal = proof.minFinalCltvExpiryDelta ?? MIN_FINAL_CLTV_EXPIRY_DELTA;
  if (h.cltvExpiry < height + minFinal - FINAL_CLTV_TOLERANCE) return unknownDetails(ctx, h);
  if (proof.minAmountMsat !== undefined && h.totalMsat < proof.minAmountMsat) {
    return unknownDetails(ctx, h);
  }
  return {
    type: 'Bolt11InvoicePayment',
    paymentSecret: p.paymentSecret,
    paymentPreimage: proof.paymentPreimage,
  };
}

function samePurpose(a: Purpose, b: Purpose): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'Bolt11InvoicePayment' && b.type === 'Bolt11InvoicePayment') {
    return equalBytes(a.paymentSecret, b.paymentSecret);
  }
  return true;
}

/** The event form of a purpose. */
export function purposeEvent(purpose: Purpose): PaymentPurpose {
  return purpose.type === 'Bolt11InvoicePayment'
    ? {
        type: 'Bolt11InvoicePayment',
        paymentSecret: toHex(purpose.paymentSecret),
        paymentPreimage:
          purpose.paymentPreimage === undefined ? undefined : toHex(purpose.paymentPreimage),
      }
    : { type: 'SpontaneousPayment', paymentPreimage: toHex(purpose.paymentPreimage) };
}

function totalOf(htlcs: readonly ClaimableHtlc[]): bigint {
  let total = 0n;
  for (const h of htlcs) total += h.amountMsat;
  return total;
}

/** The height by which the payment must be claimed (see the module comment). */
function claimDeadline(htlcs: readonly ClaimableHtlc[]): number {
  let earliest = Number.MAX_SAFE_INTEGER;
  for (const h of htlcs) earliest = Math.min(earliest, h.cltvExpiry);
  return earliest - HTLC_FAIL_BACK_BUFFER;
}

/** Checks one HTLC for us and adds it to its payment (see the module comment). */
export function processReceive(ctx: ManagerContext, p: PendingReceive): void {
  const h = p.htlc;
  const hashHex = toHex(p.paymentHash);
  const fail = (message: FailureMessage): void => {
    failHtlcs(ctx, p.paymentHash, [h], () => message);
  };
  // BOLT 4: the HTLC must carry what the onion says reached us.
  if (h.amountMsat < p.amountToForwardMsat) {
    fail({ failureCode: FailureCode.finalIncorrectHtlcAmount, incomingHtlcAmtMsat: h.amountMsat });
    return;
  }
  if (h.cltvExpiry < p.outgoingCltvValue) {
    fail({ failureCode: FailureCode.finalIncorrectCltvExpiry, cltvExpiry: h.cltvExpiry });
    return;
  }
  if (h.cltvExpiry <= ctx.bestBlock.height + HTLC_FAIL_BACK_BUFFER) {
    fail(unknownDetails(ctx, h));
    return;
  }
  const purpose = purposeOf(ctx, p);
  if (!('type' in purpose)) {
    fail(purpose);
    return;
  }
  const existing = ctx.payments.inbound.get(hashHex);
  if (existing !== undefined) {
    const first = existing.htlcs[0];
    if (
      existing.claimable ||
      existing.claiming ||
      !samePurpose(existing.purpose, purpose) ||
      (first !== undefined && first.totalMsat !== h.totalMsat)
    ) {
      fail(unknownDetails(ctx, h));
      return;
    }
    existing.htlcs.push(h);
  } else {
    ctx.payments.inbound.set(hashHex, {
      paymentHash: p.paymentHash,
      purpose,
      paymentMetadata: p.paymentMetadata,
      htlcs: [h],
      claimable: false,
      claiming: false,
      ticksIncomplete: 0,
    });
  }
  const payment = ctx.payments.inbound.get(hashHex)!;
  const received = totalOf(payment.htlcs);
  if (received < h.totalMsat) return;
  payment.claimable = true;
  ctx.queueEvent({
    type: 'PaymentClaimable',
    receiverNodeId: toHex(ctx.keys.getNodeId()),
    paymentHash: hashHex,
    amountMsat: received,
    purpose: purposeEvent(payment.purpose),
    viaChannelId: payment.htlcs[0]!.channelId,
    paymentMetadata:
      payment.paymentMetadata === undefined ? undefined : toHex(payment.paymentMetadata),
    claimDeadline: claimDeadline(payment.htlcs),
  });
}

/**
 * Settles every part of the claimable payment `preimage` unlocks, then raises `PaymentClaimed`.
 * Throws `APIMisuseError` when no claimable payment has that preimage's hash.
 */
export function claimFunds(ctx: ManagerContext, paymentPreimage: Uint8Array): void {
  const paymentHash = ctx.crypto.sha256(paymentPreimage);
  const hashHex = toHex(paymentHash);
  const payment = ctx.payments.inbound.get(hashHex);
  if (payment === undefined || !payment.claimable) {
    throw new APIMisuseError(`claimFunds: no claimable payment with hash ${hashHex}`);
  }
  payment.claiming = true;
  for (const h of payment.htlcs) {
    const entry = entryByChannelId(ctx, h.channelId);
    if (entry === undefined) {
      // The channel went to chain: its monitor claims the HTLC there with the preimage.
      preimageToClosedChannel(ctx, h.channelId, paymentPreimage);
      continue;
    }
    ctx.run(entry, () => entry.channel.claimHtlc(h.htlcId, paymentPreimage));
    ctx.touch(entry);
  }
  ctx.payments.inbound.delete(hashHex);
  ctx.queueEvent({
    type: 'PaymentClaimed',
    receiverNodeId: toHex(ctx.keys.getNodeId()),
    paymentHash: hashHex,
    amountMsat: totalOf(payment.htlcs),
    purpose: purposeEvent(payment.purpose),
    htlcs: payment.htlcs.map((h) => ({
      channelId: h.channelId,
      userChannelId: h.userChannelId,
      cltvExpiry: h.cltvExpiry,
      valueMsat: h.amountMsat,
    })),
  });
}

/** Fails every part of the payment to `paymentHash` back (`incorrect_or_unknown_payment_details`). */
export function failHtlcBackwards(ctx: ManagerContext, paymentHash: Uint8Array): void {
  const hashHex = toHex(paymentHash);
  const payment = ctx.payments.inbound.get(hashHex);
  if (payment === undefined || payment.claiming) return;
  ctx.payments.inbound.delete(hashHex);
  failHtlcs(ctx, paymentHash, payment.htlcs, (h) => unknownDetails(ctx, h));
}

/** Timer tick: incomplete multi-part payments time out (BOLT 4 `mpp_timeout`). */
export function receiveTimerTick(ctx: ManagerContext): void {
  for (const [hashHex, payment] of [...ctx.payments.inbound]) {
    if (payment.claimable || payment.claiming) continue;
    payment.ticksIncomplete++;
    ctx.markDirty();
    if (payment.ticksIncomplete < MPP_TIMEOUT_TICKS) continue;
    ctx.payments.inbound.delete(hashHex);
    failHtlcs(ctx, payment.paymentHash, payment.htlcs, () => ({
      failureCode: FailureCode.mppTimeout,
    }));
  }
}

/** New height: a payment not claimed by its deadline fails back (see the module comment). */
export function receiveBlockConnected(ctx: ManagerContext, height: number): void {
  for (const [hashHex, payment] of [...ctx.payments.inbound]) {
    if (payment.claiming) continue;
    if (claimDeadline(payment.htlcs) > height) continue;
    ctx.payments.inbound.delete(hashHex);
    failHtlcs(ctx, payment.paymentHash, payment.htlcs, (h) => unknownDetails(ctx, h));
  }
}

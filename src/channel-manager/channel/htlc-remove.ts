/**
 * Removing an HTLC (BOLT 2 "Removing an HTLC: update_fulfill_htlc, update_fail_htlc, and
 * update_fail_malformed_htlc"). Only the side that received an HTLC removes it. A removal we
 * send must name an HTLC irrevocably committed on both sides (refusals are `ignore`
 * `ChannelError`s); a removal we receive may name any HTLC in both latest commitments, as BOLT 2
 * words it (`close` `ChannelError` otherwise).
 */
import { equalBytes, toHex } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type {
  UpdateFailHtlcMessage,
  UpdateFailMalformedHtlcMessage,
  UpdateFulfillHtlcMessage,
} from '../../wire/messages/commitment.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError, ignoreError } from './errors.js';
import { findHtlc, isRemovalLogged, latestCounterpartySpec } from './spec.js';
import { acceptsUpdates, fundedView, type SpecHtlc } from './state.js';

/** BOLT 4: the failure code bit every `update_fail_malformed_htlc` must set. */
export const BADONION = 0x8000;

/** The received HTLC `id` if irrevocably committed and not being removed, or an `ignore` error. */
function committedIncoming(ctx: ChannelContext, htlcId: bigint, what: string): SpecHtlc {
  const { state } = ctx;
  if (!acceptsUpdates(state)) {
    throw ignoreError(
      ChannelCheck.ChannelNotReady,
      `${what}: not possible in phase ${state.phase}`,
      state.channelId,
    );
  }
  const { holder, counterparty } = fundedView(state);
  const htlc = findHtlc(holder.spec, 'received', htlcId);
  if (htlc === undefined || findHtlc(counterparty.spec, 'received', htlcId) === undefined) {
    throw ignoreError(
      ChannelCheck.UnknownHtlcId,
      `${what}: no irrevocably committed HTLC ${htlcId} from the peer`,
      state.channelId,
    );
  }
  const log = state.updates;
  if ([log.ourProposed, log.ourSigned, log.ourAcked].some((l) => isRemovalLogged(l, htlcId))) {
    throw ignoreError(
      ChannelCheck.HtlcAlreadyRemoved,
      `${what}: HTLC ${htlcId} is already being removed`,
      state.channelId,
    );
  }
  return htlc;
}

function logOurRemoval(
  ctx: ChannelContext,
  m: UpdateFulfillHtlcMessage | UpdateFailHtlcMessage | UpdateFailMalformedHtlcMessage,
): void {
  ctx.state.updates.ourProposed.push(m);
  ctx.state.refusedIncomingHtlcs = ctx.state.refusedIncomingHtlcs.filter((r) => r.id !== m.id);
  // While disconnected the update waits in the log; reestablish sends it (BOLT 2 retransmission).
  if (!ctx.state.awaitingReestablish) ctx.out.send(m);
}

/**
 * Claims a received HTLC with its preimage: the monitor learns the preimage first (so it can
 * claim on chain), then `update_fulfill_htlc` goes out.
 */
export function claimHtlc(ctx: ChannelContext, htlcId: bigint, paymentPreimage: Uint8Array): void {
  if (!(paymentPreimage instanceof Uint8Array) || paymentPreimage.length !== 32) {
    throw new APIMisuseError('paymentPreimage: expected 32 bytes');
  }
  const htlc = committedIncoming(ctx, htlcId, 'claimHtlc');
  if (!equalBytes(ctx.crypto.sha256(paymentPreimage), htlc.paymentHash)) {
    throw ignoreError(
      ChannelCheck.PreimageMismatch,
      `paymentPreimage: does not hash to HTLC ${htlcId}'s payment_hash ${toHex(htlc.paymentHash)}`,
      ctx.state.channelId,
    );
  }
  ctx.out.monitorUpdate([{ type: 'PaymentPreimage', paymentPreimage: paymentPreimage.slice() }]);
  logOurRemoval(ctx, {
    type: 'update_fulfill_htlc',
    channelId: ctx.state.channelId,
    id: htlcId,
    paymentPreimage: paymentPreimage.slice(),
  });
}

/** Fails a received HTLC back with an encrypted BOLT 4 `reason`. */
export function failHtlc(ctx: ChannelContext, htlcId: bigint, reason: Uint8Array): void {
  if (!(reason instanceof Uint8Array)) throw new APIMisuseError('reason: expected a Uint8Array');
  committedIncoming(ctx, htlcId, 'failHtlc');
  logOurRemoval(ctx, {
    type: 'update_fail_htlc',
    channelId: ctx.state.channelId,
    id: htlcId,
    reason: reason.slice(),
  });
}

/** Fails a received HTLC whose onion we could not parse (`failureCode` must have BADONION). */
export function failMalformedHtlc(
  ctx: ChannelContext,
  htlcId: bigint,
  sha256OfOnion: Uint8Array,
  failureCode: number,
): void {
  if (!(sha256OfOnion instanceof Uint8Array) || sha256OfOnion.length !== 32) {
    throw new APIMisuseError('sha256OfOnion: expected 32 bytes');
  }
  if (
    !Number.isInteger(failureCode) ||
    failureCode < 0 ||
    failureCode > 0xffff ||
    (failureCode & BADONION) === 0
  ) {
    throw new APIMisuseError(
      `failureCode: expected a u16 with the BADONION bit, got ${failureCode}`,
    );
  }
  committedIncoming(ctx, htlcId, 'failMalformedHtlc');
  logOurRemoval(ctx, {
    type: 'update_fail_malformed_htlc',
    channelId: ctx.state.channelId,
    id: htlcId,
    sha256OfOnion: sha256OfOnion.slice(),
    failureCode,
  });
}

/**
 * The offered HTLC a received removal names: it must be in both latest commitments (BOLT 2
 * "if the id does not correspond to an HTLC in its current commitment transaction") and not
 * removed already.
 */
function removableOutgoing(ctx: ChannelContext, htlcId: bigint, what: string): SpecHtlc {
  const { state } = ctx;
  if (!acceptsUpdates(state)) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `${what}: not accepted in phase ${state.phase}`,
      state.channelId,
    );
  }
  const { holder } = fundedView(state);
  const htlc = findHtlc(holder.spec, 'offered', htlcId);
  if (
    htlc === undefined ||
    findHtlc(latestCounterpartySpec(state), 'offered', htlcId) === undefined
  ) {
    throw closeError(
      ChannelCheck.UnknownHtlcId,
      `id: ${htlcId} is not an HTLC we offered in both current commitments`,
      state.channelId,
    );
  }
  if (isRemovalLogged(state.updates.theirProposed, htlcId)) {
    throw closeError(
      ChannelCheck.HtlcAlreadyRemoved,
      `id: HTLC ${htlcId} is already being removed`,
      state.channelId,
    );
  }
  return htlc;
}

/** The peer fulfils an HTLC we offered: check the preimage, log, and tell the manager now. */
export function handleUpdateFulfillHtlc(ctx: ChannelContext, m: UpdateFulfillHtlcMessage): void {
  const htlc = removableOutgoing(ctx, m.id, 'update_fulfill_htlc');
  if (!equalBytes(ctx.crypto.sha256(m.paymentPreimage), htlc.paymentHash)) {
    throw closeError(
      ChannelCheck.PreimageMismatch,
      `payment_preimage: does not hash to HTLC ${m.id}'s payment_hash ${toHex(htlc.paymentHash)}`,
      ctx.state.channelId,
    );
  }
  ctx.state.updates.theirProposed.push(m);
  ctx.out.event({
    type: 'HtlcFulfilled',
    channelId: toHex(ctx.state.channelId),
    htlcId: m.id,
    amountMsat: htlc.amountMsat,
    paymentHash: htlc.paymentHash,
    paymentPreimage: m.paymentPreimage.slice(),
  });
}

/** The peer fails an HTLC we offered; the manager hears once the removal is committed. */
export function handleUpdateFailHtlc(ctx: ChannelContext, m: UpdateFailHtlcMessage): void {
  removableOutgoing(ctx, m.id, 'update_fail_htlc');
  ctx.state.updates.theirProposed.push(m);
}

/** Like `update_fail_htlc`; BOLT 2: the failure code must have the BADONION bit. */
export function handleUpdateFailMalformedHtlc(
  ctx: ChannelContext,
  m: UpdateFailMalformedHtlcMessage,
): void {
  removableOutgoing(ctx, m.id, 'update_fail_malformed_htlc');
  if ((m.failureCode & BADONION) === 0) {
    throw closeError(
      ChannelCheck.BadOnionBitMissing,
      `failure_code: expected the BADONION bit (0x8000), got 0x${m.failureCode.toString(16)}`,
      ctx.state.channelId,
    );
  }
  ctx.state.updates.theirProposed.push(m);
}

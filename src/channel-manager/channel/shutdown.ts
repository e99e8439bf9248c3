/**
 * `shutdown` (BOLT 2 "Closing Initiation: shutdown"): either side starts a mutual close with the
 * script it wants to be paid to. From then on no HTLC is added; the ones in flight are settled
 * as usual, and once none is left on either commitment and no update is pending, the funder
 * starts the `closing_signed` negotiation (`closing.ts`).
 *
 * Scripts must be P2WPKH or P2WSH, or any witness program when `option_shutdown_anysegwit` was
 * negotiated; a script committed to in `upfront_shutdown_script` must be used.
 */
import { FEERATE_FLOOR_SAT_PER_KW } from '../../chain/fee-estimator.js';
import { toHex, equalBytes } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type { ShutdownMessage } from '../../wire/messages/channel-close.js';
import { startClosingNegotiation } from './closing.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError, ignoreError, warnError } from './errors.js';
import { isValidShutdownScript } from './shutdown-script.js';
import { logIsEmpty } from './spec.js';
import { ChannelPhase, fundedView, isFunded, type ChannelState } from './state.js';

/** Our `shutdown` (also for retransmission after a reconnection). */
export function shutdownMessage(ctx: ChannelContext): ShutdownMessage {
  const script = ctx.state.holderShutdownScript;
  if (script === undefined) throw new APIMisuseError('shutdownMessage: no shutdown script yet');
  return { type: 'shutdown', channelId: ctx.state.channelId, scriptpubkey: script };
}

function canShutdown(state: ChannelState): boolean {
  return (
    isFunded(state) &&
    (state.phase === ChannelPhase.AwaitingChannelReady ||
      state.phase === ChannelPhase.ChannelReady ||
      state.phase === ChannelPhase.ShutdownPending)
  );
}

/** Decides our script (given, upfront or the keys' default), records it and sends `shutdown`. */
function sendOurShutdown(ctx: ChannelContext, requested: Uint8Array | undefined): void {
  const { state } = ctx;
  const upfront = state.holderParams.upfrontShutdownScript;
  let script = requested ?? (upfront.length > 0 ? upfront : ctx.keys.getShutdownScriptpubkey());
  if (upfront.length > 0 && !equalBytes(script, upfront)) {
    throw new APIMisuseError('scriptPubkey: we committed to our upfront_shutdown_script');
  }
  if (!isValidShutdownScript(script, state.anySegwitShutdown)) {
    throw new APIMisuseError(
      `scriptPubkey: expected P2WPKH, P2WSH${state.anySegwitShutdown ? ' or a witness program' : ''}, got ${toHex(script)}`,
    );
  }
  script = script.slice();
  state.holderShutdownScript = script;
  state.shutdownSent = true;
  state.phase = ChannelPhase.ShutdownPending;
  ctx.out.monitorUpdate([{ type: 'ShutdownScript', scriptPubkey: script }]);
  if (!state.awaitingReestablish) ctx.out.send(shutdownMessage(ctx));
}

/** The largest target feerate accepted: `feerate_per_kw` is a u32 on the wire. */
const U32_MAX = 0xffff_ffff;

/**
 * Starts a mutual close. BOLT 2: no `shutdown` while the peer's commitment lacks updates we sent
 * (sign them first with `sendCommitment`), and only once. With `targetFeerateSatPerKw` the
 * `closing_signed` negotiation aims at that feerate instead of the estimator's (`closing.ts`);
 * it is kept in the state, so it holds across restarts. Refusals are `ignore` errors; a bad
 * script or a feerate below `FEERATE_FLOOR_SAT_PER_KW` is `APIMisuseError`.
 */
export function initiateShutdown(
  ctx: ChannelContext,
  scriptPubkey?: Uint8Array,
  targetFeerateSatPerKw?: number,
): void {
  const { state } = ctx;
  if (
    targetFeerateSatPerKw !== undefined &&
    (!Number.isInteger(targetFeerateSatPerKw) ||
      targetFeerateSatPerKw < FEERATE_FLOOR_SAT_PER_KW ||
      targetFeerateSatPerKw > U32_MAX)
  ) {
    throw new APIMisuseError(
      `targetFeerateSatPerKw: expected an integer from ${FEERATE_FLOOR_SAT_PER_KW} to ${U32_MAX}, got ${targetFeerateSatPerKw}`,
    );
  }
  if (!canShutdown(state) || state.shutdownSent) {
    throw ignoreError(
      ChannelCheck.ChannelNotReady,
      `initiateShutdown: not possible in phase ${state.phase}${state.shutdownSent ? ' (already sent)' : ''}`,
      state.channelId,
    );
  }
  if (state.updates.ourProposed.length > 0) {
    throw ignoreError(
      ChannelCheck.ShutdownWithPendingUpdates,
      'initiateShutdown: updates not yet in the peer commitment; call sendCommitment first',
      state.channelId,
    );
  }
  sendOurShutdown(ctx, scriptPubkey);
  if (targetFeerateSatPerKw !== undefined)
    state.targetClosingFeerateSatPerKw = targetFeerateSatPerKw;
  progressShutdown(ctx);
}

/** The peer's `shutdown`: checks its script and that it has no unsigned updates pending. */
export function handleShutdown(ctx: ChannelContext, m: ShutdownMessage): void {
  const { state } = ctx;
  const id = state.channelId;
  if (state.shutdownReceived) {
    // A retransmission after reconnection repeats the same script; anything else breaks BOLT 2.
    if (
      state.counterpartyShutdownScript !== undefined &&
      equalBytes(state.counterpartyShutdownScript, m.scriptpubkey)
    ) {
      return;
    }
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      'shutdown: sent twice with different scripts',
      id,
    );
  }
  if (!canShutdown(state)) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `shutdown: not accepted in phase ${state.phase}`,
      id,
    );
  }
  if (!isValidShutdownScript(m.scriptpubkey, state.anySegwitShutdown)) {
    throw warnError(
      ChannelCheck.ShutdownScriptInvalid,
      `scriptpubkey: expected P2WPKH, P2WSH${state.anySegwitShutdown ? ' or a witness program' : ''}, got ${toHex(m.scriptpubkey)}`,
      id,
    );
  }
  const upfront = state.counterpartyParams?.upfrontShutdownScript;
  if (upfront !== undefined && upfront.length > 0 && !equalBytes(upfront, m.scriptpubkey)) {
    throw closeError(
      ChannelCheck.ShutdownScriptNotUpfront,
      `scriptpubkey: expected the upfront_shutdown_script ${toHex(upfront)}, got ${toHex(m.scriptpubkey)}`,
      id,
    );
  }
  if (state.updates.theirProposed.length > 0) {
    throw closeError(
      ChannelCheck.ShutdownWithPendingUpdates,
      `shutdown: the peer sent it with ${state.updates.theirProposed.length} updates not yet signed`,
      id,
    );
  }
  state.counterpartyShutdownScript = m.scriptpubkey.slice();
  state.shutdownReceived = true;
  state.phase = ChannelPhase.ShutdownPending;
  progressShutdown(ctx);
}

/** No HTLC in either commitment and nothing pending: closing negotiation may begin. */
function isClean(state: ChannelState): boolean {
  const { holder, counterparty } = fundedView(state);
  return (
    holder.spec.htlcs.length === 0 &&
    counterparty.spec.htlcs.length === 0 &&
    state.pendingRevocation === undefined &&
    logIsEmpty(state.updates)
  );
}

/**
 * Moves a shutdown along after any change: answers the peer's `shutdown` once our updates are
 * signed (BOLT 2 "once there are no outstanding updates on the peer"), then, when both sides
 * sent it and the channel is clean, starts the closing negotiation.
 */
export function progressShutdown(ctx: ChannelContext): void {
  const { state } = ctx;
  if (
    state.phase !== ChannelPhase.ShutdownPending &&
    state.phase !== ChannelPhase.ClosingNegotiation
  ) {
    return;
  }
  if (state.awaitingReestablish) return;
  if (state.shutdownReceived && !state.shutdownSent && state.updates.ourProposed.length === 0) {
    sendOurShutdown(ctx, undefined);
  }
  if (
    state.phase === ChannelPhase.ShutdownPending &&
    state.shutdownSent &&
    state.shutdownReceived &&
    isClean(state)
  ) {
    state.phase = ChannelPhase.ClosingNegotiation;
  }
  if (state.phase === ChannelPhase.ClosingNegotiation) startClosingNegotiation(ctx);
}

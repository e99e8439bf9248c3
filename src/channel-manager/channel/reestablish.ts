/**
 * Disconnection and `channel_reestablish` (BOLT 2 "Message Retransmission").
 *
 * On disconnection the peer's unsigned updates are forgotten (it will send them again) and
 * messages held for the monitor are dropped: after `channel_reestablish` everything the peer
 * missed is sent again from the state, in the order first sent: our unacknowledged updates and
 * `commitment_signed`, our last `revoke_and_ack`, then the updates we had not signed.
 *
 * `option_data_loss_protect`: each side proves what it last received with
 * `your_last_per_commitment_secret`. A peer that proves it holds a revocation from us newer than
 * our state knows is right and we are behind: we must never broadcast our (possibly revoked)
 * commitment, so the channel enters `AwaitingUnilateralClose`, tells the monitor, and answers
 * everything with an `error` asking the peer to close.
 */
import { commitmentNumberToIndex } from '../../keys/per-commitment-secret.js';
import { equalBytes, toHex } from '../../util/bytes.js';
import type { ChannelReestablishMessage } from '../../wire/messages/reestablish.js';
import { channelReadyMessage } from './channel-ready.js';
import { commitmentSignedFor, revokeAndAckFor, sendCommitment } from './commitment.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError, errorMessageFor } from './errors.js';
import { shutdownMessage } from './shutdown.js';
import { ChannelPhase, fundedView, isFunded, type ChannelState } from './state.js';

/** The text of the `error` we answer with once the peer proved we lost state. */
export const AWAITING_UNILATERAL_CLOSE_ERROR = 'awaiting unilateral close';

/** True in the phases before the first commitments are signed: nothing to reestablish. */
export function isOpening(state: ChannelState): boolean {
  return !isFunded(state) && state.phase !== ChannelPhase.Closed;
}

/**
 * The connection dropped. Returns `true` when the channel is abandoned (still opening: BOLT 2
 * says not to remember it). Otherwise the peer's unsigned updates are reverted and held
 * messages dropped; the channel waits for `channel_reestablish`.
 */
export function peerDisconnected(ctx: ChannelContext): boolean {
  const { state } = ctx;
  if (isOpening(state)) return true;
  state.awaitingReestablish = true;
  state.heldMessages = [];
  const log = state.updates;
  const dropped = log.theirProposed.filter((u) => u.type === 'update_add_htlc');
  state.nextIncomingHtlcId -= BigInt(dropped.length);
  const droppedIds = new Set(dropped.map((u) => u.id));
  state.refusedIncomingHtlcs = state.refusedIncomingHtlcs.filter((r) => !droppedIds.has(r.id));
  log.theirProposed = [];
  if (state.closing !== undefined) {
    // BOLT 2: closing negotiation restarts after a reconnection.
    state.closing = { ...state.closing, lastSentFeeSat: undefined, lastReceivedFeeSat: undefined };
  }
  return false;
}

/** Our `channel_reestablish`: what we expect next and proof of what we last received. */
export function channelReestablishMessage(ctx: ChannelContext): ChannelReestablishMessage {
  const { state } = ctx;
  const { holder, counterparty } = fundedView(state);
  const lastSecret =
    counterparty.commitmentNumber > 0
      ? state.counterpartySecrets.getSecret(
          commitmentNumberToIndex(counterparty.commitmentNumber - 1),
        )
      : undefined;
  return {
    type: 'channel_reestablish',
    channelId: state.channelId,
    nextCommitmentNumber: BigInt(holder.commitmentNumber + 1),
    nextRevocationNumber: BigInt(counterparty.commitmentNumber),
    yourLastPerCommitmentSecret: lastSecret ?? new Uint8Array(32),
    myCurrentPerCommitmentPoint: ctx.signer.getPerCommitmentPoint(holder.commitmentNumber),
  };
}

/**
 * The connection is up again: sends our `channel_reestablish` (or, once the peer proved we lost
 * state, the `error` asking it to close) and waits for the peer's.
 */
export function peerConnected(ctx: ChannelContext): void {
  const { state } = ctx;
  if (state.phase === ChannelPhase.AwaitingUnilateralClose) {
    ctx.out.sendUnheld(errorMessageFor(state.channelId, AWAITING_UNILATERAL_CLOSE_ERROR));
    return;
  }
  if (!isFunded(state) || state.phase === ChannelPhase.Closed) return;
  // Connected with no disconnection before: the channel was restored from a state saved while
  // the old connection was up (a restart). That connection is gone all the same, so what it
  // left behind (the peer's unsigned updates, held messages) is dropped as on a disconnection;
  // otherwise the peer's retransmitted updates would arrive twice.
  if (!state.awaitingReestablish) peerDisconnected(ctx);
  state.awaitingReestablish = true;
  ctx.out.sendUnheld(channelReestablishMessage(ctx));
}

/** True when `secret` is the secret of our commitment `commitmentNumber`. */
function isOurSecret(ctx: ChannelContext, secret: Uint8Array, commitmentNumber: number): boolean {
  if (!ctx.crypto.isValidSecretKey(secret)) return false;
  const point = ctx.signer.getPerCommitmentPoint(commitmentNumber);
  return equalBytes(ctx.crypto.getPublicKey(secret), point);
}

function enterAwaitingUnilateralClose(ctx: ChannelContext, m: ChannelReestablishMessage): void {
  const { state } = ctx;
  state.phase = ChannelPhase.AwaitingUnilateralClose;
  state.awaitingReestablish = false;
  state.heldMessages = [];
  state.closeReason = 'the peer proved our channel state is old';
  ctx.out.sendUnheld(errorMessageFor(state.channelId, AWAITING_UNILATERAL_CLOSE_ERROR));
  ctx.out.monitorUpdate([
    {
      type: 'AwaitingUnilateralClose',
      counterpartyCurrentPerCommitmentPoint: m.myCurrentPerCommitmentPoint.slice(),
    },
  ]);
  ctx.out.event({
    type: 'ChannelClosed',
    channelId: toHex(state.channelId),
    kind: 'DataLossProven',
    reason: state.closeReason,
  });
}

/**
 * The peer's `channel_reestablish`: checks both counters and the data loss proof (`close`
 * `ChannelError` on a mismatch), then retransmits what the peer missed.
 */
export function handleChannelReestablish(ctx: ChannelContext, m: ChannelReestablishMessage): void {
  const { state } = ctx;
  const id = state.channelId;
  if (!state.awaitingReestablish || !isFunded(state)) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `channel_reestablish: not expected in phase ${state.phase}`,
      id,
    );
  }
  const { holder, counterparty } = fundedView(state);
  const ourNumber = BigInt(holder.commitmentNumber);
  const theirNumber = BigInt(counterparty.commitmentNumber);
  const pending = state.pendingRevocation;
  // Their view of our revocations: R means they hold our secrets up to R - 1.
  const R = m.nextRevocationNumber;
  if (R > ourNumber) {
    if (isOurSecret(ctx, m.yourLastPerCommitmentSecret, Number(R - 1n))) {
      enterAwaitingUnilateralClose(ctx, m);
      return;
    }
    throw closeError(
      ChannelCheck.ReestablishMismatch,
      `next_revocation_number: expected at most ${ourNumber}, got ${R} without a valid proof`,
      id,
    );
  }
  if (R + 1n < ourNumber) {
    throw closeError(
      ChannelCheck.ReestablishMismatch,
      `next_revocation_number: expected ${ourNumber - 1n} or ${ourNumber}, got ${R}`,
      id,
    );
  }
  const secretOk =
    R === 0n
      ? m.yourLastPerCommitmentSecret.every((b) => b === 0)
      : isOurSecret(ctx, m.yourLastPerCommitmentSecret, Number(R - 1n));
  if (!secretOk) {
    throw closeError(
      ChannelCheck.BadLastPerCommitmentSecret,
      `your_last_per_commitment_secret: expected ${R === 0n ? 'zeros' : `our secret of commitment ${R - 1n}`}, got another value`,
      id,
    );
  }
  // Their view of our commitments: N is one above the last commitment they hold from us.
  const N = m.nextCommitmentNumber;
  const missedCommitment = pending !== undefined && N === theirNumber + 1n;
  const inSync = N === theirNumber + (pending !== undefined ? 2n : 1n);
  if (!missedCommitment && !inSync) {
    throw closeError(
      ChannelCheck.ReestablishMismatch,
      `next_commitment_number: expected ${theirNumber + 1n}${pending !== undefined ? ` or ${theirNumber + 2n}` : ''}, got ${N}`,
      id,
    );
  }
  state.awaitingReestablish = false;
  if (state.channelReadySent && holder.commitmentNumber === 0 && N === 1n) {
    ctx.out.send(channelReadyMessage(ctx));
  }
  const missedRevocation = R + 1n === ourNumber;
  const resendCommitment = (): void => {
    for (const u of state.updates.ourSigned) ctx.out.send(u);
    ctx.out.send(commitmentSignedFor(ctx, pending!.commitment));
  };
  if (missedCommitment && missedRevocation) {
    // BOLT 2: in the order first sent.
    if (pending.sentAfterHolderCommitmentNumber === holder.commitmentNumber) {
      ctx.out.send(revokeAndAckFor(ctx));
      resendCommitment();
    } else {
      resendCommitment();
      ctx.out.send(revokeAndAckFor(ctx));
    }
  } else if (missedCommitment) {
    resendCommitment();
  } else if (missedRevocation) {
    ctx.out.send(revokeAndAckFor(ctx));
  }
  if (state.shutdownSent) ctx.out.send(shutdownMessage(ctx));
  for (const u of state.updates.ourProposed) ctx.out.send(u);
  sendCommitment(ctx);
}

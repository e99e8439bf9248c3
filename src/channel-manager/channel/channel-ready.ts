/**
 * `channel_ready` (BOLT 2 "The channel_ready Message"): sent once the funding transaction is
 * `minimum_depth` deep (at once for zero-conf, `minimum_depth` 0), with the per-commitment point
 * of commitment 1 and a `short_channel_id` alias the peer can use before (or instead of) the real
 * short channel id. Depth is counted from the heights the manager reports; the channel never
 * looks at the chain itself.
 */
import { TransactionError } from '../../tx/errors.js';
import { verifyFundingOutput } from '../../tx/funding.js';
import { parseTransaction } from '../../tx/transaction.js';
import { toHex } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type { ChannelReadyMessage } from '../../wire/messages/channel-establish.js';
import { shortChannelIdFromParts } from '../../wire/short-channel-id.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError } from './errors.js';
import { ChannelPhase, type ChannelState } from './state.js';

function isDeepEnough(state: ChannelState): boolean {
  if (state.minimumDepth === 0) return true;
  const confirmed = state.funding?.confirmationHeight;
  const best = state.bestBlockHeight;
  if (confirmed === undefined || best === undefined) return false;
  return best - confirmed + 1 >= state.minimumDepth;
}

/** A fresh alias from the keys' entropy: 8 random bytes as a u64 (BOLT 2 `alias`). */
function newAlias(ctx: ChannelContext): bigint {
  const r = ctx.keys.getSecureRandomBytes();
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(r[i]!);
  return v;
}

/** Our `channel_ready` (also what `channel_reestablish` retransmits). */
export function channelReadyMessage(ctx: ChannelContext): ChannelReadyMessage {
  const { state } = ctx;
  const m: ChannelReadyMessage = {
    type: 'channel_ready',
    channelId: state.channelId,
    secondPerCommitmentPoint: ctx.signer.getPerCommitmentPoint(1),
  };
  return state.ourAlias === undefined ? m : { ...m, shortChannelIdAlias: state.ourAlias };
}

function becomeReadyIfBothSent(ctx: ChannelContext): void {
  const { state } = ctx;
  if (state.phase !== ChannelPhase.AwaitingChannelReady) return;
  if (!state.channelReadySent || !state.channelReadyReceived) return;
  state.phase = ChannelPhase.ChannelReady;
  ctx.out.event({
    type: 'ChannelReady',
    channelId: toHex(state.channelId),
    shortChannelId: state.shortChannelId,
    ourAlias: state.ourAlias,
    theirAlias: state.theirAlias,
  });
}

/** Sends `channel_ready` when it is due and not sent yet. */
export function sendChannelReadyIfDeep(ctx: ChannelContext): void {
  const { state } = ctx;
  if (state.phase !== ChannelPhase.AwaitingChannelReady || state.channelReadySent) return;
  if (!isDeepEnough(state)) return;
  state.ourAlias = newAlias(ctx);
  state.channelReadySent = true;
  if (!state.awaitingReestablish) ctx.out.send(channelReadyMessage(ctx));
  becomeReadyIfBothSent(ctx);
}

/**
 * The manager saw the funding transaction confirm at `height` (and, when known, at `txIndex`
 * in its block, giving the real short channel id). With `fundingTx`, the output is checked to pay
 * exactly the funding value to the 2-of-2 (BOLT 2: no `channel_ready` otherwise; a mismatch fails
 * the channel).
 */
export function fundingConfirmed(
  ctx: ChannelContext,
  args: { readonly height: number; readonly txIndex?: number; readonly fundingTx?: Uint8Array },
): void {
  const { state, crypto } = ctx;
  const funding = state.funding;
  if (funding === undefined || state.holderCommitment === undefined) {
    throw new APIMisuseError(`fundingConfirmed: the channel is not funded (phase ${state.phase})`);
  }
  if (!Number.isInteger(args.height) || args.height < 0) {
    throw new APIMisuseError(`height: expected a non-negative integer, got ${args.height}`);
  }
  if (args.fundingTx !== undefined) {
    try {
      verifyFundingOutput(
        parseTransaction(args.fundingTx),
        {
          txid: funding.txid,
          outputIndex: funding.outputIndex,
          valueSat: state.fundingValueSat,
          localFundingPubkey: state.holderParams.pubkeys.fundingPubkey,
          remoteFundingPubkey: state.counterpartyParams!.pubkeys.fundingPubkey,
        },
        crypto,
      );
    } catch (e) {
      if (!(e instanceof TransactionError)) throw e;
      throw closeError(ChannelCheck.FundingOutputMismatch, e.message, state.channelId);
    }
  }
  state.funding = { ...funding, confirmationHeight: args.height };
  if (args.txIndex !== undefined) {
    state.shortChannelId = shortChannelIdFromParts(args.height, args.txIndex, funding.outputIndex);
  }
  if (state.bestBlockHeight === undefined || state.bestBlockHeight < args.height) {
    state.bestBlockHeight = args.height;
  }
  sendChannelReadyIfDeep(ctx);
}

/**
 * The funding transaction left the best chain before we sent `channel_ready`: its confirmation
 * and the short channel id derived from it are forgotten, and the depth counts again from the
 * next `fundingConfirmed` (BOLT 2 "The channel_ready Message": depth in the best chain). Once
 * `channel_ready` went out the peer may rely on the channel, so undoing it is the caller's
 * decision to fail the channel: `APIMisuseError` here, as for a channel never confirmed.
 */
export function fundingUnconfirmed(ctx: ChannelContext): void {
  const { state } = ctx;
  const funding = state.funding;
  if (funding?.confirmationHeight === undefined) {
    throw new APIMisuseError(
      `fundingUnconfirmed: the funding is not confirmed (phase ${state.phase})`,
    );
  }
  if (state.channelReadySent) {
    throw new APIMisuseError('fundingUnconfirmed: channel_ready was sent; fail the channel');
  }
  state.funding = { ...funding, confirmationHeight: undefined };
  state.shortChannelId = undefined;
}

/** A new best block: the funding may now be deep enough. */
export function bestBlockUpdated(ctx: ChannelContext, height: number): void {
  if (!Number.isInteger(height) || height < 0) {
    throw new APIMisuseError(`height: expected a non-negative integer, got ${height}`);
  }
  ctx.state.bestBlockHeight = height;
  sendChannelReadyIfDeep(ctx);
}

/**
 * The peer's `channel_ready`: stores its point for commitment 1 and its alias. A repeated one
 * (after a reconnection) is ignored but may carry a new alias (BOLT 2).
 */
export function handleChannelReady(ctx: ChannelContext, m: ChannelReadyMessage): void {
  const { state, crypto } = ctx;
  const funded = state.holderCommitment !== undefined && state.phase !== ChannelPhase.Closed;
  if (!funded) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `channel_ready: expected after funding_signed, got it in phase ${state.phase}`,
      state.channelId,
    );
  }
  if (state.channelReadyReceived) {
    if (m.shortChannelIdAlias !== undefined) state.theirAlias = m.shortChannelIdAlias;
    return;
  }
  if (!crypto.isValidPublicKey(m.secondPerCommitmentPoint)) {
    throw closeError(
      ChannelCheck.InvalidPoint,
      `second_per_commitment_point: expected a valid point, got ${toHex(m.secondPerCommitmentPoint)}`,
      state.channelId,
    );
  }
  state.counterpartyNextPerCommitmentPoint = m.secondPerCommitmentPoint.slice();
  state.theirAlias = m.shortChannelIdAlias;
  state.channelReadyReceived = true;
  becomeReadyIfBothSent(ctx);
}

/**
 * How a channel's output reaches the world: its monitor updates go to the `Watch` (a write in
 * progress holds what depends on it), and its channel events and the `Watch`'s monitor events
 * become the manager's `Event`s (funding, ready, closed with its `ClosureReason`) and broadcasts.
 */
import { ChannelMonitor } from '../chain/channel-monitor.js';
import { outPointsEqual } from '../chain/outpoint.js';
import { hashToDisplayHex } from '../chain/txid.js';
import {
  ChannelMonitorUpdateStatus,
  type ChannelMonitorUpdate,
  type MonitorEvent,
} from '../chain/watch.js';
import type { ChannelOutput } from './channel/context.js';
import type { ChannelEvent, ClosureKind } from './channel/events.js';
import type { ClosureReason } from '../events/closure-reason.js';
import { ChannelError, warningMessageFor } from './channel/errors.js';
import { ChannelPhase } from './channel/state.js';
import { ourChannelUpdateMessage } from './payments/channel-update.js';
import { onHtlcReceived } from './payments/htlc-in.js';
import { onHtlcFailed, onHtlcFulfilled } from './payments/htlc-out.js';
import type { ManagerContext } from './manager-context.js';
import { closureReasonOf } from './manager-helpers.js';
import type { ChannelEntry } from './manager-state.js';

/** Runs a channel operation, handling `ChannelError`s as the channel module describes. */
export function runChannel(
  ctx: ManagerContext,
  entry: ChannelEntry,
  fn: () => ChannelOutput,
): void {
  ctx.markDirty();
  let output: ChannelOutput;
  try {
    output = fn();
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    ctx.log(
      'info',
      `channel error (${e.action}): ${e.message}`,
      entry.counterpartyNodeId,
      entry.channel.channelId,
    );
    if (e.action === 'close') {
      ctx.forceClose(entry, { type: 'ProcessingError', err: e.message }, e.message);
    } else if (e.action === 'warn') {
      ctx.send(
        entry.counterpartyNodeId,
        warningMessageFor(entry.channel.state.channelId, e.message),
      );
    }
    return;
  }
  absorb(ctx, entry, output);
}

/**
 * Fails the channel with `reason` for its `ChannelClosed`. The reason stays on the entry until
 * that event comes out, which a monitor write in progress may delay past this call; a channel
 * already closed keeps the reason it closed with.
 */
export function forceCloseChannel(
  ctx: ManagerContext,
  entry: ChannelEntry,
  reason: ClosureReason,
  text: string,
): void {
  const closed = (): boolean => entry.channel.phase === ChannelPhase.Closed;
  const wasOpen = !closed();
  if (wasOpen) entry.closeReason = reason;
  ctx.run(entry, () => entry.channel.forceClose(text));
  if (wasOpen && !closed()) entry.closeReason = undefined;
}

/** Files one channel call's output: messages, monitor updates, then events. */
export function absorb(ctx: ManagerContext, entry: ChannelEntry, output: ChannelOutput): void {
  for (const m of output.messages) ctx.send(entry.counterpartyNodeId, m);
  let completedUpTo: bigint | undefined;
  for (const update of output.monitorUpdates) {
    const status = persistUpdate(ctx, entry, update);
    if (status === ChannelMonitorUpdateStatus.Completed && entry.inProgressUpdates === 0) {
      completedUpTo = update.updateId;
    } else if (status === ChannelMonitorUpdateStatus.InProgress) {
      entry.inProgressUpdates++;
    } else if (status === ChannelMonitorUpdateStatus.UnrecoverableError) {
      entry.stopped = true;
      ctx.log(
        'error',
        'monitor update failed for good: the channel is stopped',
        entry.counterpartyNodeId,
        entry.channel.channelId,
      );
    }
  }
  for (const e of output.events) onChannelEvent(ctx, entry, e);
  if (completedUpTo !== undefined && !entry.stopped) {
    const id = completedUpTo;
    ctx.run(entry, () => entry.channel.monitorUpdatingCompleted(id));
  }
}

function persistUpdate(
  ctx: ManagerContext,
  entry: ChannelEntry,
  update: ChannelMonitorUpdate,
): ChannelMonitorUpdateStatus {
  try {
    if (update.updateId === 0n) {
      const funding = entry.channel.state.funding!;
      const outpoint = { txid: hashToDisplayHex(funding.txid), index: funding.outputIndex };
      const monitor = ChannelMonitor.fromInitialUpdate(update, {
        keys: ctx.keys,
        crypto: ctx.crypto,
        feeEstimator: ctx.feeEstimator,
        logger: ctx.logger,
      });
      entry.fundingOutpoint = outpoint;
      return ctx.watch.watchChannel(outpoint, monitor);
    }
    if (entry.fundingOutpoint === undefined) {
      return ChannelMonitorUpdateStatus.UnrecoverableError;
    }
    return ctx.watch.updateChannel(entry.fundingOutpoint, update);
  } catch (e) {
    ctx.log(
      'error',
      `Watch threw: ${e instanceof Error ? e.message : String(e)}`,
      entry.counterpartyNodeId,
      entry.channel.channelId,
    );
    return ChannelMonitorUpdateStatus.UnrecoverableError;
  }
}

function onChannelEvent(ctx: ManagerContext, entry: ChannelEntry, e: ChannelEvent): void {
  const nodeId = entry.counterpartyNodeId;
  const state = entry.channel.state;
  switch (e.type) {
    case 'FundingGenerationReady':
      entry.fundingScript = e.outputScript;
      ctx.queueEvent({
        type: 'FundingGenerationReady',
        temporaryChannelId: e.temporaryChannelId,
        counterpartyNodeId: nodeId,
        channelValueSat: e.fundingValueSat,
        outputScript: e.outputScript,
        userChannelId: e.userChannelId,
      });
      return;
    case 'FundingTxBroadcastSafe':
      ctx.broadcaster.broadcastTransactions([e.fundingTx]);
      return;
    case 'ChannelPending':
      ctx.queueEvent({
        type: 'ChannelPending',
        channelId: e.channelId,
        userChannelId: state.userChannelId,
        formerTemporaryChannelId: entry.temporaryChannelId,
        counterpartyNodeId: nodeId,
        fundingTxo: { txid: e.fundingTxid, index: e.fundingOutputIndex },
      });
      return;
    case 'ChannelReady':
      ctx.queueEvent({
        type: 'ChannelReady',
        channelId: e.channelId,
        userChannelId: state.userChannelId,
        counterpartyNodeId: nodeId,
        channelType: state.channelType,
      });
      // A private channel's peer learns our fees from us alone (BOLT 7: a node MAY send its
      // channel_update to the peer of an unannounced channel); it names the real scid, which
      // every implementation looks the channel up by.
      if (!state.announceChannel && state.shortChannelId !== undefined) {
        ctx.send(nodeId, ourChannelUpdateMessage(ctx, entry, state.shortChannelId));
      }
      return;
    case 'ClosingTxReady':
      ctx.broadcaster.broadcastTransactions([e.closingTx]);
      entry.closeReason ??= {
        type: 'CooperativeClosure',
        locallyInitiated: entry.shutdownInitiatedLocally,
      };
      return;
    case 'ChannelClosed':
      onClosed(ctx, entry, e.kind, e.reason);
      return;
    case 'HtlcReceived':
      recordHtlcEvent(ctx, e);
      onHtlcReceived(ctx, entry, e);
      return;
    case 'HtlcFulfilled':
      recordHtlcEvent(ctx, e);
      onHtlcFulfilled(ctx, entry, e);
      return;
    case 'HtlcFailed':
      recordHtlcEvent(ctx, e);
      onHtlcFailed(ctx, entry, e);
      return;
  }
}

/** Kept for the `internal*` test hooks; bounded, since nothing drains it in production. */
function recordHtlcEvent(ctx: ManagerContext, e: ChannelEvent): void {
  ctx.htlcEvents.push(e);
  if (ctx.htlcEvents.length > 1000) ctx.htlcEvents.shift();
}

function onClosed(ctx: ManagerContext, entry: ChannelEntry, kind: ClosureKind, text: string): void {
  const state = entry.channel.state;
  const reason = closureReasonOf(kind, text, entry.closeReason);
  ctx.entries = ctx.entries.filter((e) => e !== entry);
  if (entry.fundingOutpoint !== undefined && kind !== 'CooperativeClosure') {
    ctx.closed.set(entry.channel.channelId, {
      channelId: entry.channel.channelId,
      channelIdBytes: state.channelId.slice(),
      counterpartyNodeId: entry.counterpartyNodeId,
      fundingOutpoint: entry.fundingOutpoint,
      nextMonitorUpdateId: state.nextMonitorUpdateId,
    });
  }
  ctx.queueEvent({
    type: 'ChannelClosed',
    channelId: entry.channel.channelId,
    userChannelId: state.userChannelId,
    reason,
    counterpartyNodeId: entry.counterpartyNodeId,
    channelCapacitySat: state.fundingValueSat,
  });
  const fundingTx = state.funding?.tx;
  if (state.isOutbound && fundingTx !== undefined && entry.fundingOutpoint === undefined) {
    ctx.queueEvent({ type: 'DiscardFunding', channelId: entry.channel.channelId, fundingTx });
  }
}

/** Maps a `Watch` monitor event onto the channel it concerns. */
export function onMonitorEvent(ctx: ManagerContext, event: MonitorEvent): void {
  const entry = ctx.entries.find(
    (e) =>
      e.fundingOutpoint !== undefined && outPointsEqual(e.fundingOutpoint, event.fundingOutpoint),
  );
  if (event.type === 'Completed') {
    if (entry !== undefined)
      ctx.channelMonitorUpdated(event.fundingOutpoint, event.monitorUpdateId);
    return;
  }
  if (entry === undefined) return;
  switch (event.type) {
    case 'HolderForceClosed':
      ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'the monitor broadcast our commitment');
      return;
    case 'FundingSpent':
      ctx.forceClose(
        entry,
        event.spendKind === 'CooperativeClose'
          ? { type: 'CooperativeClosure', locallyInitiated: false }
          : { type: 'CommitmentTxConfirmed' },
        'the funding output was spent on chain',
      );
      return;
    case 'HtlcExpiringSoon':
      ctx.forceClose(entry, { type: 'HTLCsTimedOut' }, 'an HTLC is close to its on-chain deadline');
      return;
    case 'FundingSpendReorged':
      return;
  }
}

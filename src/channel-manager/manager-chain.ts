/**
 * The `ChannelManager`'s chain sync (LDK `Listen` and `Confirm`): funding confirmations and
 * their depth, the best block, and funding transactions reorganized out of the chain.
 */
import { bestBlockFromHeader, checkHeight } from '../chain/best-block.js';
import { decodeBlockHeader } from '../chain/block.js';
import { ANTI_REORG_DELAY } from '../chain/channel-monitor-onchain.js';
import type { RelevantTxid } from '../chain/confirm.js';
import type { TransactionData } from '../chain/listen.js';
import { computeTxid, hashToDisplayHex } from '../chain/txid.js';
import type { ManagerContext } from './manager-context.js';
import type { ChannelEntry } from './manager-state.js';

/** `Listen.blockDisconnected`: fundings confirmed at or above `height` are reorganized out. */
export function blockDisconnected(ctx: ManagerContext, header: Uint8Array, height: number): void {
  checkHeight(height);
  for (const entry of [...ctx.entries]) {
    const at = entry.channel.state.funding?.confirmationHeight;
    if (at !== undefined && at >= height) fundingReorged(ctx, entry);
  }
  const prev = decodeBlockHeader(header).prevBlockHash;
  ctx.bestBlock = { blockHash: prev, height: height - 1 };
  ctx.markDirty();
}

/** `Confirm.transactionsConfirmed`: a funding transaction among `txdata` confirms its channel. */
export function transactionsConfirmed(
  ctx: ManagerContext,
  header: Uint8Array,
  txdata: TransactionData,
  height: number,
): void {
  checkHeight(height);
  for (const [txIndex, tx] of txdata) {
    const txid = computeTxid(tx, ctx.crypto);
    for (const entry of [...ctx.entries]) {
      const funding = entry.channel.state.funding;
      if (funding === undefined || funding.confirmationHeight !== undefined) continue;
      if (hashToDisplayHex(funding.txid) !== txid || entry.stopped) continue;
      entry.confirmedBlockHash = bestBlockFromHeader(header, height, ctx.crypto).blockHash;
      ctx.run(entry, () => entry.channel.fundingConfirmed({ height, txIndex, fundingTx: tx }));
    }
  }
  ctx.markDirty();
}

/** `Confirm.transactionUnconfirmed`. */
export function transactionUnconfirmed(ctx: ManagerContext, txid: string): void {
  for (const entry of [...ctx.entries]) {
    const funding = entry.channel.state.funding;
    if (funding?.confirmationHeight === undefined) continue;
    if (hashToDisplayHex(funding.txid) === txid) fundingReorged(ctx, entry);
  }
}

/**
 * Blocks an inbound channel's funding transaction has to confirm in, counted from the channel's
 * creation (BOLT 2 "The funding_created Message": the fundee should forget the channel after
 * 2016 blocks; LDK `FUNDING_CONF_DEADLINE_BLOCKS`). The funder is not timed out: its own funds
 * are in the transaction, which it can double-spend itself.
 */
export const FUNDING_CONF_DEADLINE_BLOCKS = 2016;

/** `Confirm.bestBlockUpdated`: every channel learns the new height (depth, timeouts). */
export function bestBlockUpdated(ctx: ManagerContext, header: Uint8Array, height: number): void {
  ctx.bestBlock = bestBlockFromHeader(header, height, ctx.crypto);
  for (const entry of [...ctx.entries]) {
    if (entry.stopped) continue;
    if (fundingTimedOut(entry, height)) {
      ctx.log('info', 'funding transaction did not confirm in time', entry.counterpartyNodeId);
      ctx.forceClose(entry, { type: 'FundingTimedOut' }, 'funding transaction timed out');
      continue;
    }
    ctx.run(entry, () => entry.channel.bestBlockUpdated(height));
  }
  ctx.processPendingEvents();
  ctx.markDirty();
}

/** An inbound, funded channel still waiting for its funding past the deadline (not zero-conf). */
function fundingTimedOut(entry: ChannelEntry, height: number): boolean {
  const state = entry.channel.state;
  return (
    !state.isOutbound &&
    state.funding !== undefined &&
    state.funding.confirmationHeight === undefined &&
    !state.channelReadySent &&
    height >= entry.createdAtHeight + FUNDING_CONF_DEADLINE_BLOCKS
  );
}

/**
 * `Confirm.getRelevantTxids`: the confirmed funding transactions a reorganization could still
 * matter for, so a `Confirm` host checks them. A funding transaction stays listed until both:
 * - it is `ANTI_REORG_DELAY` (6) confirmations deep, the depth from which boltkit treats a
 *   confirmation as final everywhere (LDK's figure, also the monitors' own cutoff); and
 * - we sent `channel_ready`: before that the depth still counts towards `minimum_depth`, which
 *   may be larger than 6, and must be counted in the best chain.
 * A reorganization deeper than that is not looked for; after `channel_ready` it would fail the
 * channel anyway (`fundingReorged`), and the monitor still watches the funding output.
 */
export function relevantTxids(ctx: ManagerContext): RelevantTxid[] {
  const out: RelevantTxid[] = [];
  for (const entry of ctx.entries) {
    const state = entry.channel.state;
    const funding = state.funding;
    const at = funding?.confirmationHeight;
    if (funding === undefined || at === undefined || entry.confirmedBlockHash === undefined) {
      continue;
    }
    const confirmations = ctx.bestBlock.height - at + 1;
    if (state.channelReadySent && confirmations >= ANTI_REORG_DELAY) continue;
    out.push({
      txid: hashToDisplayHex(funding.txid),
      height: at,
      blockHash: entry.confirmedBlockHash,
    });
  }
  return out;
}

/**
 * The funding transaction left the best chain. Before we sent `channel_ready` nothing was
 * relied on: the confirmation is forgotten and the channel waits for `minimum_depth` again from
 * wherever the transaction confirms next (BOLT 2 "The channel_ready Message": the depth counts
 * in the best chain). Once `channel_ready` went out, HTLCs may hang on a transaction that may
 * never confirm again, so the channel is failed (LDK does the same) and the monitor keeps
 * watching.
 */
function fundingReorged(ctx: ManagerContext, entry: ChannelEntry): void {
  const state = entry.channel.state;
  if (state.funding?.confirmationHeight !== undefined && !state.channelReadySent) {
    ctx.log(
      'info',
      'funding transaction reorganized out: waiting for it again',
      entry.counterpartyNodeId,
    );
    ctx.run(entry, () => entry.channel.fundingUnconfirmed());
    entry.confirmedBlockHash = undefined;
    ctx.markDirty();
    return;
  }
  ctx.log('warn', 'funding transaction reorganized out', entry.counterpartyNodeId);
  ctx.forceClose(
    entry,
    { type: 'ProcessingError', err: 'funding transaction reorganized out' },
    'funding transaction reorganized out',
  );
}

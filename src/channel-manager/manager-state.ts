/**
 * What the `ChannelManager` keeps per channel besides the `Channel` itself, and the snapshot
 * `ChannelManager.read` rebuilds it from.
 */
import type { OutPoint } from '../chain/outpoint.js';
import type { ClosureReason } from '../events/closure-reason.js';
import type { Event } from '../events/event.js';
import type { Channel } from './channel/channel.js';
import type { UserConfig } from './config.js';
import type { PaymentState } from './payments/payment-state.js';

/** One live channel. */
export interface ChannelEntry {
  channel: Channel;
  /** Lowercase hex node id of the peer. */
  readonly counterpartyNodeId: string;
  /** The id the channel started with (lowercase hex), to route late establishment messages. */
  readonly temporaryChannelId: string;
  readonly config: UserConfig;
  /** The 2-of-2 script of `FundingGenerationReady`, for the funding transaction checks. */
  fundingScript: Uint8Array | undefined;
  /** Set once the monitor exists (update 0 handed to `watchChannel`). */
  fundingOutpoint: OutPoint | undefined;
  /** Updates reported `InProgress` and not yet completed. */
  inProgressUpdates: number;
  /** Display-order hex hash of the block that confirmed the funding transaction. */
  confirmedBlockHash: string | undefined;
  /** The `Watch` failed for good: the channel is never operated again. */
  stopped: boolean;
  /**
   * The reason the next `ChannelClosed` reports, when the manager knows better than the channel.
   * Kept until that event comes out: a monitor write in progress holds it back (and it is
   * stored with the entry, since a restart may come first).
   */
  closeReason: ClosureReason | undefined;
  /**
   * Our `shutdown` went out before the peer's arrived (the host called `closeChannel`): a
   * cooperative close is then locally initiated (LDK `ClosureReason::CooperativeClosure`).
   */
  shutdownInitiatedLocally: boolean;
  /**
   * The best block height when the channel was created, from which an inbound channel's
   * funding deadline counts (`FUNDING_CONF_DEADLINE_BLOCKS`).
   */
  readonly createdAtHeight: number;
  /**
   * The fees and CLTV delta the peer charges to forward to us over this channel, from the
   * `channel_update` it sent for it; stored with the manager.
   */
  counterpartyForwarding?: CounterpartyForwarding;
}

/** What a peer's `channel_update` for our channel says (BOLT 7), for our invoices' hints. */
export interface CounterpartyForwarding {
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
  /** The update's timestamp: an older one never replaces a newer one. */
  readonly timestamp: number;
}

/** A funded channel that went to chain: answered with "awaiting unilateral close". */
export interface ClosedChannel {
  readonly channelId: string;
  readonly channelIdBytes: Uint8Array;
  readonly counterpartyNodeId: string;
  readonly fundingOutpoint: OutPoint;
  /**
   * The id the channel's next monitor update takes: a preimage learnt after the close (a claim
   * or a forward settling) still goes to the monitor, which claims the HTLC on chain with it.
   * Unknown for managers stored before it was kept.
   */
  nextMonitorUpdateId: bigint | undefined;
}

/** What `ChannelManager.read` restored. */
export interface ManagerSnapshot {
  readonly entries: readonly ChannelEntry[];
  readonly closed: readonly ClosedChannel[];
  readonly pendingEvents: readonly Event[];
  readonly payments?: PaymentState;
}

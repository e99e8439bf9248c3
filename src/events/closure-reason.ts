/**
 * Why a channel closed (LDK `ClosureReason`), carried by the `ChannelClosed` event. A union on
 * `type` so new reasons can be added without breaking hosts that switch on the known ones.
 */

export type ClosureReason =
  /** The peer sent `error` for the channel (BOLT 1); `peerMsg` is its text, made printable. */
  | { readonly type: 'CounterpartyForceClosed'; readonly peerMsg: string }
  /** The host asked for a force close (`forceCloseBroadcastingLatestTxn`). */
  | { readonly type: 'HolderForceClosed' }
  /** A `closing_signed` negotiation finished (BOLT 2 "Closing Negotiation"). */
  | { readonly type: 'CooperativeClosure'; readonly locallyInitiated: boolean }
  /** A commitment transaction spending the funding output confirmed on chain (BOLT 5). */
  | { readonly type: 'CommitmentTxConfirmed' }
  /** The funding transaction never confirmed in time. */
  | { readonly type: 'FundingTimedOut' }
  /** We failed the channel: the peer broke a rule, or we could not go on (`err` says why). */
  | { readonly type: 'ProcessingError'; readonly err: string }
  /** The peer disconnected before the channel was funded: nothing was at stake. */
  | { readonly type: 'DisconnectedPeer' }
  /** The manager was older than the channel's monitor on restart: closed from monitor state. */
  | { readonly type: 'OutdatedChannelManager' }
  /** The peer closed a channel we had not funded yet. */
  | { readonly type: 'CounterpartyCoopClosedUnfundedChannel' }
  /** An HTLC neared a deadline only the chain can enforce (BOLT 2 `cltv_expiry` rules). */
  | { readonly type: 'HTLCsTimedOut' }
  /** The peer proved we lost state (BOLT 2 `option_data_loss_protect`): we must not broadcast. */
  | { readonly type: 'HolderDataLoss' };

export type ClosureReasonType = ClosureReason['type'];

/** Every reason's tag, in the order of their stable wire numbers (see `event-codec.ts`). */
export const CLOSURE_REASON_TYPES: readonly ClosureReasonType[] = [
  'CounterpartyForceClosed',
  'HolderForceClosed',
  'CooperativeClosure',
  'CommitmentTxConfirmed',
  'FundingTimedOut',
  'ProcessingError',
  'DisconnectedPeer',
  'OutdatedChannelManager',
  'CounterpartyCoopClosedUnfundedChannel',
  'HTLCsTimedOut',
  'HolderDataLoss',
];

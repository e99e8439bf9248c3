/**
 * The bridge between off-chain channel state and on-chain enforcement (LDK `chain::Watch`).
 * `ChannelManager` hands every fund-affecting state change to the host's `Watch` (usually a
 * `ChainMonitor`) as a `ChannelMonitorUpdate`, and holds back messages to the peer that depend on
 * that state until the update is durable. This is what lets a node punish or claim on chain
 * (BOLT 5) after a crash: a revocation secret must never reach the peer before the monitor that
 * can use the revoked state is stored.
 */
import { APIMisuseError } from '../util/errors.js';
import type { OutPoint } from './outpoint.js';

/** The outcome of persisting a new monitor or an update (LDK `ChannelMonitorUpdateStatus`). */
export const ChannelMonitorUpdateStatus = {
  /**
   * Durably stored, including any fsync, on every copy the host keeps. Messages that depended
   * on the update are released at once.
   */
  Completed: 'Completed',
  /**
   * Being stored in the background (or a transient failure is being retried). The channel is
   * frozen: boltkit sends no revocation or new commitment for it until the host calls
   * `channelMonitorUpdated(fundingOutpoint, updateId)` for this or a later update id. Further
   * updates may still arrive meanwhile and must be stored too, in order.
   */
  InProgress: 'InProgress',
  /**
   * Storing failed and never will succeed. boltkit stops operating the channel and reports the
   * failure; the host should shut down cleanly. Do not force-close in reaction: the newest
   * commitment may only be claimable by the monitor that failed to store.
   */
  UnrecoverableError: 'UnrecoverableError',
} as const;
export type ChannelMonitorUpdateStatus =
  (typeof ChannelMonitorUpdateStatus)[keyof typeof ChannelMonitorUpdateStatus];

/**
 * One change inside a `ChannelMonitorUpdate` (a new commitment, a revealed secret, a preimage…).
 * The channel layer defines the variants; here it is only tagged.
 */
export interface ChannelMonitorUpdateStep {
  readonly type: string;
}

/**
 * A change to one channel's monitor. Update ids start above the monitor's initial id and
 * strictly increase, one per update, so the host can store updates in order, drop duplicates on
 * replay, and report completion up to an id.
 */
export interface ChannelMonitorUpdate {
  /** Strictly increasing per channel (u64). */
  readonly updateId: bigint;
  /** Lowercase hex channel id (BOLT 2). */
  readonly channelId: string;
  readonly steps: readonly ChannelMonitorUpdateStep[];
}

/**
 * Everything needed to enforce one channel on chain without the `ChannelManager`: the host
 * persists it whole when watching starts and then persists each update (or the updated monitor).
 * The channel layer supplies the implementation.
 */
export interface ChannelMonitor {
  /** Lowercase hex channel id (BOLT 2). */
  readonly channelId: string;
  getFundingTxo(): OutPoint;
  /** The id of the last update applied; updates with a lower or equal id are stale. */
  getLatestUpdateId(): bigint;
}

/**
 * Which transaction spent a channel's funding output (BOLT 5 "Failing a Channel" and the three
 * close cases: mutual, unilateral by either side, revoked).
 */
export const FundingSpendKind = {
  /** Our own commitment (the latest, or the one before it if that was broadcast first). */
  HolderCommitment: 'HolderCommitment',
  /** One of the peer's commitments not yet revoked (current, or the next one we signed). */
  CounterpartyCommitment: 'CounterpartyCommitment',
  /** A commitment of the peer that it has revoked: punishable (BOLT 5 "Revoked Transaction"). */
  RevokedCounterpartyCommitment: 'RevokedCounterpartyCommitment',
  /**
   * A commitment of the peer newer than any we know of: only possible after we lost state
   * (BOLT 2 `option_data_loss_protect`); our `to_remote` output is still ours to sweep.
   */
  UnknownCounterpartyCommitment: 'UnknownCounterpartyCommitment',
  /** A mutual close (`closing_signed`): nothing left to claim. */
  CooperativeClose: 'CooperativeClose',
} as const;
export type FundingSpendKind = (typeof FundingSpendKind)[keyof typeof FundingSpendKind];

/**
 * What a `Watch` reports back to `ChannelManager`, drained with `releasePendingMonitorEvents`.
 * The channel layer adds the HTLC resolution variants. Every variant is plain data (hex strings,
 * numbers, bigints), so a pending event survives a restart with the monitor that raised it.
 */
export type MonitorEvent =
  | {
      /** An `InProgress` update finished storing: release what was held up to this id. */
      readonly type: 'Completed';
      readonly fundingOutpoint: OutPoint;
      readonly channelId: string;
      readonly monitorUpdateId: bigint;
    }
  | {
      /** The monitor broadcast our commitment transaction (for example an HTLC was expiring). */
      readonly type: 'HolderForceClosed';
      readonly fundingOutpoint: OutPoint;
      readonly channelId: string;
    }
  | {
      /**
       * A transaction spending the funding output confirmed: the channel is closed on chain,
       * whatever its off-chain state. Raised again if the spend is reorganized out and confirms
       * once more.
       */
      readonly type: 'FundingSpent';
      readonly fundingOutpoint: OutPoint;
      readonly channelId: string;
      readonly spendKind: FundingSpendKind;
      /** Display-order hex txid of the spending transaction. */
      readonly txid: string;
      readonly height: number;
      /** For commitment transactions, the commitment number read from locktime and sequence. */
      readonly commitmentNumber: number | undefined;
    }
  | {
      /**
       * The funding spend reported by `FundingSpent` left the best chain (a reorganization): the
       * funding output is unspent again, though the same spend may well confirm again.
       */
      readonly type: 'FundingSpendReorged';
      readonly fundingOutpoint: OutPoint;
      readonly channelId: string;
      readonly txid: string;
    }
  | {
      /**
       * An HTLC is close to a deadline only the chain can enforce (BOLT 2 "Requirements" on
       * `cltv_expiry`, BOLT 5): one we offered is past its expiry plus a grace period, or one we
       * received and know the preimage of expires within the claim buffer. The manager must
       * force-close the channel so the monitor can settle the HTLC on chain. Raised once per HTLC.
       */
      readonly type: 'HtlcExpiringSoon';
      readonly fundingOutpoint: OutPoint;
      readonly channelId: string;
      /** True for an HTLC we offered, false for one we received. */
      readonly offered: boolean;
      readonly htlcId: bigint;
      /** Lowercase hex payment hash. */
      readonly paymentHash: string;
      readonly cltvExpiry: number;
      /** The best block height at which the deadline was noticed. */
      readonly height: number;
    };

/**
 * Implemented by the host, usually with boltkit's `ChainMonitor` and a `Persist`.
 *
 * What the host must do: store the monitor (`watchChannel`) or the update (`updateChannel`)
 * durably, apply it to the monitor that watches the chain, and return the status. Storing must
 * happen in update-id order per channel. Calls come from inside boltkit: do not call back into
 * `ChannelManager` from them; report later completions through `channelMonitorUpdated`.
 *
 * Failure behaviour: returning `InProgress` freezes the channel until completion is reported;
 * `UnrecoverableError` stops it. An exception is treated like `UnrecoverableError`.
 */
export interface Watch {
  /**
   * Start watching a new channel, funded at `fundingOutpoint`. Throws `APIMisuseError` if a
   * monitor for that outpoint is already watched (which would mean a duplicate funding).
   */
  watchChannel(fundingOutpoint: OutPoint, monitor: ChannelMonitor): ChannelMonitorUpdateStatus;
  /** Apply and store an update for the channel funded at `fundingOutpoint`. */
  updateChannel(
    fundingOutpoint: OutPoint,
    update: ChannelMonitorUpdate,
  ): ChannelMonitorUpdateStatus;
  /** Returns and forgets the events gathered since the last call, oldest first. */
  releasePendingMonitorEvents(): MonitorEvent[];
}

/**
 * Checks that `update` may follow a monitor whose last applied id is `latestUpdateId`: its id
 * must be a u64 strictly greater. Throws `APIMisuseError` otherwise; a `Watch` implementation
 * calls this before storing, because an out-of-order update means state went backwards.
 */
export function checkNextUpdateId(latestUpdateId: bigint, update: ChannelMonitorUpdate): void {
  const id: unknown = update.updateId;
  if (typeof id !== 'bigint' || id < 0n || id > 0xffffffffffffffffn) {
    throw new APIMisuseError('ChannelMonitorUpdate.updateId: expected a u64 bigint');
  }
  if (id <= latestUpdateId) {
    throw new APIMisuseError(
      `ChannelMonitorUpdate.updateId ${id} does not follow the latest id ${latestUpdateId}`,
    );
  }
}

/**
 * Storing channel monitors (LDK `chain::chainmonitor::Persist`). The `ChainMonitor` calls this
 * for every new monitor, every update and every chain event that changed a monitor, and holds
 * back what depends on the write (messages to the peer, monitor events) until it is durable:
 * a monitor that is lost or stale after a crash can cost the channel's funds (BOLT 5: a revoked
 * commitment we can no longer punish, an HTLC we can no longer claim).
 *
 * `KVStoreMonitorPersister` (`src/persist/monitor-persister.ts`) implements it over a `KVStore`.
 */
import type { ChannelMonitor } from './channel-monitor.js';
import type { OutPoint } from './outpoint.js';
import type { ChannelMonitorUpdate, ChannelMonitorUpdateStatus } from './watch.js';

/**
 * Implemented by the host (or boltkit's `KVStoreMonitorPersister`).
 *
 * What it must do: store the monitor (or the update, together with a way to rebuild the monitor
 * from the last full copy plus the updates after it) durably, in call order per channel, and
 * return the status:
 * - `Completed`: durable now (including any fsync);
 * - `InProgress`: being written; later call `ChainMonitor.channelMonitorUpdated(fundingOutpoint,
 *   updateId)` once everything up to `updateId` (the monitor's `getLatestUpdateId()` at the time
 *   of the call) is durable. Until then the channel sends nothing that depends on it;
 * - `UnrecoverableError`: it will never be stored; the node should shut down.
 *
 * Calls come from inside boltkit: return quickly, never block on I/O, never call back into the
 * `ChannelManager` or `ChainMonitor` synchronously. An exception counts as `UnrecoverableError`.
 * `monitor.serialize()` is a snapshot: take it during the call, the monitor changes afterwards.
 */
export interface Persist {
  /** A new channel's monitor, before it is watched. */
  persistNewChannel(fundingOutpoint: OutPoint, monitor: ChannelMonitor): ChannelMonitorUpdateStatus;
  /**
   * `update` was applied to `monitor` (already updated). `update` is `undefined` when the change
   * came from the chain (a funding spend seen, a claim confirmed): store the whole monitor then.
   */
  updatePersistedChannel(
    fundingOutpoint: OutPoint,
    update: ChannelMonitorUpdate | undefined,
    monitor: ChannelMonitor,
  ): ChannelMonitorUpdateStatus;
  /**
   * The channel is closed and fully resolved on chain: move its monitor out of the set read at
   * start-up (keep it archived rather than delete it, in case something was missed).
   */
  archivePersistedChannel(fundingOutpoint: OutPoint): void;
}

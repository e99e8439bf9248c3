/**
 * Rebuilding the channels of a `ChannelManager` read back from storage, against the monitors the
 * host stored (LDK `ChannelManagerReadArgs`): a funded channel must have its monitor; one whose
 * monitor is newer than the manager's copy is closed from the monitor's state.
 */
import type { ChannelForceClosedStep } from '../chain/channel-monitor-update-steps.js';
import { outPointsEqual, type OutPoint } from '../chain/outpoint.js';
import type { ChannelMonitor as WatchedMonitor, ChannelMonitorUpdate } from '../chain/watch.js';
import type { Event } from '../events/event.js';
import { fromHex } from '../util/bytes.js';
import { ChannelUnavailableError } from '../util/errors.js';
import type { ChannelOptions } from './channel/channel.js';
import { deserializeChannel } from './channel/serialize.js';
import type { UserConfig } from './config.js';
import type { StoredManager } from './manager-codec.js';
import type { ChannelEntry, ClosedChannel } from './manager-state.js';

/** A funded channel's monitor was not passed to `ChannelManager.read`. */
export class MissingChannelMonitorError extends ChannelUnavailableError {
  constructor(channelId: string) {
    super(`no ChannelMonitor for channel ${channelId}: refusing to start without it`, channelId);
  }
}

/**
 * The live channels, the closed ones, the pending events (with a `ChannelClosed` per stale
 * channel) and the `ChannelForceClosed` updates to hand to the `Watch` for the stale ones.
 */
export function restoreChannels(
  stored: StoredManager,
  monitors: readonly WatchedMonitor[],
  config: UserConfig,
  options: ChannelOptions,
): {
  entries: ChannelEntry[];
  closed: ClosedChannel[];
  events: Event[];
  staleUpdates: [OutPoint, ChannelMonitorUpdate][];
} {
  const entries: ChannelEntry[] = [];
  const closed: ClosedChannel[] = stored.closed.map((c) => ({
    ...c,
    channelIdBytes: fromHex(c.channelId, 32),
  }));
  const events: Event[] = [...stored.pendingEvents];
  const staleUpdates: [OutPoint, ChannelMonitorUpdate][] = [];
  for (const c of stored.channels) {
    const channel = deserializeChannel(c.channelBytes, options);
    const entry: ChannelEntry = {
      channel,
      counterpartyNodeId: c.counterpartyNodeId,
      temporaryChannelId: c.temporaryChannelId,
      config: config,
      fundingScript: c.fundingScript,
      fundingOutpoint: c.fundingOutpoint,
      inProgressUpdates: 0,
      confirmedBlockHash: c.confirmedBlockHash,
      stopped: false,
      closeReason: c.closeReason,
      shutdownInitiatedLocally: c.shutdownInitiatedLocally,
      createdAtHeight: c.createdAtHeight ?? stored.bestBlock.height,
      ...(c.counterpartyForwarding === undefined
        ? {}
        : { counterpartyForwarding: c.counterpartyForwarding }),
    };
    const outpoint = c.fundingOutpoint;
    if (outpoint === undefined) {
      entries.push(entry);
      continue;
    }
    const monitor = monitors.find((m) => outPointsEqual(m.getFundingTxo(), outpoint));
    if (monitor === undefined) throw new MissingChannelMonitorError(channel.channelId);
    const ours = channel.state.nextMonitorUpdateId - 1n;
    const latest = monitor.getLatestUpdateId();
    if (latest <= ours) {
      entries.push(entry);
      continue;
    }
    // The manager is older than the monitor: the channel state here may be revoked, so it is
    // never used again; the monitor's own latest commitment goes to chain.
    closed.push({
      channelId: channel.channelId,
      channelIdBytes: channel.state.channelId.slice(),
      counterpartyNodeId: c.counterpartyNodeId,
      fundingOutpoint: outpoint,
      // After the force-close update below.
      nextMonitorUpdateId: latest + 2n,
    });
    const forceClosed: ChannelForceClosedStep = {
      type: 'ChannelForceClosed',
      shouldBroadcast: true,
    };
    staleUpdates.push([
      outpoint,
      { updateId: latest + 1n, channelId: channel.channelId, steps: [forceClosed] },
    ]);
    events.push({
      type: 'ChannelClosed',
      channelId: channel.channelId,
      userChannelId: channel.state.userChannelId,
      reason: { type: 'OutdatedChannelManager' },
      counterpartyNodeId: c.counterpartyNodeId,
      channelCapacitySat: channel.state.fundingValueSat,
    });
  }
  return { entries, closed, events, staleUpdates };
}

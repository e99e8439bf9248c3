/**
 * Shared pieces of the monitor tests: monitors replayed from a side's recorded updates, a
 * persister double, and hashes for HTLCs.
 */
import { ChannelMonitor, type ChannelMonitorDeps } from '../../../src/chain/channel-monitor.js';
import type { OutPoint } from '../../../src/chain/outpoint.js';
import type { Persist } from '../../../src/chain/persist.js';
import { ChannelMonitorUpdateStatus, type ChannelMonitorUpdate } from '../../../src/chain/watch.js';
import { nobleBackend } from '../../../src/crypto/noble.js';
import type { Side } from './channel-pair.js';

/** A monitor built from `side`'s update 0 with every later update applied. */
export function replayMonitor(side: Side, deps: Partial<ChannelMonitorDeps> = {}): ChannelMonitor {
  const monitor = ChannelMonitor.fromInitialUpdate(side.updates[0]!, { keys: side.keys, ...deps });
  for (const u of side.updates.slice(1)) monitor.update(u);
  return monitor;
}

/** A preimage and its payment hash, from a one-byte seed. */
export function preimageAndHash(seed: number): { preimage: Uint8Array; hash: Uint8Array } {
  const preimage = new Uint8Array(32).fill(seed);
  return { preimage, hash: nobleBackend.sha256(preimage) };
}

export interface PersistCall {
  readonly kind: 'new' | 'update' | 'archive';
  readonly fundingOutpoint: OutPoint;
  readonly updateId: bigint | undefined;
  /** The monitor's serialization at the time of the call. */
  readonly snapshot: Uint8Array | undefined;
}

/** A `Persist` double: records every call and answers with `status()` (or throws). */
export class RecordingPersister implements Persist {
  readonly calls: PersistCall[] = [];
  status: () => ChannelMonitorUpdateStatus = () => ChannelMonitorUpdateStatus.Completed;

  persistNewChannel(
    fundingOutpoint: OutPoint,
    monitor: ChannelMonitor,
  ): ChannelMonitorUpdateStatus {
    this.calls.push({
      kind: 'new',
      fundingOutpoint,
      updateId: monitor.getLatestUpdateId(),
      snapshot: monitor.serialize(),
    });
    return this.status();
  }

  updatePersistedChannel(
    fundingOutpoint: OutPoint,
    update: ChannelMonitorUpdate | undefined,
    monitor: ChannelMonitor,
  ): ChannelMonitorUpdateStatus {
    this.calls.push({
      kind: 'update',
      fundingOutpoint,
      updateId: update?.updateId,
      snapshot: monitor.serialize(),
    });
    return this.status();
  }

  archivePersistedChannel(fundingOutpoint: OutPoint): void {
    this.calls.push({ kind: 'archive', fundingOutpoint, updateId: undefined, snapshot: undefined });
  }
}

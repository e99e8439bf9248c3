/**
 * Shared pieces of the monitor tests: monitors replayed from a side's recorded updates, a
 * persister double, and hashes for HTLCs.
 */
import { expect } from 'vitest';
import { ChainMonitor } from '../../../src/chain/chain-monitor.js';
import { ChannelMonitor, type ChannelMonitorDeps } from '../../../src/chain/channel-monitor.js';
import type { OutPoint } from '../../../src/chain/outpoint.js';
import type { Persist } from '../../../src/chain/persist.js';
import {
  ChannelMonitorUpdateStatus,
  type ChannelMonitorUpdate,
  type MonitorEvent,
} from '../../../src/chain/watch.js';
import { nobleBackend } from '../../../src/crypto/noble.js';
import type { TestBroadcaster } from '../../support/test-chain.js';
import type { ChannelPair, Side } from './channel-pair.js';

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

export interface WatchedSide {
  readonly chainMonitor: ChainMonitor;
  readonly persister: RecordingPersister;
  readonly broadcaster: TestBroadcaster;
  /** Events released after each block, with the height they were released at. */
  readonly events: (MonitorEvent & { readonly seenAt: number })[];
  readonly fundingOutpoint: () => OutPoint;
  /** Error-level log messages of the chain monitor (a monitor that threw on chain input). */
  readonly errors: string[];
}

/**
 * Hands every update of `side` to a fresh `ChainMonitor` (update 0 through `watchChannel`), and
 * feeds it the pair's chain through `Listen` or `Confirm`. Call from `ChannelPair.open`'s
 * `beforeFunding` hook so update 0 is seen live.
 */
export function watchSide(
  pair: ChannelPair,
  side: Side,
  via: 'listen' | 'confirm',
  deps: Partial<ChannelMonitorDeps> = {},
): WatchedSide {
  const persister = new RecordingPersister();
  const broadcaster = pair.chain.createBroadcaster();
  const errors: string[] = [];
  const chainMonitor = new ChainMonitor({
    persister,
    broadcaster,
    logger: {
      log: (r) => {
        if (r.level === 'error') errors.push(r.message);
      },
    },
  });
  let outpoint: OutPoint | undefined;
  side.onUpdate = (update) => {
    if (update.updateId === 0n) {
      const monitor = ChannelMonitor.fromInitialUpdate(update, { keys: side.keys, ...deps });
      outpoint = monitor.getFundingTxo();
      expect(chainMonitor.watchChannel(outpoint, monitor)).toBe('Completed');
    } else {
      expect(chainMonitor.updateChannel(outpoint!, update)).toBe('Completed');
    }
  };
  if (via === 'listen') pair.chain.attachListen(chainMonitor);
  else pair.chain.attachConfirm(chainMonitor);
  const events: WatchedSide['events'] = [];
  const collect = (): void => {
    for (const e of chainMonitor.releasePendingMonitorEvents()) {
      events.push({ ...e, seenAt: pair.chain.height });
    }
  };
  pair.chain.onBlockConnected(collect);
  pair.chain.onBlockDisconnected(collect);
  return { chainMonitor, persister, broadcaster, events, errors, fundingOutpoint: () => outpoint! };
}

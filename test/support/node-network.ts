/**
 * A network of boltkit nodes for ChannelManager tests, all on one `TestChain`: each node has a
 * `KeysManager` (fixed seed), a `ChainMonitor` over an in-memory `Persist` (synchronous
 * `Completed` by default, `InProgress` when a node's `asyncPersist` is on), and a
 * `ChannelManager`. Channel messages travel between managers in memory through their wire
 * encoding (`deliverAll`); blocks reach every manager and monitor through `Listen`.
 */
import { expect } from 'vitest';
import type { Block } from '../../src/chain/block.js';
import { ChainMonitor } from '../../src/chain/chain-monitor.js';
import { ChannelMonitor } from '../../src/chain/channel-monitor.js';
import { formatOutPoint, type OutPoint } from '../../src/chain/outpoint.js';
import type { Persist } from '../../src/chain/persist.js';
import { ChannelMonitorUpdateStatus, type ChannelMonitorUpdate } from '../../src/chain/watch.js';
import { ChannelManager } from '../../src/channel-manager/channel-manager.js';
import type { UserConfig } from '../../src/channel-manager/config.js';
import type { Event } from '../../src/events/event.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import { TestFeeEstimator } from './channel-pair.js';
import { TestChain } from './test-chain.js';

/** A `Persist` keeping monitor bytes in a map; `InProgress` while `async` is on. */
export class MemoryPersist implements Persist {
  readonly stored = new Map<string, Uint8Array>();
  async = false;
  /** Updates reported InProgress, to complete later. */
  readonly pending: { outpoint: OutPoint; updateId: bigint }[] = [];

  persistNewChannel(outpoint: OutPoint, monitor: ChannelMonitor): ChannelMonitorUpdateStatus {
    this.stored.set(formatOutPoint(outpoint), monitor.serialize());
    if (!this.async) return ChannelMonitorUpdateStatus.Completed;
    this.pending.push({ outpoint, updateId: monitor.getLatestUpdateId() });
    return ChannelMonitorUpdateStatus.InProgress;
  }
  updatePersistedChannel(
    outpoint: OutPoint,
    update: ChannelMonitorUpdate | undefined,
    monitor: ChannelMonitor,
  ): ChannelMonitorUpdateStatus {
    this.stored.set(formatOutPoint(outpoint), monitor.serialize());
    if (!this.async || update === undefined) return ChannelMonitorUpdateStatus.Completed;
    this.pending.push({ outpoint, updateId: update.updateId });
    return ChannelMonitorUpdateStatus.InProgress;
  }
  archivePersistedChannel(): void {
    // Kept: tests read monitors back.
  }
}

export class NetNode {
  readonly keys: KeysManager;
  readonly feeEstimator = new TestFeeEstimator();
  readonly persist = new MemoryPersist();
  chainMonitor!: ChainMonitor;
  manager!: ChannelManager;
  readonly events: Event[] = [];
  readonly nodeId: string;

  readonly network: Network;
  readonly seed: number;
  readonly config: Partial<UserConfig>;

  constructor(network: Network, seed: number, config: Partial<UserConfig>) {
    this.network = network;
    this.seed = seed;
    this.config = config;
    this.keys = new KeysManager(new Uint8Array(32).fill(seed), 1_700_000_000, seed, {
      getRandomValues: null,
    });
    this.chainMonitor = this.#newChainMonitor();
    this.manager = new ChannelManager({
      watch: this.chainMonitor,
      broadcaster: network.chain.createBroadcaster(),
      keys: this.keys,
      feeEstimator: this.feeEstimator,
      config,
      bestBlock: network.chain.tip,
      network: 'regtest',
    });
    this.nodeId = this.manager.getOurNodeId();
  }

  #newChainMonitor(): ChainMonitor {
    return new ChainMonitor({
      persister: this.persist,
      broadcaster: this.network.chain.createBroadcaster(),
    });
  }

  /** Drains the manager's events into `events` and returns the new ones. */
  takeEvents(): Event[] {
    const fresh = this.manager.getAndClearPendingEvents();
    this.events.push(...fresh);
    return fresh;
  }

  /** Completes every InProgress monitor write (as a host would once durable). */
  completePersistence(): void {
    for (const p of this.persist.pending.splice(0)) {
      this.chainMonitor.channelMonitorUpdated(p.outpoint, p.updateId);
    }
    this.manager.processPendingEvents();
  }

  /** Restarts from the serialized manager `bytes` (default: now) and the stored monitors. */
  restart(bytes: Uint8Array = this.manager.serialize()): void {
    this.chainMonitor = this.#newChainMonitor();
    const monitors: ChannelMonitor[] = [];
    for (const [, b] of this.persist.stored) {
      const m = ChannelMonitor.read(b, { keys: this.keys, feeEstimator: this.feeEstimator });
      this.chainMonitor.loadExistingMonitor(m.getFundingTxo(), m);
      monitors.push(m);
    }
    this.manager = ChannelManager.read(bytes, {
      watch: this.chainMonitor,
      broadcaster: this.network.chain.createBroadcaster(),
      keys: this.keys,
      feeEstimator: this.feeEstimator,
      config: this.config,
      network: 'regtest',
      monitors,
    });
  }
}

export class Network {
  readonly chain = new TestChain();
  readonly nodes: NetNode[] = [];

  constructor() {
    this.chain.onBlockConnected((block: Block, height: number) => {
      for (const n of this.nodes) {
        n.chainMonitor.blockConnected(block, height);
        n.manager.blockConnected(block, height);
      }
    });
    this.chain.onBlockDisconnected((header, height) => {
      for (const n of this.nodes) {
        n.chainMonitor.blockDisconnected(header, height);
        n.manager.blockDisconnected(header, height);
      }
    });
  }

  /** Connects every pair of nodes (init with our features). */
  connectAll(): void {
    for (const a of this.nodes) for (const b of this.nodes) if (a !== b) this.connect(a, b);
  }

  connect(a: NetNode, b: NetNode): void {
    const init = {
      type: 'init',
      globalFeatures: new Uint8Array(0),
      features: ourInitFeatures.toBytes(),
    } as const;
    a.manager.peerConnected(b.nodeId, init, false);
  }

  disconnect(a: NetNode, b: NetNode): void {
    a.manager.peerDisconnected(b.nodeId);
    b.manager.peerDisconnected(a.nodeId);
  }

  node(nodeId: string): NetNode {
    const n = this.nodes.find((x) => x.nodeId === nodeId);
    if (n === undefined) throw new Error(`no node ${nodeId}`);
    return n;
  }

  /** Delivers every queued message (through the wire encoding) until all queues are empty. */
  deliverAll(filter?: (from: NetNode, to: NetNode, m: Message) => boolean): void {
    for (let guard = 0; guard < 500; guard++) {
      let moved = false;
      for (const from of this.nodes) {
        for (const out of from.manager.getAndClearPendingMessages()) {
          const to = this.node(out.nodeId);
          const m = decodeMessage(encodeMessage(out.message));
          if (filter !== undefined && 'type' in m && !filter(from, to, m as Message)) continue;
          to.manager.handleChannelMessage(from.nodeId, m);
          moved = true;
        }
      }
      if (!moved) return;
    }
    throw new Error('deliverAll: messages keep coming');
  }

  connectBlocks(n: number, txs: readonly Uint8Array[] = []): void {
    this.chain.mineBlocks(n, txs);
  }

  /**
   * `a` opens a channel to `b` through FundingGenerationReady, a funding transaction from the
   * test wallet, confirmation and ChannelReady; returns the channel id.
   */
  openChannel(a: NetNode, b: NetNode, valueSat: bigint, pushMsat = 0n): string {
    const temp = a.manager.createChannel(b.nodeId, valueSat, pushMsat, 42n);
    this.deliverAll();
    const ready = a.takeEvents().find((e) => e.type === 'FundingGenerationReady');
    if (ready?.type !== 'FundingGenerationReady') throw new Error('no FundingGenerationReady');
    expect(ready.temporaryChannelId).toBe(temp);
    const tx = this.chain.wallet.createFundingTx([
      { scriptPubKey: ready.outputScript, valueSat: ready.channelValueSat },
    ]);
    a.manager.fundingTransactionGenerated(temp, b.nodeId, tx);
    this.deliverAll();
    const pending = a.takeEvents().find((e) => e.type === 'ChannelPending');
    if (pending?.type !== 'ChannelPending') throw new Error('no ChannelPending');
    b.takeEvents();
    this.connectBlocks(6);
    this.deliverAll();
    return pending.channelId;
  }
}

/** `n` nodes on one chain, connected to each other. */
export function createNetwork(n: number, configs: readonly Partial<UserConfig>[] = []): Network {
  const net = new Network();
  net.chain.mineBlocks(110);
  for (let i = 0; i < n; i++) net.nodes.push(new NetNode(net, 0x51 + i, configs[i] ?? {}));
  net.connectAll();
  return net;
}

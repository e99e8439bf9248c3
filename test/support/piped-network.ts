/**
 * boltkit nodes wired as a host wires them, all on one `TestChain`: each node has a
 * `KeysManager` (fixed seed), a `ChainMonitor` over an in-memory `Persist`, a `ChannelManager`,
 * and a `PeerManager` whose `channelMessageHandler` is that manager and whose node signer and
 * entropy are the `KeysManager`. Nodes talk over in-memory `Pipe`s: every connection starts with
 * a real BOLT 8 handshake and `init` exchange, and every channel message crosses the transport
 * encrypted. `deliverAll` moves bytes in a fixed order until nothing is left to send.
 */
import { expect } from 'vitest';
import type { Block } from '../../src/chain/block.js';
import { ChainMonitor } from '../../src/chain/chain-monitor.js';
import { ChannelManager } from '../../src/channel-manager/channel-manager.js';
import type { UserConfig } from '../../src/channel-manager/config.js';
import type { Event } from '../../src/events/event.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { chainHashOf } from '../../src/peer-manager/chain-hash.js';
import { PeerManager } from '../../src/peer-manager/peer-manager.js';
import { TestFeeEstimator } from './channel-pair.js';
import { MemoryPersist } from './node-network.js';
import { Pipe } from './pipe.js';
import { TestChain, type TestBroadcaster } from './test-chain.js';

/** One node: keys, monitors, channels and peers. */
export class PipedNode {
  readonly keys: KeysManager;
  readonly feeEstimator = new TestFeeEstimator();
  readonly persist = new MemoryPersist();
  readonly chainMonitor: ChainMonitor;
  readonly manager: ChannelManager;
  readonly pm: PeerManager;
  /** Every broadcast of the node (monitor and manager), with the chain's verdicts. */
  readonly broadcaster: TestBroadcaster;
  readonly events: Event[] = [];
  readonly nodeId: string;
  readonly name: string;

  constructor(chain: TestChain, seed: number, name: string, config: Partial<UserConfig>) {
    this.name = name;
    this.keys = new KeysManager(new Uint8Array(32).fill(seed), 1_700_000_000, seed, {
      getRandomValues: null,
    });
    this.broadcaster = chain.createBroadcaster();
    this.chainMonitor = new ChainMonitor({
      persister: this.persist,
      broadcaster: this.broadcaster,
    });
    this.manager = new ChannelManager({
      watch: this.chainMonitor,
      broadcaster: this.broadcaster,
      keys: this.keys,
      feeEstimator: this.feeEstimator,
      config,
      bestBlock: chain.tip,
      network: 'regtest',
    });
    this.pm = new PeerManager({
      nodeSigner: this.keys,
      entropySource: this.keys,
      chainHash: chainHashOf('regtest'),
      channelMessageHandler: this.manager,
    });
    this.nodeId = this.manager.getOurNodeId();
  }

  /** Drains the manager's events into `events` and returns the new ones. */
  takeEvents(): Event[] {
    const fresh = this.manager.getAndClearPendingEvents();
    this.events.push(...fresh);
    return fresh;
  }
}

/** What `openChannel` may pick. */
export interface OpenChannelOptions {
  /** Default: the opener's config (anchors unless turned off). */
  readonly channelType?: 'anchors' | 'static_remotekey';
  readonly pushMsat?: bigint;
  readonly userChannelId?: bigint;
}

/** Upper bound on `deliverAll` rounds: a conversation that long is a bug. */
const MAX_ROUNDS = 200;

export class PipedNetwork {
  readonly chain = new TestChain();
  readonly nodes: PipedNode[] = [];
  readonly #pipes: { a: PipedNode; b: PipedNode; pipe: Pipe }[] = [];

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

  addNode(name: string, seed: number, config: Partial<UserConfig> = {}): PipedNode {
    const node = new PipedNode(this.chain, seed, name, config);
    this.nodes.push(node);
    return node;
  }

  /** `a` dials `b`; handshake and `init` run to completion. */
  connect(a: PipedNode, b: PipedNode): void {
    if (this.#pipeOf(a, b) !== undefined) throw new Error(`${a.name}-${b.name}: already piped`);
    const pipe = Pipe.connect(a.pm, b.pm, `${a.name}-${b.name}`);
    this.#pipes.push({ a, b, pipe });
    this.deliverAll();
    expect(a.pm.getPeerNodeIds()).toContain(b.nodeId);
    expect(b.pm.getPeerNodeIds()).toContain(a.nodeId);
  }

  /** `a` drops its connection to `b`; `b` learns of it as from a socket close. */
  disconnect(a: PipedNode, b: PipedNode): void {
    const link = this.#pipeOf(a, b);
    if (link === undefined) throw new Error(`${a.name}-${b.name}: not piped`);
    a.pm.disconnectByNodeId(b.nodeId);
    link.pipe.propagateClose();
    this.#pipes.splice(this.#pipes.indexOf(link), 1);
    this.deliverAll();
    expect(a.pm.getPeerNodeIds()).not.toContain(b.nodeId);
    expect(b.pm.getPeerNodeIds()).not.toContain(a.nodeId);
  }

  /**
   * Runs every PeerManager's `processEvents` and moves every pipe's bytes both ways, in node and
   * pipe order, until a round moves nothing. Throws after `MAX_ROUNDS` rounds.
   */
  deliverAll(): void {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      for (const n of this.nodes) n.pm.processEvents();
      let moved = 0;
      for (const { pipe } of this.#pipes) {
        moved += pipe.deliver('a') + pipe.deliver('b');
        pipe.propagateClose();
      }
      if (moved === 0) return;
    }
    throw new Error('deliverAll: messages keep coming');
  }

  connectBlocks(n: number, txs: readonly Uint8Array[] = []): void {
    this.chain.mineBlocks(n, txs);
    this.deliverAll();
  }

  /**
   * `a` opens a channel to `b` over the pipes: FundingGenerationReady, a funding transaction from
   * the test wallet, `fundingTransactionGenerated`, six blocks and ChannelReady on both sides.
   * Returns the channel id.
   */
  openChannel(
    a: PipedNode,
    b: PipedNode,
    valueSat: bigint,
    options: OpenChannelOptions = {},
  ): string {
    const override =
      options.channelType === undefined
        ? undefined
        : { negotiateAnchorsZeroFeeHtlcTx: options.channelType === 'anchors' };
    const temp = a.manager.createChannel(
      b.nodeId,
      valueSat,
      options.pushMsat ?? 0n,
      options.userChannelId ?? 42n,
      override,
    );
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
    const channelId = pending.channelId;
    this.connectBlocks(6);
    for (const n of [a, b]) {
      const events = n.takeEvents();
      expect(events).toContainEqual(expect.objectContaining({ type: 'ChannelReady', channelId }));
    }
    return channelId;
  }

  #pipeOf(a: PipedNode, b: PipedNode): { a: PipedNode; b: PipedNode; pipe: Pipe } | undefined {
    return this.#pipes.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  }
}

/**
 * A network of nodes named `names` (seeds 0x61, 0x62, …) on a chain with 110 blocks; nobody is
 * connected yet.
 */
export function createPipedNetwork(
  names: readonly string[],
  configs: readonly Partial<UserConfig>[] = [],
): PipedNetwork {
  const net = new PipedNetwork();
  net.chain.mineBlocks(110);
  names.forEach((name, i) => net.addNode(name, 0x61 + i, configs[i] ?? {}));
  return net;
}

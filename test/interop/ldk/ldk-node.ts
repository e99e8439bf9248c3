/**
 * One LDK 0.1 node (npm `lightningdevkit`, WASM) wired for interop tests: fixed-seed keys, fixed
 * fee rate, in-memory monitors, a regtest `ChannelManager` on a test chain, a `PeerManager`
 * speaking BOLT 8 over real TCP through `SocketBridge`, and recorders for logs, broadcasts,
 * events and custom messages.
 *
 * LDK holds every trait object weakly, so the node keeps a field for each one it hands over.
 * Callbacks never throw into WASM and never call back into LDK; anything they cannot do on the
 * spot is queued and done from `processEvents()`, which runs after every read and on a short timer.
 */
import { createServer, connect as netConnect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { hex } from '@scure/base';
import type {
  BroadcasterInterface,
  ChainMonitor,
  ChannelManager,
  Event,
  EventHandler,
  FeeEstimator,
  KeysManager,
  Logger,
  NetworkGraph,
  Option_SocketAddressZ,
  Persist,
  PeerManager,
  RoutingMessageHandler,
} from 'lightningdevkit';
import { LdkCustomMessages, featureBitsFromLeFlags } from './custom-messages.js';
import type { PeerLifecycleRecord, ReceivedCustomMessage } from './custom-messages.js';
import { ldkBool, loadLdk } from './load.js';
import type { Ldk } from './load.js';
import { SocketBridge } from './socket-bridge.js';
import type { SocketBridgeStats } from './socket-bridge.js';
import { TestChain } from './test-chain.js';
import { parseNodeId } from './node-id.js';
import { makeUserConfig } from './user-config.js';
import type { LdkConfigOptions } from './user-config.js';

export interface LdkNodeOptions extends LdkConfigOptions {
  /** 32-byte seed, or one byte repeated 32 times. Distinct seeds give distinct node ids. */
  readonly seed: Uint8Array | number;
  /** Label in log lines. */
  readonly name?: string;
  /** What the fee estimator answers for every target; 253 (the floor) by default. */
  readonly feerateSatPerKw?: number;
  /**
   * Route gossip through a `P2PGossipSync`, so LDK advertises `gossip_queries` and sends a
   * `gossip_timestamp_filter` as real nodes do; on by default.
   */
  readonly gossip?: boolean;
  /** Which message types the custom reader decodes; all of the custom range by default. */
  readonly acceptCustomType?: (type: number) => boolean;
  /** How often `processEvents()` runs on its own; 10 ms by default. */
  readonly processIntervalMs?: number;
}

/** A peer that finished the handshake and `init`, as LDK's `list_peers()` reports it. */
export interface LdkPeer {
  readonly nodeIdHex: string;
  readonly inbound: boolean;
  /** Feature bits of the peer's `init` (bit numbers as BOLT 9 gives them). */
  readonly initFeatureBits: readonly number[];
}

const MAX_LOG_LINES = 5000;
const LEVEL_NAMES = ['GOSSIP', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export class LdkNode {
  readonly name: string;
  readonly nodeId: Uint8Array;
  readonly nodeIdHex: string;
  readonly chain = new TestChain();
  /** Log lines from LDK and from the glue, oldest first, capped at 5000. */
  readonly logLines: string[] = [];
  /** Every transaction LDK asked to broadcast, serialized. */
  readonly broadcastTxs: Uint8Array[] = [];
  /** Events from the `ChannelManager` and `ChainMonitor`, not yet taken by the test. */
  readonly events: Event[] = [];
  /** Errors caught inside callbacks; a test should expect this to stay empty. */
  readonly callbackErrors: unknown[] = [];

  readonly keysManager: KeysManager;
  readonly chainMonitor: ChainMonitor;
  readonly channelManager: ChannelManager;
  readonly peerManager: PeerManager;
  readonly networkGraph: NetworkGraph;

  private readonly custom: LdkCustomMessages;
  private readonly eventHandler: EventHandler;
  private readonly bridges = new Set<SocketBridge>();
  private readonly closedStats: SocketBridgeStats[] = [];
  private readonly servers = new Set<Server>();
  private readonly timer: NodeJS.Timeout;
  private processing = false;
  private stopped = false;
  // Strong references to objects LDK holds weakly or that own such objects.
  private readonly keepAlive: unknown[] = [];

  readonly ldk: Ldk;

  private constructor(ldk: Ldk, options: LdkNodeOptions) {
    this.ldk = ldk;
    this.name = options.name ?? 'ldk';
    const feerate = options.feerateSatPerKw ?? 253;

    const logger: Logger = ldk.Logger.new_impl({
      log: (record) => {
        try {
          const level = record.get_level();
          if (level === ldk.Level.LDKLevel_Gossip) return;
          this.log(
            `${LEVEL_NAMES[level] ?? level} ${record.get_module_path()}: ${record.get_args()}`,
          );
        } catch (e) {
          this.callbackErrors.push(e);
        }
      },
    });
    const feeEstimator: FeeEstimator = ldk.FeeEstimator.new_impl({
      get_est_sat_per_1000_weight: () => feerate,
    });
    const broadcaster: BroadcasterInterface = ldk.BroadcasterInterface.new_impl({
      broadcast_transactions: (txs) => {
        for (const tx of txs) this.broadcastTxs.push(tx);
      },
    });
    // Monitors live only in memory: every update reports Completed at once.
    const persister: Persist = ldk.Persist.new_impl({
      persist_new_channel: () =>
        ldk.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed,
      update_persisted_channel: () =>
        ldk.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed,
      archive_persisted_channel: () => undefined,
    });
    this.chainMonitor = ldk.ChainMonitor.constructor_new(
      ldk.Option_FilterZ.constructor_none(),
      broadcaster,
      logger,
      feeEstimator,
      persister,
    );

    const seed =
      typeof options.seed === 'number' ? new Uint8Array(32).fill(options.seed) : options.seed;
    if (seed.length !== 32) throw new Error(`seed: expected 32 bytes, got ${seed.length}`);
    // Fixed starting time: keys and ephemeral data derive from the seed alone, run after run.
    this.keysManager = ldk.KeysManager.constructor_new(seed, 1_700_000_000n, 0);
    const entropy = this.keysManager.as_EntropySource();

    this.networkGraph = ldk.NetworkGraph.constructor_new(ldk.Network.LDKNetwork_Regtest, logger);
    const scorer = ldk.ProbabilisticScorer.constructor_new(
      ldk.ProbabilisticScoringDecayParameters.constructor_default(),
      this.networkGraph,
      logger,
    );
    const lockableScore = ldk.MultiThreadedLockableScore.constructor_new(scorer.as_Score());
    const router = ldk.DefaultRouter.constructor_new(
      this.networkGraph,
      logger,
      entropy,
      lockableScore.as_LockableScore(),
      ldk.ProbabilisticScoringFeeParameters.constructor_default(),
    );
    const messageRouter = ldk.DefaultMessageRouter.constructor_new(this.networkGraph, entropy);

    const genesis = this.chain.tip;
    this.channelManager = ldk.ChannelManager.constructor_new(
      feeEstimator,
      this.chainMonitor.as_Watch(),
      broadcaster,
      router.as_Router(),
      messageRouter.as_MessageRouter(),
      logger,
      entropy,
      this.keysManager.as_NodeSigner(),
      this.keysManager.as_SignerProvider(),
      makeUserConfig(ldk, options),
      ldk.ChainParameters.constructor_new(
        ldk.Network.LDKNetwork_Regtest,
        ldk.BestBlock.constructor_new(genesis.hash, genesis.height),
      ),
      genesis.timeSecs,
    );

    const ignorer = ldk.IgnoringMessageHandler.constructor_new();
    let routingHandler: RoutingMessageHandler;
    if (options.gossip ?? true) {
      const gossipSync = ldk.P2PGossipSync.constructor_new(
        this.networkGraph,
        ldk.Option_UtxoLookupZ.constructor_none(),
        logger,
      );
      this.keepAlive.push(gossipSync);
      routingHandler = gossipSync.as_RoutingMessageHandler();
    } else {
      routingHandler = ignorer.as_RoutingMessageHandler();
    }
    this.custom = new LdkCustomMessages(ldk, options.acceptCustomType);
    this.peerManager = ldk.PeerManager.constructor_new(
      this.channelManager.as_ChannelMessageHandler(),
      routingHandler,
      ignorer.as_OnionMessageHandler(),
      this.custom.handler,
      genesis.timeSecs,
      entropy.get_secure_random_bytes(),
      logger,
      this.keysManager.as_NodeSigner(),
    );

    const eventHandler: EventHandler = ldk.EventHandler.new_impl({
      handle_event: (event) => {
        this.events.push(event);
        return ldk.Result_NoneReplayEventZ.constructor_ok();
      },
    });
    this.keepAlive.push(
      logger,
      feeEstimator,
      broadcaster,
      persister,
      scorer,
      lockableScore,
      router,
      messageRouter,
      ignorer,
      routingHandler,
      eventHandler,
    );
    this.eventHandler = eventHandler;

    this.nodeId = this.channelManager.get_our_node_id();
    this.nodeIdHex = hex.encode(this.nodeId);
    this.timer = setInterval(() => {
      this.processEvents();
    }, options.processIntervalMs ?? 10);
    // Open sockets keep the process alive while they matter; the timer alone never does.
    this.timer.unref();
  }

  /** Loads the WASM module if needed and starts a node. */
  static async start(options: LdkNodeOptions): Promise<LdkNode> {
    const ldk = await loadLdk();
    return new LdkNode(ldk, options);
  }

  /** Custom messages LDK's handler received, in arrival order. */
  get receivedCustomMessages(): readonly ReceivedCustomMessage[] {
    return this.custom.received;
  }

  /** Peer connects and disconnects as LDK's handlers saw them, in order. */
  get peerLifecycle(): readonly PeerLifecycleRecord[] {
    return this.custom.lifecycle;
  }

  /** Number of TCP connections still open, whether or not their handshake finished. */
  get openConnectionCount(): number {
    return this.bridges.size;
  }

  /** Flow-control counters summed over every connection this node had, open or closed. */
  socketStats(): SocketBridgeStats {
    const sum: SocketBridgeStats = { writeBlocks: 0, readPausesByLdk: 0, bytesIn: 0, bytesOut: 0 };
    for (const s of [...this.closedStats, ...[...this.bridges].map((b) => b.stats)]) {
      sum.writeBlocks += s.writeBlocks;
      sum.readPausesByLdk += s.readPausesByLdk;
      sum.bytesIn += s.bytesIn;
      sum.bytesOut += s.bytesOut;
    }
    return sum;
  }

  /** Errors caught inside any LDK callback of this node, its sockets and its custom handler. */
  allCallbackErrors(): unknown[] {
    const out = [...this.callbackErrors, ...this.custom.callbackErrors];
    for (const b of this.bridges) out.push(...b.callbackErrors);
    return out;
  }

  /**
   * Lets LDK send what it queued and drains events into `events`. Safe to call at any time from
   * outside an LDK callback; runs on a timer anyway.
   */
  processEvents(): void {
    if (this.processing || this.stopped) return;
    this.processing = true;
    try {
      this.peerManager.process_events();
      this.channelManager.as_EventsProvider().process_pending_events(this.eventHandler);
      this.chainMonitor.as_EventsProvider().process_pending_events(this.eventHandler);
    } finally {
      this.processing = false;
    }
  }

  /**
   * One tick of LDK's timers: the `PeerManager` pings every peer and disconnects those that did
   * not answer the previous round; the `ChannelManager` does its housekeeping.
   */
  timerTick(): void {
    this.peerManager.timer_tick_occurred();
    this.channelManager.timer_tick_occurred();
    this.processEvents();
  }

  /** Accepts inbound TCP connections on 127.0.0.1; resolves to the bound port. */
  async listenTcp(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => {
      this.acceptInbound(socket);
    });
    this.servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * Opens a TCP connection and starts the BOLT 8 handshake as initiator. Resolves once TCP is
   * connected and act one is written; wait on `listPeers()` for the handshake and `init`.
   * The node id is checked to be a valid compressed point first: an invalid key would panic
   * inside WASM and take down every LDK node in the process.
   */
  async connectTcp(host: string, port: number, theirNodeIdHex: string): Promise<void> {
    const theirNodeId = parseNodeId(theirNodeIdHex);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host, port });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
    });
    if (this.stopped) {
      socket.destroy();
      throw new Error('node stopped');
    }
    const bridge = this.addBridge(socket);
    const result = this.peerManager.new_outbound_connection(
      theirNodeId,
      bridge.descriptor,
      this.socketAddress(host, port),
    );
    if (!(result instanceof this.ldk.Result_CVec_u8ZPeerHandleErrorZ_OK)) {
      bridge.rejectedByLdk('new_outbound_connection returned Err');
      throw new Error(`LDK refused an outbound connection to ${theirNodeIdHex}`);
    }
    socket.write(result.res);
  }

  /** Peers that completed the handshake and `init`. */
  listPeers(): LdkPeer[] {
    return this.peerManager.list_peers().map((p) => ({
      nodeIdHex: hex.encode(p.get_counterparty_node_id()),
      inbound: ldkBool(p.get_is_inbound_connection()),
      initFeatureBits: featureBitsFromLeFlags(p.get_init_features().le_flags()),
    }));
  }

  /** The peer with this node id, if it is connected and past `init`. */
  peer(nodeIdHex: string): LdkPeer | undefined {
    return this.listPeers().find((p) => p.nodeIdHex === nodeIdHex.toLowerCase());
  }

  /**
   * Sends a BOLT 1 custom message through LDK's `CustomMessageHandler`. LDK drops it silently if
   * the peer is not connected when it collects the queue.
   */
  sendCustomMessage(nodeIdHex: string, type: number, payload: Uint8Array): void {
    if (!Number.isInteger(type) || type < 0 || type > 0xffff) {
      throw new Error(`type: expected a u16, got ${type}`);
    }
    this.custom.queue(parseNodeId(nodeIdHex), type, payload);
    this.processEvents();
  }

  /** Takes all queued events. */
  takeEvents(): Event[] {
    return this.events.splice(0, this.events.length);
  }

  /**
   * Mines `count` blocks on the test chain and connects them to the `ChannelManager` and
   * `ChainMonitor`. `txs` (serialized) go into the first of them.
   */
  connectBlocks(count: number, txs: readonly Uint8Array[] = []): void {
    for (let i = 0; i < count; i++) {
      const block = this.chain.mine();
      const txdata =
        i === 0
          ? txs.map((tx, index) =>
              this.ldk.TwoTuple_usizeTransactionZ.constructor_new(index + 1, tx),
            )
          : [];
      this.channelManager.as_Listen().filtered_block_connected(block.header, txdata, block.height);
      this.chainMonitor.as_Listen().filtered_block_connected(block.header, txdata, block.height);
    }
    this.processEvents();
  }

  /** Closes the connection to one peer from LDK's side. */
  disconnectPeer(nodeIdHex: string): void {
    this.peerManager.disconnect_by_node_id(parseNodeId(nodeIdHex));
    this.processEvents();
  }

  /** Closes every peer connection from LDK's side. */
  disconnectAll(): void {
    this.peerManager.disconnect_all_peers();
    this.processEvents();
  }

  /** Closes sockets, servers and the timer so the process can exit. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.timer);
    this.peerManager.disconnect_all_peers();
    this.stopped = true;
    const closing: Promise<void>[] = [];
    for (const bridge of this.bridges) {
      if (!bridge.socket.destroyed) {
        closing.push(new Promise((resolve) => bridge.socket.once('close', () => resolve())));
      }
      bridge.destroy();
    }
    for (const server of this.servers) {
      closing.push(new Promise((resolve) => server.close(() => resolve())));
    }
    this.servers.clear();
    await Promise.all(closing);
  }

  /** The last `lines` log lines, one per line, for printing when a test fails. */
  formatLog(lines = 200): string {
    return this.logLines
      .slice(-lines)
      .map((l) => `[${this.name}] ${l}`)
      .join('\n');
  }

  private log(line: string): void {
    this.logLines.push(line);
    if (this.logLines.length > MAX_LOG_LINES)
      this.logLines.splice(0, this.logLines.length - MAX_LOG_LINES);
  }

  private acceptInbound(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const bridge = this.addBridge(socket);
    const result = this.peerManager.new_inbound_connection(
      bridge.descriptor,
      this.socketAddress(socket.remoteAddress ?? '', socket.remotePort ?? 0),
    );
    if (!(result instanceof this.ldk.Result_NonePeerHandleErrorZ_OK)) {
      bridge.rejectedByLdk('new_inbound_connection returned Err');
    }
  }

  private addBridge(socket: Socket): SocketBridge {
    const bridge = new SocketBridge(this.ldk, this.peerManager, socket, {
      afterIo: () => {
        this.processEvents();
      },
      onClosed: (b) => {
        this.bridges.delete(b);
        this.closedStats.push(b.stats);
        // LDK may still hold a clone of the descriptor for a moment: keep the object alive.
        this.keepAlive.push(b);
      },
      log: (line) => {
        this.log(line);
      },
    });
    this.bridges.add(bridge);
    return bridge;
  }

  /** The address LDK reports back to the peer in `init` (BOLT 1 `remote_addr`); IPv4 only. */
  private socketAddress(host: string, port: number): Option_SocketAddressZ {
    const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
    if (m === null || port <= 0 || port > 0xffff)
      return this.ldk.Option_SocketAddressZ.constructor_none();
    const octets = Uint8Array.from(m.slice(1, 5).map(Number));
    return this.ldk.Option_SocketAddressZ.constructor_some(
      this.ldk.SocketAddress.constructor_tcp_ip_v4(octets, port),
    );
  }
}

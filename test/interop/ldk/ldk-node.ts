/**
 * One LDK 0.1 node (npm `lightningdevkit`, WASM) wired for interop tests: fixed-seed keys, fixed
 * fee rate, in-memory monitors, a regtest `ChannelManager` fed by an `LdkChain` (its own, or one
 * shared with other nodes and with boltkit), a `PeerManager` speaking BOLT 8 over real TCP
 * through `SocketBridge`, recorders for logs, broadcasts, events and custom messages, and the
 * channel, payment and on-chain glue (ldk-channels.ts, ldk-payments.ts, ldk-onchain.ts).
 *
 * LDK holds every trait object weakly, so the node keeps a field for each one it hands over.
 * Callbacks never throw into WASM and never call back into LDK; events are collected during
 * `process_pending_events` and answered afterwards, from `processEvents()`, which runs after
 * every read, after every batch of blocks and on a short timer.
 */
import { hex } from '@scure/base';
import type {
  ChainMonitor,
  ChannelManager,
  Event,
  EventHandler,
  KeysManager,
  NetworkGraph,
  PeerManager,
} from 'lightningdevkit';
import { featureBitsFromLeFlags } from './custom-messages.js';
import type {
  LdkCustomMessages,
  PeerLifecycleRecord,
  ReceivedCustomMessage,
} from './custom-messages.js';
import { LdkChain } from './ldk-chain.js';
import type { LdkChainFeedStyle } from './ldk-chain.js';
import { LdkChannels } from './ldk-channels.js';
import type {
  CreateChannelOptions,
  InboundChannelPolicy,
  LdkChannelEvent,
  LdkChannelInfo,
} from './ldk-channels.js';
import { LdkOnchain } from './ldk-onchain.js';
import { LdkPayments } from './ldk-payments.js';
import type {
  CreateInvoiceOptions,
  LdkInvoice,
  PayInvoiceOptions,
  SendToNodeOptions,
} from './ldk-payments.js';
import { wireLdkNode } from './ldk-wiring.js';
import type { LdkWiringOptions } from './ldk-wiring.js';
import { ldkBool, loadLdk } from './load.js';
import type { Ldk } from './load.js';
import type { SocketBridgeStats } from './socket-bridge.js';
import { LdkTcp } from './ldk-tcp.js';
import { parseNodeId } from './node-id.js';

export interface LdkNodeOptions extends LdkWiringOptions {
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
  /**
   * The chain the node follows and broadcasts to. Nodes that open channels with each other must
   * share one; by default each node gets its own bare chain (regtest genesis, no coins).
   */
  readonly chain?: LdkChain;
  /** How blocks reach LDK (`Listen` or `Confirm`); `listen` by default. */
  readonly feedStyle?: LdkChainFeedStyle;
  /** How inbound channels are answered; `accept` by default. */
  readonly inboundChannels?: InboundChannelPolicy;
  /** Claim inbound payments as soon as they are claimable; on by default. */
  readonly autoClaim?: boolean;
  /** Keep LDK events in `events` and payment records in `payments.events`; on by default. */
  readonly recordEvents?: boolean;
  /** Sweep `SpendableOutputs` to the chain wallet as they come; on by default. */
  readonly sweepSpendableOutputs?: boolean;
}
/** A peer that finished the handshake and `init`, as LDK's `list_peers()` reports it. */
export interface LdkPeer {
  readonly nodeIdHex: string;
  readonly inbound: boolean;
  /** Feature bits of the peer's `init` (bit numbers as BOLT 9 gives them). */
  readonly initFeatureBits: readonly number[];
}

const MAX_LOG_LINES = 5000;
/** Rounds of answering events per `processEvents()`; answers can raise further events. */
const MAX_EVENT_ROUNDS = 8;

export class LdkNode {
  readonly name: string;
  readonly nodeId: Uint8Array;
  readonly nodeIdHex: string;
  /** The chain this node follows and broadcasts to. */
  readonly chain: LdkChain;
  /** Opening, accepting, listing and closing channels; their events. */
  readonly channels: LdkChannels;
  /** Invoices and payments; their events. */
  readonly payments: LdkPayments;
  /** Anchor fee bumps and sweeps of spendable outputs. */
  readonly onchain: LdkOnchain;
  /** Log lines from LDK and from the glue, oldest first, capped at 5000. */
  readonly logLines: string[] = [];
  /** Every transaction LDK asked to broadcast, serialized. */
  readonly broadcastTxs: Uint8Array[] = [];
  /** Events from the `ChannelManager` and `ChainMonitor`, not yet taken by the test. */
  readonly events: Event[] = [];
  /** Errors caught inside callbacks; a test should expect this to stay empty. */
  readonly callbackErrors: unknown[] = [];
  /** Errors thrown while answering events outside callbacks; expected to stay empty too. */
  readonly eventErrors: string[] = [];

  readonly keysManager: KeysManager;
  readonly chainMonitor: ChainMonitor;
  readonly channelManager: ChannelManager;
  readonly peerManager: PeerManager;
  readonly networkGraph: NetworkGraph;

  private readonly custom: LdkCustomMessages;
  private readonly eventHandler: EventHandler;
  private readonly tcp: LdkTcp;
  private readonly timer: NodeJS.Timeout;
  private readonly detachChain: () => void;
  private readonly recordEvents: boolean;
  private feerateSatPerKw: number;
  /** Events LDK handed over during the current `process_pending_events`, not yet answered. */
  private incoming: Event[] = [];
  private processing = false;
  private stopped = false;
  // Strong references to objects LDK holds weakly or that own such objects.
  private readonly keepAlive: unknown[] = [];

  readonly ldk: Ldk;

  private constructor(ldk: Ldk, options: LdkNodeOptions) {
    this.ldk = ldk;
    this.name = options.name ?? 'ldk';
    this.chain = options.chain ?? new LdkChain({ matureBlocks: 0 });
    this.recordEvents = options.recordEvents ?? true;
    this.feerateSatPerKw = options.feerateSatPerKw ?? 253;
    const wiring = wireLdkNode(ldk, options, this.chain.bestBlock(), {
      log: (line) => {
        this.log(line);
      },
      broadcast: (tx) => {
        this.broadcast(tx);
      },
      event: (event) => {
        this.incoming.push(event);
      },
      callbackError: (error) => {
        this.callbackErrors.push(error);
      },
      feerateSatPerKw: () => this.feerateSatPerKw,
    });
    this.keysManager = wiring.keysManager;
    this.chainMonitor = wiring.chainMonitor;
    this.channelManager = wiring.channelManager;
    this.peerManager = wiring.peerManager;
    this.networkGraph = wiring.networkGraph;
    this.custom = wiring.custom;
    this.eventHandler = wiring.eventHandler;
    this.keepAlive.push(wiring);

    const log = (line: string): void => {
      this.log(line);
    };
    this.channels = new LdkChannels({
      ldk,
      name: this.name,
      channelManager: this.channelManager,
      chain: this.chain,
      config: options,
      inboundPolicy: options.inboundChannels ?? 'accept',
      log,
    });
    this.payments = new LdkPayments({
      ldk,
      channelManager: this.channelManager,
      autoClaim: options.autoClaim ?? true,
      recordEvents: this.recordEvents,
    });
    this.onchain = new LdkOnchain({
      ldk,
      name: this.name,
      chain: this.chain,
      keysManager: this.keysManager,
      broadcaster: wiring.broadcaster,
      logger: wiring.logger,
      feerateSatPerKw: () => this.feerateSatPerKw,
      sweep: options.sweepSpendableOutputs ?? true,
      broadcast: (tx) => {
        this.broadcast(tx);
      },
      log,
    });
    this.detachChain = this.chain.attach({
      ldk,
      channelManager: this.channelManager,
      chainMonitor: this.chainMonitor,
      feedStyle: options.feedStyle ?? 'listen',
      afterBlocks: () => {
        this.processEvents();
      },
    });

    this.tcp = new LdkTcp(ldk, this.peerManager, {
      afterIo: () => {
        this.processEvents();
      },
      log,
    });

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
    return this.tcp.openConnectionCount;
  }

  /** Flow-control counters summed over every connection this node had, open or closed. */
  socketStats(): SocketBridgeStats {
    return this.tcp.stats();
  }

  /** Errors caught inside any LDK callback of this node, its sockets and its custom handler. */
  allCallbackErrors(): unknown[] {
    return [...this.callbackErrors, ...this.custom.callbackErrors, ...this.tcp.callbackErrors()];
  }

  /**
   * Lets LDK send what it queued, drains events, answers them (funding, inbound channels, HTLC
   * forwarding, claims, fee bumps, sweeps) and records them in `events`; repeats while answers
   * raise new events, up to a bound. Safe to call at any time from outside an LDK callback;
   * runs on a timer anyway.
   */
  processEvents(): void {
    if (this.processing || this.stopped) return;
    this.processing = true;
    try {
      for (let round = 0; round < MAX_EVENT_ROUNDS; round++) {
        this.peerManager.process_events();
        this.chainMonitor.as_EventsProvider().process_pending_events(this.eventHandler);
        this.channelManager.as_EventsProvider().process_pending_events(this.eventHandler);
        const batch = this.incoming;
        if (batch.length === 0) break;
        this.incoming = [];
        for (const event of batch) this.dispatch(event);
      }
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
    return this.tcp.listen(port, host);
  }

  /**
   * Opens a TCP connection and starts the BOLT 8 handshake as initiator. Resolves once TCP is
   * connected and act one is written; wait on `listPeers()` for the handshake and `init`.
   * The node id is checked to be a valid compressed point first: an invalid key would panic
   * inside WASM and take down every LDK node in the process.
   */
  async connectTcp(host: string, port: number, theirNodeIdHex: string): Promise<void> {
    if (this.stopped) throw new Error('node stopped');
    await this.tcp.connect(host, port, theirNodeIdHex);
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
   * Mines `count` blocks on this node's chain (shared: every node on it sees them) and lets each
   * attached node react. `txs` are submitted first and must be valid; the first block confirms
   * the whole mempool, so every accepted broadcast too.
   */
  connectBlocks(count: number, txs: readonly Uint8Array[] = []): void {
    this.chain.connectBlocks(count, txs);
  }

  // ---- channels (ldk-channels.ts) ----

  /** `LdkChannels.createChannel`: proposes a channel; returns the temporary channel id. */
  createChannel(
    theirNodeIdHex: string,
    valueSat: bigint,
    pushMsat: bigint,
    options: CreateChannelOptions = {},
  ): string {
    const id = this.channels.createChannel(theirNodeIdHex, valueSat, pushMsat, options);
    this.processEvents();
    return id;
  }

  listChannels(): LdkChannelInfo[] {
    return this.channels.listChannels();
  }

  channel(channelIdHex: string): LdkChannelInfo | undefined {
    return this.channels.channel(channelIdHex);
  }

  get channelEvents(): readonly LdkChannelEvent[] {
    return this.channels.events;
  }

  closeChannel(channelIdHex: string, counterpartyHex: string): void {
    this.channels.closeChannel(channelIdHex, counterpartyHex);
    this.processEvents();
  }

  forceCloseBroadcastingLatestTxn(channelIdHex: string, counterpartyHex: string): void {
    this.channels.forceCloseBroadcastingLatestTxn(channelIdHex, counterpartyHex);
    this.processEvents();
  }

  // ---- payments (ldk-payments.ts) ----

  createInvoice(options: CreateInvoiceOptions = {}): LdkInvoice {
    return this.payments.createInvoice(options);
  }

  /** `LdkPayments.payInvoice`: starts paying; returns the payment id. */
  payInvoice(invoice: string, options: PayInvoiceOptions = {}): string {
    const id = this.payments.payInvoice(invoice, options);
    this.processEvents();
    return id;
  }

  /** `LdkPayments.sendToNode`: pays a node a hash of the caller's; returns the payment id. */
  sendToNode(options: SendToNodeOptions): string {
    const id = this.payments.sendToNode(options);
    this.processEvents();
    return id;
  }

  /**
   * Changes what the fee estimator answers from now on, for every target. A rate above an
   * anchor channel's commitment rate makes a force close go through `BumpTransaction` (CPFP on
   * the anchor) instead of broadcasting the commitment alone.
   */
  setFeerate(feerateSatPerKw: number): void {
    this.feerateSatPerKw = feerateSatPerKw;
  }

  /** Failures of the glue outside callbacks: event answers, funding, bumps, sweeps. */
  glueErrors(): string[] {
    return [...this.eventErrors, ...this.channels.errors, ...this.onchain.errors];
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
    this.detachChain();
    this.peerManager.disconnect_all_peers();
    this.stopped = true;
    await this.tcp.close();
  }

  /** The last `lines` log lines, one per line, for printing when a test fails. */
  formatLog(lines = 200): string {
    return this.logLines
      .slice(-lines)
      .map((l) => `[${this.name}] ${l}`)
      .join('\n');
  }

  private dispatch(event: Event): void {
    try {
      this.channels.handleEvent(event);
      this.payments.handleEvent(event);
      this.onchain.handleEvent(event);
    } catch (e) {
      const line = `answering ${event.constructor.name}: ${e instanceof Error ? e.message : String(e)}`;
      this.eventErrors.push(line);
      this.log(`ERROR glue: ${line}`);
    }
    if (this.recordEvents) this.events.push(event);
  }

  /** Records a transaction LDK (or the glue for it) broadcast and offers it to the chain. */
  private broadcast(tx: Uint8Array): void {
    this.broadcastTxs.push(tx);
    const record = this.chain.submitBroadcast(this.name, tx);
    if (!record.result.accepted) {
      this.log(
        `WARN chain: broadcast ${record.txid} refused: ${record.result.reason} (${record.result.detail})`,
      );
    }
  }

  private log(line: string): void {
    this.logLines.push(line);
    if (this.logLines.length > MAX_LOG_LINES)
      this.logLines.splice(0, this.logLines.length - MAX_LOG_LINES);
  }
}

/**
 * One whole boltkit node for interop tests, benchmarks and scenarios: a KeysManager from a fixed
 * seed, a ChainMonitor storing monitors through a KVStoreMonitorPersister (in memory, writes
 * completing asynchronously as a real store's do), the ChannelManager, and a PeerManager whose
 * channel message handler is the manager. It follows a `TestChain` (shared with LDK nodes
 * through `LdkChain.testChain`), broadcasts there, and answers events as a host would:
 * `FundingGenerationReady` is funded from the chain's wallet, `OpenChannelRequest` is answered by
 * a policy. Everything recorded (events, logs, broadcasts) stays readable for assertions.
 *
 * The event loop runs after every block batch and on a short interval; nothing waits on a sleep,
 * tests wait on conditions with `waitFor`.
 */
import type { BroadcasterInterface } from '../../../src/chain/broadcaster.js';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nobleBackend } from '../../../src/crypto/noble.js';
import { ChainMonitor } from '../../../src/chain/chain-monitor.js';
import type { FeeEstimator } from '../../../src/chain/fee-estimator.js';
import { ChannelManager } from '../../../src/channel-manager/channel-manager.js';
import type { ChannelDetails } from '../../../src/channel-manager/channel-details.js';
import type { UserConfig } from '../../../src/channel-manager/config.js';
import type { Event } from '../../../src/events/event.js';
import { KeysManager } from '../../../src/keys/keys-manager.js';
import { chainHashOf } from '../../../src/peer-manager/chain-hash.js';
import { PeerManager } from '../../../src/peer-manager/peer-manager.js';
import { MemoryKVStore } from '../../../src/persist/memory-store.js';
import { KVStoreMonitorPersister } from '../../../src/persist/monitor-persister.js';
import type { KVStore } from '../../../src/persist/kv-store.js';
import type { LogRecord } from '../../../src/util/logger.js';
import { connectOutbound, listenInbound, type InboundListener } from '../../../src/node/tcp.js';
import type { TestChain } from '../../support/test-chain.js';

/** What to answer an inbound `open_channel`. */
export type BoltkitInboundDecision = 'accept' | 'acceptZeroConf' | 'reject';
export type BoltkitInboundPolicy =
  | BoltkitInboundDecision
  | ((request: Extract<Event, { type: 'OpenChannelRequest' }>) => BoltkitInboundDecision);

export interface BoltkitNodeOptions {
  /** One byte repeated 32 times, or a 32-byte seed. */
  readonly seed: number | Uint8Array;
  readonly name?: string;
  readonly chain: TestChain;
  /** Where broadcasts go; the chain's mempool (`chain.createBroadcaster()`) by default. */
  readonly broadcaster?: BroadcasterInterface;
  /** Answer to every fee estimate; 253 sat/kW (the floor) by default. */
  readonly feerateSatPerKw?: number;
  readonly config?: Partial<UserConfig>;
  readonly inboundChannels?: BoltkitInboundPolicy;
  /** How blocks arrive: `Listen` (full blocks) or `Confirm`; `listen` by default. */
  readonly feedStyle?: 'listen' | 'confirm';
  /** Monitor store; a fresh MemoryKVStore by default. */
  readonly store?: KVStore;
  /** How often the event loop runs on its own, ms; 5 by default. */
  readonly loopIntervalMs?: number;
  /** Keep log records at or above debug; only warn and error by default (benchmarks). */
  readonly verbose?: boolean;
  /** The crypto backend of every component; noble by default. */
  readonly crypto?: CryptoBackend;
}

const MAX_LOG_LINES = 5000;

export class BoltkitNode {
  readonly name: string;
  readonly keys: KeysManager;
  readonly chain: TestChain;
  readonly store: KVStore;
  readonly persister: KVStoreMonitorPersister;
  readonly chainMonitor: ChainMonitor;
  readonly channelManager: ChannelManager;
  readonly peerManager: PeerManager;
  /** Every event the manager raised, oldest first. */
  readonly events: Event[] = [];
  readonly logLines: string[] = [];
  /** Errors thrown while answering events; a test expects none. */
  readonly loopErrors: string[] = [];
  readonly #policy: BoltkitInboundPolicy;
  readonly #detach: () => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #listener: InboundListener | undefined;
  #stopped = false;

  constructor(options: BoltkitNodeOptions) {
    this.name = options.name ?? 'boltkit';
    this.chain = options.chain;
    this.#policy = options.inboundChannels ?? 'accept';
    const seed =
      typeof options.seed === 'number' ? new Uint8Array(32).fill(options.seed) : options.seed;
    const crypto = options.crypto ?? nobleBackend;
    this.keys = new KeysManager(seed, 1_700_000_000, 0, { crypto });
    const verbose = options.verbose ?? false;
    const logger = {
      log: (r: LogRecord): void => {
        if (!verbose && r.level !== 'warn' && r.level !== 'error') return;
        if (this.logLines.length >= MAX_LOG_LINES) this.logLines.shift();
        this.logLines.push(`${this.name} ${r.level} [${r.module ?? ''}] ${r.message}`);
      },
    };
    const broadcaster = options.broadcaster ?? options.chain.createBroadcaster();
    this.store = options.store ?? new MemoryKVStore();
    this.persister = new KVStoreMonitorPersister(this.store, { logger });
    this.chainMonitor = new ChainMonitor({
      persister: this.persister,
      broadcaster,
      logger,
      crypto,
    });
    this.persister.setCompletionTarget(this.chainMonitor);
    const feerate = options.feerateSatPerKw ?? 253;
    const feeEstimator: FeeEstimator = { getEstSatPer1000Weight: () => feerate };
    this.channelManager = new ChannelManager({
      watch: this.chainMonitor,
      broadcaster,
      keys: this.keys,
      feeEstimator,
      logger,
      ...(options.config === undefined ? {} : { config: options.config }),
      bestBlock: options.chain.tip,
      network: 'regtest',
      crypto,
    });
    this.peerManager = new PeerManager({
      nodeSigner: this.keys,
      entropySource: this.keys,
      chainHash: chainHashOf('regtest'),
      channelMessageHandler: this.channelManager,
      logger,
      crypto,
      now: () => Date.now(),
    });
    const feed = options.feedStyle ?? 'listen';
    const offs =
      feed === 'listen'
        ? [
            options.chain.attachListen(this.chainMonitor),
            options.chain.attachListen(this.channelManager),
          ]
        : [
            options.chain.attachConfirm(this.chainMonitor),
            options.chain.attachConfirm(this.channelManager),
          ];
    const offBlock = options.chain.onBlockConnected(() => {
      this.processEvents();
    });
    this.#detach = () => {
      for (const off of offs) off();
      offBlock();
    };
    this.#timer = setInterval(() => {
      this.processEvents();
    }, options.loopIntervalMs ?? 5);
    this.peerManager.on('eventsPending', () => {
      setImmediate(() => {
        this.processEvents();
      });
    });
  }

  get nodeId(): string {
    return this.channelManager.getOurNodeId();
  }

  /** Answers pending events and lets the PeerManager send what the manager queued. */
  processEvents(): void {
    if (this.#stopped) return;
    for (let round = 0; round < 8; round++) {
      const events = this.channelManager.getAndClearPendingEvents();
      if (events.length === 0) break;
      for (const e of events) {
        this.events.push(e);
        try {
          this.#handle(e);
        } catch (err) {
          this.loopErrors.push(`${e.type}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    this.peerManager.processEvents();
  }

  #handle(e: Event): void {
    if (e.type === 'FundingGenerationReady') {
      const tx = this.chain.wallet.createFundingTx([
        { scriptPubKey: e.outputScript, valueSat: e.channelValueSat },
      ]);
      this.channelManager.fundingTransactionGenerated(
        e.temporaryChannelId,
        e.counterpartyNodeId,
        tx,
      );
    } else if (e.type === 'OpenChannelRequest') {
      const decision = typeof this.#policy === 'function' ? this.#policy(e) : this.#policy;
      if (decision === 'accept') {
        this.channelManager.acceptInboundChannel(e.temporaryChannelId, e.counterpartyNodeId, 0n);
      } else if (decision === 'acceptZeroConf') {
        this.channelManager.acceptInboundChannelFromTrustedPeer0conf(
          e.temporaryChannelId,
          e.counterpartyNodeId,
          0n,
        );
      } else {
        this.channelManager.rejectInboundChannel(e.temporaryChannelId, e.counterpartyNodeId);
      }
    }
  }

  /** Listens on 127.0.0.1 on a fresh port (once) and returns it. */
  async listenTcp(): Promise<number> {
    this.#listener ??= await listenInbound(this.peerManager, { host: '127.0.0.1', port: 0 });
    return this.#listener.port;
  }

  /** Dials a node on 127.0.0.1 and resolves once `init` was exchanged. */
  async connectTcp(port: number, nodeId: string): Promise<void> {
    await connectOutbound(this.peerManager, { host: '127.0.0.1', port, nodeId });
  }

  isConnectedTo(nodeId: string): boolean {
    return this.peerManager.listPeers().some((p) => p.nodeId === nodeId);
  }

  channel(channelId: string): ChannelDetails | undefined {
    return this.channelManager.listChannels().find((c) => c.channelId === channelId);
  }

  eventsOf<T extends Event['type']>(type: T): Extract<Event, { type: T }>[] {
    return this.events.filter((e): e is Extract<Event, { type: T }> => e.type === type);
  }

  formatLog(lines = 200): string {
    return this.logLines.slice(-lines).join('\n');
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#detach();
    this.peerManager.disconnectAllPeers();
    await this.#listener?.close();
  }
}

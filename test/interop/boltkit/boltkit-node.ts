/**
 * One whole boltkit node for interop tests, benchmarks and scenarios: a KeysManager from a fixed
 * seed, a ChainMonitor storing monitors through a KVStoreMonitorPersister (in memory, writes
 * completing asynchronously as a real store's do), the ChannelManager, and a PeerManager whose
 * channel message handler is the manager. It follows a `TestChain` (shared with LDK nodes
 * through `LdkChain.testChain`), broadcasts there, and answers events as a host would:
 * `FundingGenerationReady` is funded from the chain's wallet, `OpenChannelRequest` is answered by
 * a policy, `PendingHTLCsForwardable` runs the forwards at once (tests have no privacy delay to
 * keep), and `PaymentClaimable` is claimed with the preimage boltkit derived unless claims are
 * held back. Everything recorded (events, logs, broadcasts) stays readable for assertions.
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
import type {
  CreatedInvoice,
  CreateInvoiceOptions,
  PayInvoiceOptions,
} from '../../../src/channel-manager/manager-payments.js';
import { routeParamsForNode } from '../../../src/channel-manager/manager-payments.js';
import type { Retry } from '../../../src/channel-manager/payments/payment-state.js';
import type { Event } from '../../../src/events/event.js';
import { KeysManager } from '../../../src/keys/keys-manager.js';
import { chainHashOf } from '../../../src/peer-manager/chain-hash.js';
import { PeerManager } from '../../../src/peer-manager/peer-manager.js';
import { MemoryKVStore } from '../../../src/persist/memory-store.js';
import { KVStoreMonitorPersister } from '../../../src/persist/monitor-persister.js';
import type { KVStore } from '../../../src/persist/kv-store.js';
import type { Router } from '../../../src/routing/route.js';
import { fromHex } from '../../../src/util/bytes.js';
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
  /** The manager's router; its default `SimpleRouter` (own channels and invoice hints) if absent. */
  readonly router?: Router;
  /**
   * Claim a `PaymentClaimable` with the preimage in its purpose as it comes; on by default. Off,
   * payments wait in `held` for `claim()`.
   */
  readonly autoClaim?: boolean;
}

/** A payment to a node without an invoice: the hash and secret are the caller's. */
export interface BoltkitSendToNodeOptions {
  readonly payeeNodeId: string;
  readonly amountMsat: bigint;
  readonly paymentHash: string;
  /** Goes in the final onion payload (BOLT 4 `payment_data`). */
  readonly paymentSecret: string;
  /** The payee's `min_final_cltv_expiry_delta`; 40 by default. */
  readonly finalCltvExpiryDelta?: number;
  /** The payment hash by default. */
  readonly paymentId?: string;
  /** One attempt by default. */
  readonly retry?: Retry;
}

type PaymentOutcome = Extract<Event, { type: 'PaymentSent' | 'PaymentFailed' }>;

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
  /** Claimable payments held back (autoClaim off), by payment hash: their preimage. */
  readonly held = new Map<string, string>();
  readonly #policy: BoltkitInboundPolicy;
  readonly #autoClaim: boolean;
  readonly #detach: () => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #listener: InboundListener | undefined;
  #stopped = false;

  constructor(options: BoltkitNodeOptions) {
    this.name = options.name ?? 'boltkit';
    this.chain = options.chain;
    this.#policy = options.inboundChannels ?? 'accept';
    this.#autoClaim = options.autoClaim ?? true;
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
      ...(options.router === undefined ? {} : { router: options.router }),
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
    } else if (e.type === 'PendingHTLCsForwardable') {
      this.channelManager.processPendingHtlcForwards();
    } else if (e.type === 'PaymentClaimable') {
      const preimage = e.purpose.paymentPreimage;
      if (preimage === undefined) this.channelManager.failHtlcBackwards(e.paymentHash);
      else if (this.#autoClaim) this.channelManager.claimFunds(preimage);
      else this.held.set(e.paymentHash, preimage);
    }
  }

  /** A signed BOLT 11 invoice to this node (`ChannelManager.createBolt11Invoice`). */
  createInvoice(options: CreateInvoiceOptions): CreatedInvoice {
    return this.channelManager.createBolt11Invoice(options);
  }

  /** Pays a BOLT 11 invoice and sends the HTLC at once; returns the payment id. */
  payInvoice(invoice: string, options?: PayInvoiceOptions): string {
    const id = this.channelManager.payInvoice(invoice, options);
    this.processEvents();
    return id;
  }

  /** Pays a node a hash of the caller's over the router's route; returns the payment id. */
  sendToNode(options: BoltkitSendToNodeOptions): string {
    const id = options.paymentId ?? options.paymentHash;
    this.channelManager.sendPayment(
      options.paymentHash,
      { paymentSecret: fromHex(options.paymentSecret, 32, 'paymentSecret') },
      id,
      routeParamsForNode(
        options.payeeNodeId,
        options.amountMsat,
        options.finalCltvExpiryDelta ?? 40,
      ),
      options.retry ?? { type: 'Attempts', count: 0 },
    );
    this.processEvents();
    return id;
  }

  /** Claims a payment held back while `autoClaim` was off. */
  claim(paymentHash: string): void {
    const preimage = this.held.get(paymentHash);
    if (preimage === undefined) throw new Error(`no held payment ${paymentHash}`);
    this.held.delete(paymentHash);
    this.channelManager.claimFunds(preimage);
    this.processEvents();
  }

  /** `PaymentSent` or `PaymentFailed` of a payment id, once it came. */
  paymentOutcome(paymentId: string): PaymentOutcome | undefined {
    return this.events.find(
      (e): e is PaymentOutcome =>
        (e.type === 'PaymentSent' || e.type === 'PaymentFailed') && e.paymentId === paymentId,
    );
  }

  /** The `PaymentPathFailed` events of a payment id, oldest first. */
  pathFailures(paymentId: string): Extract<Event, { type: 'PaymentPathFailed' }>[] {
    return this.eventsOf('PaymentPathFailed').filter((e) => e.paymentId === paymentId);
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

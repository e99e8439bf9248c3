/**
 * The two nodes of the payments benchmark (bench/payments.bench.ts): each a host wired as a real
 * one is (KeysManager, ChainMonitor with a KVStoreMonitorPersister over a counting MemoryKVStore,
 * ChannelManager, PeerManager), joined by an in-memory socket pair so every message crosses
 * BOLT 8 encryption, with the host loop that answers their events, stores each manager when it
 * says it changed, and moves the bytes.
 */
import {
  ChainMonitor,
  ChannelManager,
  KeysManager,
  KVStoreMonitorPersister,
  MemoryKVStore,
  PeerManager,
  chainHashOf,
  type CryptoBackend,
  type Event,
  type SocketDescriptor,
  type UserConfig,
} from '../src/index.js';
import { TestChain } from '../test/support/test-chain.js';

/** Each payment: 1,000 sat, as the LDK baseline pays by default. */
export const AMOUNT_MSAT = 1_000_000n;
const CHANNEL_VALUE_SAT = 10_000_000n;
/** BOLT 2's ceiling, as the LDK baseline sets it, so a whole batch fits in one commitment. */
const MAX_HTLCS = 483;
/** Host loop rounds one payment (or one batch) may take before the bench gives up. */
const MAX_ROUNDS = 100_000;

export const nextMacrotask = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** One end of an in-memory socket pair: what the PeerManager writes waits in `outbox`. */
class MemorySocket implements SocketDescriptor {
  readonly id: string;
  outbox: Uint8Array[] = [];
  closed = false;
  constructor(id: string) {
    this.id = id;
  }
  sendData(bytes: Uint8Array): number {
    if (this.closed) return 0;
    this.outbox.push(bytes.slice());
    return bytes.length;
  }
  disconnectSocket(): void {
    this.closed = true;
  }
}

/** A MemoryKVStore that counts what it is asked to write, monitors and manager apart. */
export class CountingStore extends MemoryKVStore {
  writes = 0;
  monitorBytes = 0;
  managerBytes = 0;
  /** Size of the latest value under each key. */
  readonly sizes = new Map<string, number>();
  override write(primary: string, secondary: string, key: string, value: Uint8Array) {
    this.writes++;
    if (primary === '') this.managerBytes += value.length;
    else this.monitorBytes += value.length;
    this.sizes.set(`${primary}/${key}`, value.length);
    return super.write(primary, secondary, key, value);
  }
}

/** A host around one ChannelManager: its event loop and its persistence. */
class BenchNode {
  readonly name: string;
  readonly store = new CountingStore();
  readonly manager: ChannelManager;
  readonly pm: PeerManager;
  readonly #chain: TestChain;
  /** Claim `PaymentClaimable` at once (the normal case) or keep it in `held`. */
  autoClaim = true;
  readonly held: string[] = [];
  sent = 0;
  claimable = 0;
  failed: string[] = [];

  constructor(seed: number, name: string, chain: TestChain, crypto: CryptoBackend) {
    this.name = name;
    this.#chain = chain;
    const keys = new KeysManager(new Uint8Array(32).fill(seed), 1_700_000_000, 0, { crypto });
    const persister = new KVStoreMonitorPersister(this.store);
    const broadcaster = chain.createBroadcaster();
    const chainMonitor = new ChainMonitor({ persister, broadcaster, crypto });
    persister.setCompletionTarget(chainMonitor);
    const config: Partial<UserConfig> = {
      negotiateAnchorsZeroFeeHtlcTx: false,
      maxAcceptedHtlcs: MAX_HTLCS,
      maxInboundHtlcValueInFlightPercent: 100,
    };
    this.manager = new ChannelManager({
      watch: chainMonitor,
      broadcaster,
      keys,
      feeEstimator: { getEstSatPer1000Weight: () => 253 },
      config,
      bestBlock: chain.tip,
      network: 'regtest',
      crypto,
    });
    this.pm = new PeerManager({
      nodeSigner: keys,
      entropySource: keys,
      chainHash: chainHashOf('regtest'),
      channelMessageHandler: this.manager,
      crypto,
    });
    chain.attachListen(chainMonitor);
    chain.attachListen(this.manager);
  }

  /** Answers the manager's events as a host does; returns how many there were. */
  handleEvents(): number {
    const events = this.manager.getAndClearPendingEvents();
    for (const e of events) this.#handle(e);
    return events.length;
  }

  #handle(e: Event): void {
    switch (e.type) {
      case 'FundingGenerationReady': {
        const tx = this.#chain.wallet.createFundingTx([
          { scriptPubKey: e.outputScript, valueSat: e.channelValueSat },
        ]);
        this.manager.fundingTransactionGenerated(e.temporaryChannelId, e.counterpartyNodeId, tx);
        break;
      }
      case 'OpenChannelRequest':
        this.manager.acceptInboundChannel(e.temporaryChannelId, e.counterpartyNodeId, 0n);
        break;
      case 'PendingHTLCsForwardable':
        this.manager.processPendingHtlcForwards();
        break;
      case 'PaymentClaimable': {
        this.claimable++;
        const preimage =
          e.purpose.type === 'Bolt11InvoicePayment' ? e.purpose.paymentPreimage : undefined;
        if (preimage === undefined) throw new Error(`${this.name}: claimable without a preimage`);
        if (this.autoClaim) this.manager.claimFunds(preimage);
        else this.held.push(preimage);
        break;
      }
      case 'PaymentSent':
        this.sent++;
        break;
      case 'PaymentFailed':
        this.failed.push(`${e.paymentId}: ${e.reason}`);
        break;
      default:
        break;
    }
  }

  /** Stores the manager when it says it changed. */
  async persistManager(): Promise<void> {
    if (this.manager.getAndClearNeedsPersistence()) {
      await this.store.write('', '', 'manager', this.manager.serialize());
    }
  }
}

/** Two hosts joined by an in-memory socket pair, and the loop that runs them both. */
export class BenchPair {
  readonly chain = new TestChain();
  readonly payer: BenchNode;
  readonly payee: BenchNode;
  readonly #toPayee = new MemorySocket('payer→payee');
  readonly #toPayer = new MemorySocket('payee→payer');
  /** Rounds in a row in which nothing happened. */
  #quietRounds = 0;

  constructor(crypto: CryptoBackend) {
    this.chain.mineBlocks(110);
    this.payer = new BenchNode(0xb1, 'payer', this.chain, crypto);
    this.payee = new BenchNode(0xb2, 'payee', this.chain, crypto);
    this.payee.pm.newInboundConnection(this.#toPayer);
    this.payer.pm.newOutboundConnection(this.payee.pm.ourNodeId, this.#toPayee);
  }

  /** Moves what each side wrote to the other; returns the bytes moved. */
  #deliver(): number {
    let moved = 0;
    for (const [from, to, pm] of [
      [this.#toPayee, this.#toPayer, this.payee.pm],
      [this.#toPayer, this.#toPayee, this.payer.pm],
    ] as const) {
      const chunks = from.outbox;
      from.outbox = [];
      for (const bytes of chunks) {
        moved += bytes.length;
        pm.readEvent(to, bytes);
      }
    }
    return moved;
  }

  /**
   * One host loop round for both nodes: events answered, managers stored if changed, queued
   * messages written and delivered. When nothing happened it yields a macrotask, so monitor
   * writes resolve and their completions reach the managers.
   */
  async run(done: () => boolean, what: string): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let work = this.payer.handleEvents() + this.payee.handleEvents();
      await this.payer.persistManager();
      await this.payee.persistManager();
      this.payer.pm.processEvents();
      this.payee.pm.processEvents();
      work += this.#deliver();
      this.#quietRounds = work === 0 ? this.#quietRounds + 1 : 0;
      const failed = [...this.payer.failed, ...this.payee.failed];
      if (failed.length > 0) throw new Error(`payments bench: failed: ${failed.join(', ')}`);
      if (done()) return;
      if (work === 0) await nextMacrotask();
    }
    throw new Error(`payments bench: gave up waiting for ${what}`);
  }

  async openChannel(): Promise<void> {
    await this.run(
      () =>
        this.payer.pm.getPeerNodeIds().includes(this.payee.pm.ourNodeId) &&
        this.payee.pm.getPeerNodeIds().includes(this.payer.pm.ourNodeId),
      'the connection',
    );
    this.payer.manager.createChannel(this.payee.pm.ourNodeId, CHANNEL_VALUE_SAT, 0n, 1n);
    await this.run(() => this.chain.mempoolTxids().length > 0, 'the funding broadcast');
    this.chain.mineBlocks(6);
    await this.run(
      () =>
        this.payer.manager.listUsableChannels().length === 1 &&
        this.payee.manager.listUsableChannels().length === 1,
      'a usable channel',
    );
  }

  /** The payee makes `n` invoices and the payer starts paying each. */
  startPayments(n: number): void {
    for (let i = 0; i < n; i++) {
      const created = this.payee.manager.createBolt11Invoice({
        amountMsat: AMOUNT_MSAT,
        description: 'bench',
      });
      this.payer.manager.payInvoice(created.invoice);
    }
  }

  /** Starts `n` payments at once and runs until all are sent. */
  async payBatch(n: number): Promise<void> {
    const target = this.payer.sent + n;
    this.startPayments(n);
    await this.run(() => this.payer.sent >= target, `${n} PaymentSent`);
  }

  /** Runs until both nodes are quiet: no events, no bytes, no monitor write pending. */
  async settle(): Promise<void> {
    this.#quietRounds = 0;
    await this.run(() => this.#quietRounds >= 3, 'quiet');
  }
}

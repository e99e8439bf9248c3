/**
 * `ChannelManager` (LDK `ChannelManager`): every channel of the node. It routes the peer's BOLT 2
 * messages to the right `Channel` (by channel id or temporary id, and counterparty), turns the
 * host's calls into channel operations, hands each `ChannelMonitorUpdate` to the `Watch` before
 * anything that depends on it leaves (held messages wait for `channelMonitorUpdated` when the
 * write is `InProgress`), feeds the chain to the channels (funding depth, short channel ids,
 * reorgs) and raises `Event`s for the host.
 *
 * Persistence: the host stores `serialize()` whenever `getAndClearNeedsPersistence()` says so
 * (after handling messages, host calls, blocks or timer ticks), and every monitor on every update
 * (through its `Watch`). A manager older than a monitor is safe: `ChannelManager.read` closes that
 * channel from the monitor's state (see `manager-codec.ts`).
 *
 * Parts: opening channels (`manager-open.ts`), routing messages and peers
 * (`manager-routing.ts`), chain sync (`manager-chain.ts`), channel output, monitor updates and
 * the events they become (`manager-events.ts`), all over one `ManagerContext`.
 *
 * Closed channels: a channel that went to chain (either side force closed, or the peer proved we
 * lost state) is never operated again; every later message for it is answered with the BOLT 1
 * error "awaiting unilateral close".
 */
import { EventEmitter } from 'eventemitter3';
import type { BestBlock } from '../chain/best-block.js';
import { checkHeight } from '../chain/best-block.js';
import type { Block } from '../chain/block.js';
import type { BroadcasterInterface } from '../chain/broadcaster.js';
import type { Confirm, RelevantTxid } from '../chain/confirm.js';
import type { FeeEstimator } from '../chain/fee-estimator.js';
import type { Listen, TransactionData } from '../chain/listen.js';
import { formatOutPoint, outPointsEqual, type OutPoint } from '../chain/outpoint.js';
import type { ChannelMonitor as WatchedMonitor, Watch } from '../chain/watch.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { Event } from '../events/event.js';
import type { KeysInterface } from '../keys/keys-interface.js';
import type { ChainName } from '../peer-manager/chain-hash.js';
import type { ChannelMessageHandler, OutgoingMessage } from '../peer-manager/handlers.js';
import { toHex } from '../util/bytes.js';
import { APIMisuseError, ChannelUnavailableError } from '../util/errors.js';
import { nullLogger, type Logger } from '../util/logger.js';
import { Features } from '../wire/features.js';
import type { Message, UnknownMessage } from '../wire/message.js';
import type { InitMessage } from '../wire/messages/setup.js';
import { Channel, type ChannelOptions } from './channel/channel.js';
import { errorMessageFor } from './channel/errors.js';
import type { ChannelEvent } from './channel/events.js';
import type { SendHtlcRequest } from './channel/htlc-add.js';
import { ChannelPhase, isFunded } from './channel/state.js';
import { channelDetailsOf, type ChannelDetails } from './channel-details.js';
import { resolveUserConfig, type UserConfig } from './config.js';
import { checkFundingTransaction } from './funding-check.js';
import type { ChannelEntry, ManagerSnapshot } from './manager-state.js';
import { decodeManager, encodeManager } from './manager-codec.js';
import { restoreChannels } from './manager-read.js';
import {
  bestBlockUpdated,
  blockDisconnected,
  relevantTxids,
  transactionsConfirmed,
  transactionUnconfirmed,
} from './manager-chain.js';
import { managerLog, type ManagerContext } from './manager-context.js';
import { absorb, forceCloseChannel, onMonitorEvent, runChannel } from './manager-events.js';
import { acceptRequest, channelOptionsOf, openOutbound, takeRequest } from './manager-open.js';
import {
  entryById,
  hostEntry,
  peerConnected,
  peerDisconnected,
  routeChannelMessage,
} from './manager-routing.js';
import { serializeChannel } from './channel/serialize.js';
import type { Invoice } from '../invoice/invoice.js';
import type { Route, RouteParameters, Router } from '../routing/route.js';
import { SimpleRouter } from '../routing/pathfinder.js';
import { fromHex } from '../util/bytes.js';
import { deriveInboundPaymentKeys } from './payments/inbound-payment.js';
import {
  emptyPaymentState,
  type RecipientOnionFields,
  type Retry,
} from './payments/payment-state.js';
import { decodePaymentState, encodePaymentState } from './payments/payment-state-codec.js';
import {
  claimFunds,
  failHtlcBackwards,
  receiveBlockConnected,
  receiveTimerTick,
} from './payments/receive.js';
import { abandonPayment, sendTimerTick } from './payments/send.js';
import {
  createBolt11Invoice,
  createInboundPayment,
  createInboundPaymentForHash,
  listRecentPayments,
  payInvoice,
  processPendingHtlcForwards,
  sendPayment,
  sendPaymentWithRoute,
  sendSpontaneousPayment,
  type CreatedInvoice,
  type CreateInvoiceOptions,
  type InboundPaymentResult,
  type PayInvoiceOptions,
  type RecentPayment,
} from './manager-payments.js';

export interface ChannelManagerOptions {
  readonly watch: Watch;
  readonly broadcaster: BroadcasterInterface;
  readonly keys: KeysInterface;
  readonly feeEstimator: FeeEstimator;
  readonly logger?: Logger;
  readonly config?: Partial<UserConfig>;
  /** The chain tip the manager starts from (LDK `ChainParameters.best_block`). */
  readonly bestBlock: BestBlock;
  /** The chain the channels live on; `bitcoin` by default. */
  readonly network?: ChainName;
  readonly crypto?: CryptoBackend;
  /** Finds payment routes; a `SimpleRouter` over our channels and invoice hints by default. */
  readonly router?: Router;
  /**
   * The host's clock in seconds since 1970, for invoice timestamps and expiry. Without it the
   * newest block header time seen is used (the core has no clock of its own).
   */
  readonly currentTimeSeconds?: () => number;
}

interface ManagerEvents {
  event: [Event];
}

/** See the module comment. */
export class ChannelManager
  extends EventEmitter<ManagerEvents>
  implements ChannelMessageHandler, Listen, Confirm
{
  readonly #ctx: ManagerContext;
  #pendingEvents: Event[] = [];
  #pendingMessages: OutgoingMessage[] = [];
  #needsPersistence = true;
  #depth = 0;
  readonly #deferred: (() => void)[] = [];
  readonly #touched = new Set<ChannelEntry>();

  constructor(options: ChannelManagerOptions, snapshot?: ManagerSnapshot) {
    super();
    checkHeight(options.bestBlock.height);
    const payments = snapshot?.payments ?? emptyPaymentState();
    const clock = options.currentTimeSeconds;
    this.#ctx = {
      watch: options.watch,
      broadcaster: options.broadcaster,
      keys: options.keys,
      feeEstimator: options.feeEstimator,
      logger: options.logger ?? nullLogger,
      crypto: options.crypto ?? nobleBackend,
      config: resolveUserConfig(options.config),
      network: options.network ?? 'bitcoin',
      bestBlock: options.bestBlock,
      entries: snapshot === undefined ? [] : [...snapshot.entries],
      closed: new Map((snapshot?.closed ?? []).map((c) => [c.channelId, c])),
      peers: new Map(),
      inbound: new Map(),
      htlcEvents: [],
      payments,
      router: options.router ?? new SimpleRouter(),
      inboundKeys: deriveInboundPaymentKeys(
        options.keys.getInboundPaymentKeyMaterial(),
        options.crypto ?? nobleBackend,
      ),
      nowSeconds: () => (clock === undefined ? payments.highestSeenTimestamp : Math.floor(clock())),
      touch: (entry) => {
        this.#touched.add(entry);
      },
      defer: (fn) => {
        this.#deferred.push(fn);
      },
      markDirty: () => {
        this.#needsPersistence = true;
      },
      log: (level, message, peerId, channelId) => {
        managerLog(this.#ctx.logger, level, message, peerId, channelId);
      },
      send: (nodeId, message) => {
        this.#pendingMessages.push({ nodeId, message });
      },
      queueEvent: (event) => {
        this.#queueEvent(event);
      },
      run: (entry, fn) => {
        runChannel(this.#ctx, entry, fn);
      },
      absorb: (entry, output) => {
        absorb(this.#ctx, entry, output);
      },
      forceClose: (entry, reason, text) => {
        forceCloseChannel(this.#ctx, entry, reason, text);
      },
      processPendingEvents: () => {
        this.processPendingEvents();
      },
      channelMonitorUpdated: (outpoint, updateId) => {
        this.channelMonitorUpdated(outpoint, updateId);
      },
    };
    if (snapshot !== undefined) this.#pendingEvents = [...snapshot.pendingEvents];
  }

  // ---- Host API ----------------------------------------------------------------------------

  /** Our node id, lowercase hex. */
  getOurNodeId(): string {
    return toHex(this.#ctx.keys.getNodeId());
  }

  currentBestBlock(): BestBlock {
    return this.#ctx.bestBlock;
  }

  /** The `UserConfig` in force. */
  get config(): UserConfig {
    return this.#ctx.config;
  }

  /** The options a `Channel` gets; `trusted0conf` for a zero-conf accept. */
  channelOptions(config: UserConfig = this.#ctx.config, trusted0conf = false): ChannelOptions {
    return channelOptionsOf(this.#ctx, config, trusted0conf);
  }

  /**
   * Opens a channel to a connected peer: queues `open_channel` and returns the temporary channel
   * id. `FundingGenerationReady` follows once the peer accepts. Throws `APIMisuseError` for a
   * value out of the configured bounds or a push above the value, `ChannelUnavailableError` when
   * the peer is not connected.
   */
  createChannel(
    theirNodeId: string,
    valueSat: bigint,
    pushMsat: bigint,
    userChannelId: bigint,
    overrideConfig?: Partial<UserConfig>,
  ): string {
    return this.#op(() => {
      return openOutbound(
        this.#ctx,
        theirNodeId,
        valueSat,
        pushMsat,
        userChannelId,
        overrideConfig,
      );
    });
  }

  /** Accepts an inbound channel announced by `OpenChannelRequest`. */
  acceptInboundChannel(
    temporaryChannelId: string,
    counterpartyNodeId: string,
    userChannelId: bigint,
  ): void {
    this.#op(() => {
      acceptRequest(this.#ctx, temporaryChannelId, counterpartyNodeId, userChannelId, false);
    });
  }

  /**
   * Accepts an inbound channel with `minimum_depth` 0: `channel_ready` goes out as soon as the
   * funding is signed. Only for a peer trusted not to double-spend the funding transaction.
   */
  acceptInboundChannelFromTrustedPeer0conf(
    temporaryChannelId: string,
    counterpartyNodeId: string,
    userChannelId: bigint,
  ): void {
    this.#op(() => {
      acceptRequest(this.#ctx, temporaryChannelId, counterpartyNodeId, userChannelId, true);
    });
  }

  /** Refuses an inbound channel announced by `OpenChannelRequest`: the peer gets `error`. */
  rejectInboundChannel(temporaryChannelId: string, counterpartyNodeId: string): void {
    this.#op(() => {
      const request = takeRequest(this.#ctx, temporaryChannelId, counterpartyNodeId);
      this.#send(
        request.counterpartyNodeId,
        errorMessageFor(request.open.temporaryChannelId, 'channel rejected'),
      );
    });
  }

  /**
   * The host's signed funding transaction for the channel of a `FundingGenerationReady`.
   * Throws `APIMisuseError` unless it pays the 2-of-2 output exactly once with the channel value
   * and spends only segwit inputs. It is broadcast once the peer's `funding_signed` arrived and
   * the monitor is stored.
   */
  fundingTransactionGenerated(
    temporaryChannelId: string,
    counterpartyNodeId: string,
    fundingTx: Uint8Array,
  ): void {
    this.#op(() => {
      const entry = hostEntry(this.#ctx, temporaryChannelId, counterpartyNodeId);
      const script = entry.fundingScript;
      if (script === undefined || entry.channel.phase !== ChannelPhase.FundingNegotiated) {
        throw new APIMisuseError(
          'fundingTransactionGenerated: the channel is not awaiting funding',
        );
      }
      checkFundingTransaction(fundingTx, script, entry.channel.state.fundingValueSat);
      this.#ctx.run(entry, () => entry.channel.fundingTransactionGenerated(fundingTx));
    });
  }

  /** Every channel we know, open or opening. */
  listChannels(): ChannelDetails[] {
    return this.#ctx.entries.map((e) =>
      channelDetailsOf(e.channel, {
        counterpartyNodeId: e.counterpartyNodeId,
        bestHeight: this.#ctx.bestBlock.height,
        connected: this.#ctx.peers.has(e.counterpartyNodeId),
        stopped: e.stopped,
        config: e.config,
      }),
    );
  }

  /** The channels that can carry a payment now. */
  listUsableChannels(): ChannelDetails[] {
    return this.listChannels().filter((c) => c.isUsable);
  }

  /**
   * Starts a cooperative close (BOLT 2 `shutdown`); `ChannelClosed` follows once the closing
   * transaction is signed (the manager broadcasts it). Throws `ChannelUnavailableError` for an
   * unknown channel.
   */
  closeChannel(
    channelId: string,
    counterpartyNodeId: string,
    targetFeerateSatPerKw?: number,
  ): void {
    this.#op(() => {
      const entry = hostEntry(this.#ctx, channelId, counterpartyNodeId);
      if (targetFeerateSatPerKw !== undefined) {
        if (!Number.isInteger(targetFeerateSatPerKw) || targetFeerateSatPerKw < 253) {
          throw new APIMisuseError('closeChannel: targetFeerateSatPerKw must be an integer >= 253');
        }
        this.#ctx.log('debug', 'closeChannel: the target feerate is negotiated by the channel');
      }
      if (!isFunded(entry.channel.state)) {
        this.#ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'closed by the host');
        return;
      }
      if (!entry.channel.state.shutdownReceived) entry.shutdownInitiatedLocally = true;
      this.#ctx.run(entry, () => entry.channel.initiateShutdown());
    });
  }

  /** Force-closes a channel: the peer gets `error`, the monitor broadcasts our commitment. */
  forceCloseBroadcastingLatestTxn(channelId: string, counterpartyNodeId: string): void {
    this.#op(() => {
      const entry = hostEntry(this.#ctx, channelId, counterpartyNodeId);
      this.#ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'force-closed by the host');
    });
  }

  /** Force-closes every channel. */
  forceCloseAllChannelsBroadcastingLatestTxn(): void {
    this.#op(() => {
      for (const entry of [...this.#ctx.entries]) {
        this.#ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'force-closed by the host');
      }
    });
  }

  /**
   * Periodic work, about once a minute: proposes `update_fee` on channels we opened when the
   * estimate moved enough (BOLT 2 "Updating Fees"), and handles monitor events.
   */
  timerTickOccurred(): void {
    this.#op(() => {
      this.processPendingEvents();
      for (const entry of [...this.#ctx.entries]) {
        if (entry.stopped || !this.#ctx.peers.has(entry.counterpartyNodeId)) continue;
        if (entry.channel.state.awaitingReestablish) continue;
        const feerate = entry.channel.feerateToPropose();
        if (feerate === undefined) continue;
        this.#ctx.run(entry, () => entry.channel.proposeFeeUpdate(feerate));
        this.#ctx.run(entry, () => entry.channel.sendCommitment());
      }
      receiveTimerTick(this.#ctx);
      sendTimerTick(this.#ctx);
    });
  }

  /** Handles the `Watch`'s monitor events (completions, closes on chain, expiring HTLCs). */
  processPendingEvents(): void {
    this.#op(() => {
      for (const event of this.#ctx.watch.releasePendingMonitorEvents())
        onMonitorEvent(this.#ctx, event);
    });
  }

  /** Returns and forgets the events raised so far, oldest first. */
  getAndClearPendingEvents(): Event[] {
    this.processPendingEvents();
    const events = this.#pendingEvents;
    this.#pendingEvents = [];
    if (events.length > 0) this.#needsPersistence = true;
    return events;
  }

  /**
   * True when the manager changed since the last call: store `serialize()` now. Losing such a
   * write is safe (a stale manager is reconciled with its monitors on restart) but costs the
   * channels concerned.
   */
  getAndClearNeedsPersistence(): boolean {
    const v = this.#needsPersistence;
    this.#needsPersistence = false;
    return v;
  }

  /**
   * A `Watch.updateChannel` that returned `InProgress` finished storing every update of the
   * channel up to `updateId`: releases what was held.
   */
  channelMonitorUpdated(fundingOutpoint: OutPoint, updateId: bigint): void {
    this.#op(() => {
      const entry = this.#ctx.entries.find(
        (e) =>
          e.fundingOutpoint !== undefined && outPointsEqual(e.fundingOutpoint, fundingOutpoint),
      );
      if (entry === undefined) {
        if (
          [...this.#ctx.closed.values()].some((c) =>
            outPointsEqual(c.fundingOutpoint, fundingOutpoint),
          )
        )
          return;
        throw new ChannelUnavailableError(
          `channelMonitorUpdated: no channel funded at ${formatOutPoint(fundingOutpoint)}`,
        );
      }
      if (updateId === entry.channel.state.nextMonitorUpdateId - 1n) entry.inProgressUpdates = 0;
      this.#ctx.run(entry, () => entry.channel.monitorUpdatingCompleted(updateId));
    });
  }

  /** The persisted form (see `manager-codec.ts`); store it when `getAndClearNeedsPersistence`. */
  serialize(): Uint8Array {
    return encodeManager({
      bestBlock: this.#ctx.bestBlock,
      channels: this.#ctx.entries.map((e) => ({
        counterpartyNodeId: e.counterpartyNodeId,
        temporaryChannelId: e.temporaryChannelId,
        channelBytes: serializeChannel(e.channel),
        fundingScript: e.fundingScript,
        fundingOutpoint: e.fundingOutpoint,
        confirmedBlockHash: e.confirmedBlockHash,
        shutdownInitiatedLocally: e.shutdownInitiatedLocally,
        closeReason: e.closeReason,
        createdAtHeight: e.createdAtHeight,
      })),
      closed: [...this.#ctx.closed.values()],
      pendingEvents: this.#pendingEvents,
      payments: encodePaymentState(this.#ctx.payments),
    });
  }

  /**
   * Reads a manager `serialize` wrote. `monitors` are every channel monitor the host stored, and
   * must already be loaded into `watch` (for a `ChainMonitor`: `loadExistingMonitor`). A channel
   * whose monitor is newer than the manager's copy is closed from the monitor's state (the
   * monitor broadcasts its latest commitment; `ChannelClosed` with `OutdatedChannelManager`). A
   * funded channel without a monitor throws `MissingChannelMonitorError`: funds may be at stake.
   */
  static read(
    bytes: Uint8Array,
    args: Omit<ChannelManagerOptions, 'bestBlock'> & {
      readonly monitors: readonly WatchedMonitor[];
    },
  ): ChannelManager {
    const stored = decodeManager(bytes);
    const shell = new ChannelManager({ ...args, bestBlock: stored.bestBlock });
    const { entries, closed, events, staleUpdates } = restoreChannels(
      stored,
      args.monitors,
      shell.config,
      shell.channelOptions(),
    );
    const manager = new ChannelManager(
      { ...args, bestBlock: stored.bestBlock },
      {
        entries,
        closed,
        pendingEvents: events,
        ...(stored.payments === undefined ? {} : { payments: decodePaymentState(stored.payments) }),
      },
    );
    for (const [outpoint, update] of staleUpdates) args.watch.updateChannel(outpoint, update);
    // A monitor read back from storage is durable: what a write in progress held (messages, a
    // `ChannelClosed`) goes out now.
    for (const entry of entries) {
      const outpoint = entry.fundingOutpoint;
      if (outpoint === undefined || !entry.channel.state.monitorUpdateInProgress) continue;
      manager.channelMonitorUpdated(outpoint, entry.channel.state.nextMonitorUpdateId - 1n);
    }
    return manager;
  }

  // ---- Payments ------------------------------------------------------------------------------

  /**
   * A payment hash and secret for an invoice, derived from our inbound payment key: nothing is
   * stored per invoice. `PaymentClaimable` carries the preimage when a payment arrives.
   */
  createInboundPayment(
    amountMsat: bigint | undefined,
    invoiceExpirySecs: number,
    minFinalCltvExpiryDelta?: number,
  ): InboundPaymentResult {
    return createInboundPayment(this.#ctx, amountMsat, invoiceExpirySecs, minFinalCltvExpiryDelta);
  }

  /** A payment secret for a hash whose preimage the host keeps (claim with `claimFunds`). */
  createInboundPaymentForHash(
    paymentHash: string,
    amountMsat: bigint | undefined,
    invoiceExpirySecs: number,
    minFinalCltvExpiryDelta?: number,
  ): string {
    return createInboundPaymentForHash(
      this.#ctx,
      paymentHash,
      amountMsat,
      invoiceExpirySecs,
      minFinalCltvExpiryDelta,
    );
  }

  /** A signed BOLT 11 invoice to us, with route hints for our private channels. */
  createBolt11Invoice(options: CreateInvoiceOptions): CreatedInvoice {
    return createBolt11Invoice(this.#ctx, options);
  }

  /**
   * Pays a BOLT 11 invoice (text or decoded); returns the payment id (the payment hash unless
   * given). Throws `DuplicatePaymentError` for an id in use, `APIMisuseError` for an expired
   * invoice or a wrong amount. The outcome comes as `PaymentSent` or `PaymentFailed`.
   */
  payInvoice(invoice: Invoice | string, options?: PayInvoiceOptions): string {
    return this.#op(() => payInvoice(this.#ctx, invoice, options));
  }

  /** Sends to `paymentHash` over routes the router finds (LDK `send_payment`). */
  sendPayment(
    paymentHash: string,
    recipientOnion: RecipientOnionFields,
    paymentId: string,
    routeParams: RouteParameters,
    retry: Retry,
  ): void {
    this.#op(() => {
      sendPayment(this.#ctx, paymentHash, recipientOnion, paymentId, routeParams, retry);
    });
  }

  /** Sends over an explicit route, without retries. */
  sendPaymentWithRoute(
    route: Route,
    paymentHash: string,
    recipientOnion: RecipientOnionFields,
    paymentId: string,
  ): void {
    this.#op(() => {
      sendPaymentWithRoute(this.#ctx, route, paymentHash, recipientOnion, paymentId);
    });
  }

  /** Keysend: returns the payment hash of the preimage (random unless given). */
  sendSpontaneousPayment(
    paymentPreimage: string | undefined,
    paymentId: string,
    routeParams: RouteParameters,
    retry: Retry,
  ): string {
    return this.#op(() =>
      sendSpontaneousPayment(this.#ctx, paymentPreimage, paymentId, routeParams, retry),
    );
  }

  /** Stops retrying a payment; `PaymentFailed` (UserAbandoned) once no part is in flight. */
  abandonPayment(paymentId: string): void {
    this.#op(() => {
      abandonPayment(this.#ctx, fromHex(paymentId, 32, 'paymentId'));
    });
  }

  /** Payments we send that are pending or resolved recently. */
  listRecentPayments(): RecentPayment[] {
    return listRecentPayments(this.#ctx);
  }

  /** Settles a `PaymentClaimable` payment with its preimage; `PaymentClaimed` follows. */
  claimFunds(paymentPreimage: string): void {
    this.#op(() => {
      claimFunds(this.#ctx, fromHex(paymentPreimage, 32, 'paymentPreimage'));
    });
  }

  /** Refuses a payment to us: every part fails back to the sender. */
  failHtlcBackwards(paymentHash: string): void {
    this.#op(() => {
      failHtlcBackwards(this.#ctx, fromHex(paymentHash, 32, 'paymentHash'));
    });
  }

  /** Forwards, receives or fails the HTLCs `PendingHTLCsForwardable` announced. */
  processPendingHtlcForwards(): void {
    this.#op(() => {
      processPendingHtlcForwards(this.#ctx);
    });
  }

  // ---- Internal hooks for HTLCs (the payment API builds on these) --------------------------

  /** @internal Offers an HTLC on a channel and signs it. */
  internalSendHtlc(channelId: string, request: SendHtlcRequest): bigint {
    const entry = entryById(this.#ctx, channelId);
    let htlcId = 0n;
    this.#ctx.run(entry, () => {
      const r = entry.channel.sendHtlc(request);
      htlcId = r.htlcId;
      return r.output;
    });
    this.#ctx.run(entry, () => entry.channel.sendCommitment());
    return htlcId;
  }

  /** @internal Fulfils a received HTLC and signs it. */
  internalClaimHtlc(channelId: string, htlcId: bigint, paymentPreimage: Uint8Array): void {
    const entry = entryById(this.#ctx, channelId);
    this.#ctx.run(entry, () => entry.channel.claimHtlc(htlcId, paymentPreimage));
    this.#ctx.run(entry, () => entry.channel.sendCommitment());
  }

  /** @internal The HTLC events of the channels since the last call. */
  internalTakeHtlcEvents(): ChannelEvent[] {
    return this.#ctx.htlcEvents.splice(0);
  }

  /** @internal The channel itself, for tests. */
  internalChannel(channelId: string): Channel {
    return entryById(this.#ctx, channelId).channel;
  }

  // ---- ChannelMessageHandler ---------------------------------------------------------------

  peerConnected(nodeId: string, init: InitMessage, _inbound: boolean): void {
    this.#op(() => {
      peerConnected(this.#ctx, nodeId, Features.fromInit(init.globalFeatures, init.features));
    });
  }

  peerDisconnected(nodeId: string): void {
    this.#op(() => {
      peerDisconnected(this.#ctx, nodeId);
      this.#pendingMessages = this.#pendingMessages.filter((m) => m.nodeId !== nodeId);
    });
  }

  getAndClearPendingMessages(): OutgoingMessage[] {
    return this.#pendingMessages.splice(0);
  }

  handleChannelMessage(nodeId: string, message: Message | UnknownMessage): void {
    this.#op(() => {
      routeChannelMessage(this.#ctx, nodeId, message);
    });
  }

  // ---- Listen + Confirm ----------------------------------------------------------------------

  blockConnected(block: Block, height: number): void {
    this.transactionsConfirmed(
      block.header,
      block.transactions.map((tx, i) => [i, tx] as const),
      height,
    );
    this.bestBlockUpdated(block.header, height);
  }

  blockDisconnected(header: Uint8Array, height: number): void {
    this.#op(() => {
      blockDisconnected(this.#ctx, header, height);
    });
  }

  transactionsConfirmed(header: Uint8Array, txdata: TransactionData, height: number): void {
    this.#op(() => {
      this.#sawHeader(header);
      transactionsConfirmed(this.#ctx, header, txdata, height);
    });
  }

  transactionUnconfirmed(txid: string): void {
    this.#op(() => {
      transactionUnconfirmed(this.#ctx, txid);
    });
  }

  bestBlockUpdated(header: Uint8Array, height: number): void {
    this.#op(() => {
      this.#sawHeader(header);
      bestBlockUpdated(this.#ctx, header, height);
      receiveBlockConnected(this.#ctx, height);
    });
  }

  getRelevantTxids(): RelevantTxid[] {
    return relevantTxids(this.#ctx);
  }

  // ---- Internals -------------------------------------------------------------------------------

  /** Runs a host call; payment work it deferred and commitments it made due go out at the end. */
  #op<T>(fn: () => T): T {
    this.#depth++;
    try {
      return fn();
    } finally {
      this.#depth--;
      if (this.#depth === 0) this.#flush();
    }
  }

  #flush(): void {
    this.#depth++;
    try {
      for (;;) {
        const fn = this.#deferred.shift();
        if (fn !== undefined) {
          fn();
          continue;
        }
        if (this.#touched.size === 0) break;
        const touched = [...this.#touched];
        this.#touched.clear();
        for (const entry of touched) {
          if (!this.#ctx.entries.includes(entry)) continue;
          this.#ctx.run(entry, () => entry.channel.sendCommitment());
        }
      }
    } finally {
      this.#depth--;
    }
  }

  /** Block header time (bytes 68..71, little-endian): our clock when the host gives none. */
  #sawHeader(header: Uint8Array): void {
    if (header.length !== 80) return;
    const time = new DataView(header.buffer, header.byteOffset + 68, 4).getUint32(0, true);
    if (time > this.#ctx.payments.highestSeenTimestamp) {
      this.#ctx.payments.highestSeenTimestamp = time;
      this.#needsPersistence = true;
    }
  }

  #send(nodeId: string, message: Message): void {
    this.#pendingMessages.push({ nodeId, message });
  }

  #queueEvent(event: Event): void {
    this.#pendingEvents.push(event);
    this.#needsPersistence = true;
    this.emit('event', event);
  }
}

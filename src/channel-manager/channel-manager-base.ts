/**
 * The channel half of the `ChannelManager` (see `channel-manager.ts` for the whole): the
 * constructor and context, the channel API named after LDK's (open, accept, fund, list, close),
 * events and persistence, the `ChannelMessageHandler`, `Listen` and `Confirm` interfaces, and the
 * operation scope every host call runs in: payment work a call deferred and the commitments it
 * made due go out when the outermost call ends.
 */
import { EventEmitter } from 'eventemitter3';
import type { BestBlock } from '../chain/best-block.js';
import { checkHeight } from '../chain/best-block.js';
import type { Block } from '../chain/block.js';
import type { Confirm, RelevantTxid } from '../chain/confirm.js';
import type { Listen, TransactionData } from '../chain/listen.js';
import { formatOutPoint, outPointsEqual, type OutPoint } from '../chain/outpoint.js';
import { nobleBackend } from '../crypto/noble.js';
import type { Event } from '../events/event.js';
import type { ChannelMessageHandler, OutgoingMessage } from '../peer-manager/handlers.js';
import { toHex } from '../util/bytes.js';
import { APIMisuseError, ChannelUnavailableError } from '../util/errors.js';
import { nullLogger } from '../util/logger.js';
import { Features } from '../wire/features.js';
import type { Message, UnknownMessage } from '../wire/message.js';
import type { InitMessage } from '../wire/messages/setup.js';
import type { ChannelUpdateMessage } from '../wire/messages/gossip.js';
import { peerChannelUpdate } from './payments/channel-update.js';
import type { ChannelOptions } from './channel/channel.js';
import { errorMessageFor } from './channel/errors.js';
import { ChannelPhase, isFunded } from './channel/state.js';
import { channelDetailsOf, type ChannelDetails } from './channel-details.js';
import { resolveUserConfig, type UserConfig } from './config.js';
import { checkFundingTransaction } from './funding-check.js';
import type { ManagerSnapshot } from './manager-state.js';
import { encodeManager } from './manager-codec.js';
import {
  bestBlockUpdated,
  blockDisconnected,
  relevantTxids,
  transactionsConfirmed,
  transactionUnconfirmed,
} from './manager-chain.js';
import { managerLog, type ManagerContext } from './manager-context.js';
import type { ChannelManagerOptions } from './manager-options.js';
import { OperationScope, sawHeaderTime } from './manager-scope.js';
import { absorb, forceCloseChannel, onMonitorEvent, runChannel } from './manager-events.js';
import { acceptRequest, channelOptionsOf, openOutbound, takeRequest } from './manager-open.js';
import {
  hostEntry,
  peerConnected,
  peerDisconnected,
  routeChannelMessage,
} from './manager-routing.js';
import { serializeChannel } from './channel/serialize.js';
import { SimpleRouter } from '../routing/pathfinder.js';
import { deriveInboundPaymentKeys } from './payments/inbound-payment.js';
import { emptyPaymentState } from './payments/payment-state.js';
import { encodePaymentState } from './payments/payment-state-codec.js';
import { receiveBlockConnected, receiveTimerTick } from './payments/receive.js';
import { sendTimerTick } from './payments/send.js';

export type { ChannelManagerOptions } from './manager-options.js';

interface ManagerEvents {
  event: [Event];
}

/** The channel half of `ChannelManager` (see `channel-manager.ts`). */
export class ChannelManagerBase
  extends EventEmitter<ManagerEvents>
  implements ChannelMessageHandler, Listen, Confirm
{
  protected readonly ctx: ManagerContext;
  #pendingEvents: Event[] = [];
  #pendingMessages: OutgoingMessage[] = [];
  #needsPersistence = true;
  readonly #scope = new OperationScope();

  constructor(options: ChannelManagerOptions, snapshot?: ManagerSnapshot) {
    super();
    checkHeight(options.bestBlock.height);
    const payments = snapshot?.payments ?? emptyPaymentState();
    const clock = options.currentTimeSeconds;
    this.ctx = {
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
        this.#scope.touch(entry);
      },
      defer: (fn) => {
        this.#scope.defer(fn);
      },
      markDirty: () => {
        this.#needsPersistence = true;
      },
      log: (level, message, peerId, channelId) => {
        managerLog(this.ctx.logger, level, message, peerId, channelId);
      },
      send: (nodeId, message) => {
        this.#pendingMessages.push({ nodeId, message });
      },
      queueEvent: (event) => {
        this.#queueEvent(event);
      },
      run: (entry, fn) => {
        runChannel(this.ctx, entry, fn);
      },
      absorb: (entry, output) => {
        absorb(this.ctx, entry, output);
      },
      forceClose: (entry, reason, text) => {
        forceCloseChannel(this.ctx, entry, reason, text);
      },
      processPendingEvents: () => {
        this.processPendingEvents();
      },
      channelMonitorUpdated: (outpoint, updateId) => {
        this.channelMonitorUpdated(outpoint, updateId);
      },
    };
    this.#scope.bind(this.ctx);
    if (snapshot !== undefined) this.#pendingEvents = [...snapshot.pendingEvents];
  }

  // ---- Host API ----------------------------------------------------------------------------

  /** Our node id, lowercase hex. */
  getOurNodeId(): string {
    return toHex(this.ctx.keys.getNodeId());
  }

  currentBestBlock(): BestBlock {
    return this.ctx.bestBlock;
  }

  /** The `UserConfig` in force. */
  get config(): UserConfig {
    return this.ctx.config;
  }

  /** The options a `Channel` gets; `trusted0conf` for a zero-conf accept. */
  channelOptions(config: UserConfig = this.ctx.config, trusted0conf = false): ChannelOptions {
    return channelOptionsOf(this.ctx, config, trusted0conf);
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
    return this.op(() => {
      return openOutbound(this.ctx, theirNodeId, valueSat, pushMsat, userChannelId, overrideConfig);
    });
  }

  /** Accepts an inbound channel announced by `OpenChannelRequest`. */
  acceptInboundChannel(
    temporaryChannelId: string,
    counterpartyNodeId: string,
    userChannelId: bigint,
  ): void {
    this.op(() => {
      acceptRequest(this.ctx, temporaryChannelId, counterpartyNodeId, userChannelId, false);
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
    this.op(() => {
      acceptRequest(this.ctx, temporaryChannelId, counterpartyNodeId, userChannelId, true);
    });
  }

  /** Refuses an inbound channel announced by `OpenChannelRequest`: the peer gets `error`. */
  rejectInboundChannel(temporaryChannelId: string, counterpartyNodeId: string): void {
    this.op(() => {
      const request = takeRequest(this.ctx, temporaryChannelId, counterpartyNodeId);
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
    this.op(() => {
      const entry = hostEntry(this.ctx, temporaryChannelId, counterpartyNodeId);
      const script = entry.fundingScript;
      if (script === undefined || entry.channel.phase !== ChannelPhase.FundingNegotiated) {
        throw new APIMisuseError(
          'fundingTransactionGenerated: the channel is not awaiting funding',
        );
      }
      checkFundingTransaction(fundingTx, script, entry.channel.state.fundingValueSat);
      this.ctx.run(entry, () => entry.channel.fundingTransactionGenerated(fundingTx));
    });
  }

  /** Every channel we know, open or opening. */
  listChannels(): ChannelDetails[] {
    return this.ctx.entries.map((e) =>
      channelDetailsOf(e.channel, {
        counterpartyNodeId: e.counterpartyNodeId,
        bestHeight: this.ctx.bestBlock.height,
        connected: this.ctx.peers.has(e.counterpartyNodeId),
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
    this.op(() => {
      const entry = hostEntry(this.ctx, channelId, counterpartyNodeId);
      if (targetFeerateSatPerKw !== undefined) {
        if (
          !Number.isInteger(targetFeerateSatPerKw) ||
          targetFeerateSatPerKw < 253 ||
          targetFeerateSatPerKw > 0xffffffff
        ) {
          throw new APIMisuseError(
            'closeChannel: targetFeerateSatPerKw must be an integer in [253, 4294967295]',
          );
        }
      }
      if (!isFunded(entry.channel.state)) {
        this.ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'closed by the host');
        return;
      }
      if (!entry.channel.state.shutdownReceived) entry.shutdownInitiatedLocally = true;
      this.ctx.run(entry, () => entry.channel.initiateShutdown(undefined, targetFeerateSatPerKw));
    });
  }

  /** Force-closes a channel: the peer gets `error`, the monitor broadcasts our commitment. */
  forceCloseBroadcastingLatestTxn(channelId: string, counterpartyNodeId: string): void {
    this.op(() => {
      const entry = hostEntry(this.ctx, channelId, counterpartyNodeId);
      this.ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'force-closed by the host');
    });
  }

  /** Force-closes every channel. */
  forceCloseAllChannelsBroadcastingLatestTxn(): void {
    this.op(() => {
      for (const entry of [...this.ctx.entries]) {
        this.ctx.forceClose(entry, { type: 'HolderForceClosed' }, 'force-closed by the host');
      }
    });
  }

  /**
   * Periodic work, about once a minute: proposes `update_fee` on channels we opened when the
   * estimate moved enough (BOLT 2 "Updating Fees"), and handles monitor events.
   */
  timerTickOccurred(): void {
    this.op(() => {
      this.processPendingEvents();
      for (const entry of [...this.ctx.entries]) {
        if (entry.stopped || !this.ctx.peers.has(entry.counterpartyNodeId)) continue;
        if (entry.channel.state.awaitingReestablish) continue;
        const feerate = entry.channel.feerateToPropose();
        if (feerate === undefined) continue;
        this.ctx.run(entry, () => entry.channel.proposeFeeUpdate(feerate));
        this.ctx.run(entry, () => entry.channel.sendCommitment());
      }
      receiveTimerTick(this.ctx);
      sendTimerTick(this.ctx);
    });
  }

  /** Handles the `Watch`'s monitor events (completions, closes on chain, expiring HTLCs). */
  processPendingEvents(): void {
    this.op(() => {
      for (const event of this.ctx.watch.releasePendingMonitorEvents())
        onMonitorEvent(this.ctx, event);
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
    this.op(() => {
      const entry = this.ctx.entries.find(
        (e) =>
          e.fundingOutpoint !== undefined && outPointsEqual(e.fundingOutpoint, fundingOutpoint),
      );
      if (entry === undefined) {
        if (
          [...this.ctx.closed.values()].some((c) =>
            outPointsEqual(c.fundingOutpoint, fundingOutpoint),
          )
        )
          return;
        throw new ChannelUnavailableError(
          `channelMonitorUpdated: no channel funded at ${formatOutPoint(fundingOutpoint)}`,
        );
      }
      if (updateId === entry.channel.state.nextMonitorUpdateId - 1n) entry.inProgressUpdates = 0;
      this.ctx.run(entry, () => entry.channel.monitorUpdatingCompleted(updateId));
    });
  }

  /** The persisted form (see `manager-codec.ts`); store it when `getAndClearNeedsPersistence`. */
  serialize(): Uint8Array {
    return encodeManager({
      bestBlock: this.ctx.bestBlock,
      channels: this.ctx.entries.map((e) => ({
        counterpartyNodeId: e.counterpartyNodeId,
        temporaryChannelId: e.temporaryChannelId,
        channelBytes: serializeChannel(e.channel),
        fundingScript: e.fundingScript,
        fundingOutpoint: e.fundingOutpoint,
        confirmedBlockHash: e.confirmedBlockHash,
        shutdownInitiatedLocally: e.shutdownInitiatedLocally,
        closeReason: e.closeReason,
        createdAtHeight: e.createdAtHeight,
        counterpartyForwarding: e.counterpartyForwarding,
      })),
      closed: [...this.ctx.closed.values()],
      pendingEvents: this.#pendingEvents,
      payments: encodePaymentState(this.ctx.payments),
    });
  }

  // ---- ChannelMessageHandler ---------------------------------------------------------------

  peerConnected(nodeId: string, init: InitMessage, _inbound: boolean): void {
    this.op(() => {
      peerConnected(this.ctx, nodeId, Features.fromInit(init.globalFeatures, init.features));
    });
  }

  peerDisconnected(nodeId: string): void {
    this.op(() => {
      peerDisconnected(this.ctx, nodeId);
      this.#pendingMessages = this.#pendingMessages.filter((m) => m.nodeId !== nodeId);
    });
  }

  getAndClearPendingMessages(): OutgoingMessage[] {
    return this.#pendingMessages.splice(0);
  }

  handleChannelUpdate(nodeId: string, message: ChannelUpdateMessage): void {
    peerChannelUpdate(this.ctx, nodeId, message);
  }

  handleChannelMessage(nodeId: string, message: Message | UnknownMessage): void {
    this.op(() => {
      routeChannelMessage(this.ctx, nodeId, message);
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
    this.op(() => {
      blockDisconnected(this.ctx, header, height);
    });
  }

  transactionsConfirmed(header: Uint8Array, txdata: TransactionData, height: number): void {
    this.op(() => {
      if (sawHeaderTime(this.ctx, header)) this.#needsPersistence = true;
      transactionsConfirmed(this.ctx, header, txdata, height);
    });
  }

  transactionUnconfirmed(txid: string): void {
    this.op(() => {
      transactionUnconfirmed(this.ctx, txid);
    });
  }

  bestBlockUpdated(header: Uint8Array, height: number): void {
    this.op(() => {
      if (sawHeaderTime(this.ctx, header)) this.#needsPersistence = true;
      bestBlockUpdated(this.ctx, header, height);
      receiveBlockConnected(this.ctx, height);
    });
  }

  getRelevantTxids(): RelevantTxid[] {
    return relevantTxids(this.ctx);
  }

  // ---- Internals -------------------------------------------------------------------------------

  /** Runs a host call in the operation scope (`manager-scope.ts`). */
  protected op<T>(fn: () => T): T {
    return this.#scope.run(fn);
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

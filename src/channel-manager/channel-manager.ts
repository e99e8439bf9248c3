/**
 * `ChannelManager` (LDK `ChannelManager`): every channel of the node and every payment through
 * it. It routes the peer's BOLT 2 messages to the right `Channel` (by channel id or temporary
 * id, and counterparty), turns the host's calls into channel operations, hands each
 * `ChannelMonitorUpdate` to the `Watch` before anything that depends on it leaves (held messages
 * wait for `channelMonitorUpdated` when the write is `InProgress`), feeds the chain to the
 * channels (funding depth, short channel ids, reorgs) and raises `Event`s for the host.
 *
 * Payments (BOLT 4, BOLT 11): invoices from stateless inbound payments, sending with payment ids
 * (never paying twice), retries and multi-path, receiving, claiming and forwarding; see
 * `manager-payments.ts` and `payments/`.
 *
 * Persistence: the host stores `serialize()` whenever `getAndClearNeedsPersistence()` says so
 * (after handling messages, host calls, blocks or timer ticks), and every monitor on every update
 * (through its `Watch`). A manager older than a monitor is safe: `ChannelManager.read` closes that
 * channel from the monitor's state (see `manager-codec.ts`).
 *
 * The channel half lives in `channel-manager-base.ts`: opening channels (`manager-open.ts`),
 * routing messages and peers (`manager-routing.ts`), chain sync (`manager-chain.ts`), channel
 * output, monitor updates and the events they become (`manager-events.ts`), all over one
 * `ManagerContext`. This file adds payments and reading a stored manager.
 *
 * Closed channels: a channel that went to chain (either side force closed, or the peer proved we
 * lost state) is never operated again; every later message for it is answered with the BOLT 1
 * error "awaiting unilateral close".
 */
import type { ChannelMonitor as WatchedMonitor } from '../chain/watch.js';
import type { Invoice } from '../invoice/invoice.js';
import type { Route, RouteParameters } from '../routing/route.js';
import type { Channel } from './channel/channel.js';
import type { ChannelEvent } from './channel/events.js';
import type { SendHtlcRequest } from './channel/htlc-add.js';
import { ChannelManagerBase, type ChannelManagerOptions } from './channel-manager-base.js';
import { decodeManager } from './manager-codec.js';
import { parseHex32 } from './manager-helpers.js';
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
import { restoreChannels } from './manager-read.js';
import { entryById } from './manager-routing.js';
import type { RecipientOnionFields, Retry } from './payments/payment-state.js';
import { decodePaymentState } from './payments/payment-state-codec.js';
import { claimFunds, failHtlcBackwards } from './payments/receive.js';
import { abandonPayment } from './payments/send.js';

export type { ChannelManagerOptions } from './channel-manager-base.js';

/** See the module comment. */
export class ChannelManager extends ChannelManagerBase {
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
    // No peer is connected yet: what that released must not go out before channel_reestablish,
    // which retransmits it from the stored state (BOLT 2).
    manager.getAndClearPendingMessages();
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
    return createInboundPayment(this.ctx, amountMsat, invoiceExpirySecs, minFinalCltvExpiryDelta);
  }

  /** A payment secret for a hash whose preimage the host keeps (claim with `claimFunds`). */
  createInboundPaymentForHash(
    paymentHash: string,
    amountMsat: bigint | undefined,
    invoiceExpirySecs: number,
    minFinalCltvExpiryDelta?: number,
  ): string {
    return createInboundPaymentForHash(
      this.ctx,
      paymentHash,
      amountMsat,
      invoiceExpirySecs,
      minFinalCltvExpiryDelta,
    );
  }

  /** A signed BOLT 11 invoice to us, with route hints for our private channels. */
  createBolt11Invoice(options: CreateInvoiceOptions): CreatedInvoice {
    return createBolt11Invoice(this.ctx, options);
  }

  /**
   * Pays a BOLT 11 invoice (text or decoded); returns the payment id (the payment hash unless
   * given). Throws `DuplicatePaymentError` for an id in use, `APIMisuseError` for an expired
   * invoice or a wrong amount. The outcome comes as `PaymentSent` or `PaymentFailed`.
   */
  payInvoice(invoice: Invoice | string, options?: PayInvoiceOptions): string {
    return this.op(() => payInvoice(this.ctx, invoice, options));
  }

  /** Sends to `paymentHash` over routes the router finds (LDK `send_payment`). */
  sendPayment(
    paymentHash: string,
    recipientOnion: RecipientOnionFields,
    paymentId: string,
    routeParams: RouteParameters,
    retry: Retry,
  ): void {
    this.op(() => {
      sendPayment(this.ctx, paymentHash, recipientOnion, paymentId, routeParams, retry);
    });
  }

  /** Sends over an explicit route, without retries. */
  sendPaymentWithRoute(
    route: Route,
    paymentHash: string,
    recipientOnion: RecipientOnionFields,
    paymentId: string,
  ): void {
    this.op(() => {
      sendPaymentWithRoute(this.ctx, route, paymentHash, recipientOnion, paymentId);
    });
  }

  /** Keysend: returns the payment hash of the preimage (random unless given). */
  sendSpontaneousPayment(
    paymentPreimage: string | undefined,
    paymentId: string,
    routeParams: RouteParameters,
    retry: Retry,
  ): string {
    return this.op(() =>
      sendSpontaneousPayment(this.ctx, paymentPreimage, paymentId, routeParams, retry),
    );
  }

  /** Stops retrying a payment; `PaymentFailed` (UserAbandoned) once no part is in flight. */
  abandonPayment(paymentId: string): void {
    this.op(() => {
      abandonPayment(this.ctx, parseHex32(paymentId, 'paymentId'));
    });
  }

  /** Payments we send that are pending or resolved recently. */
  listRecentPayments(): RecentPayment[] {
    return listRecentPayments(this.ctx);
  }

  /** Settles a `PaymentClaimable` payment with its preimage; `PaymentClaimed` follows. */
  claimFunds(paymentPreimage: string): void {
    this.op(() => {
      claimFunds(this.ctx, parseHex32(paymentPreimage, 'paymentPreimage'));
    });
  }

  /** Refuses a payment to us: every part fails back to the sender. */
  failHtlcBackwards(paymentHash: string): void {
    this.op(() => {
      failHtlcBackwards(this.ctx, parseHex32(paymentHash, 'paymentHash'));
    });
  }

  /** Forwards, receives or fails the HTLCs `PendingHTLCsForwardable` announced. */
  processPendingHtlcForwards(): void {
    this.op(() => {
      processPendingHtlcForwards(this.ctx);
    });
  }

  // ---- Internal hooks for HTLCs (the payment API builds on these) --------------------------

  /** @internal Offers an HTLC on a channel and signs it. */
  internalSendHtlc(channelId: string, request: SendHtlcRequest): bigint {
    const entry = entryById(this.ctx, channelId);
    let htlcId = 0n;
    this.ctx.run(entry, () => {
      const r = entry.channel.sendHtlc(request);
      htlcId = r.htlcId;
      return r.output;
    });
    this.ctx.run(entry, () => entry.channel.sendCommitment());
    return htlcId;
  }

  /** @internal Fulfils a received HTLC and signs it. */
  internalClaimHtlc(channelId: string, htlcId: bigint, paymentPreimage: Uint8Array): void {
    const entry = entryById(this.ctx, channelId);
    this.ctx.run(entry, () => entry.channel.claimHtlc(htlcId, paymentPreimage));
    this.ctx.run(entry, () => entry.channel.sendCommitment());
  }

  /** @internal The HTLC events of the channels since the last call. */
  internalTakeHtlcEvents(): ChannelEvent[] {
    return this.ctx.htlcEvents.splice(0);
  }

  /** @internal The channel itself, for tests. */
  internalChannel(channelId: string): Channel {
    return entryById(this.ctx, channelId).channel;
  }
}

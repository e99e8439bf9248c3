/**
 * BOLT 11 payments on an LDK test node: invoices from the `ChannelManager`
 * (`create_bolt11_invoice`, whose preimage LDK derives itself), paying an invoice string
 * (`payment_parameters_from_invoice` then `send_payment` with retries), and the payment events
 * as plain records: `PendingHTLCsForwardable` is answered at once, `PaymentClaimable` is
 * claimed at once unless the node holds claims back.
 *
 * Like the channel glue, this runs only outside LDK callbacks.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md
 */
import { hex } from '@scure/base';
import type {
  ChannelManager,
  Event,
  Option_ThirtyTwoBytesZ,
  PathFailure,
  RecipientOnionFields,
  RouteHint,
  RouteParameters,
} from 'lightningdevkit';
import { ldkBool } from './load.js';
import type { Ldk } from './load.js';
import { parseNodeId } from './node-id.js';

/** An invoice LDK made, with the hash it pays to. */
export interface LdkInvoice {
  /** The bech32 invoice string (BOLT 11), `lnbcrt…` on regtest. */
  readonly invoice: string;
  readonly paymentHashHex: string;
  readonly paymentSecretHex: string;
  readonly amountMsat: bigint | undefined;
  /** Creation time (Unix seconds): LDK takes it from the newest block header it saw. */
  readonly timestampSecs: number;
}

export interface CreateInvoiceOptions {
  /** Omit for an invoice the payer chooses the amount of. */
  readonly amountMsat?: bigint;
  readonly description?: string;
  /** 3600 by default. */
  readonly expirySecs?: number;
  readonly minFinalCltvExpiryDelta?: number;
}

/**
 * One hop of a private route to the payee (BOLT 11 `r` field): the channel from `srcNodeIdHex`
 * towards the payee, named by an scid that node forwards on, and the fees it charges.
 */
export interface LdkRouteHintHop {
  readonly srcNodeIdHex: string;
  readonly shortChannelId: bigint;
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
}

export interface PayInvoiceOptions {
  /** Required for an invoice without an amount; must be absent otherwise. */
  readonly amountMsat?: bigint;
  /** Extra attempts LDK may make on other paths; 3 by default. */
  readonly retries?: number;
  /**
   * Route hints added to the invoice's own, as a payer learns them out of band (for a payee
   * whose peer never sent LDK a `channel_update`, LDK's invoice carries no hint for it).
   */
  readonly extraRouteHints?: readonly (readonly LdkRouteHintHop[])[];
}

/** A payment to a node without an invoice: the hash and secret are the caller's. */
export interface SendToNodeOptions {
  readonly payeeNodeIdHex: string;
  readonly amountMsat: bigint;
  readonly paymentHashHex: string;
  /** Goes in the final onion payload (BOLT 4 `payment_data`). */
  readonly paymentSecretHex: string;
  /** The payee's `min_final_cltv_expiry_delta`; 40 by default. */
  readonly finalCltvExpiryDelta?: number;
  readonly routeHints?: readonly (readonly LdkRouteHintHop[])[];
  /** 0 by default: one attempt. */
  readonly retries?: number;
}

export type LdkPaymentStatus = 'pending' | 'succeeded' | 'failed';

/** An outbound payment and what became of it. */
export interface LdkOutboundPayment {
  readonly paymentIdHex: string;
  readonly paymentHashHex: string;
  status: LdkPaymentStatus;
  preimageHex?: string;
  feePaidMsat?: bigint;
  /** LDK's `PaymentFailureReason` name, e.g. `RetriesExhausted`. */
  failureReason?: string;
}

/** The payment events of one node, as plain records in arrival order. */
export type LdkPaymentEvent =
  | {
      readonly type: 'PaymentClaimable';
      readonly paymentHashHex: string;
      readonly amountMsat: bigint;
    }
  | {
      readonly type: 'PaymentClaimed';
      readonly paymentHashHex: string;
      readonly amountMsat: bigint;
    }
  | {
      readonly type: 'PaymentSent';
      readonly paymentHashHex: string;
      readonly preimageHex: string;
      readonly feePaidMsat: bigint | undefined;
    }
  | {
      readonly type: 'PaymentFailed';
      readonly paymentIdHex: string;
      readonly reason: string | undefined;
    }
  | {
      readonly type: 'PaymentPathFailed';
      readonly paymentHashHex: string;
      readonly permanently: boolean;
      /** `OnPath` when a hop failed it, `InitialSend` when LDK could not send it. */
      readonly failure: 'OnPath' | 'InitialSend';
      /** What LDK learnt about the network from the failure, e.g. `ChannelFailure`. */
      readonly networkUpdate: string | undefined;
      /** The channel LDK blames (it avoids it on a retry). */
      readonly shortChannelId: bigint | undefined;
    }
  | {
      readonly type: 'PaymentForwarded';
      readonly prevChannelIdHex: string;
      readonly nextChannelIdHex: string;
      readonly totalFeeEarnedMsat: bigint | undefined;
      readonly outboundAmountForwardedMsat: bigint | undefined;
    }
  | {
      readonly type: 'HTLCHandlingFailed';
      readonly prevChannelIdHex: string;
      /** LDK's `HTLCDestination` variant, e.g. `FailedPayment`. */
      readonly destination: string;
      /** For `FailedPayment`: the payment hash. */
      readonly paymentHashHex: string | undefined;
    };

export interface LdkPaymentsContext {
  readonly ldk: Ldk;
  readonly channelManager: ChannelManager;
  /** Claim claimable payments as they come (true by default in the node). */
  readonly autoClaim: boolean;
  /** Keep every payment event in `events`; off for long runs that only count. */
  readonly recordEvents: boolean;
}

/** Thrown when LDK refuses to make an invoice or to start a payment. */
export class LdkPaymentError extends Error {
  readonly kind: string;
  constructor(call: string, kind: string) {
    super(`${call}: LDK refused (${kind})`);
    this.name = 'LdkPaymentError';
    this.kind = kind;
  }
}

export class LdkPayments {
  readonly events: LdkPaymentEvent[] = [];
  readonly outbound = new Map<string, LdkOutboundPayment>();
  /** Claimable payments held back (autoClaim off), by payment hash: their preimage. */
  readonly held = new Map<string, Uint8Array>();
  /** Running counts, kept even when `events` is not. */
  readonly counts = { sent: 0, failed: 0, claimable: 0, claimed: 0 };
  /**
   * Called when an outbound payment of this node succeeds or fails, from `processEvents()`
   * (outside LDK callbacks), so it may start the next payment.
   */
  onOutcome: ((payment: LdkOutboundPayment) => void) | undefined;
  private readonly ctx: LdkPaymentsContext;

  constructor(ctx: LdkPaymentsContext) {
    this.ctx = ctx;
  }

  /** Makes and signs an invoice for this node. Throws `LdkPaymentError`. */
  createInvoice(options: CreateInvoiceOptions = {}): LdkInvoice {
    const { ldk } = this.ctx;
    const description = ldk.Description.constructor_new(options.description ?? '');
    if (!(description instanceof ldk.Result_DescriptionCreationErrorZ_OK)) {
      throw new LdkPaymentError('Description::new', 'description too long');
    }
    const result = this.ctx.channelManager.create_bolt11_invoice(
      options.amountMsat === undefined
        ? ldk.Option_u64Z.constructor_none()
        : ldk.Option_u64Z.constructor_some(options.amountMsat),
      ldk.Bolt11InvoiceDescription.constructor_direct(description.res),
      ldk.Option_u32Z.constructor_some(options.expirySecs ?? 3600),
      options.minFinalCltvExpiryDelta === undefined
        ? ldk.Option_u16Z.constructor_none()
        : ldk.Option_u16Z.constructor_some(options.minFinalCltvExpiryDelta),
      ldk.Option_ThirtyTwoBytesZ.constructor_none(),
    );
    if (!(result instanceof ldk.Result_Bolt11InvoiceSignOrCreationErrorZ_OK)) {
      throw new LdkPaymentError('create_bolt11_invoice', 'sign or creation error');
    }
    const invoice = result.res;
    const amount = invoice.amount_milli_satoshis();
    return {
      invoice: invoice.to_str(),
      paymentHashHex: hex.encode(invoice.payment_hash()),
      paymentSecretHex: hex.encode(invoice.payment_secret()),
      amountMsat: amount instanceof ldk.Option_u64Z_Some ? amount.some : undefined,
      timestampSecs: Number(invoice.duration_since_epoch()),
    };
  }

  /**
   * Pays a BOLT 11 invoice and returns the payment id (the payment hash, in hex). The outcome
   * arrives as `PaymentSent` or `PaymentFailed`; `outbound` tracks it. Throws `LdkPaymentError`
   * for an invoice LDK cannot parse or a payment it will not start (no route, duplicate).
   */
  payInvoice(invoiceText: string, options: PayInvoiceOptions = {}): string {
    const { ldk } = this.ctx;
    const parsed = ldk.Bolt11Invoice.constructor_from_str(invoiceText);
    if (!(parsed instanceof ldk.Result_Bolt11InvoiceParseOrSemanticErrorZ_OK)) {
      throw new LdkPaymentError('Bolt11Invoice::from_str', 'unparsable invoice');
    }
    const params =
      options.amountMsat === undefined
        ? ldk.UtilMethods.constructor_payment_parameters_from_invoice(parsed.res)
        : ldk.UtilMethods.constructor_payment_parameters_from_variable_amount_invoice(
            parsed.res,
            options.amountMsat,
          );
    if (
      !(
        params instanceof
        ldk.Result_C3Tuple_ThirtyTwoBytesRecipientOnionFieldsRouteParametersZNoneZ_OK
      )
    ) {
      throw new LdkPaymentError('payment_parameters_from_invoice', 'amount missing or not allowed');
    }
    const routeParams = params.res.get_c();
    if (options.extraRouteHints !== undefined && options.extraRouteHints.length > 0) {
      this.addRouteHints(routeParams, options.extraRouteHints);
    }
    return this.send(params.res.get_a(), params.res.get_b(), routeParams, options.retries ?? 3);
  }

  /**
   * Pays `amountMsat` to a node with a hash and secret the caller chose (no invoice), over the
   * payee's channels LDK knows, its first hops and `routeHints`. Returns the payment id (the
   * hash). Throws `LdkPaymentError` when LDK will not start it.
   */
  sendToNode(options: SendToNodeOptions): string {
    const { ldk } = this.ctx;
    const paymentParams = ldk.PaymentParameters.constructor_from_node_id(
      parseNodeId(options.payeeNodeIdHex),
      options.finalCltvExpiryDelta ?? 40,
    );
    const routeParams = ldk.RouteParameters.constructor_from_payment_params_and_value(
      paymentParams,
      options.amountMsat,
    );
    if (options.routeHints !== undefined) this.addRouteHints(routeParams, options.routeHints);
    return this.send(
      hex.decode(options.paymentHashHex),
      ldk.RecipientOnionFields.constructor_secret_only(hex.decode(options.paymentSecretHex)),
      routeParams,
      options.retries ?? 0,
    );
  }

  private send(
    paymentHash: Uint8Array,
    onion: RecipientOnionFields,
    routeParams: RouteParameters,
    retries: number,
  ): string {
    const { ldk } = this.ctx;
    // One payment per hash here, so the hash doubles as LDK's idempotency key.
    const paymentId = paymentHash;
    const sent = this.ctx.channelManager.send_payment(
      paymentHash,
      onion,
      paymentId,
      routeParams,
      ldk.Retry.constructor_attempts(retries),
    );
    if (sent instanceof ldk.Result_NoneRetryableSendFailureZ_Err) {
      throw new LdkPaymentError('send_payment', enumName(ldk.RetryableSendFailure, sent.err));
    }
    const paymentIdHex = hex.encode(paymentId);
    this.outbound.set(paymentIdHex, {
      paymentIdHex,
      paymentHashHex: hex.encode(paymentHash),
      status: 'pending',
    });
    return paymentIdHex;
  }

  /** Appends route hints to the payee of `routeParams` (a BOLT 11 payee). */
  private addRouteHints(
    routeParams: RouteParameters,
    hints: readonly (readonly LdkRouteHintHop[])[],
  ): void {
    const { ldk } = this.ctx;
    const paymentParams = routeParams.get_payment_params();
    const payee = paymentParams.get_payee();
    if (!(payee instanceof ldk.Payee_Clear)) throw new Error('route hints: not a BOLT 11 payee');
    const extra: RouteHint[] = hints.map((hint) =>
      ldk.RouteHint.constructor_new(
        hint.map((h) =>
          ldk.RouteHintHop.constructor_new(
            parseNodeId(h.srcNodeIdHex),
            h.shortChannelId,
            ldk.RoutingFees.constructor_new(h.feeBaseMsat, h.feeProportionalMillionths),
            h.cltvExpiryDelta,
            ldk.Option_u64Z.constructor_none(),
            ldk.Option_u64Z.constructor_none(),
          ),
        ),
      ),
    );
    paymentParams.set_payee(
      ldk.Payee.constructor_clear(
        payee.node_id,
        [...payee.route_hints, ...extra],
        payee.features,
        payee.final_cltv_expiry_delta,
      ),
    );
    routeParams.set_payment_params(paymentParams);
  }

  /** Claims a payment held back while `autoClaim` was off. */
  claim(paymentHashHex: string): void {
    const preimage = this.held.get(paymentHashHex);
    if (preimage === undefined) throw new Error(`no held payment ${paymentHashHex}`);
    this.held.delete(paymentHashHex);
    this.ctx.channelManager.claim_funds(preimage);
  }

  /** Records a payment event and answers the ones that need an answer. */
  handleEvent(event: Event): void {
    const { ldk } = this.ctx;
    if (event instanceof ldk.Event_PendingHTLCsForwardable) {
      // LDK batches HTLC handling behind this event; tests have no reason to wait.
      this.ctx.channelManager.process_pending_htlc_forwards();
    } else if (event instanceof ldk.Event_PaymentClaimable) {
      this.counts.claimable++;
      const paymentHashHex = hex.encode(event.payment_hash);
      this.record({ type: 'PaymentClaimable', paymentHashHex, amountMsat: event.amount_msat });
      const preimage = preimageOf(ldk, event.purpose);
      if (preimage === undefined) {
        this.ctx.channelManager.fail_htlc_backwards(event.payment_hash);
      } else if (this.ctx.autoClaim) {
        this.ctx.channelManager.claim_funds(preimage);
      } else {
        this.held.set(paymentHashHex, preimage);
      }
    } else if (event instanceof ldk.Event_PaymentClaimed) {
      this.counts.claimed++;
      this.record({
        type: 'PaymentClaimed',
        paymentHashHex: hex.encode(event.payment_hash),
        amountMsat: event.amount_msat,
      });
    } else if (event instanceof ldk.Event_PaymentSent) {
      this.counts.sent++;
      const fee = event.fee_paid_msat;
      const feePaidMsat = fee instanceof ldk.Option_u64Z_Some ? fee.some : undefined;
      const paymentHashHex = hex.encode(event.payment_hash);
      const preimageHex = hex.encode(event.payment_preimage);
      this.record({ type: 'PaymentSent', paymentHashHex, preimageHex, feePaidMsat });
      const id = event.payment_id;
      const payment = this.outbound.get(
        id instanceof ldk.Option_ThirtyTwoBytesZ_Some ? hex.encode(id.some) : paymentHashHex,
      );
      if (payment !== undefined) {
        payment.status = 'succeeded';
        payment.preimageHex = preimageHex;
        if (feePaidMsat !== undefined) payment.feePaidMsat = feePaidMsat;
        this.onOutcome?.(payment);
      }
    } else if (event instanceof ldk.Event_PaymentFailed) {
      this.counts.failed++;
      const paymentIdHex = hex.encode(event.payment_id);
      const r = event.reason;
      const reason =
        r instanceof ldk.Option_PaymentFailureReasonZ_Some
          ? enumName(ldk.PaymentFailureReason, r.some)
          : undefined;
      this.record({ type: 'PaymentFailed', paymentIdHex, reason });
      const payment = this.outbound.get(paymentIdHex);
      if (payment !== undefined) {
        payment.status = 'failed';
        if (reason !== undefined) payment.failureReason = reason;
        this.onOutcome?.(payment);
      }
    } else if (event instanceof ldk.Event_PaymentPathFailed) {
      const scid = event.short_channel_id;
      this.record({
        type: 'PaymentPathFailed',
        paymentHashHex: hex.encode(event.payment_hash),
        permanently: ldkBool(event.payment_failed_permanently),
        failure: event.failure instanceof ldk.PathFailure_OnPath ? 'OnPath' : 'InitialSend',
        networkUpdate: networkUpdateOf(ldk, event.failure),
        shortChannelId: scid instanceof ldk.Option_u64Z_Some ? scid.some : undefined,
      });
    } else if (event instanceof ldk.Event_PaymentForwarded) {
      const fee = event.total_fee_earned_msat;
      const out = event.outbound_amount_forwarded_msat;
      this.record({
        type: 'PaymentForwarded',
        prevChannelIdHex: hex.encode(event.prev_channel_id.get_a()),
        nextChannelIdHex: hex.encode(event.next_channel_id.get_a()),
        totalFeeEarnedMsat: fee instanceof ldk.Option_u64Z_Some ? fee.some : undefined,
        outboundAmountForwardedMsat: out instanceof ldk.Option_u64Z_Some ? out.some : undefined,
      });
    } else if (event instanceof ldk.Event_HTLCHandlingFailed) {
      const dest = event.failed_next_destination;
      this.record({
        type: 'HTLCHandlingFailed',
        prevChannelIdHex: hex.encode(event.prev_channel_id.get_a()),
        destination: dest.constructor.name.replace(/^HTLCDestination_/, ''),
        paymentHashHex:
          dest instanceof ldk.HTLCDestination_FailedPayment
            ? hex.encode(dest.payment_hash)
            : undefined,
      });
    }
  }

  private record(event: LdkPaymentEvent): void {
    if (this.ctx.recordEvents) this.events.push(event);
  }
}

function preimageOf(ldk: Ldk, purpose: object): Uint8Array | undefined {
  let option: Option_ThirtyTwoBytesZ | undefined;
  if (purpose instanceof ldk.PaymentPurpose_Bolt11InvoicePayment) option = purpose.payment_preimage;
  else if (purpose instanceof ldk.PaymentPurpose_Bolt12OfferPayment)
    option = purpose.payment_preimage;
  else if (purpose instanceof ldk.PaymentPurpose_Bolt12RefundPayment)
    option = purpose.payment_preimage;
  else if (purpose instanceof ldk.PaymentPurpose_SpontaneousPayment)
    return purpose.spontaneous_payment;
  return option instanceof ldk.Option_ThirtyTwoBytesZ_Some ? option.some : undefined;
}

/** The variant of the `NetworkUpdate` a path failure carries, if any. */
function networkUpdateOf(ldk: Ldk, failure: PathFailure): string | undefined {
  if (!(failure instanceof ldk.PathFailure_OnPath)) return undefined;
  const update = failure.network_update;
  if (!(update instanceof ldk.Option_NetworkUpdateZ_Some)) return undefined;
  return update.some.constructor.name.replace(/^NetworkUpdate_/, '');
}

/** `LDKPaymentFailureReason_RetriesExhausted` → `RetriesExhausted`. */
function enumName(table: Record<number, string>, value: number): string {
  const name = table[value] ?? String(value);
  return name.replace(/^LDK[A-Za-z0-9]*_/, '');
}

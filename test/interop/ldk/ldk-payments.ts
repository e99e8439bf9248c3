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
import type { ChannelManager, Event, Option_ThirtyTwoBytesZ } from 'lightningdevkit';
import { ldkBool } from './load.js';
import type { Ldk } from './load.js';

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

export interface PayInvoiceOptions {
  /** Required for an invoice without an amount; must be absent otherwise. */
  readonly amountMsat?: bigint;
  /** Extra attempts LDK may make on other paths; 3 by default. */
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
    const paymentHash = params.res.get_a();
    // One payment per hash here, so the hash doubles as LDK's idempotency key.
    const paymentId = paymentHash;
    const sent = this.ctx.channelManager.send_payment(
      paymentHash,
      params.res.get_b(),
      paymentId,
      params.res.get_c(),
      ldk.Retry.constructor_attempts(options.retries ?? 3),
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
      this.record({
        type: 'PaymentPathFailed',
        paymentHashHex: hex.encode(event.payment_hash),
        permanently: ldkBool(event.payment_failed_permanently),
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

/** `LDKPaymentFailureReason_RetriesExhausted` → `RetriesExhausted`. */
function enumName(table: Record<number, string>, value: number): string {
  const name = table[value] ?? String(value);
  return name.replace(/^LDK[A-Za-z0-9]*_/, '');
}

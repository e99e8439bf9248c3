/**
 * The payment half of the `ChannelManager`'s API, over the modules in `payments/`: creating
 * inbound payments and invoices, paying invoices, keysend and explicit routes, claiming and
 * failing payments to us, and processing the HTLCs that wait to be forwarded.
 */
import { decodeInvoice, encodeInvoice, type Invoice } from '../invoice/invoice.js';
import type { RouteHint } from '../invoice/route-hints.js';
import type { PaymentParameters, Route, RouteParameters } from '../routing/route.js';
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { Features } from '../wire/features.js';
import type { ManagerContext } from './manager-context.js';
import { parseHex32 } from './manager-helpers.js';
import { processForward } from './payments/forward.js';
import {
  createInboundPayment as createStateless,
  createInboundPaymentForHash as createForHash,
} from './payments/inbound-payment.js';
import { isUsable } from './payments/payment-helpers.js';
import { MIN_FINAL_CLTV_EXPIRY_DELTA } from './payments/payment-limits.js';
import { OutboundStatus, type RecipientOnionFields, type Retry } from './payments/payment-state.js';
import { processReceive } from './payments/receive.js';
import { startPayment } from './payments/send.js';

/** LDK's default: routes may lock funds for at most a week of blocks. */
export const DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA = 1008;
/** The most parts one payment is split into. */
export const DEFAULT_MAX_PATH_COUNT = 10;
/** Retries when the host gives no `Retry`: LDK's usual choice for wallets. */
export const DEFAULT_RETRY: Retry = { type: 'Attempts', count: 3 };

function checkExpiry(expirySecs: number): void {
  if (!Number.isInteger(expirySecs) || expirySecs <= 0 || expirySecs > 0xffffffff) {
    throw new APIMisuseError('expirySecs: expected a positive integer');
  }
}

function checkMinFinal(delta: number | undefined): number {
  const v = delta ?? MIN_FINAL_CLTV_EXPIRY_DELTA;
  if (!Number.isInteger(v) || v < MIN_FINAL_CLTV_EXPIRY_DELTA || v > 0xffff) {
    throw new APIMisuseError(
      `minFinalCltvExpiryDelta: expected an integer in [${MIN_FINAL_CLTV_EXPIRY_DELTA}, 65535]`,
    );
  }
  return v;
}

/**
 * The manager's clock for invoices, refusing to run without one: an invoice stamped 1970 would
 * be expired for every payer, and a secret's expiry counted from 0 would refuse every payment.
 */
function clock(ctx: ManagerContext): number {
  const now = ctx.nowSeconds();
  if (!Number.isInteger(now) || now <= 0) {
    throw new APIMisuseError(
      'no clock yet: give ChannelManagerOptions.currentTimeSeconds, or connect a block first',
    );
  }
  return now;
}

export interface InboundPaymentResult {
  readonly paymentHash: string;
  readonly paymentSecret: string;
}

/** `createInboundPayment`: a hash and secret derived from our key; nothing is stored. */
export function createInboundPayment(
  ctx: ManagerContext,
  amountMsat: bigint | undefined,
  expirySecs: number,
  minFinalCltvExpiryDelta?: number,
): InboundPaymentResult {
  checkExpiry(expirySecs);
  const r = createStateless(
    ctx.inboundKeys,
    {
      ...(amountMsat === undefined ? {} : { amountMsat }),
      expirySecs,
      nowSeconds: clock(ctx),
      minFinalCltvExpiryDelta: checkMinFinal(minFinalCltvExpiryDelta),
      randomBytes: ctx.keys.getSecureRandomBytes(),
    },
    ctx.crypto,
  );
  return { paymentHash: toHex(r.paymentHash), paymentSecret: toHex(r.paymentSecret) };
}

/** `createInboundPaymentForHash`: the host keeps the preimage; returns the secret. */
export function createInboundPaymentForHash(
  ctx: ManagerContext,
  paymentHash: string,
  amountMsat: bigint | undefined,
  expirySecs: number,
  minFinalCltvExpiryDelta?: number,
): string {
  checkExpiry(expirySecs);
  const secret = createForHash(
    ctx.inboundKeys,
    parseHex32(paymentHash, 'paymentHash'),
    {
      ...(amountMsat === undefined ? {} : { amountMsat }),
      expirySecs,
      nowSeconds: clock(ctx),
      minFinalCltvExpiryDelta: checkMinFinal(minFinalCltvExpiryDelta),
    },
    ctx.crypto,
  );
  return toHex(secret);
}

/** Options of `createBolt11Invoice`. */
export interface CreateInvoiceOptions {
  /** Omit to let the payer choose. */
  readonly amountMsat?: bigint;
  /** Exactly one of `description` and `descriptionHash` (hex SHA256). */
  readonly description?: string;
  readonly descriptionHash?: string;
  /** Seconds the invoice stays payable; 3600 by default. */
  readonly expirySecs?: number;
  readonly minFinalCltvExpiryDelta?: number;
  /** For `createInboundPaymentForHash`: the host keeps this hash's preimage. */
  readonly paymentHash?: string;
}

/** An invoice we issued and what it was made of. */
export interface CreatedInvoice {
  readonly invoice: string;
  readonly paymentHash: string;
  readonly paymentSecret: string;
}

/**
 * Route hints for our private channels (BOLT 11 `r`): each names the alias the peer gave us in
 * `channel_ready` (it forwards on it; BOLT 2 `option_scid_alias`), or the real scid. The fees are
 * those of the peer's `channel_update`; before one arrived we assume boltkit's and LDK's
 * defaults (1000 msat, 0 ppm, 72 blocks).
 */
function privateRouteHints(ctx: ManagerContext): RouteHint[] {
  const hints: RouteHint[] = [];
  for (const entry of ctx.entries) {
    const s = entry.channel.state;
    if (s.announceChannel || !isUsable(ctx, entry)) continue;
    const scid = s.theirAlias ?? s.shortChannelId;
    if (scid === undefined) continue;
    hints.push([
      {
        pubkey: entry.counterpartyNodeId,
        shortChannelId: scid,
        feeBaseMsat: entry.counterpartyForwarding?.feeBaseMsat ?? 1000,
        feeProportionalMillionths: entry.counterpartyForwarding?.feeProportionalMillionths ?? 0,
        cltvExpiryDelta: entry.counterpartyForwarding?.cltvExpiryDelta ?? 72,
      },
    ]);
  }
  return hints;
}

/** An invoice for a payment to us, signed with our node key (see `CreateInvoiceOptions`). */
export function createBolt11Invoice(
  ctx: ManagerContext,
  options: CreateInvoiceOptions,
): CreatedInvoice {
  const expirySecs = options.expirySecs ?? 3600;
  const minFinal = checkMinFinal(options.minFinalCltvExpiryDelta);
  let paymentHash: string;
  let paymentSecret: string;
  if (options.paymentHash === undefined) {
    ({ paymentHash, paymentSecret } = createInboundPayment(
      ctx,
      options.amountMsat,
      expirySecs,
      minFinal,
    ));
  } else {
    paymentHash = options.paymentHash;
    paymentSecret = createInboundPaymentForHash(
      ctx,
      paymentHash,
      options.amountMsat,
      expirySecs,
      minFinal,
    );
  }
  const features = Features.empty()
    .setRequired('var_onion_optin')
    .setRequired('payment_secret')
    .setOptional('basic_mpp');
  const invoice = encodeInvoice(
    {
      network: ctx.network,
      ...(options.amountMsat === undefined ? {} : { amountMsat: options.amountMsat }),
      timestamp: clock(ctx),
      paymentHash,
      paymentSecret,
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.descriptionHash === undefined
        ? {}
        : { descriptionHash: options.descriptionHash }),
      expirySecs,
      minFinalCltvExpiryDelta: minFinal,
      routeHints: privateRouteHints(ctx),
      features,
    },
    (preimage) => ctx.keys.signInvoice(preimage),
    { crypto: ctx.crypto },
  );
  return { invoice, paymentHash, paymentSecret };
}

/** The route parameters an invoice asks for, paying `amountMsat`. */
export function routeParamsForInvoice(
  invoice: Invoice,
  amountMsat: bigint,
  maxTotalRoutingFeeMsat?: bigint,
): RouteParameters {
  const paymentParams: PaymentParameters = {
    payeeNodeId: invoice.payeeNodeId,
    routeHints: invoice.routeHints.map((hint) =>
      hint.map((h) => ({
        srcNodeId: h.pubkey,
        shortChannelId: h.shortChannelId,
        feeBaseMsat: h.feeBaseMsat,
        feeProportionalMillionths: h.feeProportionalMillionths,
        cltvExpiryDelta: h.cltvExpiryDelta,
      })),
    ),
    finalCltvExpiryDelta: invoice.minFinalCltvExpiryDelta,
    allowMpp: invoice.features.supports('basic_mpp'),
    maxTotalCltvExpiryDelta: DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA,
    maxPathCount: DEFAULT_MAX_PATH_COUNT,
    previouslyFailedChannels: [],
    expiryTimeSeconds: invoice.timestamp + invoice.expirySecs,
  };
  return {
    paymentParams,
    finalValueMsat: amountMsat,
    ...(maxTotalRoutingFeeMsat === undefined ? {} : { maxTotalRoutingFeeMsat }),
  };
}

/** Options of `payInvoice`. */
export interface PayInvoiceOptions {
  /** Required for an invoice without an amount; refused for one with. */
  readonly amountMsat?: bigint;
  /** Defaults to the payment hash (one payment per invoice). */
  readonly paymentId?: string;
  readonly retry?: Retry;
  readonly maxTotalRoutingFeeMsat?: bigint;
}

/** Pays a BOLT 11 invoice; returns the payment id. */
export function payInvoice(
  ctx: ManagerContext,
  invoiceOrText: Invoice | string,
  options: PayInvoiceOptions = {},
): string {
  const invoice =
    typeof invoiceOrText === 'string'
      ? decodeInvoice(invoiceOrText, { crypto: ctx.crypto })
      : invoiceOrText;
  if (invoice.network !== ctx.network) {
    throw new APIMisuseError(
      `payInvoice: the invoice is for ${invoice.network}, not ${ctx.network}`,
    );
  }
  if (invoice.amountMsat !== undefined && options.amountMsat !== undefined) {
    throw new APIMisuseError('payInvoice: the invoice has an amount; do not give one');
  }
  const amountMsat = invoice.amountMsat ?? options.amountMsat;
  if (amountMsat === undefined) {
    throw new APIMisuseError('payInvoice: the invoice has no amount; give amountMsat');
  }
  if (invoice.timestamp + invoice.expirySecs <= ctx.nowSeconds()) {
    throw new APIMisuseError('payInvoice: the invoice has expired');
  }
  const paymentId = options.paymentId ?? invoice.paymentHash;
  const onionFields: RecipientOnionFields = {
    paymentSecret: fromHex(invoice.paymentSecret, 32),
    ...(invoice.paymentMetadata === undefined ? {} : { paymentMetadata: invoice.paymentMetadata }),
  };
  startPayment(ctx, {
    paymentId: parseHex32(paymentId, 'paymentId'),
    paymentHash: fromHex(invoice.paymentHash, 32),
    onionFields,
    totalMsat: amountMsat,
    routeParams: routeParamsForInvoice(invoice, amountMsat, options.maxTotalRoutingFeeMsat),
    retry: options.retry ?? DEFAULT_RETRY,
  });
  return paymentId;
}

/** `sendPayment`: a payment hash, what the recipient's onion carries, and where to route. */
export function sendPayment(
  ctx: ManagerContext,
  paymentHash: string,
  onionFields: RecipientOnionFields,
  paymentId: string,
  routeParams: RouteParameters,
  retry: Retry,
): void {
  startPayment(ctx, {
    paymentId: parseHex32(paymentId, 'paymentId'),
    paymentHash: parseHex32(paymentHash, 'paymentHash'),
    onionFields,
    totalMsat: routeParams.finalValueMsat,
    routeParams,
    retry,
  });
}

/** `sendPaymentWithRoute`: an explicit route, never retried. */
export function sendPaymentWithRoute(
  ctx: ManagerContext,
  route: Route,
  paymentHash: string,
  onionFields: RecipientOnionFields,
  paymentId: string,
): void {
  let total = 0n;
  for (const p of route.paths) total += p.hops[p.hops.length - 1]?.feeMsat ?? 0n;
  startPayment(ctx, {
    paymentId: parseHex32(paymentId, 'paymentId'),
    paymentHash: parseHex32(paymentHash, 'paymentHash'),
    onionFields,
    totalMsat: total,
    route,
    retry: { type: 'Attempts', count: 0 },
  });
}

/**
 * Keysend (`sendSpontaneousPayment`): we choose the preimage (random when not given) and put it
 * in the payee's onion. Returns the payment hash.
 */
export function sendSpontaneousPayment(
  ctx: ManagerContext,
  paymentPreimage: string | undefined,
  paymentId: string,
  routeParams: RouteParameters,
  retry: Retry,
): string {
  const preimage =
    paymentPreimage === undefined
      ? ctx.keys.getSecureRandomBytes()
      : parseHex32(paymentPreimage, 'paymentPreimage');
  const paymentHash = ctx.crypto.sha256(preimage);
  startPayment(ctx, {
    paymentId: parseHex32(paymentId, 'paymentId'),
    paymentHash,
    onionFields: {},
    keysendPreimage: preimage,
    totalMsat: routeParams.finalValueMsat,
    routeParams: {
      ...routeParams,
      paymentParams: { ...routeParams.paymentParams, allowMpp: false },
    },
    retry,
  });
  return toHex(paymentHash);
}

/** Route parameters to pay `amountMsat` to a node we know how to reach (keysend). */
export function routeParamsForNode(
  payeeNodeId: string,
  amountMsat: bigint,
  finalCltvExpiryDelta: number = MIN_FINAL_CLTV_EXPIRY_DELTA,
): RouteParameters {
  return {
    paymentParams: {
      payeeNodeId,
      routeHints: [],
      finalCltvExpiryDelta,
      allowMpp: false,
      maxTotalCltvExpiryDelta: DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA,
      maxPathCount: DEFAULT_MAX_PATH_COUNT,
      previouslyFailedChannels: [],
    },
    finalValueMsat: amountMsat,
  };
}

/** A payment we send, as `listRecentPayments` shows it. */
export interface RecentPayment {
  readonly paymentId: string;
  readonly paymentHash: string;
  readonly status: 'Pending' | 'Fulfilled' | 'Abandoned';
  readonly totalMsat: bigint;
  /** Parts in flight now. */
  readonly inflightParts: number;
}

export function listRecentPayments(ctx: ManagerContext): RecentPayment[] {
  return [...ctx.payments.outbound.values()].map((p) => ({
    paymentId: toHex(p.paymentId),
    paymentHash: toHex(p.paymentHash),
    status: p.status === OutboundStatus.Pending ? 'Pending' : p.status,
    totalMsat: p.totalMsat,
    inflightParts: p.parts.filter((x) => x.status === 'inflight').length,
  }));
}

/** Forwards, receives and fails what waits in `pendingHtlcs`, oldest first. */
export function processPendingHtlcForwards(ctx: ManagerContext): void {
  const pending = ctx.payments.pendingHtlcs.splice(0);
  ctx.payments.forwardableSignalled = false;
  if (pending.length > 0) ctx.markDirty();
  for (const p of pending) {
    if (p.kind === 'forward') processForward(ctx, p);
    else processReceive(ctx, p);
  }
}

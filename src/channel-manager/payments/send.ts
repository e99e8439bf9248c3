/**
 * Sending payments (BOLT 4 "Route construction", "Returning Errors" as the origin node): a
 * payment is kept by the host's payment id from the first call until a while after it resolved,
 * so calling again with the same id is refused instead of paying twice, also across a restart
 * (the state is persisted with the channels).
 *
 * Each attempt asks the `Router` for paths for what is not yet in flight, builds one onion per
 * path with a fresh session key, and offers the HTLC on the first channel. A failure coming back
 * is decrypted and attributed to the hop that sent it; the channel (or node) it blames is
 * avoided, and the missing amount is routed again while the `Retry` allows. `PaymentSent` comes
 * with the first preimage; `PaymentFailed` once the payment is given up and nothing of it is in
 * flight any more.
 */
import { decodeFailurePacket, type DecodedFailure } from '../../onion/failure.js';
import { constructPaymentOnion, type PaymentRouteHop } from '../../onion/payment-onion.js';
import { computeOnionHopSecrets } from '../../onion/shared-secrets.js';
import type { PaymentFailureReason } from '../../events/payment-events.js';
import { RouteNotFoundError } from '../../routing/errors.js';
import {
  pathFeeMsat,
  pathFinalValueMsat,
  type Path,
  type Route,
  type RouteParameters,
} from '../../routing/route.js';
import { fromHex, toHex } from '../../util/bytes.js';
import { APIMisuseError, BoltkitError } from '../../util/errors.js';
import type { ChannelEvent } from '../channel/events.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';
import { blame } from './payment-blame.js';
import { DuplicatePaymentError } from './payment-errors.js';
import { firstHops, isUsable, trySendHtlc } from './payment-helpers.js';
import { IDEMPOTENCY_TIMEOUT_TICKS } from './payment-limits.js';
import {
  OutboundStatus,
  outgoingKey,
  type HtlcSource,
  type OutboundPayment,
  type RecipientOnionFields,
  type Retry,
} from './payment-state.js';

/** BOLT 2: `cltv_expiry` is a block height below 500000000. */
const MAX_CLTV_EXPIRY = 500_000_000;

export interface SendArgs {
  readonly paymentId: Uint8Array;
  readonly paymentHash: Uint8Array;
  readonly onionFields: RecipientOnionFields;
  readonly keysendPreimage?: Uint8Array;
  readonly totalMsat: bigint;
  /** For routing (and retries); absent with `route`. */
  readonly routeParams?: RouteParameters;
  /** An explicit route, sent as is and never retried. */
  readonly route?: Route;
  readonly retry: Retry;
}

function checkRetry(retry: Retry): void {
  const n = retry.type === 'Attempts' ? retry.count : retry.seconds;
  if (
    (retry.type !== 'Attempts' && retry.type !== 'Timeout') ||
    !Number.isInteger(n) ||
    n < 0 ||
    n > 0xffffffff
  ) {
    throw new APIMisuseError(
      'retry: expected { type: Attempts, count } or { type: Timeout, seconds }',
    );
  }
}

/** Starts a payment (see the module comment). Throws `DuplicatePaymentError` for a known id. */
export function startPayment(ctx: ManagerContext, args: SendArgs): void {
  const idHex = toHex(args.paymentId);
  if (ctx.payments.outbound.has(idHex)) throw new DuplicatePaymentError(idHex);
  checkRetry(args.retry);
  if (args.totalMsat <= 0n) throw new APIMisuseError('payment amount: expected > 0 msat');
  const payment: OutboundPayment = {
    paymentId: args.paymentId.slice(),
    paymentHash: args.paymentHash.slice(),
    onionFields: args.onionFields,
    keysendPreimage: args.keysendPreimage,
    totalMsat: args.totalMsat,
    routeParams: args.routeParams,
    retry: args.retry,
    attempts: 0,
    startedAtSeconds: ctx.nowSeconds(),
    status: OutboundStatus.Pending,
    paymentPreimage: undefined,
    failureReason: undefined,
    failedChannels: [],
    parts: [],
    nextPartId: 0,
    resolvedTicks: 0,
  };
  if (args.route !== undefined) {
    // An explicit route must deliver exactly the payment total, and is checked before anything
    // is stored, so a bad route leaves the id free.
    let delivered = 0n;
    for (const path of args.route.paths) {
      if (path.hops.length === 0) throw new APIMisuseError('route: a path without hops');
      delivered += pathFinalValueMsat(path);
    }
    if (delivered !== args.totalMsat) {
      throw new APIMisuseError('route: the paths do not deliver the payment total');
    }
  }
  ctx.payments.outbound.set(idHex, payment);
  ctx.markDirty();
  if (args.route !== undefined) {
    payment.attempts = 1;
    for (const path of args.route.paths) sendPath(ctx, payment, path);
    settleIfDone(ctx, payment);
    return;
  }
  attempt(ctx, payment);
}

/** What the parts not failed deliver: in flight, or already fulfilled. */
function committedMsat(payment: OutboundPayment): bigint {
  let total = 0n;
  for (const p of payment.parts) if (p.status !== 'failed') total += p.finalValueMsat;
  return total;
}

function hasInflight(payment: OutboundPayment): boolean {
  return payment.parts.some((p) => p.status === 'inflight');
}

function retriesLeft(ctx: ManagerContext, payment: OutboundPayment): boolean {
  if (payment.routeParams === undefined) return false;
  const r = payment.retry;
  return r.type === 'Attempts'
    ? payment.attempts <= r.count
    : ctx.nowSeconds() < payment.startedAtSeconds + r.seconds;
}

function expired(ctx: ManagerContext, payment: OutboundPayment): boolean {
  const expiry = payment.routeParams?.paymentParams.expiryTimeSeconds;
  return expiry !== undefined && ctx.nowSeconds() >= expiry;
}

/** Gives the payment up; `PaymentFailed` comes once nothing of it is in flight. */
export function abandon(
  ctx: ManagerContext,
  payment: OutboundPayment,
  reason: PaymentFailureReason,
): void {
  if (payment.status !== OutboundStatus.Pending) return;
  payment.status = OutboundStatus.Abandoned;
  payment.failureReason = reason;
  ctx.markDirty();
  settleIfDone(ctx, payment);
}

/** Raises `PaymentFailed` for an abandoned payment with nothing in flight. */
function settleIfDone(ctx: ManagerContext, payment: OutboundPayment): void {
  if (hasInflight(payment)) return;
  if (payment.status === OutboundStatus.Pending && payment.routeParams === undefined) {
    // An explicit route that failed everywhere: nothing else to try.
    const sent = payment.parts.length > 0;
    payment.status = OutboundStatus.Abandoned;
    payment.failureReason = sent ? 'RetriesExhausted' : 'RouteNotFound';
  }
  // Raised once: every caller is a transition (abandoned now, or its last part just failed).
  if (payment.status !== OutboundStatus.Abandoned) return;
  ctx.queueEvent({
    type: 'PaymentFailed',
    paymentId: toHex(payment.paymentId),
    paymentHash: toHex(payment.paymentHash),
    reason: payment.failureReason ?? 'UnexpectedError',
  });
}

/** Routes and sends what of the payment is not in flight; abandons it when nothing routes. */
function attempt(ctx: ManagerContext, payment: OutboundPayment): void {
  if (payment.status !== OutboundStatus.Pending || payment.routeParams === undefined) return;
  for (let guard = 0; guard < 64; guard++) {
    const remaining = payment.totalMsat - committedMsat(payment);
    if (remaining <= 0n) return;
    if (expired(ctx, payment)) {
      abandon(ctx, payment, 'PaymentExpired');
      return;
    }
    if (payment.attempts > 0 && !retriesLeft(ctx, payment)) {
      abandon(ctx, payment, 'RetriesExhausted');
      return;
    }
    const base = payment.routeParams;
    // The fee budget covers the whole payment: what parts in flight pay is spent already.
    let committedFee = 0n;
    for (const p of payment.parts) if (p.status !== 'failed') committedFee += pathFeeMsat(p.path);
    const budget = base.maxTotalRoutingFeeMsat;
    if (budget !== undefined && committedFee > budget) {
      abandon(ctx, payment, 'RouteNotFound');
      return;
    }
    const params: RouteParameters = {
      ...base,
      ...(budget === undefined ? {} : { maxTotalRoutingFeeMsat: budget - committedFee }),
      finalValueMsat: remaining,
      paymentParams: {
        ...base.paymentParams,
        previouslyFailedChannels: [
          ...base.paymentParams.previouslyFailedChannels,
          ...payment.failedChannels,
        ],
      },
    };
    let route: Route;
    try {
      route = ctx.router.findRoute(toHex(ctx.keys.getNodeId()), params, firstHops(ctx));
    } catch (e) {
      if (!(e instanceof BoltkitError)) throw e;
      ctx.log('info', `no route for payment ${toHex(payment.paymentId)}: ${e.message}`);
      if (!hasInflight(payment)) {
        abandon(
          ctx,
          payment,
          e instanceof RouteNotFoundError ? 'RouteNotFound' : 'UnexpectedError',
        );
      }
      return;
    }
    payment.attempts++;
    ctx.markDirty();
    let allSent = true;
    for (const path of route.paths) {
      if (!sendPath(ctx, payment, path)) allSent = false;
    }
    if (allSent) return;
  }
}

/** The live channel for a path's first hop: the scid it names, else any to that peer. */
function firstChannel(ctx: ManagerContext, path: Path): ChannelEntry | undefined {
  const hop = path.hops[0];
  if (hop === undefined) return undefined;
  const usable = ctx.entries.filter((e) => e.counterpartyNodeId === hop.pubkey && isUsable(ctx, e));
  return (
    usable.find(
      (e) =>
        e.channel.state.shortChannelId === hop.shortChannelId ||
        e.channel.state.ourAlias === hop.shortChannelId ||
        e.channel.state.theirAlias === hop.shortChannelId,
    ) ?? usable[0]
  );
}

/** The onion payloads of a path (BOLT 4: amounts and expiries each hop forwards). */
function onionHops(
  ctx: ManagerContext,
  payment: OutboundPayment,
  path: Path,
): { hops: PaymentRouteHop[]; firstAmountMsat: bigint; firstCltv: number } {
  const height = ctx.bestBlock.height;
  const n = path.hops.length;
  const hops: PaymentRouteHop[] = [];
  let amount = 0n;
  let cltv = height;
  // Walk from the payee back: what reaches hop k is what hop k forwards plus its fee.
  const amounts: bigint[] = new Array<bigint>(n);
  const cltvs: number[] = new Array<number>(n);
  for (let k = n - 1; k >= 0; k--) {
    const hop = path.hops[k]!;
    amounts[k] = amount; // what node k forwards (0 for the payee: unused)
    cltvs[k] = cltv;
    amount += hop.feeMsat;
    cltv += hop.cltvExpiryDelta;
  }
  for (let k = 0; k < n; k++) {
    const hop = path.hops[k]!;
    const nodeId = fromHex(hop.pubkey, 33);
    if (k < n - 1) {
      hops.push({
        nodeId,
        payload: {
          amtToForwardMsat: amounts[k]!,
          outgoingCltvValue: cltvs[k]!,
          shortChannelId: path.hops[k + 1]!.shortChannelId,
        },
      });
      continue;
    }
    const secret = payment.onionFields.paymentSecret;
    hops.push({
      nodeId,
      payload: {
        amtToForwardMsat: hop.feeMsat,
        outgoingCltvValue: height + hop.cltvExpiryDelta,
        ...(secret === undefined
          ? {}
          : { paymentData: { paymentSecret: secret, totalMsat: payment.totalMsat } }),
        ...(payment.onionFields.paymentMetadata === undefined
          ? {}
          : { paymentMetadata: payment.onionFields.paymentMetadata }),
        ...(payment.keysendPreimage === undefined
          ? {}
          : { keysendPreimage: payment.keysendPreimage }),
      },
    });
  }
  return { hops, firstAmountMsat: amount, firstCltv: cltv };
}

/**
 * Builds the onion of one path and offers its HTLC. A path the first channel refuses fails at
 * once (`PaymentPathFailed`, that channel avoided). Returns whether the HTLC went out.
 */
function sendPath(ctx: ManagerContext, payment: OutboundPayment, path: Path): boolean {
  const partId = payment.nextPartId++;
  const part = {
    partId,
    path,
    finalValueMsat: pathFinalValueMsat(path),
    status: 'inflight' as const,
  };
  const entry = firstChannel(ctx, path);
  const refuse = (why: string): false => {
    ctx.log('info', `payment ${toHex(payment.paymentId)}: path refused: ${why}`);
    const scid = path.hops[0]?.shortChannelId;
    if (scid !== undefined) payment.failedChannels.push(scid);
    payment.parts.push({ ...part, status: 'failed' });
    ctx.queueEvent({
      type: 'PaymentPathFailed',
      paymentId: toHex(payment.paymentId),
      paymentHash: toHex(payment.paymentHash),
      paymentFailedPermanently: false,
      path,
      shortChannelId: scid,
      failingNodeId: undefined,
      failureCode: undefined,
      failureData: undefined,
      willRetry: payment.routeParams !== undefined && retriesLeft(ctx, payment),
    });
    return false;
  };
  if (entry === undefined) return refuse('no usable channel to the first hop');
  const { hops, firstAmountMsat, firstCltv } = onionHops(ctx, payment, path);
  if (firstCltv >= MAX_CLTV_EXPIRY) return refuse('cltv_expiry out of range');
  let sessionKey = ctx.keys.getSecureRandomBytes();
  while (!ctx.crypto.isValidSecretKey(sessionKey)) sessionKey = ctx.keys.getSecureRandomBytes();
  let onion;
  try {
    onion = constructPaymentOnion(hops, sessionKey, payment.paymentHash, ctx.crypto);
  } catch (e) {
    if (!(e instanceof BoltkitError)) throw e;
    return refuse(`onion: ${e.message}`);
  }
  const sent = trySendHtlc(ctx, entry, {
    amountMsat: firstAmountMsat,
    paymentHash: payment.paymentHash,
    cltvExpiry: firstCltv,
    onionRoutingPacket: onion.packet,
  });
  if ('error' in sent) return refuse(sent.error);
  payment.parts.push(part);
  const source: HtlcSource = {
    kind: 'outbound',
    paymentId: payment.paymentId,
    partId,
    sessionKey,
    path,
  };
  ctx.payments.outgoingHtlcs.set(outgoingKey(entry.channel.channelId, sent.htlcId), {
    channelId: entry.channel.channelId,
    htlcId: sent.htlcId,
    amountMsat: firstAmountMsat,
    source,
  });
  ctx.markDirty();
  return true;
}

type OutboundSource = Extract<HtlcSource, { kind: 'outbound' }>;

/** The preimage of one of our parts came back. */
export function onOutboundFulfilled(
  ctx: ManagerContext,
  source: OutboundSource,
  paymentPreimage: Uint8Array,
): void {
  const payment = ctx.payments.outbound.get(toHex(source.paymentId));
  if (payment === undefined) return;
  const part = payment.parts.find((p) => p.partId === source.partId);
  if (part !== undefined) part.status = 'fulfilled';
  ctx.markDirty();
  if (payment.status !== OutboundStatus.Fulfilled) {
    payment.status = OutboundStatus.Fulfilled;
    payment.paymentPreimage = paymentPreimage.slice();
    let fee = 0n;
    for (const p of payment.parts) if (p.status !== 'failed') fee += pathFeeMsat(p.path);
    ctx.queueEvent({
      type: 'PaymentSent',
      paymentId: toHex(payment.paymentId),
      paymentPreimage: toHex(paymentPreimage),
      paymentHash: toHex(payment.paymentHash),
      feePaidMsat: fee,
    });
  }
  ctx.queueEvent({
    type: 'PaymentPathSuccessful',
    paymentId: toHex(payment.paymentId),
    paymentHash: toHex(payment.paymentHash),
    path: source.path,
  });
}

type HtlcFailed = Extract<ChannelEvent, { type: 'HtlcFailed' }>;

/** One of our parts failed: attribute it, then retry or give up. */
export function onOutboundFailed(ctx: ManagerContext, source: OutboundSource, e: HtlcFailed): void {
  const payment = ctx.payments.outbound.get(toHex(source.paymentId));
  if (payment === undefined) return;
  const part = payment.parts.find((p) => p.partId === source.partId);
  if (part === undefined || part.status !== 'inflight') return;
  part.status = 'failed';
  ctx.markDirty();
  const path = source.path;
  let decoded: DecodedFailure = { kind: 'unattributable', holdTimes: [] };
  if (e.reason !== undefined) {
    const secrets = computeOnionHopSecrets(
      source.sessionKey,
      path.hops.map((h) => fromHex(h.pubkey, 33)),
      ctx.crypto,
    ).sharedSecrets;
    decoded = decodeFailurePacket(secrets, { reason: e.reason }, { crypto: ctx.crypto });
  }
  const b = blame(path, decoded, e.malformed?.failureCode);
  for (const scid of b.scids)
    if (!payment.failedChannels.includes(scid)) payment.failedChannels.push(scid);
  const wasPending = payment.status === OutboundStatus.Pending;
  let giveUp: PaymentFailureReason | undefined;
  if (wasPending) {
    if (b.permanent) giveUp = 'RecipientRejected';
    else if (expired(ctx, payment)) giveUp = 'PaymentExpired';
    else if (payment.routeParams !== undefined && !retriesLeft(ctx, payment)) {
      giveUp = 'RetriesExhausted';
    }
  }
  const willRetry = wasPending && giveUp === undefined && payment.routeParams !== undefined;
  // The path's failure is told before the payment's (PaymentFailed comes last, as from LDK).
  ctx.queueEvent({
    type: 'PaymentPathFailed',
    paymentId: toHex(payment.paymentId),
    paymentHash: toHex(payment.paymentHash),
    paymentFailedPermanently: b.permanent,
    path,
    shortChannelId: b.scids[b.scids.length - 1],
    failingNodeId: b.failingNodeId,
    failureCode: b.failureCode,
    failureData: b.failureData === undefined ? undefined : toHex(b.failureData),
    willRetry,
  });
  if (giveUp !== undefined) {
    // `abandon` raises PaymentFailed itself once nothing is in flight.
    abandon(ctx, payment, giveUp);
  } else if (willRetry) {
    ctx.defer(() => {
      attempt(ctx, payment);
    });
  } else if (!wasPending || payment.status === OutboundStatus.Pending) {
    // Abandoned earlier (this may be its last part), or an explicit route with nothing left.
    settleIfDone(ctx, payment);
  }
}

/** `abandonPayment`: no new parts; `PaymentFailed` once none is in flight. */
export function abandonPayment(ctx: ManagerContext, paymentId: Uint8Array): void {
  const payment = ctx.payments.outbound.get(toHex(paymentId));
  if (payment === undefined) return;
  abandon(ctx, payment, 'UserAbandoned');
}

/** Timer tick: retries that had no route, and forgetting payments resolved long enough ago. */
export function sendTimerTick(ctx: ManagerContext): void {
  for (const [id, payment] of [...ctx.payments.outbound]) {
    if (hasInflight(payment)) continue;
    if (payment.status === OutboundStatus.Pending) {
      attempt(ctx, payment);
      continue;
    }
    payment.resolvedTicks++;
    ctx.markDirty();
    if (payment.resolvedTicks >= IDEMPOTENCY_TIMEOUT_TICKS) ctx.payments.outbound.delete(id);
  }
}

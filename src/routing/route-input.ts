/**
 * Checks what a caller hands the pathfinder and turns it into the plain shapes the search uses.
 * A router runs on every payment attempt with input from a host, an invoice and the channel
 * manager, so every field is checked once here and the search itself never meets a wrong type:
 * anything malformed is an `APIMisuseError` naming the field, never a `TypeError` later on.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { fromHex } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import type { ShortChannelId } from '../wire/short-channel-id.js';
import type { FirstHop, GraphEdge, RouteHintHop, RouteParameters } from './route.js';

const NODE_ID = /^0[23][0-9a-f]{64}$/;
const MAX_U64 = 0xffffffffffffffffn;
const MAX_U32 = 0xffffffff;
const MAX_U16 = 0xffff;

/** A route hint hop or graph edge with every field checked and fees as bigints. */
export interface CheckedChannel {
  readonly srcNodeId: string;
  readonly shortChannelId: ShortChannelId;
  /** u32. */
  readonly feeBaseMsat: number;
  /** u32. */
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
  readonly htlcMinimumMsat: bigint;
  /** `UNLIMITED_MSAT` when the hint gives no maximum. */
  readonly htlcMaximumMsat: bigint;
  /** The channel's capacity; `UNLIMITED_MSAT` when unknown. */
  readonly capacityMsat: bigint;
}

/** What `findRoute` asks for, every field checked. */
export interface CheckedRequest {
  readonly payerNodeId: string;
  readonly payeeNodeId: string;
  readonly finalValueMsat: bigint;
  /** `UNLIMITED_MSAT` when the caller sets no limit. */
  readonly maxTotalRoutingFeeMsat: bigint;
  readonly finalCltvExpiryDelta: number;
  readonly maxTotalCltvExpiryDelta: number;
  readonly allowMpp: boolean;
  readonly maxPathCount: number;
  readonly failedChannels: ReadonlySet<ShortChannelId>;
  /** Each hint as its hops in order, the last one ending at the payee. */
  readonly routeHints: readonly (readonly CheckedChannel[])[];
  readonly firstHops: readonly FirstHop[];
}

/** Stands for "no limit" on an amount: above every u64. */
export const UNLIMITED_MSAT: bigint = 1n << 64n;

function fail(what: string, expected: string): never {
  throw new APIMisuseError(`${what}: expected ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function u64(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) fail(what, 'a u64 bigint');
  return value;
}

function uint(value: unknown, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    fail(what, `an integer in [0, ${max}]`);
  }
  return value;
}

function list(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(what, 'an array');
  return value as readonly unknown[];
}

/** Checks the form of a lowercase hex node id (33-byte compressed key) without curve math. */
export function checkNodeIdForm(value: unknown, what: string): string {
  if (typeof value !== 'string' || !NODE_ID.test(value)) {
    fail(what, 'a node id as 66 lowercase hex characters (compressed key)');
  }
  return value;
}

/**
 * Checks a node id is a point on the curve. Keys already checked sit in `known` so a payee paid
 * again (every retry of a payment) costs no second square root; the set is cleared when it grows
 * past a bound so it never holds more than that many keys.
 */
export function checkNodeIdOnCurve(
  value: unknown,
  what: string,
  crypto: CryptoBackend,
  known: Set<string>,
): string {
  const id = checkNodeIdForm(value, what);
  if (known.has(id)) return id;
  if (!crypto.isValidPublicKey(fromHex(id, 33, what))) fail(what, 'a point on secp256k1');
  if (known.size >= 1024) known.clear();
  known.add(id);
  return id;
}

/**
 * Checks one graph edge. Node ids are checked for form only: a graph holds thousands of them and
 * a curve check each would cost more than the search; gossip validation vouches for them. Ids in
 * `formChecked` were checked before and are not checked again.
 */
export function checkGraphEdge(
  value: unknown,
  what: string,
  formChecked: Set<string>,
): CheckedChannel & { readonly dstNodeId: string } {
  if (!isRecord(value)) fail(what, 'a GraphEdge object');
  const edge = value as Partial<Record<keyof GraphEdge, unknown>>;
  const src = edge.srcNodeId;
  const dst = edge.dstNodeId;
  if (typeof src !== 'string' || !formChecked.has(src)) {
    formChecked.add(checkNodeIdForm(src, `${what}.srcNodeId`));
  }
  if (typeof dst !== 'string' || !formChecked.has(dst)) {
    formChecked.add(checkNodeIdForm(dst, `${what}.dstNodeId`));
  }
  const capacitySat = edge.capacitySat;
  return {
    srcNodeId: src as string,
    dstNodeId: dst as string,
    shortChannelId: u64(edge.shortChannelId, `${what}.shortChannelId`),
    feeBaseMsat: uint(edge.feeBaseMsat, MAX_U32, `${what}.feeBaseMsat`),
    feeProportionalMillionths: uint(
      edge.feeProportionalMillionths,
      MAX_U32,
      `${what}.feeProportionalMillionths`,
    ),
    cltvExpiryDelta: uint(edge.cltvExpiryDelta, MAX_U16, `${what}.cltvExpiryDelta`),
    htlcMinimumMsat: u64(edge.htlcMinimumMsat, `${what}.htlcMinimumMsat`),
    htlcMaximumMsat: u64(edge.htlcMaximumMsat, `${what}.htlcMaximumMsat`),
    capacityMsat:
      capacitySat === undefined ? UNLIMITED_MSAT : u64(capacitySat, `${what}.capacitySat`) * 1000n,
  };
}

function checkHintHop(
  value: unknown,
  what: string,
  crypto: CryptoBackend,
  known: Set<string>,
): CheckedChannel {
  if (!isRecord(value)) fail(what, 'a RouteHintHop object');
  const hop = value as Partial<Record<keyof RouteHintHop, unknown>>;
  return {
    srcNodeId: checkNodeIdOnCurve(hop.srcNodeId, `${what}.srcNodeId`, crypto, known),
    shortChannelId: u64(hop.shortChannelId, `${what}.shortChannelId`),
    feeBaseMsat: uint(hop.feeBaseMsat, MAX_U32, `${what}.feeBaseMsat`),
    feeProportionalMillionths: uint(
      hop.feeProportionalMillionths,
      MAX_U32,
      `${what}.feeProportionalMillionths`,
    ),
    cltvExpiryDelta: uint(hop.cltvExpiryDelta, MAX_U16, `${what}.cltvExpiryDelta`),
    htlcMinimumMsat:
      hop.htlcMinimumMsat === undefined ? 0n : u64(hop.htlcMinimumMsat, `${what}.htlcMinimumMsat`),
    htlcMaximumMsat:
      hop.htlcMaximumMsat === undefined
        ? UNLIMITED_MSAT
        : u64(hop.htlcMaximumMsat, `${what}.htlcMaximumMsat`),
    capacityMsat: UNLIMITED_MSAT,
  };
}

function checkFirstHop(
  value: unknown,
  what: string,
  payerNodeId: string,
  crypto: CryptoBackend,
  known: Set<string>,
): FirstHop {
  if (!isRecord(value)) fail(what, 'a FirstHop object');
  const hop = value as Partial<Record<keyof FirstHop, unknown>>;
  const counterpartyNodeId = checkNodeIdOnCurve(
    hop.counterpartyNodeId,
    `${what}.counterpartyNodeId`,
    crypto,
    known,
  );
  if (counterpartyNodeId === payerNodeId)
    fail(`${what}.counterpartyNodeId`, 'a peer, not the payer');
  return {
    counterpartyNodeId,
    shortChannelId: u64(hop.shortChannelId, `${what}.shortChannelId`),
    outboundCapacityMsat: u64(hop.outboundCapacityMsat, `${what}.outboundCapacityMsat`),
    htlcMinimumMsat: u64(hop.htlcMinimumMsat, `${what}.htlcMinimumMsat`),
    nextOutboundHtlcLimitMsat: u64(
      hop.nextOutboundHtlcLimitMsat,
      `${what}.nextOutboundHtlcLimitMsat`,
    ),
  };
}

/** Checks the arguments of `Router.findRoute`; `APIMisuseError` for anything malformed. */
export function checkRouteRequest(
  payerNodeId: unknown,
  params: unknown,
  firstHops: unknown,
  crypto: CryptoBackend,
  known: Set<string>,
): CheckedRequest {
  const payer = checkNodeIdOnCurve(payerNodeId, 'payerNodeId', crypto, known);
  if (!isRecord(params)) fail('params', 'a RouteParameters object');
  const p = params as Partial<Record<keyof RouteParameters, unknown>>;
  if (!isRecord(p.paymentParams)) fail('params.paymentParams', 'a PaymentParameters object');
  const pp = p.paymentParams;
  const payee = checkNodeIdOnCurve(pp.payeeNodeId, 'paymentParams.payeeNodeId', crypto, known);
  if (payee === payer) fail('paymentParams.payeeNodeId', 'a node other than the payer');

  const finalValueMsat = p.finalValueMsat;
  if (typeof finalValueMsat !== 'bigint' || finalValueMsat <= 0n) {
    fail('params.finalValueMsat', 'a positive bigint');
  }
  const maxFee =
    p.maxTotalRoutingFeeMsat === undefined
      ? UNLIMITED_MSAT
      : u64(p.maxTotalRoutingFeeMsat, 'params.maxTotalRoutingFeeMsat');
  if (typeof pp.allowMpp !== 'boolean') fail('paymentParams.allowMpp', 'a boolean');
  const maxPathCount = pp.maxPathCount;
  if (typeof maxPathCount !== 'number' || !Number.isSafeInteger(maxPathCount) || maxPathCount < 1) {
    fail('paymentParams.maxPathCount', 'a positive integer');
  }

  const failedChannels = new Set<ShortChannelId>();
  list(pp.previouslyFailedChannels, 'paymentParams.previouslyFailedChannels').forEach((s, i) =>
    failedChannels.add(u64(s, `paymentParams.previouslyFailedChannels[${i}]`)),
  );
  const routeHints = list(pp.routeHints, 'paymentParams.routeHints').map((hint, i) =>
    list(hint, `paymentParams.routeHints[${i}]`).map((hop, j) =>
      checkHintHop(hop, `paymentParams.routeHints[${i}][${j}]`, crypto, known),
    ),
  );
  const hops = list(firstHops, 'firstHops').map((h, i) =>
    checkFirstHop(h, `firstHops[${i}]`, payer, crypto, known),
  );

  return {
    payerNodeId: payer,
    payeeNodeId: payee,
    finalValueMsat,
    maxTotalRoutingFeeMsat: maxFee,
    finalCltvExpiryDelta: uint(
      pp.finalCltvExpiryDelta,
      MAX_U32,
      'paymentParams.finalCltvExpiryDelta',
    ),
    maxTotalCltvExpiryDelta: uint(
      pp.maxTotalCltvExpiryDelta,
      MAX_U32,
      'paymentParams.maxTotalCltvExpiryDelta',
    ),
    allowMpp: pp.allowMpp,
    maxPathCount,
    failedChannels,
    routeHints,
    firstHops: hops,
  };
}

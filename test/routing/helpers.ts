// Builders for pathfinding tests: node ids from fixed secrets, edges, first hops and parameters
// with the defaults a BOLT 11 payment would have.
import { nobleBackend } from '../../src/crypto/noble.js';
import type {
  FirstHop,
  GraphEdge,
  PaymentParameters,
  RouteHintHop,
  RouteParameters,
} from '../../src/routing/route.js';
import { toHex } from '../../src/util/bytes.js';

/** Property-test seed; `ROUTING_FC_SEED` pins another. */
export const FC_SEED = Number(process.env.ROUTING_FC_SEED ?? 7);

const ids: string[] = [];

/** The node id of test node `i` (from the secret key `i + 1`). */
export function node(i: number): string {
  let id = ids[i];
  if (id === undefined) {
    const secret = new Uint8Array(32);
    secret[30] = (i + 1) >> 8;
    secret[31] = (i + 1) & 0xff;
    id = toHex(nobleBackend.getPublicKey(secret));
    ids[i] = id;
  }
  return id;
}

export function edge(
  src: string,
  dst: string,
  shortChannelId: bigint,
  over: Partial<GraphEdge> = {},
): GraphEdge {
  return {
    srcNodeId: src,
    dstNodeId: dst,
    shortChannelId,
    feeBaseMsat: 0,
    feeProportionalMillionths: 0,
    cltvExpiryDelta: 40,
    htlcMinimumMsat: 1n,
    htlcMaximumMsat: 10_000_000_000n,
    ...over,
  };
}

/** Both directions of a channel with the same fees. */
export function channel(
  a: string,
  b: string,
  shortChannelId: bigint,
  over: Partial<GraphEdge> = {},
): GraphEdge[] {
  return [edge(a, b, shortChannelId, over), edge(b, a, shortChannelId, over)];
}

export function firstHop(
  counterpartyNodeId: string,
  shortChannelId: bigint,
  outboundCapacityMsat = 1_000_000_000n,
  over: Partial<FirstHop> = {},
): FirstHop {
  return {
    counterpartyNodeId,
    shortChannelId,
    outboundCapacityMsat,
    htlcMinimumMsat: 1n,
    nextOutboundHtlcLimitMsat: outboundCapacityMsat,
    ...over,
  };
}

export function hint(
  srcNodeId: string,
  shortChannelId: bigint,
  over: Partial<RouteHintHop> = {},
): RouteHintHop {
  return {
    srcNodeId,
    shortChannelId,
    feeBaseMsat: 0,
    feeProportionalMillionths: 0,
    cltvExpiryDelta: 40,
    ...over,
  };
}

export function routeParams(
  payeeNodeId: string,
  finalValueMsat: bigint,
  over: Partial<PaymentParameters> = {},
  maxTotalRoutingFeeMsat?: bigint,
): RouteParameters {
  const paymentParams: PaymentParameters = {
    payeeNodeId,
    routeHints: [],
    finalCltvExpiryDelta: 18,
    allowMpp: false,
    maxTotalCltvExpiryDelta: 1008,
    maxPathCount: 10,
    previouslyFailedChannels: [],
    ...over,
  };
  return maxTotalRoutingFeeMsat === undefined
    ? { paymentParams, finalValueMsat }
    : { paymentParams, finalValueMsat, maxTotalRoutingFeeMsat };
}

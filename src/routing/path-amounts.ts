/**
 * Amounts, fees and CLTV deltas along a found path, computed backwards from the payee
 * (BOLT 4 "Route construction"; fees per BOLT 7).
 *
 * Number the channels of a path c0 (our first hop) to ck (into the payee), and the nodes they
 * reach n1 to payee. Channel ck carries what the payee receives; channel c(j-1) carries what
 * cj carries plus the fee cj's source charges for forwarding over cj, computed on the amount it
 * forwards. Hop i of the `Route` is channel ci with the node it reaches: its `feeMsat` is the fee
 * that node charges for the next channel (the last hop's is the amount delivered), and its
 * `cltvExpiryDelta` is the next channel's delta (the last hop's is the final delta). Our own
 * first channel adds no fee and no delta.
 *
 * Worked example with three hops: we pay 1,000,000 msat to C through A and B, final CLTV delta
 * 18. Channel A→B charges 1000 msat + 100 ppm with delta 40; B→C charges 500 msat + 1000 ppm
 * with delta 144.
 *
 * - B→C carries 1,000,000. B's fee: 500 + 1,000,000 × 1000 / 10^6 = 1,500.
 * - A→B carries 1,001,500. A's fee: 1000 + 1,001,500 × 100 / 10^6 = 1000 + 100 (100.15 rounded
 *   down) = 1,100.
 * - Our channel to A carries 1,002,600.
 *
 * The route's hops: `{ A, our scid, feeMsat 1100, delta 40 }`,
 * `{ B, A→B scid, feeMsat 1500, delta 144 }`, `{ C, B→C scid, feeMsat 1000000, delta 18 }`; the
 * total CLTV delta is 40 + 144 + 18 = 202 and we send 1,002,600 msat.
 */
import { forwardingFeeMsat, maxForwardableMsat } from './fees.js';
import type { IndexedEdge, SearchGraph } from './graph-index.js';
import { firstHopPartRoomMsat, type FoundPath } from './path-search.js';
import type { RouteHop } from './route.js';
import { UNLIMITED_MSAT } from './route-input.js';

/**
 * What each channel of `path` carries to deliver `amountMsat`: index 0 is our first hop, index
 * `j` the path's `edges[j - 1]`.
 */
export function channelAmountsMsat(path: FoundPath, amountMsat: bigint): bigint[] {
  const k = path.edges.length;
  const out = new Array<bigint>(k + 1);
  out[k] = amountMsat;
  let carried = amountMsat;
  for (let j = k; j >= 1; j--) {
    const e = path.edges[j - 1]!;
    carried += forwardingFeeMsat(
      carried,
      BigInt(e.feeBaseMsat),
      BigInt(e.feeProportionalMillionths),
    );
    out[j - 1] = carried;
  }
  return out;
}

/** The fee a path adds to deliver `amountMsat`. */
export function pathFeeForMsat(path: FoundPath, amountMsat: bigint): bigint {
  return channelAmountsMsat(path, amountMsat)[0]! - amountMsat;
}

/** The `RouteHop`s of `path` delivering `amountMsat`. */
export function routeHops(
  g: SearchGraph,
  path: FoundPath,
  amountMsat: bigint,
  finalCltvExpiryDelta: number,
): RouteHop[] {
  const amounts = channelAmountsMsat(path, amountMsat);
  const k = path.edges.length;
  const hops: RouteHop[] = [];
  for (let i = 0; i <= k; i++) {
    const into = i === 0 ? undefined : path.edges[i - 1]!;
    const next = path.edges[i];
    hops.push({
      pubkey: into === undefined ? path.firstHop.hop.counterpartyNodeId : g.nodeIds[into.dst]!,
      shortChannelId: into === undefined ? path.firstHop.hop.shortChannelId : into.shortChannelId,
      feeMsat: next === undefined ? amountMsat : amounts[i]! - amounts[i + 1]!,
      cltvExpiryDelta: next === undefined ? finalCltvExpiryDelta : next.cltvExpiryDelta,
    });
  }
  return hops;
}

/** Whether `amountMsat` may go over `edge` on top of what earlier parts put there. */
function edgeCarries(
  edge: IndexedEdge,
  amountMsat: bigint,
  used: ReadonlyMap<IndexedEdge, bigint>,
): boolean {
  if (amountMsat < edge.htlcMinimumMsat || amountMsat > edge.htlcMaximumMsat) return false;
  if (edge.capacityMsat === UNLIMITED_MSAT) return true;
  return amountMsat + (used.get(edge) ?? 0n) <= edge.capacityMsat;
}

/**
 * Whether `path` can deliver `amountMsat` now: every channel within its HTLC limits and what
 * earlier parts left of its capacity.
 */
export function pathCarries(
  path: FoundPath,
  amountMsat: bigint,
  firstHopRoomMsat: readonly bigint[],
  edgeUsedMsat: ReadonlyMap<IndexedEdge, bigint>,
): boolean {
  const amounts = channelAmountsMsat(path, amountMsat);
  const first = amounts[0]!;
  const f = path.firstHop;
  if (first < f.hop.htlcMinimumMsat || first > firstHopPartRoomMsat(f, firstHopRoomMsat)) {
    return false;
  }
  return path.edges.every((e, j) => edgeCarries(e, amounts[j + 1]!, edgeUsedMsat));
}

/**
 * The most `path` can deliver in one part, walking forward from what the first hop can send:
 * each channel carries at most what the previous one brings minus the fee on it, its HTLC
 * maximum, and what is left of its capacity. HTLC minimums are not looked at: the caller only
 * grows an amount the path already carries. `-1n` when nothing fits.
 */
export function maxDeliverableMsat(
  path: FoundPath,
  firstHopRoomMsat: readonly bigint[],
  edgeUsedMsat: ReadonlyMap<IndexedEdge, bigint>,
): bigint {
  let cap = firstHopPartRoomMsat(path.firstHop, firstHopRoomMsat);
  for (const e of path.edges) {
    cap = maxForwardableMsat(cap, BigInt(e.feeBaseMsat), BigInt(e.feeProportionalMillionths));
    if (e.htlcMaximumMsat < cap) cap = e.htlcMaximumMsat;
    if (e.capacityMsat !== UNLIMITED_MSAT) {
      const left = e.capacityMsat - (edgeUsedMsat.get(e) ?? 0n);
      if (left < cap) cap = left;
    }
    if (cap < 0n) return -1n;
  }
  return cap;
}

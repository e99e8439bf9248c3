/**
 * The cheapest path for one amount: Dijkstra from the payee backwards to the payer's first hops.
 *
 * Why backwards: the fee a node charges depends on the amount it forwards (BOLT 7 fee formula),
 * and that amount is only known counting from the payee: the payee receives the payment, the
 * node before it forwards exactly that and adds its fee, and so on up the path (BOLT 4 "Route
 * construction" builds the onion in the same order). Walking from the payee, each node's label
 * carries the exact amount that must arrive over the channel into it, so every edge is checked
 * against its HTLC minimum and maximum with the amount it will really carry.
 *
 * The cost of a label is the fee it adds up to plus `hopPenaltyMsat` per hop, so among equally
 * cheap routes the shorter wins; equal costs fall to fewer hops, then the lower scid, so the
 * same input always gives the same route. Since `amount + fee(amount)` grows with the amount,
 * a label with less fee at a node still has less fee after every further hop, which is what
 * Dijkstra needs (the hop penalty is small enough not to upset that in practice). Like every
 * single-label search with budgets, it can miss a route when the cheapest label at a node later
 * breaks the CLTV budget or an HTLC limit while a dearer one would not; payments then retry
 * with the failing channels excluded.
 */
import { forwardingFeeMsatNumber } from './fees.js';
import type { IndexedEdge, SearchGraph, UsableFirstHop } from './graph-index.js';
import { LabelHeap } from './label-heap.js';

/**
 * At most this many hops per path, the first hop included. A BOLT 4 onion carries 1300 bytes
 * of hop payloads; an intermediate hop takes up to 59 of them (TLV amount, CLTV and scid, length
 * byte, HMAC) and the final hop about 91 with `payment_data`, so 20 hops fit with room left for
 * payment metadata.
 */
export const MAX_PATH_HOPS = 20;

/** What one search may spend and what earlier parts of the same payment already use. */
export interface SearchBudget {
  /** What the payee receives over this path. */
  readonly amountMsat: bigint;
  /** The most fee this path may add up to (`UNLIMITED_MSAT` for no limit). */
  readonly maxFeeMsat: bigint;
  readonly finalCltvExpiryDelta: number;
  readonly maxTotalCltvExpiryDelta: number;
  readonly hopPenaltyMsat: bigint;
  /** What each first hop (by position in the caller's list) can still carry over all parts. */
  readonly firstHopRoomMsat: readonly bigint[];
  /** Amounts earlier parts put on channels of known capacity. */
  readonly edgeUsedMsat: ReadonlyMap<IndexedEdge, bigint>;
}

/** A path as the search found it. */
export interface FoundPath {
  readonly firstHop: UsableFirstHop;
  /** The channels after the first hop, in path order; empty when the first hop reaches the payee. */
  readonly edges: readonly IndexedEdge[];
}

/** What a first hop can carry in one more part. */
export function firstHopPartRoomMsat(f: UsableFirstHop, roomMsat: readonly bigint[]): bigint {
  const room = roomMsat[f.position] ?? 0n;
  const limit = f.hop.nextOutboundHtlcLimitMsat;
  return room < limit ? room : limit;
}

const SETTLED = 2;
const QUEUED = 1;
const MAX_SAFE_MSAT = BigInt(Number.MAX_SAFE_INTEGER);

interface Best {
  readonly costMsat: number;
  readonly hops: number;
  readonly firstHop: UsableFirstHop;
  readonly node: number;
}

function betterEnd(costMsat: number, hops: number, f: UsableFirstHop, best: Best): boolean {
  if (costMsat !== best.costMsat) return costMsat < best.costMsat;
  if (hops !== best.hops) return hops < best.hops;
  const a = f.hop.shortChannelId;
  const b = best.firstHop.hop.shortChannelId;
  return a !== b ? a < b : f.position < best.firstHop.position;
}

/**
 * The cheapest path delivering `budget.amountMsat` within the budget, or `undefined`.
 *
 * Labels hold amounts as doubles: every amount a label may hold is capped by what a first hop
 * can send and by 2^53 - 1 msat (about 90,000 BTC, more than any channel holds), so each is a
 * safe integer and the arithmetic is exact (`forwardingFeeMsatNumber`). This keeps the inner
 * loop free of bigint allocations; the found path's amounts are then recomputed as bigints.
 */
export function findCheapestPath(g: SearchGraph, budget: SearchBudget): FoundPath | undefined {
  let maxStart = -1n;
  for (const f of g.firstHops) {
    const room = firstHopPartRoomMsat(f, budget.firstHopRoomMsat);
    if (room > maxStart) maxStart = room;
  }
  // No label may need more than a first hop can send or than the fee budget allows.
  let cap = budget.amountMsat + budget.maxFeeMsat;
  if (maxStart < cap) cap = maxStart;
  if (MAX_SAFE_MSAT < cap) cap = MAX_SAFE_MSAT;
  if (budget.amountMsat > cap) return undefined;
  if (budget.finalCltvExpiryDelta > budget.maxTotalCltvExpiryDelta) return undefined;
  const maxAmount = Number(cap);
  const maxCltv = budget.maxTotalCltvExpiryDelta;
  const penalty = Number(budget.hopPenaltyMsat);
  const failed = g.failedChannels.size > 0 ? g.failedChannels : undefined;
  // What earlier parts left of the capacity of the channels they used.
  const capLeft = new Map<IndexedEdge, number>();
  for (const [e, used] of budget.edgeUsedMsat) capLeft.set(e, Number(e.capacityMsat - used));

  const n = g.nodeIds.length;
  const amount = new Float64Array(n);
  const cost = new Float64Array(n);
  const cltv = new Float64Array(n);
  const hops = new Int32Array(n);
  const via = new Array<IndexedEdge | undefined>(n);
  const state = new Uint8Array(n);

  const heap = new LabelHeap();
  amount[g.payee] = Number(budget.amountMsat);
  cltv[g.payee] = budget.finalCltvExpiryDelta;
  state[g.payee] = QUEUED;
  heap.push({ node: g.payee, costMsat: 0, hops: 0 });

  let best: Best | undefined;
  for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) {
    const node = entry.node;
    if (state[node] === SETTLED || entry.costMsat !== cost[node] || entry.hops !== hops[node]) {
      continue;
    }
    state[node] = SETTLED;
    const nodeCost = cost[node];
    // Every label still queued costs at least this much, so no later end can beat `best`.
    if (best !== undefined && nodeCost + penalty > best.costMsat) break;
    const nodeAmount = amount[node]!;
    const nodeHops = hops[node];

    const ends = g.firstHopsTo.get(node);
    if (ends !== undefined) {
      const exact = BigInt(nodeAmount);
      for (const f of ends) {
        // Our own channel charges no fee: it carries exactly what `node` must receive.
        if (exact < f.hop.htlcMinimumMsat) continue;
        if (exact > firstHopPartRoomMsat(f, budget.firstHopRoomMsat)) continue;
        const endCost = nodeCost + penalty;
        if (best === undefined || betterEnd(endCost, nodeHops + 1, f, best)) {
          best = { costMsat: endCost, hops: nodeHops + 1, firstHop: f, node };
        }
      }
    }

    // A node further back needs one more channel here and our first hop before it.
    if (nodeHops + 2 > MAX_PATH_HOPS) continue;
    const into = g.incoming[node];
    if (into === undefined) continue;
    const srcHops = nodeHops + 1;
    for (const e of into) {
      const src = e.src;
      if (src === g.payer || state[src] === SETTLED) continue;
      if (nodeAmount < e.minMsat || nodeAmount > e.maxMsat) continue;
      if (e.capMsat !== Infinity && nodeAmount > (capLeft.get(e) ?? e.capMsat)) continue;
      if (failed?.has(e.shortChannelId) === true) continue;
      const fee = forwardingFeeMsatNumber(nodeAmount, e.feeBaseMsat, e.feeProportionalMillionths);
      const srcAmount = nodeAmount + fee;
      if (srcAmount > maxAmount) continue;
      const srcCltv = cltv[node]! + e.cltvExpiryDelta;
      if (srcCltv > maxCltv) continue;
      const srcCost = nodeCost + fee + penalty;
      if (state[src] === QUEUED) {
        const old = cost[src]!;
        if (srcCost > old) continue;
        if (srcCost === old) {
          if (srcHops > hops[src]!) continue;
          if (srcHops === hops[src]! && e.shortChannelId >= via[src]!.shortChannelId) continue;
        }
      }
      amount[src] = srcAmount;
      cost[src] = srcCost;
      cltv[src] = srcCltv;
      hops[src] = srcHops;
      via[src] = e;
      state[src] = QUEUED;
      heap.push({ node: src, costMsat: srcCost, hops: srcHops });
    }
  }

  if (best === undefined) return undefined;
  const edges: IndexedEdge[] = [];
  for (let at = best.node; at !== g.payee;) {
    const e = via[at]!;
    edges.push(e);
    at = e.dst;
  }
  return { firstHop: best.firstHop, edges };
}

/**
 * Whether any chain of channels joins a usable first hop to the payee, whatever the amount,
 * fees and CLTV. Only asked after a search failed, to tell "unreachable" from "over a limit".
 */
export function payeeReachable(g: SearchGraph): boolean {
  const seen = new Uint8Array(g.nodeIds.length);
  const stack = [g.payee];
  seen[g.payee] = 1;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (g.firstHopsTo.has(node)) return true;
    for (const e of g.incoming[node] ?? []) {
      if (e.src === g.payer || seen[e.src] === 1 || g.failedChannels.has(e.shortChannelId)) {
        continue;
      }
      seen[e.src] = 1;
      stack.push(e.src);
    }
  }
  return false;
}

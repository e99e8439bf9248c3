/**
 * Splitting a payment over several paths when no single path carries it (BOLT 4 "Basic
 * Multi-Part Payments": the payee waits until the parts it holds add up to `total_msat`, so
 * the parts must add up to exactly the amount to deliver).
 *
 * The split is greedy and deterministic. Each round searches the cheapest path for a probe
 * amount, starting at what is left (capped by the largest part a first hop can still send),
 * then grows the part to everything that path can carry, within what is left and the fee
 * budget. When no path carries the probe, the probe halves; it never goes below an equal share
 * of what is left over the paths still allowed, since smaller parts could not add up to it.
 * Each part's amount is then taken off its first hop's room and off the capacity of graph
 * channels whose capacity is known, so later parts see what earlier ones used.
 */
import type { IndexedEdge, SearchGraph } from './graph-index.js';
import {
  channelAmountsMsat,
  maxDeliverableMsat,
  pathCarries,
  pathFeeForMsat,
} from './path-amounts.js';
import {
  findCheapestPath,
  firstHopPartRoomMsat,
  type FoundPath,
  type SearchBudget,
} from './path-search.js';
import { UNLIMITED_MSAT, type CheckedRequest } from './route-input.js';

/** One part of a split payment: the path and what it delivers. */
export interface PaymentPart {
  readonly path: FoundPath;
  readonly amountMsat: bigint;
}

/** The largest amount in `[low, high]` whose fee on `path` fits `maxFeeMsat` (`low` fits). */
function largestWithinFee(path: FoundPath, low: bigint, high: bigint, maxFeeMsat: bigint): bigint {
  if (pathFeeForMsat(path, high) <= maxFeeMsat) return high;
  // The fee only grows with the amount: bisect between a fitting `low` and a failing `high`.
  while (high - low > 1n) {
    const mid = low + (high - low) / 2n;
    if (pathFeeForMsat(path, mid) <= maxFeeMsat) low = mid;
    else high = mid;
  }
  return low;
}

/**
 * Parts adding up to `req.finalValueMsat` over at most `req.maxPathCount` paths, or `undefined`
 * when the greedy split finds none.
 */
export function splitPayment(
  g: SearchGraph,
  req: CheckedRequest,
  hopPenaltyMsat: bigint,
): PaymentPart[] | undefined {
  const room = req.firstHops.map((h) => h.outboundCapacityMsat);
  const used = new Map<IndexedEdge, bigint>();
  const parts: PaymentPart[] = [];
  let remaining = req.finalValueMsat;
  let feeLeft = req.maxTotalRoutingFeeMsat;
  // A remainder smaller than every first hop's HTLC minimum could never be sent.
  let minRemainder = UNLIMITED_MSAT;
  for (const f of g.firstHops) {
    if (f.hop.htlcMinimumMsat < minRemainder) minRemainder = f.hop.htlcMinimumMsat;
  }
  if (minRemainder < 1n) minRemainder = 1n;

  while (remaining > 0n) {
    const pathsLeft = BigInt(req.maxPathCount - parts.length);
    if (pathsLeft <= 0n) return undefined;
    let largestStart = 0n;
    for (const f of g.firstHops) {
      const r = firstHopPartRoomMsat(f, room);
      if (r > largestStart) largestStart = r;
    }
    const floor = (remaining + pathsLeft - 1n) / pathsLeft;
    let probe = remaining < largestStart ? remaining : largestStart;
    if (probe < floor) return undefined;

    const budget = (amountMsat: bigint): SearchBudget => ({
      amountMsat,
      maxFeeMsat: feeLeft,
      finalCltvExpiryDelta: req.finalCltvExpiryDelta,
      maxTotalCltvExpiryDelta: req.maxTotalCltvExpiryDelta,
      hopPenaltyMsat,
      firstHopRoomMsat: room,
      edgeUsedMsat: used,
    });
    let path = findCheapestPath(g, budget(probe));
    while (path === undefined) {
      const next = probe / 2n > floor ? probe / 2n : floor;
      if (next >= probe) return undefined;
      probe = next;
      path = findCheapestPath(g, budget(probe));
    }

    const most = maxDeliverableMsat(path, room, used);
    let part = most < remaining ? most : remaining;
    if (part < probe) part = probe;
    part = largestWithinFee(path, probe, part, feeLeft);
    const rest = remaining - part;
    if (rest > 0n && rest < minRemainder) {
      const shrunk = remaining - minRemainder;
      if (shrunk > 0n && pathCarries(path, shrunk, room, used)) part = shrunk;
    }

    const amounts = channelAmountsMsat(path, part);
    const pos = path.firstHop.position;
    room[pos] = room[pos]! - amounts[0]!;
    path.edges.forEach((e, j) => {
      if (e.capacityMsat !== UNLIMITED_MSAT) used.set(e, (used.get(e) ?? 0n) + amounts[j + 1]!);
    });
    feeLeft -= amounts[0]! - part;
    remaining -= part;
    parts.push({ path, amountMsat: part });
  }
  return parts;
}

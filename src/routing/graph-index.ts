/**
 * The channel graph as the search reads it: node ids numbered densely and, for every node, the
 * directed channels that lead INTO it, because the search walks backwards from the payee (fees
 * are only known once the amount a node must forward is known, BOLT 7 "Recommendations for
 * Routing"). The host's edges are indexed once per graph; each `findRoute` call lays the
 * invoice's route hints and the payer's first hops over that index without copying it.
 */
import { APIMisuseError } from '../util/errors.js';
import type { ShortChannelId } from '../wire/short-channel-id.js';
import type { FirstHop, GraphEdge } from './route.js';
import {
  checkGraphEdge,
  UNLIMITED_MSAT,
  type CheckedChannel,
  type CheckedRequest,
} from './route-input.js';

/**
 * One directed channel, its ends as node numbers. Limits come twice: as exact bigints for the
 * amounts of a found path, and as doubles for the search loop (`minMsat`, `maxMsat`, `capMsat`).
 * A double rounds a value above 2^53 - 1 but never below that, and the search only compares
 * safe-integer amounts against them, so every comparison gives the exact answer.
 */
export interface IndexedEdge {
  /** The node that forwards over this channel and charges its fee. */
  readonly src: number;
  readonly dst: number;
  readonly shortChannelId: ShortChannelId;
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
  readonly htlcMinimumMsat: bigint;
  readonly htlcMaximumMsat: bigint;
  /** `UNLIMITED_MSAT` when unknown (route hints, edges without `capacitySat`). */
  readonly capacityMsat: bigint;
  readonly minMsat: number;
  readonly maxMsat: number;
  /** `Infinity` when unknown. */
  readonly capMsat: number;
}

/** The host's graph, indexed. Immutable; rebuilt when the host hands in new edges. */
export interface GraphIndex {
  readonly nodeIds: readonly string[];
  readonly nodeNumbers: ReadonlyMap<string, number>;
  /** For each node number, the channels into that node. */
  readonly incoming: readonly (readonly IndexedEdge[])[];
  readonly edgeCount: number;
}

/** One of the payer's channels the search may end at. */
export interface UsableFirstHop {
  readonly hop: FirstHop;
  /** Its position in the caller's `firstHops`, which tells apart two hops with equal scids. */
  readonly position: number;
}

/** The graph of one `findRoute` call: the index plus hints, first hops and the two ends. */
export interface SearchGraph {
  readonly nodeIds: readonly string[];
  readonly incoming: readonly (readonly IndexedEdge[])[];
  readonly payee: number;
  /** The payer's number, or -1 when no edge names it. */
  readonly payer: number;
  /** First hops not failed, by counterparty number. */
  readonly firstHopsTo: ReadonlyMap<number, readonly UsableFirstHop[]>;
  /** Every usable first hop, in the caller's order. */
  readonly firstHops: readonly UsableFirstHop[];
  readonly failedChannels: ReadonlySet<ShortChannelId>;
}

/**
 * Indexes the host's edges. An edge listed twice for the same channel and direction (same scid
 * and source) keeps its last entry, as a later `channel_update` replaces an earlier one.
 * Self-loops are dropped. Throws `APIMisuseError` for a malformed edge.
 */
export function indexGraph(edges: readonly GraphEdge[]): GraphIndex {
  if (!Array.isArray(edges)) throw new APIMisuseError('graph: expected an array of GraphEdge');
  const nodeIds: string[] = [];
  const nodeNumbers = new Map<string, number>();
  const number = (id: string): number => {
    let n = nodeNumbers.get(id);
    if (n === undefined) {
      n = nodeIds.length;
      nodeIds.push(id);
      nodeNumbers.set(id, n);
    }
    return n;
  };
  const formChecked = new Set<string>();
  const kept: IndexedEdge[] = [];
  // Positions in `kept` by scid: at most one per direction, so a short list.
  const byScid = new Map<ShortChannelId, number[]>();
  for (let i = 0; i < edges.length; i++) {
    const c = checkGraphEdge(edges[i], `graph[${i}]`, formChecked);
    if (c.srcNodeId === c.dstNodeId) continue;
    const e = toIndexed(c, number(c.srcNodeId), number(c.dstNodeId));
    const same = byScid.get(e.shortChannelId);
    if (same === undefined) {
      byScid.set(e.shortChannelId, [kept.length]);
      kept.push(e);
      continue;
    }
    const at = same.find((k) => kept[k]!.src === e.src);
    if (at === undefined) {
      same.push(kept.length);
      kept.push(e);
    } else {
      kept[at] = e;
    }
  }
  const incoming: IndexedEdge[][] = Array.from({ length: nodeIds.length }, () => []);
  for (const e of kept) incoming[e.dst]!.push(e);
  return { nodeIds, nodeNumbers, incoming, edgeCount: kept.length };
}

function toIndexed(c: CheckedChannel, src: number, dst: number): IndexedEdge {
  return {
    src,
    dst,
    shortChannelId: c.shortChannelId,
    feeBaseMsat: c.feeBaseMsat,
    feeProportionalMillionths: c.feeProportionalMillionths,
    cltvExpiryDelta: c.cltvExpiryDelta,
    htlcMinimumMsat: c.htlcMinimumMsat,
    htlcMaximumMsat: c.htlcMaximumMsat,
    capacityMsat: c.capacityMsat,
    minMsat: Number(c.htlcMinimumMsat),
    maxMsat: Number(c.htlcMaximumMsat),
    capMsat: c.capacityMsat === UNLIMITED_MSAT ? Infinity : Number(c.capacityMsat),
  };
}

/**
 * Lays one request over the index. Route hint hop `i` runs from its `srcNodeId` to hop `i + 1`'s
 * `srcNodeId`, the last one to the payee (BOLT 11 `r` field). Nodes only hints or first hops name
 * get numbers after the index's; the index's arrays are shared, and only the adjacency lists a
 * hint touches are copied.
 */
export function searchGraphFor(index: GraphIndex, req: CheckedRequest): SearchGraph {
  const nodeIds = index.nodeIds.slice();
  const incoming = index.incoming.slice();
  const extra = new Map<string, number>();
  const number = (id: string): number => {
    const known = index.nodeNumbers.get(id) ?? extra.get(id);
    if (known !== undefined) return known;
    const n = nodeIds.length;
    nodeIds.push(id);
    incoming.push([]);
    extra.set(id, n);
    return n;
  };
  const payee = number(req.payeeNodeId);
  const copied = new Set<number>();

  for (const hint of req.routeHints) {
    for (let i = 0; i < hint.length; i++) {
      const hop = hint[i]!;
      const dstId = hint[i + 1]?.srcNodeId ?? req.payeeNodeId;
      if (hop.srcNodeId === dstId) continue;
      const src = number(hop.srcNodeId);
      const dst = number(dstId);
      if (!copied.has(dst)) {
        incoming[dst] = incoming[dst]!.slice();
        copied.add(dst);
      }
      (incoming[dst] as IndexedEdge[]).push(toIndexed(hop, src, dst));
    }
  }

  // Looked up after the hints, which may name the payer too; its channels count only as first hops.
  const payer = index.nodeNumbers.get(req.payerNodeId) ?? extra.get(req.payerNodeId) ?? -1;
  const firstHopsTo = new Map<number, UsableFirstHop[]>();
  const firstHops: UsableFirstHop[] = [];
  req.firstHops.forEach((hop, position) => {
    if (req.failedChannels.has(hop.shortChannelId)) return;
    const usable = { hop, position };
    firstHops.push(usable);
    const n = index.nodeNumbers.get(hop.counterpartyNodeId) ?? extra.get(hop.counterpartyNodeId);
    if (n === undefined) return; // no known channel leads on from this peer
    const list = firstHopsTo.get(n);
    if (list === undefined) firstHopsTo.set(n, [usable]);
    else list.push(usable);
  });

  return {
    nodeIds,
    incoming,
    payee,
    payer,
    firstHopsTo,
    firstHops,
    failedChannels: req.failedChannels,
  };
}

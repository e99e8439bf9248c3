/**
 * `SimpleRouter`, the default `Router`: pathfinding over our own channels, the invoice's route
 * hints and whatever channel graph the host hands in (BOLT 4 "Route construction", BOLT 7
 * "Recommendations for Routing", BOLT 4 "Basic Multi-Part Payments").
 *
 * Every path starts with one of the `firstHops` the channel manager passes for this attempt,
 * then follows graph edges and route hints to the payee. The search is Dijkstra from the payee
 * backwards (`path-search.ts`), with amounts, fees and CLTV deltas computed as
 * `path-amounts.ts` shows in a worked example. When no single path carries the amount and the
 * payee accepts multi-part payments, the payment is split greedily over several paths
 * (`multi-path.ts`). The router keeps no state between calls except the indexed graph, so a
 * retry simply calls again with the failed channels listed. It has no clock either: the caller
 * checks `expiryTimeSeconds` before paying.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import { RouteNotFoundError, RouteNotFoundReason } from './errors.js';
import { indexGraph, searchGraphFor, type GraphIndex, type IndexedEdge } from './graph-index.js';
import { splitPayment } from './multi-path.js';
import { routeHops } from './path-amounts.js';
import { findCheapestPath, payeeReachable } from './path-search.js';
import type { FirstHop, GraphEdge, Route, RouteParameters, Router } from './route.js';
import { checkRouteRequest } from './route-input.js';

/**
 * Where the router reads the channel graph: a fixed list, or a function it calls on every
 * `findRoute`. A function should return the same array while the graph is unchanged (the index
 * is rebuilt only when a different array comes back) and a new array, never the old one
 * mutated, when it changes.
 */
export type GraphSource = readonly GraphEdge[] | (() => readonly GraphEdge[]);

/** Options of `SimpleRouter`. */
export interface SimpleRouterOptions {
  /** The channel graph beyond our own channels and the invoice's hints; none by default. */
  readonly graph?: GraphSource;
  /** Checks node ids are on the curve; `nobleBackend` by default. */
  readonly crypto?: CryptoBackend;
  /**
   * Added to a path's cost for every hop, so that of two routes with (nearly) the same fee the
   * shorter one wins: each hop is one more node that can fail or hold the HTLC. In msat, at
   * most 2^32 - 1; `DEFAULT_HOP_PENALTY_MSAT` by default.
   */
  readonly hopPenaltyMsat?: bigint;
}

/** One hundredth of a satoshi: an extra hop must save at least that much fee to be chosen. */
export const DEFAULT_HOP_PENALTY_MSAT = 10n;

const NO_EDGES_USED: ReadonlyMap<IndexedEdge, bigint> = new Map();

/**
 * The default pathfinder. Stateless between calls apart from the indexed graph; `findRoute` is
 * synchronous and takes milliseconds on a graph of thousands of channels.
 */
export class SimpleRouter implements Router {
  private readonly crypto: CryptoBackend;
  private readonly hopPenaltyMsat: bigint;
  /** Node ids already checked to be on the curve (payees come back on every retry). */
  private readonly knownKeys = new Set<string>();
  private source: GraphSource = [];
  private indexed: { readonly edges: readonly GraphEdge[]; readonly index: GraphIndex } | undefined;

  /** Throws `APIMisuseError` for a malformed option or graph edge. */
  constructor(options: SimpleRouterOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new APIMisuseError('SimpleRouter options: expected an object');
    }
    const penalty = options.hopPenaltyMsat ?? DEFAULT_HOP_PENALTY_MSAT;
    if (typeof penalty !== 'bigint' || penalty < 0n || penalty > 0xffffffffn) {
      throw new APIMisuseError('hopPenaltyMsat: expected a bigint in [0, 2^32 - 1]');
    }
    this.hopPenaltyMsat = penalty;
    this.crypto = options.crypto ?? nobleBackend;
    if (options.graph !== undefined) this.setGraph(options.graph);
  }

  /**
   * Replaces the graph. A list is checked and indexed now (`APIMisuseError` for a malformed
   * edge); a function is called, checked and indexed at each `findRoute`.
   */
  setGraph(graph: GraphSource): void {
    if (typeof graph !== 'function' && !Array.isArray(graph)) {
      throw new APIMisuseError('graph: expected an array of GraphEdge or a function returning one');
    }
    this.indexed =
      typeof graph === 'function' ? undefined : { edges: graph, index: indexGraph(graph) };
    this.source = graph;
  }

  /**
   * Finds a route from `payerNodeId` to the payee for `params.finalValueMsat`, starting with one
   * of `firstHops`. Throws `APIMisuseError` for malformed arguments and `RouteNotFoundError`
   * when no route fits. The same arguments and graph always give the same route.
   */
  findRoute(payerNodeId: string, params: RouteParameters, firstHops: readonly FirstHop[]): Route {
    const req = checkRouteRequest(payerNodeId, params, firstHops, this.crypto, this.knownKeys);
    const g = searchGraphFor(this.graphIndex(), req);
    const notFound = (reason: RouteNotFoundReason, message: string): RouteNotFoundError =>
      new RouteNotFoundError(reason, message, req.payeeNodeId, req.finalValueMsat);
    if (g.firstHops.length === 0) {
      throw notFound(RouteNotFoundReason.NoUsableFirstHop, 'no usable first hop');
    }

    const single = findCheapestPath(g, {
      amountMsat: req.finalValueMsat,
      maxFeeMsat: req.maxTotalRoutingFeeMsat,
      finalCltvExpiryDelta: req.finalCltvExpiryDelta,
      maxTotalCltvExpiryDelta: req.maxTotalCltvExpiryDelta,
      hopPenaltyMsat: this.hopPenaltyMsat,
      firstHopRoomMsat: req.firstHops.map((h) => h.outboundCapacityMsat),
      edgeUsedMsat: NO_EDGES_USED,
    });
    if (single !== undefined) {
      return {
        paths: [{ hops: routeHops(g, single, req.finalValueMsat, req.finalCltvExpiryDelta) }],
      };
    }
    if (req.allowMpp && req.maxPathCount > 1) {
      const parts = splitPayment(g, req, this.hopPenaltyMsat);
      if (parts !== undefined) {
        return {
          paths: parts.map((p) => ({
            hops: routeHops(g, p.path, p.amountMsat, req.finalCltvExpiryDelta),
          })),
        };
      }
    }
    if (!payeeReachable(g)) {
      throw notFound(
        RouteNotFoundReason.PayeeUnreachable,
        'no known channels lead from our first hops to the payee',
      );
    }
    throw notFound(
      RouteNotFoundReason.LimitsExceeded,
      `no route delivers ${req.finalValueMsat} msat within the HTLC, capacity, fee and CLTV limits`,
    );
  }

  private graphIndex(): GraphIndex {
    const source = this.source;
    const edges = typeof source === 'function' ? source() : source;
    if (this.indexed?.edges !== edges) {
      this.indexed = { edges, index: indexGraph(edges) };
    }
    return this.indexed.index;
  }
}

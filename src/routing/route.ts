/**
 * Routes and the `Router` interface (LDK `Route`, `Path`, `RouteHop`, `RouteParameters`,
 * `Router`). The `ChannelManager` asks a `Router` for a route whenever it sends a payment part
 * or retries one, so a host can bring its own pathfinding (gossip graph, scoring, a trampoline
 * service) without touching payments. `SimpleRouter` (`pathfinder.ts`) is the default: our own
 * channels, the invoice's route hints and whatever edges the host passes in.
 *
 * Amounts and CLTV deltas follow BOLT 4 "Route construction": each hop's `feeMsat` is what that
 * hop's outgoing channel charges (for the last hop: the amount the payee receives), and
 * `cltvExpiryDelta` is the delta of the channel leaving that hop (for the last hop: the payee's
 * `min_final_cltv_expiry_delta`). Node ids are lowercase hex.
 */
import type { ShortChannelId } from '../wire/short-channel-id.js';

/** One hop: the channel to the node `pubkey`, and what crossing it costs. */
export interface RouteHop {
  /** The node this hop reaches (lowercase hex, 33 bytes). */
  readonly pubkey: string;
  /** The channel into `pubkey` (for the first hop: our channel's scid or the peer's alias). */
  readonly shortChannelId: ShortChannelId;
  /**
   * The fee `pubkey` charges to forward over the next hop's channel; for the last hop, the amount
   * delivered to the payee.
   */
  readonly feeMsat: bigint;
  /** The CLTV delta `pubkey` requires; for the last hop, the final CLTV delta. */
  readonly cltvExpiryDelta: number;
}

/** One path from us to the payee. */
export interface Path {
  readonly hops: readonly RouteHop[];
}

/** A route: one path, or several for a multi-path payment (BOLT 4 "Basic Multi-Part Payments"). */
export interface Route {
  readonly paths: readonly Path[];
}

/** A private hop toward the payee (BOLT 11 `r` field), with the fees of the channel it names. */
export interface RouteHintHop {
  /** The node at the start of the channel (lowercase hex). */
  readonly srcNodeId: string;
  readonly shortChannelId: ShortChannelId;
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
  readonly htlcMinimumMsat?: bigint;
  readonly htlcMaximumMsat?: bigint;
}

/** What the payee asks for (from the invoice, or a keysend target). */
export interface PaymentParameters {
  /** The payee's node id, lowercase hex. */
  readonly payeeNodeId: string;
  /** Private route tails to the payee, each ending at the payee. */
  readonly routeHints: readonly (readonly RouteHintHop[])[];
  /** The payee's `min_final_cltv_expiry_delta`. */
  readonly finalCltvExpiryDelta: number;
  /** Whether the payee accepts a payment in several parts (BOLT 9 `basic_mpp`). */
  readonly allowMpp: boolean;
  /** The total CLTV over all hops may not exceed this (LDK default 1008). */
  readonly maxTotalCltvExpiryDelta: number;
  /** At most this many paths for one payment. */
  readonly maxPathCount: number;
  /** Channels not to use (after they failed), as scids. */
  readonly previouslyFailedChannels: readonly ShortChannelId[];
  /** Absolute expiry of the invoice in seconds since 1970; absent when it never expires. */
  readonly expiryTimeSeconds?: number;
}

/** What to route: to whom, how much, and the fee we accept. */
export interface RouteParameters {
  readonly paymentParams: PaymentParameters;
  /** The amount the payee receives, in total over all paths. */
  readonly finalValueMsat: bigint;
  /** The most fee we pay in total; absent for no limit. */
  readonly maxTotalRoutingFeeMsat?: bigint;
}

/** One of our own channels as a first hop. */
export interface FirstHop {
  /** The peer at the other end (lowercase hex). */
  readonly counterpartyNodeId: string;
  /** The scid to put in the onion: the real scid, or the peer's alias for a private channel. */
  readonly shortChannelId: ShortChannelId;
  /** What we can send over it now, in msat. */
  readonly outboundCapacityMsat: bigint;
  /** The smallest HTLC the peer accepts. */
  readonly htlcMinimumMsat: bigint;
  /** The largest HTLC we may offer now. */
  readonly nextOutboundHtlcLimitMsat: bigint;
}

/**
 * A directed channel of the public or host-known network: the fees the node `srcNodeId` charges
 * to forward into `dstNodeId` (BOLT 7 `channel_update`).
 */
export interface GraphEdge {
  readonly srcNodeId: string;
  readonly dstNodeId: string;
  readonly shortChannelId: ShortChannelId;
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
  readonly htlcMinimumMsat: bigint;
  readonly htlcMaximumMsat: bigint;
  /** The channel's capacity when known. */
  readonly capacitySat?: bigint;
}

/**
 * Finds routes (LDK `Router`). `firstHops` are our usable channels, fresh for this call; a
 * router must start every path with one of them. Throws `RouteNotFoundError` when no route fits.
 */
export interface Router {
  findRoute(payerNodeId: string, params: RouteParameters, firstHops: readonly FirstHop[]): Route;
}

/** The total fee a path charges: every hop's fee but the last (which is the delivered amount). */
export function pathFeeMsat(path: Path): bigint {
  let fee = 0n;
  for (let i = 0; i < path.hops.length - 1; i++) fee += path.hops[i]!.feeMsat;
  return fee;
}

/** The amount the payee receives over a path. */
export function pathFinalValueMsat(path: Path): bigint {
  const last = path.hops[path.hops.length - 1];
  return last === undefined ? 0n : last.feeMsat;
}

/** The amount we send on a path's first channel: delivered amount plus every fee. */
export function pathTotalMsat(path: Path): bigint {
  let total = 0n;
  for (const h of path.hops) total += h.feeMsat;
  return total;
}

/** The CLTV delta a path adds over the current height, the final delta included. */
export function pathTotalCltvDelta(path: Path): number {
  let total = 0;
  for (const h of path.hops) total += h.cltvExpiryDelta;
  return total;
}

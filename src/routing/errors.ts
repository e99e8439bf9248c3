/**
 * Errors of pathfinding. A payment that cannot be routed is an expected outcome (the payer's
 * channels are too small, the payee is offline from the graph's point of view), so it has its
 * own code, `RouteNotFound`, and a `reason` a wallet can show or act on: open a channel, lower
 * the amount, raise the fee limit. Arguments the caller got wrong (a non-positive amount, a
 * malformed node id) are `APIMisuseError`s instead.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

/** Why no route was found. Stable like `code`; never renamed once released. */
export const RouteNotFoundReason = {
  /** No first hop is usable: none given, or every one is in `previouslyFailedChannels`. */
  NoUsableFirstHop: 'no_usable_first_hop',
  /** No chain of known channels joins our first hops to the payee, whatever the amount. */
  PayeeUnreachable: 'payee_unreachable',
  /**
   * The payee is reachable, but every route breaks a limit: HTLC minimum or maximum, capacity,
   * the fee or CLTV budget, the path length, or (for a multi-part payment) `maxPathCount`.
   */
  LimitsExceeded: 'limits_exceeded',
} as const;
export type RouteNotFoundReason = (typeof RouteNotFoundReason)[keyof typeof RouteNotFoundReason];

/** No route to `payeeNodeId` fits the payment; `reason` says what stood in the way. */
export class RouteNotFoundError extends BoltkitError {
  readonly reason: RouteNotFoundReason;
  /** The payee, lowercase hex. */
  readonly payeeNodeId: string;
  /** The amount that could not be delivered, in msat. */
  readonly finalValueMsat: bigint;
  constructor(
    reason: RouteNotFoundReason,
    message: string,
    payeeNodeId: string,
    finalValueMsat: bigint,
  ) {
    super(ErrorCode.RouteNotFound, message);
    this.reason = reason;
    this.payeeNodeId = payeeNodeId;
    this.finalValueMsat = finalValueMsat;
  }
}

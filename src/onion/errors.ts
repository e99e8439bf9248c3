/**
 * Errors of the onion layer. A hop that refuses an onion answers the sender with a BOLT 4
 * failure code; the thrown error carries that code so the channel layer builds the reply from
 * the error alone. Errors of the sender's own making (a route whose payloads do not fit) are
 * `RouteError`s.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

/**
 * An onion, hop payload or blinded-path record that a hop refuses. `failureCode` is the BOLT 4
 * code to return (`invalid_onion_payload`, `invalid_onion_blinding`…).
 */
export class OnionError extends BoltkitError {
  /** The BOLT 4 `failure_code` to return to the sender. */
  readonly failureCode: number;
  constructor(failureCode: number, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.OnionError, message, options);
    this.failureCode = failureCode;
  }
}

/**
 * A hop payload that does not decode or misses a required record: `invalid_onion_payload`
 * (PERM|22). BOLT 4 lets the hop name the offending TLV `type` and its byte `offset`; the offset
 * counts from the first byte of the hop's TLV stream (after its length prefix), and is 0 when a
 * required record is missing altogether.
 */
export class InvalidOnionPayloadError extends OnionError {
  /** The TLV type at fault, when the failure narrows down to one. */
  readonly tlvType: bigint | undefined;
  /** Byte offset of that record in the payload's TLV stream. */
  readonly offset: number;
  constructor(
    message: string,
    tlvType: bigint | undefined,
    offset: number,
    options?: { cause?: unknown },
  ) {
    super(0x4016, message, options);
    this.tlvType = tlvType;
    this.offset = offset;
  }
}

/** A route the onion cannot carry: no hops, or payloads that do not fit the packet. */
export class OnionRouteError extends BoltkitError {
  constructor(message: string) {
    super(ErrorCode.RouteError, message);
  }
}

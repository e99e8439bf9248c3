/**
 * Errors of the peer layer. A peer's misbehaviour never escapes the `PeerManager` as an
 * exception: it becomes a `PeerError` whose `action` says what to do with the peer, and the
 * manager carries that out (send a warning or error, then disconnect, or just log). Only the
 * host's own mistakes (`APIMisuse`) and requests that cannot be served (`PeerNotConnected`,
 * `CustomMessageRejected`) reach the caller.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

/** What the manager does with a peer that caused a `PeerError`. */
export const PeerErrorAction = {
  /** Close the connection without a message. */
  Disconnect: 'disconnect',
  /** Send a BOLT 1 `error` (which fails the channel it names), then close the connection. */
  SendError: 'sendError',
  /** Send a BOLT 1 `warning`, then close the connection. */
  SendWarning: 'sendWarning',
  /** Log the problem and keep the connection. */
  Ignore: 'ignore',
} as const;
export type PeerErrorAction = (typeof PeerErrorAction)[keyof typeof PeerErrorAction];

/**
 * A peer sent something we cannot accept. Message handlers may throw this from
 * `handleMessage`; the manager carries out `action`. For `sendError`/`sendWarning` the message
 * text is sent as the `data` of the BOLT 1 message, so keep it free of secrets.
 */
export class PeerError extends BoltkitError {
  readonly action: PeerErrorAction;
  /** 32-byte channel id the error or warning refers to; all zeroes means the whole connection. */
  readonly channelId: Uint8Array | undefined;
  constructor(
    action: PeerErrorAction,
    message: string,
    options?: { channelId?: Uint8Array; cause?: unknown },
  ) {
    super(ErrorCode.PeerError, message, options);
    this.action = action;
    this.channelId = options?.channelId;
  }
}

/**
 * The peer is not connected (or disconnected before a queued message was handed to its
 * socket). The message was not sent; resend after the peer reconnects if it still matters.
 */
export class PeerNotConnectedError extends BoltkitError {
  /** Lowercase hex node id of the peer. */
  readonly nodeId: string;
  constructor(nodeId: string, message: string) {
    super(ErrorCode.PeerNotConnected, message);
    this.nodeId = nodeId;
  }
}

/**
 * `sendCustomMessage` refused the message: its type is even, is one boltkit handles or reserves
 * itself, or the message does not fit in a BOLT 1 frame. Following Core Lightning's
 * `sendcustommsg` rules, only odd types boltkit does not know may be sent this way, so a custom
 * message can never be mistaken for protocol traffic nor make a peer hang up.
 */
export class CustomMessageRejectedError extends BoltkitError {
  readonly messageType: number;
  constructor(messageType: number, message: string) {
    super(ErrorCode.CustomMessageRejected, message);
    this.messageType = messageType;
  }
}

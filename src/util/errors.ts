/**
 * Typed errors. Every error boltkit throws is a `BoltkitError` with a stable `code` that callers
 * branch on; messages are for humans and may change. Details live in typed fields.
 */

/** Every stable error code boltkit uses. Codes are never renamed once released. */
export const ErrorCode = {
  /** Bytes could not be decoded as the protocol requires (BOLT 1 framing, TLV, a message). */
  DecodeError: 'DecodeError',
  /** The caller used an API wrongly: an argument out of range, a call in the wrong state. */
  APIMisuse: 'APIMisuse',
  /** The channel does not exist or cannot do what was asked right now. */
  ChannelUnavailable: 'ChannelUnavailable',
  /** No route could be found, or a route was invalid. */
  RouteError: 'RouteError',
  /** A cryptographic operation failed: invalid key, point not on the curve, bad MAC. */
  CryptoError: 'CryptoError',
  /** The BOLT 8 handshake or an encrypted frame failed. */
  TransportError: 'TransportError',
  /** A peer misbehaved; the error carries what to do with it. */
  PeerError: 'PeerError',
  /** A signer refused to sign (stale state, secrets out of order). */
  SignerError: 'SignerError',
  /** A transaction could not be built from the given parameters. */
  TransactionError: 'TransactionError',
  /** The peer to send to is not connected. */
  PeerNotConnected: 'PeerNotConnected',
  /** A custom message was refused: even type, a type boltkit handles itself, or too long. */
  CustomMessageRejected: 'CustomMessageRejected',
  /** A store could not read or durably write, list or remove (an I/O failure). */
  PersistenceError: 'PersistenceError',
  /** A network connection could not be made or did not complete its handshake in time. */
  ConnectionFailed: 'ConnectionFailed',
  /** A BOLT 2 channel rule was broken (by the peer, or by a request we refuse); see `action`. */
  ChannelError: 'ChannelError',
  /**
   * A BOLT 4 onion, hop payload or blinded-path record was refused; the error carries the
   * `failureCode` to return to the sender.
   */
  OnionError: 'OnionError',
  /** A BOLT 11 invoice string was refused; the error's `reason` says which rule it broke. */
  InvalidInvoice: 'InvalidInvoice',
  /**
   * No route to the payee fits the payment: amount, HTLC limits, capacity, fee or CLTV budget;
   * the error's `reason` says which kind of obstacle.
   */
  RouteNotFound: 'RouteNotFound',
  /** A payment id already in use (pending, or resolved recently): sending again could pay twice. */
  DuplicatePayment: 'DuplicatePayment',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The base of every error boltkit throws. */
export class BoltkitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bytes that do not decode: short reads, non-minimal encodings, unknown even types. */
export class DecodeError extends BoltkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.DecodeError, message, options);
  }
}

/** The caller used an API wrongly. Never caused by a peer. */
export class APIMisuseError extends BoltkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.APIMisuse, message, options);
  }
}

/** A cryptographic input or check failed. */
export class CryptoError extends BoltkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CryptoError, message, options);
  }
}

/** The channel is unknown or cannot do what was asked. */
export class ChannelUnavailableError extends BoltkitError {
  readonly channelId: string | undefined;
  constructor(message: string, channelId?: string) {
    super(ErrorCode.ChannelUnavailable, message);
    this.channelId = channelId;
  }
}

/**
 * The one error the BOLT 8 transport throws for a failed handshake or frame. A `TransportError`
 * always means the connection must be dropped: the Noise state is no longer usable.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

/**
 * Why the transport failed. The act failures carry the names BOLT 8's test vectors give them
 * (Appendix A), so a test can match a vector's expected error one to one.
 */
export const TransportFailure = {
  /** Fewer than the 50 bytes of act one were handed to the handshake. */
  Act1ReadFailed: 'ACT1_READ_FAILED',
  /** Act one carried a handshake version other than 0. */
  Act1BadVersion: 'ACT1_BAD_VERSION',
  /** Act one's ephemeral key is not a valid compressed secp256k1 point. */
  Act1BadPubkey: 'ACT1_BAD_PUBKEY',
  /** Act one's MAC does not verify: the initiator does not know our static key. */
  Act1BadTag: 'ACT1_BAD_TAG',
  Act2ReadFailed: 'ACT2_READ_FAILED',
  Act2BadVersion: 'ACT2_BAD_VERSION',
  Act2BadPubkey: 'ACT2_BAD_PUBKEY',
  Act2BadTag: 'ACT2_BAD_TAG',
  Act3ReadFailed: 'ACT3_READ_FAILED',
  Act3BadVersion: 'ACT3_BAD_VERSION',
  /** The encrypted static key of act three does not decrypt. */
  Act3BadCiphertext: 'ACT3_BAD_CIPHERTEXT',
  /** The static key of act three is not a valid compressed secp256k1 point. */
  Act3BadPubkey: 'ACT3_BAD_PUBKEY',
  Act3BadTag: 'ACT3_BAD_TAG',
  /** The ECDH with our node key (the host's signer) failed or returned a wrong length. */
  EcdhFailed: 'ECDH_FAILED',
  /** The MAC of a frame's encrypted 2-byte length does not verify. */
  BadLengthMac: 'BAD_LENGTH_MAC',
  /** The MAC of a frame's encrypted body does not verify. */
  BadMessageMac: 'BAD_MESSAGE_MAC',
  /** A message was to be encrypted before the handshake completed. */
  NotReady: 'NOT_READY',
  /** The transport failed earlier; it refuses every further call. */
  Dead: 'DEAD',
} as const;
export type TransportFailure = (typeof TransportFailure)[keyof typeof TransportFailure];

/** A failed BOLT 8 handshake act or encrypted frame. The connection must be closed. */
export class TransportError extends BoltkitError {
  /** What failed, for logs and tests; stable like `code`. */
  readonly reason: TransportFailure;
  constructor(reason: TransportFailure, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.TransportError, message, options);
    this.reason = reason;
  }
}

/**
 * The error a `ChannelSigner` throws when it refuses to sign or to release a secret. A refusal
 * is the signer protecting funds (BOLT 3 / BOLT 5: a revoked holder commitment must never be
 * broadcast, and a per-commitment secret revealed out of order lets the counterparty punish us),
 * so callers must not retry with the same arguments.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

/** Why a signer refused; stable like `code`, so callers and tests can branch on it. */
export const SignerRefusal = {
  /** `releaseCommitmentSecret` was asked for a secret other than the next one (or the last). */
  SecretOutOfOrder: 'SECRET_OUT_OF_ORDER',
  /** `signHolderCommitment` was asked to sign a commitment whose secret was already released. */
  HolderCommitmentRevoked: 'HOLDER_COMMITMENT_REVOKED',
  /** The per-commitment point given does not match the holder commitment number given. */
  PerCommitmentPointMismatch: 'PER_COMMITMENT_POINT_MISMATCH',
  /** A funding-key signature was asked for a transaction that does not spend the funding output. */
  NotFundingSpend: 'NOT_FUNDING_SPEND',
  /** A funding-key anchor signature was asked for a script other than our anchor script. */
  NotAnchorSpend: 'NOT_ANCHOR_SPEND',
  /** The sighash type is not the one BOLT 3 prescribes for this signature. */
  UnexpectedSighashType: 'UNEXPECTED_SIGHASH_TYPE',
  /** A funding-key signature was asked before `provideChannelParameters`. */
  ParametersMissing: 'PARAMETERS_MISSING',
} as const;
export type SignerRefusal = (typeof SignerRefusal)[keyof typeof SignerRefusal];

/** A signer refused to sign or to release a secret. */
export class SignerError extends BoltkitError {
  readonly reason: SignerRefusal;
  constructor(reason: SignerRefusal, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.SignerError, message, options);
    this.reason = reason;
  }
}

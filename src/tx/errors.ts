/**
 * The error the transaction layer throws when a transaction cannot be built from otherwise
 * well-formed parameters: the funder cannot pay the commitment fee, every output of a closing
 * transaction is dust, a funding output is missing. Malformed arguments (wrong lengths, amounts
 * out of range) are `APIMisuseError`; invalid keys are `CryptoError`; bytes that do not parse are
 * `DecodeError`.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

export class TransactionError extends BoltkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.TransactionError, message, options);
  }
}

/** Errors of the payment API. */
import { BoltkitError, ErrorCode } from '../../util/errors.js';

/**
 * `sendPayment` (or a sibling) was called with a payment id that is pending or was resolved
 * recently: sending again could pay twice, so nothing was sent (LDK `DuplicatePayment`).
 */
export class DuplicatePaymentError extends BoltkitError {
  readonly paymentId: string;
  constructor(paymentId: string) {
    super(ErrorCode.DuplicatePayment, `payment id ${paymentId} is already in use`);
    this.paymentId = paymentId;
  }
}

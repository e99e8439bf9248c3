/**
 * BOLT 4 onion routing: Sphinx packets, per-hop payloads, route blinding, failure messages and
 * their attribution. The channel layer uses `constructPaymentOnion` / `peelPaymentOnion` and the
 * failure packet functions; the generic Sphinx functions serve onion messages too.
 */
export { constructOnionPacket, HOP_PAYLOADS_LENGTH, PAYMENT_ONION_LENGTH } from './packet.js';
export type { ConstructedOnion, ConstructOnionOptions, OnionHop } from './packet.js';
export { peelOnion } from './peel.js';
export type {
  NodeEcdh,
  PeeledFail,
  PeeledFinal,
  PeeledForward,
  PeeledMalformed,
  PeelOnionOptions,
  PeelResult,
} from './peel.js';
export { computeOnionHopSecrets } from './shared-secrets.js';
export type { OnionHopSecrets } from './shared-secrets.js';
export { constructPaymentOnion, peelPaymentOnion } from './payment-onion.js';
export type {
  BlindedForwardPaymentHop,
  BlindedReceivePaymentHop,
  ForwardPaymentHop,
  PaymentOnionResult,
  PaymentRouteHop,
  PeelPaymentOnionOptions,
  ReceivePaymentHop,
} from './payment-onion.js';
export { decodeHopPayload, encodeHopPayload, HopPayloadType } from './payload.js';
export type { DecodedHopPayload, HopPayload, PaymentData } from './payload.js';
export { validateHopPayload } from './payload-validation.js';
export type { HopContext, PaymentHopPayload } from './payload-validation.js';
export {
  failureCodeName,
  failureCodeTable,
  FailureCode,
  FailureFlag,
  isBadOnion,
  isNodeFailure,
  isPermanent,
  isUpdateFailure,
} from './failure-codes.js';
export type { FailureCodeInfo, FailureField } from './failure-codes.js';
export { decodeFailureMessage, encodeFailureMessage } from './failure-message.js';
export type { FailureMessage } from './failure-message.js';
export {
  createFailurePacket,
  decodeFailurePacket,
  FAILURE_PADDED_LENGTH,
  wrapFailurePacket,
} from './failure.js';
export type {
  AttributedFailure,
  CreateFailureOptions,
  DecodedFailure,
  DecodeFailureOptions,
  FailurePacket,
  MalformedFailure,
  UnattributableFailure,
  WrapFailureOptions,
} from './failure.js';
export {
  addFulfillAttribution,
  ATTRIBUTION_DATA_LENGTH,
  decodeFulfillAttribution,
} from './attribution-data.js';
export { decodeEncryptedData, encodeEncryptedData } from './encrypted-data.js';
export type {
  DecodedEncryptedData,
  EncryptedData,
  PaymentConstraints,
  PaymentRelay,
} from './encrypted-data.js';
export {
  aggregateBlindedPayInfo,
  blindedForwardValues,
  checkPaymentConstraints,
  computeNextPathKey,
  createBlindedPath,
  unblindHop,
} from './route-blinding.js';
export type {
  BlindedHop,
  BlindedPath,
  BlindedPathInput,
  BlindedPayInfo,
  UnblindedHop,
} from './route-blinding.js';
export { InvalidOnionPayloadError, OnionError, OnionRouteError } from './errors.js';

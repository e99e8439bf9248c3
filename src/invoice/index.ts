/**
 * BOLT 11 invoices: the public surface of `src/invoice/`. Codec helpers (words, field codecs)
 * stay internal.
 */
export { formatHrpAmount, parseHrpAmount } from './amount.js';
export { InvoiceError, InvoiceErrorReason } from './errors.js';
export type { FallbackAddress, FallbackAddressType } from './fallback-address.js';
export { makeFallbackAddress, parseFallbackAddress } from './fallback-address.js';
export type {
  DecodeInvoiceOptions,
  EncodeInvoiceOptions,
  Invoice,
  InvoiceFields,
  RawInvoice,
} from './invoice.js';
export {
  DEFAULT_EXPIRY_SECS,
  DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
  decodeInvoice,
  descriptionMatches,
  encodeInvoice,
  encodeRawInvoice,
  isExpired,
} from './invoice.js';
export { Network } from './network.js';
export type { RouteHint, RouteHintHop } from './route-hints.js';
export type { InvoiceSigner, RecoverableSignature } from './signature.js';
export { secretKeySigner } from './signature.js';
export type { IgnoredFieldReason, TaggedField } from './tagged-fields.js';

/**
 * The error a BOLT 11 reader throws. Every refusal has code `InvalidInvoice` and a `reason`
 * naming the rule broken, so a wallet can tell "wrong network" from "tampered with" without
 * reading messages. Arguments a writer gets wrong (a 31-byte payment hash, a negative amount)
 * are `APIMisuseError` instead: they are bugs in the caller, not bad input from a payee.
 */
import { BoltkitError, ErrorCode } from '../util/errors.js';

/** Why an invoice string was refused. Stable like `code`; never renamed once released. */
export const InvoiceErrorReason = {
  /** Not a string, or a string of characters outside printable ASCII. */
  InvalidCharacter: 'invalid_character',
  /** Upper and lower case letters mixed (BIP 173 forbids it). */
  MixedCase: 'mixed_case',
  /** No `1` separating the human-readable part from the data part. */
  NoBech32Separator: 'no_bech32_separator',
  /** The bech32 checksum does not match (BOLT 11: "MUST fail the payment"). */
  InvalidBech32Checksum: 'invalid_bech32_checksum',
  /** The data part is too short for a timestamp and a signature. */
  TooShort: 'too_short',
  /** The prefix is not `ln` followed by a currency boltkit knows (`bc`, `tb`, `tbs`, `bcrt`). */
  UnknownPrefix: 'unknown_prefix',
  /** The invoice is for another network than the one the caller asked for. */
  NetworkMismatch: 'network_mismatch',
  /** The amount is not a positive decimal integer without leading zeros, or overflows u64 msat. */
  InvalidAmount: 'invalid_amount',
  /** The amount is followed by something other than `m`, `u`, `n` or `p`. */
  InvalidAmountMultiplier: 'invalid_amount_multiplier',
  /** A `p` amount whose last digit is not 0: a fraction of a millisatoshi. */
  SubMillisatoshiPrecision: 'sub_millisatoshi_precision',
  /** A tagged field's `data_length` runs past the signature. */
  TruncatedField: 'truncated_field',
  /** A known field whose content cannot be valid (bad UTF-8, a bad key, a bad route hint). */
  InvalidField: 'invalid_field',
  /** `x`, `c` or `9` starts with zero words (BOLT 11: "SHOULD treat the invoice as invalid"). */
  NonMinimalField: 'non_minimal_field',
  /** No `p` field of the right length. */
  MissingPaymentHash: 'missing_payment_hash',
  /** No `s` field of the right length. */
  MissingPaymentSecret: 'missing_payment_secret',
  /** Neither a `d` nor an `h` field. */
  MissingDescription: 'missing_description',
  /** Both a `d` and an `h` field. */
  DescriptionAndHash: 'description_and_hash',
  /** The `9` field sets an even bit boltkit does not know in invoices. */
  UnknownEvenFeatureBit: 'unknown_even_feature_bit',
  /** The `9` field sets a feature without a feature it depends on (BOLT 9). */
  MissingFeatureDependency: 'missing_feature_dependency',
  /** No `n` field, and no public key recovers from the signature. */
  SignatureNotRecoverable: 'signature_not_recoverable',
  /** The signature does not verify against the `n` field. */
  InvalidSignature: 'invalid_signature',
  /** An `n` field is present and the signature is high-S (BOLT 11: "MUST fail the payment"). */
  HighSSignatureWithNField: 'high_s_signature_with_n_field',
} as const;
export type InvoiceErrorReason = (typeof InvoiceErrorReason)[keyof typeof InvoiceErrorReason];

/** A BOLT 11 invoice was refused. */
export class InvoiceError extends BoltkitError {
  readonly reason: InvoiceErrorReason;
  /** The tagged field's letter (`p`, `9`, …) when one field is at fault. */
  readonly field: string | undefined;
  constructor(
    reason: InvoiceErrorReason,
    message: string,
    options?: { cause?: unknown; field?: string },
  ) {
    super(ErrorCode.InvalidInvoice, message, options);
    this.reason = reason;
    this.field = options?.field;
  }
}

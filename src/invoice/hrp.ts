/**
 * The human-readable part of an invoice: `ln`, the currency prefix of the network, then an
 * optional amount (see `amount.ts`), such as `lnbc2500u` or `lntbs`.
 *
 * See BOLT 11, "Human-Readable Part".
 */
import { APIMisuseError } from '../util/errors.js';
import { formatHrpAmount, parseHrpAmount } from './amount.js';
import { InvoiceError, InvoiceErrorReason } from './errors.js';
import { networkOfCurrencyPrefix, networkParams, type Network } from './network.js';

export interface ParsedHrp {
  readonly network: Network;
  /** `undefined` when the invoice leaves the amount to the payer. */
  readonly amountMsat: bigint | undefined;
}

/**
 * Splits a lowercase human-readable part. The currency prefix is the run of letters after `ln`
 * (amounts start with a digit), so `lnbcrt` is regtest and `lnbc20m` mainnet. Throws
 * `InvoiceError`: `unknown_prefix` (BOLT 11: a reader that does not understand the prefix "MUST
 * fail the payment") or an amount reason from `parseHrpAmount`.
 */
export function parseHrp(hrp: string): ParsedHrp {
  if (!hrp.startsWith('ln')) {
    throw new InvoiceError(
      InvoiceErrorReason.UnknownPrefix,
      `invoice: prefix "${hrp}" does not start with ln`,
    );
  }
  let end = 2;
  while (end < hrp.length && hrp.charCodeAt(end) >= 97 && hrp.charCodeAt(end) <= 122) end++;
  const currency = hrp.slice(2, end);
  const network = networkOfCurrencyPrefix(currency);
  if (network === undefined) {
    throw new InvoiceError(
      InvoiceErrorReason.UnknownPrefix,
      `invoice: unknown currency prefix "${currency}"`,
    );
  }
  return { network, amountMsat: parseHrpAmount(hrp.slice(end)) };
}

/** The human-readable part for `network` and `amountMsat`, with the shortest amount text. */
export function formatHrp(network: Network, amountMsat: bigint | undefined): string {
  const params = networkParams(network);
  if (params === undefined) throw new APIMisuseError(`invoice: unknown network ${network}`);
  return `ln${params.currencyPrefix}${amountMsat === undefined ? '' : formatHrpAmount(amountMsat)}`;
}

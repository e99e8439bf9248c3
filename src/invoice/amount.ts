/**
 * The amount in a BOLT 11 human-readable part: a decimal number of bitcoin, optionally scaled by
 * a multiplier letter (`m` milli, `u` micro, `n` nano, `p` pico). boltkit holds it as a `bigint`
 * of millisatoshis and converts with integer arithmetic only: 1 BTC = 10^11 msat = 10^12 pBTC,
 * so every multiplier except `p` is a whole number of msat, and `p` is one when its amount ends
 * in 0.
 *
 * See BOLT 11, "Human-Readable Part".
 */
import { APIMisuseError } from '../util/errors.js';
import { InvoiceError, InvoiceErrorReason } from './errors.js';

/** Picobitcoin per unit of each multiplier; '' is whole bitcoin. Largest first. */
const PICO_PER_UNIT: readonly (readonly [string, bigint])[] = [
  ['', 1_000_000_000_000n],
  ['m', 1_000_000_000n],
  ['u', 1_000_000n],
  ['n', 1_000n],
  ['p', 1n],
];

const PICO_PER_MSAT = 10n;
const MAX_U64 = 0xffffffffffffffffn;
/** u64 msat is at most 20 digits, 21 in picobitcoin; anything longer overflows (and is cheap to refuse). */
const MAX_DIGITS = 21;

function picoPerUnit(multiplier: string): bigint | undefined {
  for (const [letter, pico] of PICO_PER_UNIT) if (letter === multiplier) return pico;
  return undefined;
}

/**
 * Parses the amount part of the human-readable part (what follows the currency prefix), such as
 * `2500u` or `9678785340p`. Returns `undefined` for an empty string: the invoice leaves the
 * amount to the payer. Throws `InvoiceError` with reason `invalid_amount` (not a positive
 * decimal integer without leading zeros, or more than u64 msat), `invalid_amount_multiplier`
 * (followed by anything but one of `m`, `u`, `n`, `p`) or `sub_millisatoshi_precision` (a `p`
 * amount whose last digit is not 0).
 */
export function parseHrpAmount(text: string): bigint | undefined {
  if (text.length === 0) return undefined;
  let end = 0;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  const digits = text.slice(0, end);
  const rest = text.slice(end);
  if (digits.length === 0) {
    throw new InvoiceError(
      InvoiceErrorReason.InvalidAmount,
      `invoice amount: "${text}" has no digits`,
    );
  }
  const pico = rest.length <= 1 ? picoPerUnit(rest) : undefined;
  if (pico === undefined) {
    throw new InvoiceError(
      InvoiceErrorReason.InvalidAmountMultiplier,
      `invoice amount: expected one of m, u, n, p after the digits, got "${rest}"`,
    );
  }
  // BOLT 11 writers "MUST encode amount as a positive decimal integer with no leading 0s".
  if (digits.startsWith('0')) {
    throw new InvoiceError(
      InvoiceErrorReason.InvalidAmount,
      `invoice amount: "${digits}" is zero or has a leading zero`,
    );
  }
  if (digits.length > MAX_DIGITS) {
    throw new InvoiceError(InvoiceErrorReason.InvalidAmount, 'invoice amount: more than u64 msat');
  }
  const totalPico = BigInt(digits) * pico;
  if (totalPico % PICO_PER_MSAT !== 0n) {
    throw new InvoiceError(
      InvoiceErrorReason.SubMillisatoshiPrecision,
      `invoice amount: ${text} is not a whole number of millisatoshis`,
    );
  }
  const amountMsat = totalPico / PICO_PER_MSAT;
  if (amountMsat > MAX_U64) {
    throw new InvoiceError(InvoiceErrorReason.InvalidAmount, 'invoice amount: more than u64 msat');
  }
  return amountMsat;
}

/**
 * The shortest amount text for `amountMsat` (BOLT 11: writers "SHOULD use the shortest
 * representation possible, by using the largest multiplier or omitting the multiplier"), such as
 * `2500u` for 250,000,000 msat. Throws `APIMisuseError` unless 1 <= amountMsat <= 2^64 - 1.
 */
export function formatHrpAmount(amountMsat: bigint): string {
  if (typeof amountMsat !== 'bigint' || amountMsat <= 0n || amountMsat > MAX_U64) {
    throw new APIMisuseError(
      `invoice amountMsat: expected a bigint in [1, 2^64 - 1], got ${String(amountMsat)}`,
    );
  }
  const pico = amountMsat * PICO_PER_MSAT;
  for (const [letter, perUnit] of PICO_PER_UNIT) {
    if (pico % perUnit === 0n) return `${pico / perUnit}${letter}`;
  }
  // Unreachable: every amount is a whole number of picobitcoin.
  return `${pico}p`;
}

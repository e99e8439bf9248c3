/**
 * The BOLT 7 forwarding fee and its inverse. A node that forwards `amountMsat` over one of its
 * channels charges `fee_base_msat + amountMsat * fee_proportional_millionths / 1_000_000`, with
 * integer division, on the amount it forwards (BOLT 7, "The `channel_update` Message").
 * Pathfinding works backwards from the payee with the fee itself, and a multi-part payment asks
 * the inverse question: how much can still be forwarded when at most `limitMsat` may arrive.
 */

const MILLION = 1_000_000n;

/** The fee a node charges to forward `amountMsat` over a channel with these parameters. */
export function forwardingFeeMsat(
  amountMsat: bigint,
  feeBaseMsat: bigint,
  feeProportionalMillionths: bigint,
): bigint {
  return feeBaseMsat + (amountMsat * feeProportionalMillionths) / MILLION;
}

/**
 * The largest amount `a` a node can forward when `a` plus its fee on `a` must not exceed
 * `limitMsat`; `-1n` when not even zero fits (the limit is below the base fee).
 *
 * `a + fee(a)` only grows with `a`, so the real-number bound `(limit - base) * 10^6 / (10^6 + p)`
 * is a lower bound that integer division can undershoot by at most a step or two; the loop
 * walks those steps up.
 */
export function maxForwardableMsat(
  limitMsat: bigint,
  feeBaseMsat: bigint,
  feeProportionalMillionths: bigint,
): bigint {
  const room = limitMsat - feeBaseMsat;
  if (room < 0n) return -1n;
  let a = (room * MILLION) / (MILLION + feeProportionalMillionths);
  while (a + 1n + ((a + 1n) * feeProportionalMillionths) / MILLION <= room) a += 1n;
  return a;
}

/**
 * `forwardingFeeMsat` on plain numbers, for the search's inner loop where bigint arithmetic
 * would cost more than the rest of the loop. Exact for every safe-integer amount: the product is
 * exact up to 2^53 - 1 and `%` on doubles is exact, so the division is too; a larger product
 * goes through bigint. A fee that comes out above 2^53 - 1 is only ever compared against a
 * smaller bound, which rounding cannot make it pass.
 */
export function forwardingFeeMsatNumber(
  amountMsat: number,
  feeBaseMsat: number,
  feeProportionalMillionths: number,
): number {
  const product = amountMsat * feeProportionalMillionths;
  if (product <= Number.MAX_SAFE_INTEGER) {
    return feeBaseMsat + (product - (product % 1_000_000)) / 1_000_000;
  }
  return feeBaseMsat + Number((BigInt(amountMsat) * BigInt(feeProportionalMillionths)) / MILLION);
}

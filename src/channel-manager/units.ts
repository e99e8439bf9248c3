/** Unit changes for amounts (STYLE: never an inline `* 1000n`). */

/** Satoshis to millisatoshis. */
export function satToMsat(valueSat: bigint): bigint {
  return valueSat * 1000n;
}

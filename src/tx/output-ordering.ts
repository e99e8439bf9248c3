/**
 * Output order for commitment and closing transactions: BIP 69 (value, then scriptPubKey bytes)
 * with `cltv_expiry` as the last key for HTLC outputs. Two offered HTLCs with the same amount
 * and payment hash have byte-identical outputs but different HTLC-timeout transactions (their
 * locktimes differ), and `htlc_signatures` follow output order, so both peers must break that
 * tie the same way.
 *
 * BOLT 3 "Transaction Output Ordering".
 */
import { compareBytes } from '../util/bytes.js';

/** What the ordering looks at. `cltvExpiry` is set for HTLC outputs only. */
export interface OrderableOutput {
  readonly valueSat: bigint;
  readonly scriptPubkey: Uint8Array;
  readonly cltvExpiry?: number | undefined;
}

/** Comparator for `Array.prototype.sort` implementing the BOLT 3 order. */
export function compareOutputs(a: OrderableOutput, b: OrderableOutput): number {
  if (a.valueSat !== b.valueSat) return a.valueSat < b.valueSat ? -1 : 1;
  const byScript = compareBytes(a.scriptPubkey, b.scriptPubkey);
  if (byScript !== 0) return byScript;
  return (a.cltvExpiry ?? 0) - (b.cltvExpiry ?? 0);
}

/** A sorted copy of `outputs` (the sort is stable, so full ties keep their input order). */
export function sortOutputs<T extends OrderableOutput>(outputs: readonly T[]): T[] {
  return [...outputs].sort(compareOutputs);
}

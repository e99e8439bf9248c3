/**
 * Commitment and HTLC transaction fees and the dust trimming rule.
 *
 * Fees are `feerate_per_kw × expected weight / 1000`, rounded down (BOLT 3 "Fee Calculation").
 * `feerateSatPerKw` is the u32 `feerate_per_kw` of `open_channel`/`update_fee`, in satoshis per
 * 1000 weight units; fees come out as bigint satoshis.
 *
 * With `anchors_zero_fee_htlc_tx`, HTLC transactions carry no fee (the broadcaster attaches
 * its own inputs), so an HTLC is trimmed exactly when its amount is below the dust limit, and the
 * funder also pays the two 330-sat anchors (BOLT 3 "Fee Payment", "Trimmed Outputs").
 */
import { assertChannelType, hasAnchors, type ChannelType } from './channel-type.js';
import { assertMsat, assertSat, assertUint, U32_MAX } from './validation.js';
import { commitmentTxWeight, htlcSuccessTxWeight, htlcTimeoutTxWeight } from './weights.js';

/** Value of each anchor output (the P2WSH dust limit), in satoshis. */
export const ANCHOR_OUTPUT_VALUE_SAT = 330n;

/** Whole satoshis of an msat amount, rounded down as BOLT 3 requires for every output. */
export function msatToSatFloor(amountMsat: bigint): bigint {
  return amountMsat / 1000n;
}

/** Satoshis to millisatoshis. */
export function satToMsat(amountSat: bigint): bigint {
  return amountSat * 1000n;
}

/** `feerateSatPerKw × weight / 1000`, rounded down. */
export function feeForWeight(feerateSatPerKw: number, weight: number): bigint {
  assertUint(feerateSatPerKw, U32_MAX, 'feerateSatPerKw');
  assertUint(weight, Number.MAX_SAFE_INTEGER, 'weight');
  return (BigInt(feerateSatPerKw) * BigInt(weight)) / 1000n;
}

/** The HTLC-timeout transaction fee: 0 with anchors, else feerate × 663 / 1000. */
export function htlcTimeoutFeeSat(channelType: ChannelType, feerateSatPerKw: number): bigint {
  if (hasAnchors(assertChannelType(channelType))) return 0n;
  return feeForWeight(feerateSatPerKw, htlcTimeoutTxWeight(channelType));
}

/** The HTLC-success transaction fee: 0 with anchors, else feerate × 703 / 1000. */
export function htlcSuccessFeeSat(channelType: ChannelType, feerateSatPerKw: number): bigint {
  if (hasAnchors(assertChannelType(channelType))) return 0n;
  return feeForWeight(feerateSatPerKw, htlcSuccessTxWeight(channelType));
}

/**
 * The base commitment fee the funder pays: feerate × (724 or 1124 + 172 per untrimmed HTLC) /
 * 1000. Anchor values are separate (`ANCHOR_OUTPUT_VALUE_SAT`, twice).
 */
export function commitmentFeeSat(
  channelType: ChannelType,
  feerateSatPerKw: number,
  untrimmedHtlcCount: number,
): bigint {
  return feeForWeight(feerateSatPerKw, commitmentTxWeight(channelType, untrimmedHtlcCount));
}

/**
 * The smallest HTLC amount, in satoshis, that gets an output on a commitment whose owner has
 * `dustLimitSat`: the dust limit plus the fee of the second-stage transaction that would spend
 * it (HTLC-timeout for an HTLC the owner offered, HTLC-success for one it received). An HTLC
 * below this is trimmed: its value goes to fees.
 */
export function htlcDustThresholdSat(args: {
  readonly offered: boolean;
  readonly dustLimitSat: bigint;
  readonly feerateSatPerKw: number;
  readonly channelType: ChannelType;
}): bigint {
  assertSat(args.dustLimitSat, 'dustLimitSat');
  const fee = args.offered
    ? htlcTimeoutFeeSat(args.channelType, args.feerateSatPerKw)
    : htlcSuccessFeeSat(args.channelType, args.feerateSatPerKw);
  return args.dustLimitSat + fee;
}

/**
 * True when an HTLC of `amountMsat` is trimmed from the commitment: its whole-satoshi amount
 * minus its second-stage fee is below the owner's dust limit (BOLT 3 "Trimmed Outputs").
 */
export function isHtlcTrimmed(args: {
  readonly offered: boolean;
  readonly amountMsat: bigint;
  readonly dustLimitSat: bigint;
  readonly feerateSatPerKw: number;
  readonly channelType: ChannelType;
}): boolean {
  assertMsat(args.amountMsat, 'amountMsat');
  return msatToSatFloor(args.amountMsat) < htlcDustThresholdSat(args);
}

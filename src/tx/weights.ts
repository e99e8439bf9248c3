/**
 * The *expected* weights BOLT 3 fixes for fee computation. They assume 73-byte signatures and a
 * one-byte output count, so they are upper bounds that both peers compute identically; the real
 * weight of a signed transaction is a little lower.
 *
 * BOLT 3 "Fee Calculation" and "Appendix A: Expected Weights".
 */
import { assertChannelType, hasAnchors, type ChannelType } from './channel-type.js';
import { assertUint } from './validation.js';

/** Commitment transaction without HTLC outputs (no anchors): 500 non-witness + 224 witness. */
export const COMMITMENT_TX_BASE_WEIGHT = 724;
/** Commitment transaction without HTLC outputs, with the two anchors: 900 + 224. */
export const COMMITMENT_TX_BASE_WEIGHT_ANCHORS = 1124;
/** Each untrimmed HTLC output adds 43 non-witness bytes, 172 weight. */
export const COMMITMENT_TX_WEIGHT_PER_HTLC = 172;
export const HTLC_TIMEOUT_TX_WEIGHT = 663;
export const HTLC_TIMEOUT_TX_WEIGHT_ANCHORS = 666;
/** BOLT 3 notes the true figure is one less (702/705); the spec keeps 703/706. */
export const HTLC_SUCCESS_TX_WEIGHT = 703;
export const HTLC_SUCCESS_TX_WEIGHT_ANCHORS = 706;

/**
 * The maximum number of HTLCs one side may offer (BOLT 2 `max_accepted_htlcs` upper bound), so a
 * commitment holds at most this many offered plus this many received.
 */
export const MAX_HTLCS_PER_DIRECTION = 483;

/** Expected commitment weight with `untrimmedHtlcCount` HTLC outputs. */
export function commitmentTxWeight(channelType: ChannelType, untrimmedHtlcCount: number): number {
  assertUint(untrimmedHtlcCount, 2 * MAX_HTLCS_PER_DIRECTION, 'untrimmedHtlcCount');
  const base = hasAnchors(assertChannelType(channelType))
    ? COMMITMENT_TX_BASE_WEIGHT_ANCHORS
    : COMMITMENT_TX_BASE_WEIGHT;
  return base + COMMITMENT_TX_WEIGHT_PER_HTLC * untrimmedHtlcCount;
}

/** Expected HTLC-timeout transaction weight. */
export function htlcTimeoutTxWeight(channelType: ChannelType): number {
  return hasAnchors(assertChannelType(channelType))
    ? HTLC_TIMEOUT_TX_WEIGHT_ANCHORS
    : HTLC_TIMEOUT_TX_WEIGHT;
}

/** Expected HTLC-success transaction weight. */
export function htlcSuccessTxWeight(channelType: ChannelType): number {
  return hasAnchors(assertChannelType(channelType))
    ? HTLC_SUCCESS_TX_WEIGHT_ANCHORS
    : HTLC_SUCCESS_TX_WEIGHT;
}

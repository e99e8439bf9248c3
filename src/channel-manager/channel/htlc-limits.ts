/**
 * What a commitment costs its funder and how much of it is dust, for the affordability checks of
 * `update_add_htlc` and `update_fee` (BOLT 2 "Adding an HTLC", "Updating Fees", "Bounding
 * exposure to trimmed in-flight HTLCs"). A commitment is evaluated from its owner's side: its
 * dust limit trims, and the owner's offered HTLCs pay the HTLC-timeout fee, its received ones
 * the HTLC-success fee (BOLT 3 "Trimmed Outputs").
 */
import { hasAnchors, type ChannelType } from '../../tx/channel-type.js';
import {
  ANCHOR_OUTPUT_VALUE_SAT,
  commitmentFeeSat,
  isHtlcTrimmed,
  satToMsat,
} from '../../tx/fees.js';
import { MAX_HTLCS_PER_DIRECTION } from '../../tx/weights.js';
import type { CommitmentSpec, SpecHtlc } from './state.js';

/** Whose commitment a spec is evaluated as. */
export type CommitmentOwner = 'holder' | 'counterparty';

/** How to evaluate a spec as one side's commitment. */
export interface CommitmentView {
  readonly owner: CommitmentOwner;
  /** The owner's `dust_limit_satoshis`. */
  readonly dustLimitSat: bigint;
  readonly channelType: ChannelType;
}

/** True when `htlc` has no output on the owner's commitment at `feerateSatPerKw`. */
export function isTrimmedOn(
  view: CommitmentView,
  htlc: SpecHtlc,
  feerateSatPerKw: number,
): boolean {
  return isHtlcTrimmed({
    offered: (htlc.direction === 'offered') === (view.owner === 'holder'),
    amountMsat: htlc.amountMsat,
    dustLimitSat: view.dustLimitSat,
    feerateSatPerKw,
    channelType: view.channelType,
  });
}

/**
 * What the funder pays for this commitment, in msat: the base fee for its untrimmed HTLCs (plus
 * `extraHtlcs` untrimmed ones) at `feerateSatPerKw`, plus both anchors with `option_anchors`.
 */
export function funderCostMsat(
  view: CommitmentView,
  spec: CommitmentSpec,
  feerateSatPerKw: number = spec.feerateSatPerKw,
  extraHtlcs = 0,
): bigint {
  let untrimmed = extraHtlcs;
  for (const h of spec.htlcs) if (!isTrimmedOn(view, h, spec.feerateSatPerKw)) untrimmed++;
  if (untrimmed > 2 * MAX_HTLCS_PER_DIRECTION) untrimmed = 2 * MAX_HTLCS_PER_DIRECTION;
  const fee = commitmentFeeSat(view.channelType, Math.min(feerateSatPerKw, 0xffffffff), untrimmed);
  return satToMsat(fee + (hasAnchors(view.channelType) ? 2n * ANCHOR_OUTPUT_VALUE_SAT : 0n));
}

/** The sum of the HTLCs trimmed to dust on this commitment: lost to fees if it confirms. */
export function dustExposureMsat(view: CommitmentView, spec: CommitmentSpec): bigint {
  let total = 0n;
  for (const h of spec.htlcs) if (isTrimmedOn(view, h, spec.feerateSatPerKw)) total += h.amountMsat;
  return total;
}

/**
 * BOLT 2's recommended fee spike buffer: the funder should still afford the commitment at twice
 * the feerate with one more non-dust HTLC.
 */
export function feeSpikeBufferCostMsat(view: CommitmentView, spec: CommitmentSpec): bigint {
  return funderCostMsat(view, spec, spec.feerateSatPerKw * 2, 1);
}

// BOLT 3 "Fees": expected weights, fee formulas, trimming, and the worked fee example
// (Fees > Fee Calculation > Example).
import { describe, expect, it } from 'vitest';
import { ChannelType } from '../../src/tx/channel-type.js';
import { buildCommitmentTransaction } from '../../src/tx/commitment.js';
import {
  ANCHOR_OUTPUT_VALUE_SAT,
  commitmentFeeSat,
  feeForWeight,
  htlcDustThresholdSat,
  htlcSuccessFeeSat,
  htlcTimeoutFeeSat,
  isHtlcTrimmed,
} from '../../src/tx/fees.js';
import {
  commitmentTxWeight,
  htlcSuccessTxWeight,
  htlcTimeoutTxWeight,
} from '../../src/tx/weights.js';
import { appendixC, loadVector, paramsFor } from './bolt03-fixtures.js';

interface FeeExample {
  feerate_per_kw: number;
  dust_limit_satoshis: number;
  offered_htlcs_msat: number[];
  received_htlcs_msat: number[];
  htlc_timeout_weight: number;
  htlc_timeout_fee_sat: number;
  htlc_success_weight: number;
  htlc_success_fee_sat: number;
  commitment_weight_start: number;
  commitment_weight_steps: number[];
  untrimmed_offered_sat: number[];
  trimmed_offered_sat: number[];
  untrimmed_received_sat: number[];
  trimmed_received_sat: number[];
  base_commitment_fee_sat: number;
  actual_commitment_fee_sat: number;
  option_anchors: boolean;
}

const example = (loadVector('bolt03-fee-example.json') as { vectors: FeeExample[] }).vectors[0]!;
const legacy = ChannelType.StaticRemoteKey;
const anchors = ChannelType.AnchorsZeroFeeHtlcTx;

describe('BOLT 3 expected weights', () => {
  it('matches the Fee Calculation table', () => {
    expect(commitmentTxWeight(legacy, 0)).toBe(724);
    expect(commitmentTxWeight(anchors, 0)).toBe(1124);
    expect(commitmentTxWeight(legacy, 3)).toBe(724 + 3 * 172);
    expect(commitmentTxWeight(anchors, 3)).toBe(1124 + 3 * 172);
    expect(htlcTimeoutTxWeight(legacy)).toBe(663);
    expect(htlcTimeoutTxWeight(anchors)).toBe(666);
    expect(htlcSuccessTxWeight(legacy)).toBe(703);
    expect(htlcSuccessTxWeight(anchors)).toBe(706);
  });

  it('rounds fees down', () => {
    expect(feeForWeight(253, 724)).toBe(183n); // 183.172
    expect(feeForWeight(1, 999)).toBe(0n);
    expect(feeForWeight(0xffffffff, 1124)).toBe((0xffffffffn * 1124n) / 1000n);
  });

  it('charges no HTLC transaction fee with anchors, so dust is just the dust limit', () => {
    expect(htlcTimeoutFeeSat(anchors, 100_000)).toBe(0n);
    expect(htlcSuccessFeeSat(anchors, 100_000)).toBe(0n);
    const args = { dustLimitSat: 546n, feerateSatPerKw: 100_000, channelType: anchors };
    expect(htlcDustThresholdSat({ ...args, offered: true })).toBe(546n);
    expect(isHtlcTrimmed({ ...args, offered: false, amountMsat: 546_000n })).toBe(false);
    expect(isHtlcTrimmed({ ...args, offered: false, amountMsat: 545_999n })).toBe(true);
    expect(ANCHOR_OUTPUT_VALUE_SAT).toBe(330n);
  });
});

describe('BOLT 3 Fees > Fee Calculation > Example', () => {
  const feerate = example.feerate_per_kw;
  const dustLimitSat = BigInt(example.dust_limit_satoshis);
  expect(example.option_anchors).toBe(false);

  it('HTLC transaction weights and fees', () => {
    expect(htlcTimeoutTxWeight(legacy)).toBe(example.htlc_timeout_weight);
    expect(htlcTimeoutFeeSat(legacy, feerate)).toBe(BigInt(example.htlc_timeout_fee_sat));
    expect(htlcSuccessTxWeight(legacy)).toBe(example.htlc_success_weight);
    expect(htlcSuccessFeeSat(legacy, feerate)).toBe(BigInt(example.htlc_success_fee_sat));
  });

  it('trims the HTLCs the example trims', () => {
    const split = (offered: boolean, msats: number[]) => {
      const trimmed: number[] = [];
      const kept: number[] = [];
      for (const m of msats) {
        const t = isHtlcTrimmed({
          offered,
          amountMsat: BigInt(m),
          dustLimitSat,
          feerateSatPerKw: feerate,
          channelType: legacy,
        });
        (t ? trimmed : kept).push(m / 1000);
      }
      return { trimmed, kept };
    };
    const offered = split(true, example.offered_htlcs_msat);
    const received = split(false, example.received_htlcs_msat);
    expect(offered.kept).toEqual(example.untrimmed_offered_sat);
    expect(offered.trimmed).toEqual(example.trimmed_offered_sat);
    expect(received.kept).toEqual(example.untrimmed_received_sat);
    expect(received.trimmed).toEqual(example.trimmed_received_sat);
  });

  it('commitment weight steps and base fee', () => {
    expect(commitmentTxWeight(legacy, 0)).toBe(example.commitment_weight_start);
    expect(
      example.commitment_weight_steps.map((_, i) => commitmentTxWeight(legacy, i + 1)),
    ).toEqual(example.commitment_weight_steps);
    expect(commitmentFeeSat(legacy, feerate, 2)).toBe(BigInt(example.base_commitment_fee_sat));
  });

  it('a commitment with these HTLCs pays the base fee plus the trimmed amounts', () => {
    const { common } = appendixC();
    const htlcMsat = [...example.offered_htlcs_msat, ...example.received_htlcs_msat];
    const totalHtlcMsat = htlcMsat.reduce((s, m) => s + BigInt(m), 0n);
    const base = paramsFor(common, {
      channelType: legacy,
      htlcIndices: [],
      toLocalMsat: 7_000_000_000n - totalHtlcMsat,
      toRemoteMsat: 3_000_000_000n,
      feerateSatPerKw: feerate,
      dustLimitSat,
    });
    const commitment = buildCommitmentTransaction({
      ...base,
      htlcs: htlcMsat.map((m, i) => ({
        offered: i < example.offered_htlcs_msat.length,
        amountMsat: BigInt(m),
        paymentHash: new Uint8Array(32).fill(i + 1),
        cltvExpiry: 500 + i,
      })),
    });
    expect(commitment.baseFeeSat).toBe(BigInt(example.base_commitment_fee_sat));
    expect(commitment.feeSat).toBe(BigInt(example.actual_commitment_fee_sat));
    expect(commitment.htlcOutputIndices.map((i) => i !== null)).toEqual([true, false, true, false]);
  });
});

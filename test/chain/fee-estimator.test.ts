import { describe, expect, it } from 'vitest';
import {
  boundedFeeEstimator,
  ConfirmationTarget,
  FEERATE_FLOOR_SAT_PER_KW,
  satPerKwToSatPerVbyte,
  satPerVbyteToSatPerKw,
  type FeeEstimator,
} from '../../src/chain/fee-estimator.js';
import { ErrorCode } from '../../src/util/errors.js';

const fixed = (value: unknown): FeeEstimator => ({
  getEstSatPer1000Weight: () => value as number,
});

describe('FeeEstimator', () => {
  it('has the LDK 0.1 targets', () => {
    expect(Object.keys(ConfirmationTarget).sort()).toEqual(
      [
        'AnchorChannelFee',
        'ChannelCloseMinimum',
        'MaximumFeeEstimate',
        'MinAllowedAnchorChannelRemoteFee',
        'MinAllowedNonAnchorChannelRemoteFee',
        'NonAnchorChannelFee',
        'OutputSpendingFee',
        'UrgentOnChainSweep',
      ].sort(),
    );
  });

  it('raises estimates to the 253 sat/kW floor and passes higher ones through', () => {
    const seen: string[] = [];
    const inner: FeeEstimator = {
      getEstSatPer1000Weight(target) {
        seen.push(target);
        return target === ConfirmationTarget.UrgentOnChainSweep ? 5000 : 100;
      },
    };
    const bounded = boundedFeeEstimator(inner);
    expect(bounded.getEstSatPer1000Weight(ConfirmationTarget.UrgentOnChainSweep)).toBe(5000);
    expect(bounded.getEstSatPer1000Weight(ConfirmationTarget.AnchorChannelFee)).toBe(
      FEERATE_FLOOR_SAT_PER_KW,
    );
    expect(seen).toEqual(['UrgentOnChainSweep', 'AnchorChannelFee']);
    expect(boundedFeeEstimator(fixed(0)).getEstSatPer1000Weight('OutputSpendingFee')).toBe(253);
    expect(boundedFeeEstimator(fixed(-5)).getEstSatPer1000Weight('OutputSpendingFee')).toBe(253);
    expect(boundedFeeEstimator(fixed(253.2)).getEstSatPer1000Weight('OutputSpendingFee')).toBe(254);
    expect(boundedFeeEstimator(fixed(2 ** 40)).getEstSatPer1000Weight('OutputSpendingFee')).toBe(
      0xffffffff,
    );
  });

  it('refuses a non-number from the host with APIMisuse', () => {
    for (const bad of [NaN, Infinity, '1000', undefined, 10n]) {
      expect(() =>
        boundedFeeEstimator(fixed(bad)).getEstSatPer1000Weight('NonAnchorChannelFee'),
      ).toThrow(expect.objectContaining({ code: ErrorCode.APIMisuse }));
    }
  });

  it('converts between sat/vB and sat/kW (1 vB = 4 WU)', () => {
    expect(satPerVbyteToSatPerKw(1)).toBe(250);
    expect(satPerVbyteToSatPerKw(1.01)).toBe(253);
    expect(satPerKwToSatPerVbyte(253)).toBeCloseTo(1.012);
    expect(() => satPerVbyteToSatPerKw(-1)).toThrow(
      expect.objectContaining({ code: ErrorCode.APIMisuse }),
    );
  });
});

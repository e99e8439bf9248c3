/**
 * Fee estimation (LDK `FeeEstimator`). boltkit asks the host for a feerate per purpose and never
 * estimates fees itself. Feerates are in satoshis per 1000 weight units (sat/kW), the unit of
 * BOLT 2 `feerate_per_kw` and BOLT 3 fee calculation: 1 sat/vB is 250 sat/kW, because a virtual
 * byte is 4 weight units.
 */
import { APIMisuseError } from '../util/errors.js';

/**
 * Why a feerate is wanted; the host maps each to a confirmation window or a mempool floor. The
 * set and names match LDK 0.1 so its guidance on each target applies unchanged.
 */
export const ConfirmationTarget = {
  /**
   * The highest feerate the estimator would ever give. Used to sanity-check a counterparty's
   * `update_fee` (BOLT 2): a peer asking for more than this is trying to burn our balance.
   */
  MaximumFeeEstimate: 'MaximumFeeEstimate',
  /**
   * Claiming funds the counterparty can take after some expiry (HTLC timeouts, justice
   * transactions; BOLT 5). Tens of blocks are usually available, but do not risk a low fee.
   */
  UrgentOnChainSweep: 'UrgentOnChainSweep',
  /**
   * The lowest `feerate_per_kw` accepted from the peer on an anchor channel. Fees can be bumped
   * later through the anchors, so a mempool-minimum estimate is enough.
   */
  MinAllowedAnchorChannelRemoteFee: 'MinAllowedAnchorChannelRemoteFee',
  /**
   * The lowest `feerate_per_kw` accepted from the peer on a non-anchor channel. Its commitment
   * transaction can never be bumped, so too high a value force-closes channels needlessly; if
   * the estimator rounds up to whole sat/vB, subtracting 250 here avoids disagreements.
   */
  MinAllowedNonAnchorChannelRemoteFee: 'MinAllowedNonAnchorChannelRemoteFee',
  /** The commitment feerate we set on anchor channels: enough to enter the mempool. */
  AnchorChannelFee: 'AnchorChannelFee',
  /**
   * The commitment feerate we set on non-anchor channels. It must still confirm whenever the
   * channel is force-closed, so a relatively high-priority estimate; it also caps the feerate we
   * propose in a cooperative close.
   */
  NonAnchorChannelFee: 'NonAnchorChannelFee',
  /** The lowest feerate accepted in cooperative close negotiation (BOLT 2 `closing_signed`). */
  ChannelCloseMinimum: 'ChannelCloseMinimum',
  /**
   * Sweeping outputs that are already ours after a close, with no deadline. Slightly above the
   * mempool minimum is enough; higher returns the funds sooner.
   */
  OutputSpendingFee: 'OutputSpendingFee',
} as const;
export type ConfirmationTarget = (typeof ConfirmationTarget)[keyof typeof ConfirmationTarget];

/**
 * The lowest feerate boltkit ever uses: 253 sat/kW. Bitcoin Core's default minimum relay fee is
 * 1 sat/vB, i.e. 250 sat/kW, but weights round up when converted to virtual bytes, so 253 keeps
 * every transaction above the relay floor.
 */
export const FEERATE_FLOOR_SAT_PER_KW = 253;

/**
 * Implemented by the host.
 *
 * What the host must do: return a current estimate for the target in sat/kW (an integer). The
 * call is synchronous and frequent (every `timerTickOccurred` and on each channel operation), so
 * serve it from a cache that a background task refreshes; never block on the network. Returning
 * less than 253 is allowed: `boundedFeeEstimator` raises it. Nothing needs to be persisted.
 */
export interface FeeEstimator {
  getEstSatPer1000Weight(target: ConfirmationTarget): number;
}

/**
 * Wraps the host's estimator so every feerate boltkit uses is an integer of at least
 * `FEERATE_FLOOR_SAT_PER_KW` and at most u32. A fractional estimate is rounded up. Throws
 * `APIMisuseError` (naming the target) when the host returns something that is not a finite
 * number, because silently substituting a feerate could leave commitment transactions unable to
 * confirm.
 */
export function boundedFeeEstimator(inner: FeeEstimator): FeeEstimator {
  return {
    getEstSatPer1000Weight(target: ConfirmationTarget): number {
      const raw: unknown = inner.getEstSatPer1000Weight(target);
      if (typeof raw !== 'number' || !Number.isFinite(raw)) {
        throw new APIMisuseError(
          `FeeEstimator returned ${String(raw)} for ${target}; expected a finite sat/kW number`,
        );
      }
      return Math.min(Math.max(Math.ceil(raw), FEERATE_FLOOR_SAT_PER_KW), 0xffffffff);
    },
  };
}

/** sat/vB to sat/kW (x250), rounded up so the result never undershoots. */
export function satPerVbyteToSatPerKw(satPerVbyte: number): number {
  checkFeerate(satPerVbyte, 'satPerVbyte');
  return Math.ceil(satPerVbyte * 250);
}

/** sat/kW to sat/vB (/250), as a fraction; round as the caller's purpose needs. */
export function satPerKwToSatPerVbyte(feerateSatPerKw: number): number {
  checkFeerate(feerateSatPerKw, 'feerateSatPerKw');
  return feerateSatPerKw / 250;
}

function checkFeerate(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new APIMisuseError(`${what}: expected a finite, non-negative number`);
  }
}

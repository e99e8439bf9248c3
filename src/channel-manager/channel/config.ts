/**
 * Per-channel configuration: the parameters we announce in `open_channel`/`accept_channel`, and
 * the bounds we hold the peer's parameters to (BOLT 2 "The open_channel Message", the "MAY fail"
 * and "MUST fail" lists). Defaults follow LDK 0.1's `ChannelHandshakeConfig` and
 * `ChannelHandshakeLimits` where BOLT 2 leaves the value to policy.
 */
import { APIMisuseError } from '../../util/errors.js';

export interface ChannelConfig {
  /** `to_self_delay` we ask of the peer: blocks its own outputs wait on its commitment. */
  readonly ourToSelfDelay: number;
  /** `max_accepted_htlcs` we announce: HTLCs the peer may offer us at once (<= 483). */
  readonly ourMaxAcceptedHtlcs: number;
  /** `htlc_minimum_msat` we announce: the smallest HTLC we accept. */
  readonly ourHtlcMinimumMsat: bigint;
  /** `dust_limit_satoshis` we announce for our own commitment and HTLC transactions (>= 354). */
  readonly ourDustLimitSat: bigint;
  /** `max_htlc_value_in_flight_msat` we announce, as a percentage of the channel value. */
  readonly maxInboundHtlcValueInFlightPercent: number;
  /** `channel_reserve_satoshis` we ask of the peer, in millionths of the channel value. */
  readonly channelReserveProportionalMillionths: number;
  /** The least reserve we ask of the peer, whatever the channel value. */
  readonly minChannelReserveSat: bigint;
  /** `minimum_depth` we announce as accepter, and wait for as opener. */
  readonly minimumDepth: number;
  /** `announce_channel` bit of `channel_flags` when we open. */
  readonly announceChannel: boolean;
  /** Propose `option_anchors` when the peer supports it (we always accept it). */
  readonly proposeAnchors: boolean;
  /**
   * Our `upfront_shutdown_script`: when set, we commit to closing to this script (BOLT 2). Unset,
   * we send the zero-length script, committing to nothing.
   */
  readonly upfrontShutdownScript?: Uint8Array;

  /** The largest `to_self_delay` we accept from the peer (our own funds wait this long). */
  readonly maxTheirToSelfDelay: number;
  /** The largest `minimum_depth` we accept from the accepter. */
  readonly maxMinimumDepth: number;
  /** The smallest `funding_satoshis` we accept. */
  readonly minFundingSat: bigint;
  /** Accept `funding_satoshis` of 2^24 and more (`option_support_large_channel`, "wumbo"). */
  readonly supportLargeChannels: boolean;
  /** The largest `dust_limit_satoshis` we accept from the peer. */
  readonly maxTheirDustLimitSat: bigint;
  /** The largest `channel_reserve_satoshis` we accept, as a percentage of the channel value. */
  readonly maxTheirChannelReservePercent: number;
  /** The smallest `max_htlc_value_in_flight_msat` we accept from the peer. */
  readonly minTheirMaxHtlcValueInFlightMsat: bigint;
  /** The smallest `max_accepted_htlcs` we accept from the peer. */
  readonly minTheirMaxAcceptedHtlcs: number;
  /**
   * The most we risk in HTLCs trimmed to dust on either commitment (BOLT 2
   * `max_dust_htlc_exposure_msat`): such HTLCs become miner fees on a force close.
   */
  readonly maxDustHtlcExposureMsat: bigint;
  /**
   * Accept a peer's channel with `minimum_depth` 0 (zero-conf): only for a peer trusted not to
   * double-spend the funding transaction (BOLT 2 `option_zeroconf`).
   */
  readonly trustedPeerZeroConf: boolean;
}

/** The defaults; see each field. */
export const defaultChannelConfig: ChannelConfig = {
  ourToSelfDelay: 144,
  ourMaxAcceptedHtlcs: 50,
  ourHtlcMinimumMsat: 1n,
  ourDustLimitSat: 354n,
  maxInboundHtlcValueInFlightPercent: 10,
  channelReserveProportionalMillionths: 10_000,
  minChannelReserveSat: 1000n,
  minimumDepth: 6,
  announceChannel: false,
  proposeAnchors: true,
  maxTheirToSelfDelay: 2016,
  maxMinimumDepth: 144,
  minFundingSat: 1000n,
  supportLargeChannels: false,
  maxTheirDustLimitSat: 546n,
  maxTheirChannelReservePercent: 20,
  minTheirMaxHtlcValueInFlightMsat: 0n,
  minTheirMaxAcceptedHtlcs: 1,
  maxDustHtlcExposureMsat: 5_000_000n,
  trustedPeerZeroConf: false,
};

/** BOLT 2: `dust_limit_satoshis` below 354 makes some outputs non-standard. */
export const MIN_DUST_LIMIT_SAT = 354n;
/** BOLT 2: `max_accepted_htlcs` above 483 could make `commitment_signed` too large. */
export const MAX_ACCEPTED_HTLCS = 483;
/** BOLT 2: `funding_satoshis` of 2^24 or more needs `option_support_large_channel`. */
export const LARGE_CHANNEL_SAT: bigint = 1n << 24n;
/** BOLT 2: a `cltv_expiry` at or above this would be a time, not a height. */
export const MAX_CLTV_EXPIRY = 500_000_000;

/** Fills a partial configuration with the defaults; `APIMisuseError` for a value out of range. */
export function resolveChannelConfig(partial: Partial<ChannelConfig> = {}): ChannelConfig {
  const config: ChannelConfig = { ...defaultChannelConfig, ...partial };
  const intIn = (v: number, min: number, max: number, what: string): void => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new APIMisuseError(`${what}: expected an integer in [${min}, ${max}], got ${v}`);
    }
  };
  intIn(config.ourToSelfDelay, 0, 0xffff, 'ourToSelfDelay');
  intIn(config.ourMaxAcceptedHtlcs, 1, MAX_ACCEPTED_HTLCS, 'ourMaxAcceptedHtlcs');
  intIn(config.maxInboundHtlcValueInFlightPercent, 1, 100, 'maxInboundHtlcValueInFlightPercent');
  intIn(config.channelReserveProportionalMillionths, 0, 1_000_000, 'channelReserve millionths');
  intIn(config.minimumDepth, 0, 0xffffffff, 'minimumDepth');
  intIn(config.maxTheirToSelfDelay, 0, 0xffff, 'maxTheirToSelfDelay');
  intIn(config.maxMinimumDepth, 0, 0xffffffff, 'maxMinimumDepth');
  intIn(config.maxTheirChannelReservePercent, 0, 100, 'maxTheirChannelReservePercent');
  intIn(config.minTheirMaxAcceptedHtlcs, 0, MAX_ACCEPTED_HTLCS, 'minTheirMaxAcceptedHtlcs');
  if (config.ourDustLimitSat < MIN_DUST_LIMIT_SAT) {
    throw new APIMisuseError(
      `ourDustLimitSat: expected at least ${MIN_DUST_LIMIT_SAT}, got ${config.ourDustLimitSat}`,
    );
  }
  if (config.ourHtlcMinimumMsat < 1n) {
    throw new APIMisuseError('ourHtlcMinimumMsat: expected at least 1 msat');
  }
  return config;
}

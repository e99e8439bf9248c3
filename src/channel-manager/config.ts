/**
 * `UserConfig` (LDK `UserConfig`): the node-wide policy for opening and accepting channels.
 * Each channel gets a `ChannelConfig` (channel/config.ts) derived from it, optionally with a
 * per-channel override at `createChannel`. Defaults follow LDK 0.1 where BOLT 2 leaves a value
 * to policy; anchors (`option_anchors_zero_fee_htlc_tx`) are on by default.
 */
import { APIMisuseError } from '../util/errors.js';
import { LARGE_CHANNEL_SAT, resolveChannelConfig, type ChannelConfig } from './channel/config.js';

export interface UserConfig {
  /** The smallest channel we open or accept (`funding_satoshis`). */
  readonly minChannelSizeSat: bigint;
  /** The largest channel we open or accept; at most 2^24 - 1 sat unless `supportLargeChannels`. */
  readonly maxChannelSizeSat: bigint;
  /** Open and accept channels of 2^24 sat and more (BOLT 2 `option_support_large_channel`). */
  readonly supportLargeChannels: boolean;
  /** `dust_limit_satoshis` we announce (>= 354, BOLT 2). */
  readonly ourDustLimitSat: bigint;
  /** `max_accepted_htlcs` we announce (<= 483, BOLT 2). */
  readonly maxAcceptedHtlcs: number;
  /** `max_htlc_value_in_flight_msat` we announce, as a percentage of the channel value. */
  readonly maxInboundHtlcValueInFlightPercent: number;
  /** `channel_reserve_satoshis` we ask of the peer, in millionths of the channel value. */
  readonly channelReserveProportionalMillionths: number;
  /** `to_self_delay` we ask of the peer. */
  readonly ourToSelfDelay: number;
  /** The largest `to_self_delay` we accept from the peer. */
  readonly maxTheirToSelfDelay: number;
  /** Confirmations of the funding transaction before `channel_ready` (our `minimum_depth`). */
  readonly minimumDepth: number;
  /** The largest `minimum_depth` we accept from a peer we open to. */
  readonly maxMinimumDepth: number;
  /**
   * Inbound channels wait for the host: each raises an `OpenChannelRequest` answered with
   * `acceptInboundChannel` or `rejectInboundChannel`. Off: every valid request is accepted.
   */
  readonly manuallyAcceptInboundChannels: boolean;
  /** Propose `option_anchors` when opening (accepted either way). */
  readonly negotiateAnchorsZeroFeeHtlcTx: boolean;
  /** The most we risk in HTLCs trimmed to dust on either commitment (BOLT 2). */
  readonly maxDustHtlcExposureMsat: bigint;
  /**
   * Lowercase hex node ids whose channels we accept with `minimum_depth` 0 (zero-conf) without
   * asking: they are trusted not to double-spend the funding transaction.
   */
  readonly trustedPeers0conf: readonly string[];
  /** Announce our channels (`announce_channel`). */
  readonly announceChannels: boolean;
  /** The base fee we charge to forward a payment over one of our channels (BOLT 7). */
  readonly forwardingFeeBaseMsat: number;
  /** The proportional fee we charge to forward, in millionths of the amount (BOLT 7). */
  readonly forwardingFeeProportionalMillionths: number;
  /**
   * The blocks we ask between an incoming and an outgoing HTLC we forward (BOLT 7
   * `cltv_expiry_delta`): our time to claim upstream after downstream claimed on chain.
   */
  readonly cltvExpiryDelta: number;
  /** Accept keysend payments (the sender chose the preimage; BOLT 4 `keysend_preimage`). */
  readonly acceptKeysend: boolean;
}

export const defaultUserConfig: UserConfig = {
  minChannelSizeSat: 1000n,
  maxChannelSizeSat: LARGE_CHANNEL_SAT - 1n,
  supportLargeChannels: false,
  ourDustLimitSat: 354n,
  maxAcceptedHtlcs: 50,
  maxInboundHtlcValueInFlightPercent: 10,
  channelReserveProportionalMillionths: 10_000,
  ourToSelfDelay: 144,
  maxTheirToSelfDelay: 2016,
  minimumDepth: 6,
  maxMinimumDepth: 144,
  manuallyAcceptInboundChannels: false,
  negotiateAnchorsZeroFeeHtlcTx: true,
  maxDustHtlcExposureMsat: 5_000_000n,
  trustedPeers0conf: [],
  announceChannels: false,
  forwardingFeeBaseMsat: 1000,
  forwardingFeeProportionalMillionths: 0,
  cltvExpiryDelta: 72,
  acceptKeysend: false,
};

const NODE_ID = /^0[23][0-9a-f]{64}$/;

/**
 * Fills `partial` with the defaults and checks it. Throws `APIMisuseError` for a value out of
 * range (for example a maximum channel size of 2^24 sat or more without `supportLargeChannels`).
 */
export function resolveUserConfig(partial: Partial<UserConfig> = {}): UserConfig {
  const defaults: UserConfig =
    partial.supportLargeChannels === true
      ? { ...defaultUserConfig, maxChannelSizeSat: 21_000_000n * 100_000_000n }
      : defaultUserConfig;
  const config: UserConfig = { ...defaults, ...partial };
  const isU64 = (v: unknown): v is bigint =>
    typeof v === 'bigint' && v >= 0n && v <= 0xffffffffffffffffn;
  for (const [name, v] of [
    ['minChannelSizeSat', config.minChannelSizeSat],
    ['maxChannelSizeSat', config.maxChannelSizeSat],
    ['ourDustLimitSat', config.ourDustLimitSat],
    ['maxDustHtlcExposureMsat', config.maxDustHtlcExposureMsat],
  ] as const) {
    if (!isU64(v)) throw new APIMisuseError(`UserConfig.${name}: expected a u64 bigint`);
  }
  if (config.minChannelSizeSat > config.maxChannelSizeSat) {
    throw new APIMisuseError('UserConfig: minChannelSizeSat is above maxChannelSizeSat');
  }
  if (!config.supportLargeChannels && config.maxChannelSizeSat >= LARGE_CHANNEL_SAT) {
    throw new APIMisuseError(
      'UserConfig.maxChannelSizeSat: 2^24 sat or more needs supportLargeChannels (BOLT 2)',
    );
  }
  if (!Array.isArray(config.trustedPeers0conf)) {
    throw new APIMisuseError('UserConfig.trustedPeers0conf: expected an array of node ids');
  }
  for (const id of config.trustedPeers0conf) {
    if (typeof id !== 'string' || !NODE_ID.test(id)) {
      throw new APIMisuseError('UserConfig.trustedPeers0conf: expected lowercase hex node ids');
    }
  }
  for (const [name, v] of [
    ['forwardingFeeBaseMsat', config.forwardingFeeBaseMsat],
    ['forwardingFeeProportionalMillionths', config.forwardingFeeProportionalMillionths],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new APIMisuseError(`UserConfig.${name}: expected a u32`);
    }
  }
  // BOLT 7 bounds the delta by u16; below 48 blocks (MIN_CLTV_EXPIRY_DELTA) a forward cannot be
  // claimed upstream in time after a downstream close.
  if (
    !Number.isInteger(config.cltvExpiryDelta) ||
    config.cltvExpiryDelta < 48 ||
    config.cltvExpiryDelta > 0xffff
  ) {
    throw new APIMisuseError('UserConfig.cltvExpiryDelta: expected an integer in [48, 65535]');
  }
  // The per-channel checks (dust limit, HTLC counts, delays) run here too, once.
  channelConfigFor(config, false);
  return config;
}

/** The `ChannelConfig` for one channel; `trusted0conf` accepts a zero-conf open. */
export function channelConfigFor(config: UserConfig, trusted0conf: boolean): ChannelConfig {
  return resolveChannelConfig({
    ourToSelfDelay: config.ourToSelfDelay,
    ourMaxAcceptedHtlcs: config.maxAcceptedHtlcs,
    ourDustLimitSat: config.ourDustLimitSat,
    maxInboundHtlcValueInFlightPercent: config.maxInboundHtlcValueInFlightPercent,
    channelReserveProportionalMillionths: config.channelReserveProportionalMillionths,
    minimumDepth: config.minimumDepth,
    announceChannel: config.announceChannels,
    proposeAnchors: config.negotiateAnchorsZeroFeeHtlcTx,
    maxTheirToSelfDelay: config.maxTheirToSelfDelay,
    maxMinimumDepth: config.maxMinimumDepth,
    minFundingSat: config.minChannelSizeSat,
    supportLargeChannels: config.supportLargeChannels,
    maxDustHtlcExposureMsat: config.maxDustHtlcExposureMsat,
    trustedPeerZeroConf: trusted0conf,
  });
}

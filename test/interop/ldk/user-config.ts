/**
 * The LDK `UserConfig` an interop node runs with: LDK's defaults, changed only where interop
 * tests need it.
 */
import type { UserConfig } from 'lightningdevkit';
import type { Ldk } from './load.js';

/** The knobs of `LdkNodeOptions` that shape LDK's `UserConfig`. */
export interface LdkConfigOptions {
  /** Offer `option_anchors_zero_fee_htlc_tx` (bit 23); off by default as in LDK 0.1. */
  readonly anchors?: boolean;
  /** Answer inbound channels through `OpenChannelRequest` events; on by default. */
  readonly manuallyAcceptInboundChannels?: boolean;
  /** HTLCs the peer may offer us at once (BOLT 2 `max_accepted_htlcs`); LDK's 50 by default. */
  readonly maxAcceptedHtlcs?: number;
  /**
   * Percent of the channel the peer may have in flight towards us
   * (`max_htlc_value_in_flight_msat`); LDK's 10 by default.
   */
  readonly maxInboundHtlcValueInFlightPercent?: number;
  /**
   * Forward HTLCs over unannounced channels (`accept_forwards_to_priv_channels`); off by default
   * as in LDK 0.1, which then fails such forwards with `unknown_next_peer`. A node relaying to a
   * private peer (an LSP to its wallet) needs it on.
   */
  readonly acceptForwardsToPrivChannels?: boolean;
}

/** LDK's default `UserConfig` with the interop changes applied; a fresh object each call. */
export function makeUserConfig(ldk: Ldk, options: LdkConfigOptions): UserConfig {
  const config = ldk.UserConfig.constructor_default();
  config.set_manually_accept_inbound_channels(options.manuallyAcceptInboundChannels ?? true);
  config.set_accept_forwards_to_priv_channels(options.acceptForwardsToPrivChannels ?? false);
  const handshake = config.get_channel_handshake_config();
  handshake.set_negotiate_anchors_zero_fee_htlc_tx(options.anchors ?? false);
  if (options.maxAcceptedHtlcs !== undefined) {
    handshake.set_our_max_accepted_htlcs(options.maxAcceptedHtlcs);
  }
  if (options.maxInboundHtlcValueInFlightPercent !== undefined) {
    handshake.set_max_inbound_htlc_value_in_flight_percent_of_channel(
      options.maxInboundHtlcValueInFlightPercent,
    );
  }
  config.set_channel_handshake_config(handshake);
  // LDK's default dust exposure limit (about 2,500 sat at 253 sat/kW) makes back-to-back small
  // payments fail; interop tests are not about that limit.
  const channelConfig = config.get_channel_config();
  channelConfig.set_max_dust_htlc_exposure(
    ldk.MaxDustHTLCExposure.constructor_fixed_limit_msat(5_000_000_000n),
  );
  config.set_channel_config(channelConfig);
  return config;
}

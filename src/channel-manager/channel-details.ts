/**
 * `ChannelDetails` (LDK `ChannelDetails`): a snapshot of one channel for `listChannels`. Plain
 * data; balances are from our latest signed commitment (BOLT 2: what either side could force
 * close to), capacities take off the reserve the other side asked of us.
 */
import type { OutPoint } from '../chain/outpoint.js';
import { hashToDisplayHex } from '../chain/txid.js';
import type { Channel } from './channel/channel.js';
import type { UserConfig } from './config.js';
import { ChannelPhase, type ChannelState } from './channel/state.js';
import { satToMsat } from './units.js';

export interface ChannelDetails {
  /** Lowercase hex; the temporary id until the funding outpoint is known. */
  readonly channelId: string;
  readonly counterpartyNodeId: string;
  readonly fundingTxo: OutPoint | undefined;
  /** The real short channel id once the funding confirmed at a known position. */
  readonly shortChannelId: bigint | undefined;
  /** The alias we gave the peer in `channel_ready` (it routes to us with it). */
  readonly outboundScidAlias: bigint | undefined;
  /** The alias the peer gave us. */
  readonly inboundScidAlias: bigint | undefined;
  readonly channelValueSat: bigint;
  /** Our balance on our latest commitment. */
  readonly balanceMsat: bigint;
  /** What we could send now: our balance less the reserve the peer asked of us. */
  readonly outboundCapacityMsat: bigint;
  /** What the peer could send us: its balance less the reserve we asked of it. */
  readonly inboundCapacityMsat: bigint;
  readonly isOutbound: boolean;
  /** Both `channel_ready`s exchanged. */
  readonly isChannelReady: boolean;
  /** Ready, peer connected and reestablished, not shutting down, not stopped. */
  readonly isUsable: boolean;
  /** Confirmations of the funding transaction, once it confirmed. */
  readonly confirmations: number | undefined;
  /** The `minimum_depth` agreed. */
  readonly confirmationsRequired: number | undefined;
  readonly channelType: string;
  readonly config: UserConfig;
  readonly userChannelId: bigint;
}

/**
 * What we can still send over a channel, in msat: our balance on our latest commitment above the
 * reserve the peer asked us to keep (BOLT 2 `channel_reserve_satoshis`).
 */
export function outboundCapacityMsatOf(state: ChannelState): bigint {
  const balanceMsat = state.holderCommitment?.spec.toHolderMsat ?? 0n;
  const v = balanceMsat - satToMsat(state.counterpartyParams?.channelReserveSat ?? 0n);
  return v > 0n ? v : 0n;
}

/**
 * The details of `channel`; `bestHeight` counts confirmations, `connected` the peer, and
 * `stopped` a channel whose monitor could not be stored (it never becomes usable again).
 */
export function channelDetailsOf(
  channel: Channel,
  args: {
    readonly counterpartyNodeId: string;
    readonly bestHeight: number;
    readonly connected: boolean;
    readonly stopped: boolean;
    readonly config: UserConfig;
  },
): ChannelDetails {
  const s = channel.state;
  const spec = s.holderCommitment?.spec;
  const balanceMsat = spec?.toHolderMsat ?? 0n;
  const theirMsat = spec?.toCounterpartyMsat ?? 0n;
  const theirReserveMsat = satToMsat(s.holderParams.channelReserveSat);
  const pos = (v: bigint): bigint => (v > 0n ? v : 0n);
  const funding = s.funding;
  const confirmedAt = funding?.confirmationHeight;
  const ready = s.phase === ChannelPhase.ChannelReady;
  return {
    channelId: channel.channelId,
    counterpartyNodeId: args.counterpartyNodeId,
    fundingTxo:
      funding === undefined
        ? undefined
        : { txid: hashToDisplayHex(funding.txid), index: funding.outputIndex },
    shortChannelId: s.shortChannelId,
    outboundScidAlias: s.ourAlias,
    inboundScidAlias: s.theirAlias,
    channelValueSat: s.fundingValueSat,
    balanceMsat,
    outboundCapacityMsat: outboundCapacityMsatOf(s),
    inboundCapacityMsat: pos(theirMsat - theirReserveMsat),
    isOutbound: s.isOutbound,
    isChannelReady: ready || s.phase === ChannelPhase.ShutdownPending,
    isUsable: ready && args.connected && !args.stopped && !s.awaitingReestablish,
    confirmations:
      confirmedAt === undefined ? undefined : Math.max(0, args.bestHeight - confirmedAt + 1),
    confirmationsRequired: s.counterpartyParams === undefined ? undefined : s.minimumDepth,
    channelType: s.channelType,
    config: args.config,
    userChannelId: s.userChannelId,
  };
}

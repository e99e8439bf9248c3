/**
 * Channel establishment v1, first half (BOLT 2 "The open_channel Message", "The accept_channel
 * Message"): creating the state of a channel we open or accept, and the parameters we announce.
 * The funding half is `establish-funding.ts`.
 */
import type { FeeEstimator } from '../../chain/fee-estimator.js';
import { ConfirmationTarget } from '../../chain/fee-estimator.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import type { ChannelSigner } from '../../keys/channel-signer.js';
import type { KeysInterface } from '../../keys/keys-interface.js';
import { PerCommitmentSecretStore } from '../../keys/per-commitment-secret-store.js';
import { ChannelType, hasAnchors } from '../../tx/channel-type.js';
import { fundingScriptPubkey } from '../../tx/scripts/funding.js';
import { satToMsat } from '../../tx/fees.js';
import { toHex } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type { Features } from '../../wire/features.js';
import {
  CHANNEL_FLAG_ANNOUNCE_CHANNEL,
  type AcceptChannelMessage,
  type OpenChannelMessage,
} from '../../wire/messages/channel-establish.js';
import type { ChannelConfig } from './config.js';
import { LARGE_CHANNEL_SAT } from './config.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError } from './errors.js';
import {
  channelTypeBytes,
  checkAcceptChannel,
  checkOpenChannel,
  initialFunderCostMsat,
  parseProposedChannelType,
} from './open-checks.js';
import { ChannelPhase, emptyUpdateLog, type ChannelState, type SideParams } from './state.js';

/** The host services a channel uses. */
export interface ChannelServices {
  readonly keys: KeysInterface;
  readonly crypto: CryptoBackend;
  readonly config: ChannelConfig;
  readonly feeEstimator: FeeEstimator;
}

/** What the manager knows when opening a channel. */
export interface OutboundChannelParams {
  /** BOLT 0 chain hash (internal byte order) of the chain the channel lives on. */
  readonly chainHash: Uint8Array;
  readonly fundingValueSat: bigint;
  /** Given to the peer on opening (BOLT 2 `push_msat`). */
  readonly pushMsat: bigint;
  /** The host's u128 label. */
  readonly userChannelId: bigint;
  /** The peer's `init` features. */
  readonly theirFeatures: Features;
}

/** What the manager knows when a peer opens a channel to us. */
export interface InboundChannelParams {
  readonly chainHash: Uint8Array;
  readonly userChannelId: bigint;
  readonly theirFeatures: Features;
}

/** The reserve we ask of the peer: a proportion of the channel, at least the configured floor. */
function reserveSat(fundingValueSat: bigint, config: ChannelConfig, atLeast: bigint): bigint {
  let r = (fundingValueSat * BigInt(config.channelReserveProportionalMillionths)) / 1_000_000n;
  if (r < config.minChannelReserveSat) r = config.minChannelReserveSat;
  if (r < atLeast) r = atLeast;
  return r > fundingValueSat ? fundingValueSat : r;
}

function holderParams(
  signer: ChannelSigner,
  config: ChannelConfig,
  fundingValueSat: bigint,
  reserve: bigint,
): SideParams {
  return {
    dustLimitSat: config.ourDustLimitSat,
    maxHtlcValueInFlightMsat:
      (satToMsat(fundingValueSat) * BigInt(config.maxInboundHtlcValueInFlightPercent)) / 100n,
    channelReserveSat: reserve,
    htlcMinimumMsat: config.ourHtlcMinimumMsat,
    toSelfDelay: config.ourToSelfDelay,
    maxAcceptedHtlcs: config.ourMaxAcceptedHtlcs,
    pubkeys: signer.pubkeys,
    upfrontShutdownScript: config.upfrontShutdownScript?.slice() ?? new Uint8Array(0),
  };
}

function sideParamsFrom(m: OpenChannelMessage | AcceptChannelMessage): SideParams {
  return {
    dustLimitSat: m.dustLimitSatoshis,
    maxHtlcValueInFlightMsat: m.maxHtlcValueInFlightMsat,
    channelReserveSat: m.channelReserveSatoshis,
    htlcMinimumMsat: m.htlcMinimumMsat,
    toSelfDelay: m.toSelfDelay,
    maxAcceptedHtlcs: m.maxAcceptedHtlcs,
    pubkeys: {
      fundingPubkey: m.fundingPubkey,
      revocationBasepoint: m.revocationBasepoint,
      paymentBasepoint: m.paymentBasepoint,
      delayedPaymentBasepoint: m.delayedPaymentBasepoint,
      htlcBasepoint: m.htlcBasepoint,
    },
    upfrontShutdownScript: m.upfrontShutdownScript ?? new Uint8Array(0),
  };
}

function baseState(args: {
  isOutbound: boolean;
  chainHash: Uint8Array;
  temporaryChannelId: Uint8Array;
  userChannelId: bigint;
  channelKeysId: Uint8Array;
  channelType: ChannelType;
  channelTypeBytes: Uint8Array;
  announceChannel: boolean;
  fundingValueSat: bigint;
  pushMsat: bigint;
  feerateSatPerKw: number;
  holderParams: SideParams;
  minimumDepth: number;
  anySegwitShutdown: boolean;
  crypto: CryptoBackend;
}): ChannelState {
  return {
    phase: args.isOutbound ? ChannelPhase.OurInitSent : ChannelPhase.TheirInitSent,
    isOutbound: args.isOutbound,
    chainHash: args.chainHash.slice(),
    temporaryChannelId: args.temporaryChannelId,
    channelId: args.temporaryChannelId.slice(),
    userChannelId: args.userChannelId,
    channelKeysId: args.channelKeysId,
    channelType: args.channelType,
    channelTypeBytes: args.channelTypeBytes,
    announceChannel: args.announceChannel,
    fundingValueSat: args.fundingValueSat,
    pushMsat: args.pushMsat,
    initialFeerateSatPerKw: args.feerateSatPerKw,
    holderParams: args.holderParams,
    counterpartyParams: undefined,
    minimumDepth: args.minimumDepth,
    anySegwitShutdown: args.anySegwitShutdown,
    funding: undefined,
    counterpartyFirstPerCommitmentPoint: undefined,
    holderCommitment: undefined,
    counterpartyCommitment: undefined,
    pendingRevocation: undefined,
    counterpartyNextPerCommitmentPoint: undefined,
    updates: emptyUpdateLog(),
    nextOutgoingHtlcId: 0n,
    nextIncomingHtlcId: 0n,
    refusedIncomingHtlcs: [],
    counterpartySecrets: new PerCommitmentSecretStore(args.crypto),
    channelReadySent: false,
    channelReadyReceived: false,
    ourAlias: undefined,
    theirAlias: undefined,
    shortChannelId: undefined,
    bestBlockHeight: undefined,
    nextMonitorUpdateId: 0n,
    monitorUpdateInProgress: false,
    heldMessages: [],
    heldEvents: [],
    awaitingReestablish: false,
    holderShutdownScript: undefined,
    counterpartyShutdownScript: undefined,
    shutdownSent: false,
    shutdownReceived: false,
    closing: undefined,
    targetClosingFeerateSatPerKw: undefined,
    closeReason: undefined,
  };
}

/** Our `open_channel` for `state` (also rebuilt to check `accept_channel` against it). */
export function openChannelMessage(state: ChannelState, signer: ChannelSigner): OpenChannelMessage {
  const p = state.holderParams;
  return {
    type: 'open_channel',
    chainHash: state.chainHash,
    temporaryChannelId: state.temporaryChannelId,
    fundingSatoshis: state.fundingValueSat,
    pushMsat: state.pushMsat,
    dustLimitSatoshis: p.dustLimitSat,
    maxHtlcValueInFlightMsat: p.maxHtlcValueInFlightMsat,
    channelReserveSatoshis: p.channelReserveSat,
    htlcMinimumMsat: p.htlcMinimumMsat,
    feerateSatPerKw: state.initialFeerateSatPerKw,
    toSelfDelay: p.toSelfDelay,
    maxAcceptedHtlcs: p.maxAcceptedHtlcs,
    ...p.pubkeys,
    firstPerCommitmentPoint: signer.getPerCommitmentPoint(0),
    channelFlags: state.announceChannel ? CHANNEL_FLAG_ANNOUNCE_CHANNEL : 0,
    // BOLT 2: with open_channel_tlvs present, upfront_shutdown_script must be too (maybe empty).
    upfrontShutdownScript: p.upfrontShutdownScript,
    channelType: state.channelTypeBytes,
  };
}

/**
 * A channel we open. Our own arguments are checked like a peer's would be (push at most the
 * funding, 2^24 limit unless both support large channels, the first commitment's fee paid);
 * `APIMisuseError` when they fail.
 */
export function createOutbound(
  services: ChannelServices,
  params: OutboundChannelParams,
): { state: ChannelState; signer: ChannelSigner; message: OpenChannelMessage } {
  const { keys, config, feeEstimator, crypto } = services;
  const { fundingValueSat, pushMsat } = params;
  if (typeof fundingValueSat !== 'bigint' || fundingValueSat <= 0n) {
    throw new APIMisuseError(
      `fundingValueSat: expected a positive bigint, got ${String(fundingValueSat)}`,
    );
  }
  if (typeof pushMsat !== 'bigint' || pushMsat < 0n || pushMsat > satToMsat(fundingValueSat)) {
    throw new APIMisuseError(`pushMsat: expected a bigint in [0, ${satToMsat(fundingValueSat)}]`);
  }
  const large =
    config.supportLargeChannels && params.theirFeatures.supports('option_support_large_channel');
  if (fundingValueSat >= LARGE_CHANNEL_SAT && !large) {
    throw new APIMisuseError(
      `fundingValueSat: ${fundingValueSat} needs option_support_large_channel on both sides`,
    );
  }
  const channelType =
    config.proposeAnchors && params.theirFeatures.supports('option_anchors')
      ? ChannelType.AnchorsZeroFeeHtlcTx
      : ChannelType.StaticRemoteKey;
  const feerateSatPerKw = feeEstimator.getEstSatPer1000Weight(
    hasAnchors(channelType)
      ? ConfirmationTarget.AnchorChannelFee
      : ConfirmationTarget.NonAnchorChannelFee,
  );
  const cost = initialFunderCostMsat(channelType, feerateSatPerKw);
  if (satToMsat(fundingValueSat) - pushMsat < cost) {
    throw new APIMisuseError(
      `fundingValueSat: after push_msat the funder cannot pay the first commitment's ${cost} msat`,
    );
  }
  const channelKeysId = keys.generateChannelKeysId(false, fundingValueSat, params.userChannelId);
  const signer = keys.deriveChannelSigner(fundingValueSat, channelKeysId);
  const reserve = reserveSat(fundingValueSat, config, config.ourDustLimitSat);
  const state = baseState({
    isOutbound: true,
    chainHash: params.chainHash,
    temporaryChannelId: keys.getSecureRandomBytes(),
    userChannelId: params.userChannelId,
    channelKeysId,
    channelType,
    channelTypeBytes: channelTypeBytes(channelType),
    announceChannel: config.announceChannel,
    fundingValueSat,
    pushMsat,
    feerateSatPerKw,
    holderParams: holderParams(signer, config, fundingValueSat, reserve),
    minimumDepth: config.minimumDepth,
    anySegwitShutdown: params.theirFeatures.supports('option_shutdown_anysegwit'),
    crypto,
  });
  return { state, signer, message: openChannelMessage(state, signer) };
}

/**
 * A channel the peer opens: checks `open_channel` (every BOLT 2 receiver rule, `close`
 * `ChannelError` on failure) and answers with `accept_channel`.
 */
export function createInbound(
  services: ChannelServices,
  params: InboundChannelParams,
  open: OpenChannelMessage,
): { state: ChannelState; signer: ChannelSigner; message: AcceptChannelMessage } {
  const { keys, config, crypto, feeEstimator } = services;
  const channelId = open.temporaryChannelId;
  const negotiated = parseProposedChannelType(open.channelType, config, channelId);
  const anySegwit = params.theirFeatures.supports('option_shutdown_anysegwit');
  // BOLT 2: our reserve must be at least their dust limit, and ours at least our own.
  const minReserve =
    open.dustLimitSatoshis > config.ourDustLimitSat
      ? open.dustLimitSatoshis
      : config.ourDustLimitSat;
  const ourReserve = reserveSat(open.fundingSatoshis, config, minReserve);
  checkOpenChannel(open, {
    config,
    crypto,
    fundingValueSat: open.fundingSatoshis,
    channelId,
    anySegwit,
    chainHash: params.chainHash,
    feeEstimator,
    channelType: negotiated.channelType,
    ourReserveSat: ourReserve,
  });
  if (open.channelReserveSatoshis < config.ourDustLimitSat) {
    throw closeError(
      ChannelCheck.ReserveBelowOurDustLimit,
      `channel_reserve_satoshis: expected at least our dust_limit_satoshis ${config.ourDustLimitSat}, got ${open.channelReserveSatoshis}`,
      channelId,
    );
  }
  const channelKeysId = keys.generateChannelKeysId(
    true,
    open.fundingSatoshis,
    params.userChannelId,
  );
  const signer = keys.deriveChannelSigner(open.fundingSatoshis, channelKeysId);
  const zeroConf = negotiated.zeroConf || config.trustedPeerZeroConf;
  const state = baseState({
    isOutbound: false,
    chainHash: params.chainHash,
    temporaryChannelId: open.temporaryChannelId.slice(),
    userChannelId: params.userChannelId,
    channelKeysId,
    channelType: negotiated.channelType,
    channelTypeBytes: negotiated.bytes,
    announceChannel: (open.channelFlags & CHANNEL_FLAG_ANNOUNCE_CHANNEL) !== 0,
    fundingValueSat: open.fundingSatoshis,
    pushMsat: open.pushMsat,
    feerateSatPerKw: open.feerateSatPerKw,
    holderParams: holderParams(signer, config, open.fundingSatoshis, ourReserve),
    minimumDepth: zeroConf ? 0 : config.minimumDepth,
    anySegwitShutdown: anySegwit,
    crypto,
  });
  state.counterpartyParams = sideParamsFrom(open);
  state.counterpartyFirstPerCommitmentPoint = open.firstPerCommitmentPoint;
  const p = state.holderParams;
  const message: AcceptChannelMessage = {
    type: 'accept_channel',
    temporaryChannelId: state.temporaryChannelId,
    dustLimitSatoshis: p.dustLimitSat,
    maxHtlcValueInFlightMsat: p.maxHtlcValueInFlightMsat,
    channelReserveSatoshis: p.channelReserveSat,
    htlcMinimumMsat: p.htlcMinimumMsat,
    minimumDepth: state.minimumDepth,
    toSelfDelay: p.toSelfDelay,
    maxAcceptedHtlcs: p.maxAcceptedHtlcs,
    ...p.pubkeys,
    firstPerCommitmentPoint: signer.getPerCommitmentPoint(0),
    upfrontShutdownScript: p.upfrontShutdownScript,
    channelType: negotiated.bytes,
  };
  return { state, signer, message };
}

/**
 * The accepter's answer to our `open_channel`: checks it (`close` `ChannelError` on failure) and
 * asks the host for the funding transaction (`FundingGenerationReady`).
 */
export function handleAcceptChannel(ctx: ChannelContext, m: AcceptChannelMessage): void {
  const { state, config, crypto, signer } = ctx;
  if (state.phase !== ChannelPhase.OurInitSent) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `accept_channel: expected in phase ${ChannelPhase.OurInitSent}, got it in ${state.phase}`,
      state.channelId,
    );
  }
  const negotiated = checkAcceptChannel(m, openChannelMessage(state, signer), {
    config,
    crypto,
    fundingValueSat: state.fundingValueSat,
    channelId: state.channelId,
    anySegwit: state.anySegwitShutdown,
  });
  state.channelType = negotiated.channelType;
  state.counterpartyParams = sideParamsFrom(m);
  state.counterpartyFirstPerCommitmentPoint = m.firstPerCommitmentPoint;
  state.minimumDepth = m.minimumDepth;
  state.phase = ChannelPhase.FundingNegotiated;
  ctx.out.event({
    type: 'FundingGenerationReady',
    temporaryChannelId: toHex(state.temporaryChannelId),
    userChannelId: state.userChannelId,
    fundingValueSat: state.fundingValueSat,
    outputScript: fundingScriptPubkey(
      state.holderParams.pubkeys.fundingPubkey,
      m.fundingPubkey,
      crypto,
    ),
  });
}

/**
 * The receiver checks of `open_channel` and `accept_channel` (BOLT 2 "The open_channel
 * Message" and "The accept_channel Message", Requirements): every "MUST fail the channel" rule,
 * and the "MAY fail" rules our `ChannelConfig` sets bounds for. Each failure is a `close`
 * `ChannelError` whose `check` names the rule; before funding, failing the channel only means
 * sending `error` and forgetting it.
 */
import { ConfirmationTarget, type FeeEstimator } from '../../chain/fee-estimator.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { ChannelType, hasAnchors } from '../../tx/channel-type.js';
import { ANCHOR_OUTPUT_VALUE_SAT, commitmentFeeSat, satToMsat } from '../../tx/fees.js';
import { equalBytes, toHex } from '../../util/bytes.js';
import { Features } from '../../wire/features.js';
import type {
  AcceptChannelMessage,
  OpenChannelMessage,
} from '../../wire/messages/channel-establish.js';
import {
  LARGE_CHANNEL_SAT,
  MAX_ACCEPTED_HTLCS,
  MIN_DUST_LIMIT_SAT,
  type ChannelConfig,
} from './config.js';
import { ChannelCheck, closeError } from './errors.js';
import { isValidShutdownScript } from './shutdown-script.js';

/** The fields `open_channel` and `accept_channel` share. */
type CommonFields = Pick<
  OpenChannelMessage,
  | 'dustLimitSatoshis'
  | 'maxHtlcValueInFlightMsat'
  | 'channelReserveSatoshis'
  | 'htlcMinimumMsat'
  | 'toSelfDelay'
  | 'maxAcceptedHtlcs'
  | 'fundingPubkey'
  | 'revocationBasepoint'
  | 'paymentBasepoint'
  | 'delayedPaymentBasepoint'
  | 'htlcBasepoint'
  | 'firstPerCommitmentPoint'
  | 'upfrontShutdownScript'
>;

export interface CheckContext {
  readonly config: ChannelConfig;
  readonly crypto: CryptoBackend;
  readonly fundingValueSat: bigint;
  /** The temporary channel id, for the error. */
  readonly channelId: Uint8Array;
  /** `option_shutdown_anysegwit` was negotiated. */
  readonly anySegwit: boolean;
}

const POINT_FIELDS = [
  ['fundingPubkey', 'funding_pubkey'],
  ['revocationBasepoint', 'revocation_basepoint'],
  ['paymentBasepoint', 'payment_basepoint'],
  ['delayedPaymentBasepoint', 'delayed_payment_basepoint'],
  ['htlcBasepoint', 'htlc_basepoint'],
  ['firstPerCommitmentPoint', 'first_per_commitment_point'],
] as const;

/** Checks shared by both messages ("Other fields have the same requirements"). */
export function checkCommonFields(m: CommonFields, c: CheckContext): void {
  const fail = (check: ChannelCheck, message: string): never => {
    throw closeError(check, message, c.channelId);
  };
  if (m.toSelfDelay > c.config.maxTheirToSelfDelay) {
    fail(
      ChannelCheck.ToSelfDelayTooLarge,
      `to_self_delay: expected at most ${c.config.maxTheirToSelfDelay}, got ${m.toSelfDelay}`,
    );
  }
  if (m.maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS) {
    fail(
      ChannelCheck.MaxAcceptedHtlcsTooLarge,
      `max_accepted_htlcs: expected at most ${MAX_ACCEPTED_HTLCS}, got ${m.maxAcceptedHtlcs}`,
    );
  }
  if (m.maxAcceptedHtlcs < c.config.minTheirMaxAcceptedHtlcs) {
    fail(
      ChannelCheck.MaxAcceptedHtlcsTooSmall,
      `max_accepted_htlcs: expected at least ${c.config.minTheirMaxAcceptedHtlcs}, got ${m.maxAcceptedHtlcs}`,
    );
  }
  for (const [key, name] of POINT_FIELDS) {
    if (!c.crypto.isValidPublicKey(m[key])) {
      fail(
        ChannelCheck.InvalidPoint,
        `${name}: expected a valid secp256k1 point, got ${toHex(m[key])}`,
      );
    }
  }
  if (m.dustLimitSatoshis < MIN_DUST_LIMIT_SAT) {
    fail(
      ChannelCheck.DustLimitTooSmall,
      `dust_limit_satoshis: expected at least ${MIN_DUST_LIMIT_SAT}, got ${m.dustLimitSatoshis}`,
    );
  }
  if (m.dustLimitSatoshis > c.config.maxTheirDustLimitSat) {
    fail(
      ChannelCheck.DustLimitTooLarge,
      `dust_limit_satoshis: expected at most ${c.config.maxTheirDustLimitSat}, got ${m.dustLimitSatoshis}`,
    );
  }
  if (m.dustLimitSatoshis > m.channelReserveSatoshis) {
    fail(
      ChannelCheck.DustLimitAboveReserve,
      `dust_limit_satoshis: expected at most channel_reserve_satoshis (${m.channelReserveSatoshis}), got ${m.dustLimitSatoshis}`,
    );
  }
  const maxReserveSat = (c.fundingValueSat * BigInt(c.config.maxTheirChannelReservePercent)) / 100n;
  if (m.channelReserveSatoshis > maxReserveSat) {
    fail(
      ChannelCheck.ReserveTooLarge,
      `channel_reserve_satoshis: expected at most ${maxReserveSat} (${c.config.maxTheirChannelReservePercent}% of the channel), got ${m.channelReserveSatoshis}`,
    );
  }
  if (m.htlcMinimumMsat >= satToMsat(c.fundingValueSat)) {
    fail(
      ChannelCheck.HtlcMinimumTooLarge,
      `htlc_minimum_msat: expected below the channel value ${satToMsat(c.fundingValueSat)}, got ${m.htlcMinimumMsat}`,
    );
  }
  if (m.maxHtlcValueInFlightMsat < c.config.minTheirMaxHtlcValueInFlightMsat) {
    fail(
      ChannelCheck.MaxHtlcValueInFlightTooSmall,
      `max_htlc_value_in_flight_msat: expected at least ${c.config.minTheirMaxHtlcValueInFlightMsat}, got ${m.maxHtlcValueInFlightMsat}`,
    );
  }
  const script = m.upfrontShutdownScript;
  if (script !== undefined && script.length > 0 && !isValidShutdownScript(script, c.anySegwit)) {
    fail(
      ChannelCheck.UpfrontShutdownScriptInvalid,
      `upfront_shutdown_script: expected P2WPKH, P2WSH${c.anySegwit ? ' or a witness program' : ''}, got ${toHex(script)}`,
    );
  }
}

/** The channel types we accept, as the feature bits BOLT 2 "Defined Channel Types" lists. */
const STATIC_REMOTEKEY_BIT = 12;
const ANCHORS_BIT = 22;
const ZEROCONF_BIT = 50;

/** A parsed, acceptable `channel_type`. */
export interface NegotiatedChannelType {
  readonly channelType: ChannelType;
  readonly zeroConf: boolean;
  readonly bytes: Uint8Array;
}

/**
 * BOLT 2: a receiver fails the channel when `channel_type` is missing (we require
 * `option_channel_type`) or not one it supports exactly: `option_static_remotekey`, optionally
 * with `option_anchors`, optionally with `option_zeroconf` when we trust the peer for it.
 */
export function parseProposedChannelType(
  bytes: Uint8Array | undefined,
  config: ChannelConfig,
  channelId: Uint8Array,
): NegotiatedChannelType {
  if (bytes === undefined) {
    throw closeError(
      ChannelCheck.ChannelTypeMissing,
      'channel_type: required, got none',
      channelId,
    );
  }
  const bits = Features.fromBytes(bytes).bits();
  const zeroConf = bits.includes(ZEROCONF_BIT);
  const base = bits.filter((b) => b !== ZEROCONF_BIT).join(',');
  let channelType: ChannelType | undefined;
  if (base === `${STATIC_REMOTEKEY_BIT}`) channelType = ChannelType.StaticRemoteKey;
  else if (base === `${STATIC_REMOTEKEY_BIT},${ANCHORS_BIT}`) {
    channelType = ChannelType.AnchorsZeroFeeHtlcTx;
  }
  if (channelType === undefined || (zeroConf && !config.trustedPeerZeroConf)) {
    throw closeError(
      ChannelCheck.ChannelTypeUnsupported,
      `channel_type: expected bits [12] or [12, 22]${config.trustedPeerZeroConf ? ' (with 50)' : ''}, got [${bits.join(', ')}]`,
      channelId,
    );
  }
  return { channelType, zeroConf, bytes: Features.fromBits(bits).toBytes() };
}

/** The feerate bounds for the peer's `feerate_per_kw` (open_channel, update_fee). */
export function checkFeerate(
  feerateSatPerKw: number,
  channelType: ChannelType,
  feeEstimator: FeeEstimator,
  channelId: Uint8Array,
): void {
  const min = feeEstimator.getEstSatPer1000Weight(
    hasAnchors(channelType)
      ? ConfirmationTarget.MinAllowedAnchorChannelRemoteFee
      : ConfirmationTarget.MinAllowedNonAnchorChannelRemoteFee,
  );
  const max = feeEstimator.getEstSatPer1000Weight(ConfirmationTarget.MaximumFeeEstimate);
  if (feerateSatPerKw < min) {
    throw closeError(
      ChannelCheck.FeerateTooLow,
      `feerate_per_kw: expected at least ${min}, got ${feerateSatPerKw}`,
      channelId,
    );
  }
  if (feerateSatPerKw > max) {
    throw closeError(
      ChannelCheck.FeerateTooHigh,
      `feerate_per_kw: expected at most ${max}, got ${feerateSatPerKw}`,
      channelId,
    );
  }
}

/** The funder's cost of the first commitment: the base fee with no HTLC, plus anchors. */
export function initialFunderCostMsat(channelType: ChannelType, feerateSatPerKw: number): bigint {
  const fee = commitmentFeeSat(channelType, feerateSatPerKw, 0);
  return satToMsat(fee + (hasAnchors(channelType) ? 2n * ANCHOR_OUTPUT_VALUE_SAT : 0n));
}

/**
 * `open_channel` checks beyond the common ones. `ourReserveSat` is the reserve we will ask of
 * the funder.
 */
export function checkOpenChannel(
  m: OpenChannelMessage,
  c: CheckContext & {
    readonly chainHash: Uint8Array;
    readonly feeEstimator: FeeEstimator;
    readonly channelType: ChannelType;
    readonly ourReserveSat: bigint;
  },
): void {
  const fail = (check: ChannelCheck, message: string): never => {
    throw closeError(check, message, c.channelId);
  };
  if (!equalBytes(m.chainHash, c.chainHash)) {
    fail(
      ChannelCheck.ChainHash,
      `chain_hash: expected ${toHex(c.chainHash)}, got ${toHex(m.chainHash)}`,
    );
  }
  if (m.fundingSatoshis >= LARGE_CHANNEL_SAT && !c.config.supportLargeChannels) {
    fail(
      ChannelCheck.FundingTooLarge,
      `funding_satoshis: expected below 2^24 (no option_support_large_channel), got ${m.fundingSatoshis}`,
    );
  }
  if (m.fundingSatoshis < c.config.minFundingSat) {
    fail(
      ChannelCheck.FundingTooSmall,
      `funding_satoshis: expected at least ${c.config.minFundingSat}, got ${m.fundingSatoshis}`,
    );
  }
  if (m.pushMsat > satToMsat(m.fundingSatoshis)) {
    fail(
      ChannelCheck.PushAboveFunding,
      `push_msat: expected at most funding_satoshis * 1000 (${satToMsat(m.fundingSatoshis)}), got ${m.pushMsat}`,
    );
  }
  checkFeerate(m.feerateSatPerKw, c.channelType, c.feeEstimator, c.channelId);
  checkCommonFields(m, c);
  const cost = initialFunderCostMsat(c.channelType, m.feerateSatPerKw);
  const funderMsat = satToMsat(m.fundingSatoshis) - m.pushMsat;
  if (funderMsat < cost) {
    fail(
      ChannelCheck.FunderCannotPayFee,
      `funding_satoshis - push_msat: the funder has ${funderMsat} msat for a first commitment costing ${cost} msat`,
    );
  }
  // BOLT 2: fail when both sides' first balances are at or below the reserve they must keep.
  if (
    funderMsat - cost <= satToMsat(c.ourReserveSat) &&
    m.pushMsat <= satToMsat(m.channelReserveSatoshis)
  ) {
    fail(
      ChannelCheck.InitialBalancesBelowReserve,
      `first commitment: to_local ${funderMsat - cost} msat and to_remote ${m.pushMsat} msat are both at or below their reserves`,
    );
  }
}

/**
 * `accept_channel` checks beyond the common ones; `open` is what we sent.
 */
export function checkAcceptChannel(
  m: AcceptChannelMessage,
  open: OpenChannelMessage,
  c: CheckContext,
): NegotiatedChannelType {
  const fail = (check: ChannelCheck, message: string): never => {
    throw closeError(check, message, c.channelId);
  };
  if (!equalBytes(m.temporaryChannelId, open.temporaryChannelId)) {
    fail(
      ChannelCheck.TemporaryChannelIdMismatch,
      `temporary_channel_id: expected ${toHex(open.temporaryChannelId)}, got ${toHex(m.temporaryChannelId)}`,
    );
  }
  if (m.minimumDepth > c.config.maxMinimumDepth) {
    fail(
      ChannelCheck.MinimumDepthTooLarge,
      `minimum_depth: expected at most ${c.config.maxMinimumDepth}, got ${m.minimumDepth}`,
    );
  }
  if (m.channelReserveSatoshis < open.dustLimitSatoshis) {
    fail(
      ChannelCheck.ReserveBelowOurDustLimit,
      `channel_reserve_satoshis: expected at least our dust_limit_satoshis ${open.dustLimitSatoshis}, got ${m.channelReserveSatoshis}`,
    );
  }
  if (open.channelReserveSatoshis < m.dustLimitSatoshis) {
    fail(
      ChannelCheck.OurReserveBelowTheirDustLimit,
      `dust_limit_satoshis: expected at most our channel_reserve_satoshis ${open.channelReserveSatoshis}, got ${m.dustLimitSatoshis}`,
    );
  }
  checkCommonFields(m, c);
  if (m.channelType === undefined) {
    fail(ChannelCheck.ChannelTypeMissing, 'channel_type: required, got none');
  }
  const ours = Features.fromBytes(open.channelType ?? new Uint8Array(0));
  const theirs = Features.fromBytes(m.channelType ?? new Uint8Array(0));
  if (!ours.equals(theirs)) {
    fail(
      ChannelCheck.ChannelTypeMismatch,
      `channel_type: expected [${ours.bits().join(', ')}] as sent in open_channel, got [${theirs.bits().join(', ')}]`,
    );
  }
  const bits = ours.bits();
  return {
    channelType: bits.includes(ANCHORS_BIT)
      ? ChannelType.AnchorsZeroFeeHtlcTx
      : ChannelType.StaticRemoteKey,
    zeroConf: bits.includes(ZEROCONF_BIT),
    bytes: ours.toBytes(),
  };
}

/** The `channel_type` bytes we propose for `channelType`. */
export function channelTypeBytes(channelType: ChannelType): Uint8Array {
  return Features.fromBits(
    hasAnchors(channelType) ? [STATIC_REMOTEKEY_BIT, ANCHORS_BIT] : [STATIC_REMOTEKEY_BIT],
  ).toBytes();
}

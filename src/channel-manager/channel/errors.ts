/**
 * `ChannelError`: a BOLT 2 rule was broken, either by the peer (a receiver check failed) or by a
 * request of our own that the channel refuses. The error says what the manager must do with it
 * (LDK's `ChannelError::{Close, Warn, Ignore}`):
 *
 * - `close`: send `error` for the channel and fail it (BOLT 5 "Failing a Channel"): the manager
 *   calls `Channel.forceClose`, which broadcasts our latest commitment through the monitor.
 * - `warn`: send `warning` and keep the channel; nothing in the state changed.
 * - `ignore`: nothing is sent; nothing in the state changed (our own refused request).
 *
 * `check` names the BOLT requirement that failed, stable like `code`, so callers and tests can
 * branch on it; the message names the field, what was expected and what came.
 */
import { toHex } from '../../util/bytes.js';
import { BoltkitError, ErrorCode } from '../../util/errors.js';
import type { ErrorMessage, WarningMessage } from '../../wire/messages/setup.js';

/** What the manager does with a `ChannelError`. */
export const ChannelErrorAction = {
  Close: 'close',
  Warn: 'warn',
  Ignore: 'ignore',
} as const;
export type ChannelErrorAction = (typeof ChannelErrorAction)[keyof typeof ChannelErrorAction];

/** The BOLT 2 requirement a `ChannelError` reports, one name per check. */
export const ChannelCheck = {
  // Channel establishment (BOLT 2 "Channel Establishment v1").
  ChainHash: 'chain_hash',
  FundingTooSmall: 'funding_too_small',
  FundingTooLarge: 'funding_too_large',
  PushAboveFunding: 'push_above_funding',
  ToSelfDelayTooLarge: 'to_self_delay_too_large',
  MaxAcceptedHtlcsTooLarge: 'max_accepted_htlcs_too_large',
  MaxAcceptedHtlcsTooSmall: 'max_accepted_htlcs_too_small',
  FeerateTooLow: 'feerate_too_low',
  FeerateTooHigh: 'feerate_too_high',
  InvalidPoint: 'invalid_point',
  DustLimitAboveReserve: 'dust_limit_above_reserve',
  DustLimitTooSmall: 'dust_limit_too_small',
  DustLimitTooLarge: 'dust_limit_too_large',
  ReserveBelowOurDustLimit: 'reserve_below_our_dust_limit',
  OurReserveBelowTheirDustLimit: 'our_reserve_below_their_dust_limit',
  ReserveTooLarge: 'reserve_too_large',
  HtlcMinimumTooLarge: 'htlc_minimum_too_large',
  MaxHtlcValueInFlightTooSmall: 'max_htlc_value_in_flight_too_small',
  MinimumDepthTooLarge: 'minimum_depth_too_large',
  FunderCannotPayFee: 'funder_cannot_pay_fee',
  InitialBalancesBelowReserve: 'initial_balances_below_reserve',
  ChannelTypeMissing: 'channel_type_missing',
  ChannelTypeUnsupported: 'channel_type_unsupported',
  ChannelTypeMismatch: 'channel_type_mismatch',
  UpfrontShutdownScriptInvalid: 'upfront_shutdown_script_invalid',
  TemporaryChannelIdMismatch: 'temporary_channel_id_mismatch',
  ChannelIdMismatch: 'channel_id_mismatch',
  FundingOutputMismatch: 'funding_output_mismatch',
  FundingTxMalleable: 'funding_tx_malleable',
  BadFundingSignature: 'bad_funding_signature',
  UnexpectedMessage: 'unexpected_message',
  // Adding and removing HTLCs (BOLT 2 "Normal Operation").
  HtlcAmountZero: 'htlc_amount_zero',
  HtlcBelowMinimum: 'htlc_below_minimum',
  CltvExpiryTooLarge: 'cltv_expiry_too_large',
  HtlcIdNotNext: 'htlc_id_not_next',
  TooManyHtlcs: 'too_many_htlcs',
  MaxHtlcValueInFlightExceeded: 'max_htlc_value_in_flight_exceeded',
  SenderCannotAfford: 'sender_cannot_afford',
  FeeSpikeBuffer: 'fee_spike_buffer',
  DustExposure: 'dust_exposure',
  UnknownHtlcId: 'unknown_htlc_id',
  HtlcAlreadyRemoved: 'htlc_already_removed',
  PreimageMismatch: 'preimage_mismatch',
  BadOnionBitMissing: 'badonion_bit_missing',
  AddAfterShutdown: 'add_after_shutdown',
  // Committing and revoking.
  CommitmentWithoutChanges: 'commitment_without_changes',
  AwaitingRevocation: 'awaiting_revocation',
  BadCommitmentSignature: 'bad_commitment_signature',
  HtlcSignatureCountMismatch: 'htlc_signature_count_mismatch',
  BadHtlcSignature: 'bad_htlc_signature',
  UnexpectedRevokeAndAck: 'unexpected_revoke_and_ack',
  BadRevocationSecret: 'bad_revocation_secret',
  InconsistentRevocationSecret: 'inconsistent_revocation_secret',
  // Fees.
  UpdateFeeFromNonFunder: 'update_fee_from_non_funder',
  FunderCannotAffordFee: 'funder_cannot_afford_fee',
  // Reestablish.
  ReestablishMismatch: 'reestablish_mismatch',
  DataLossProven: 'data_loss_proven',
  BadLastPerCommitmentSecret: 'bad_last_per_commitment_secret',
  AwaitingUnilateralClose: 'awaiting_unilateral_close',
  // Shutdown and closing.
  ShutdownScriptInvalid: 'shutdown_script_invalid',
  ShutdownScriptNotUpfront: 'shutdown_script_not_upfront',
  ShutdownWithPendingUpdates: 'shutdown_with_pending_updates',
  UpdateAfterClosing: 'update_after_closing',
  BadClosingSignature: 'bad_closing_signature',
  ClosingFeeRangeDisjoint: 'closing_fee_range_disjoint',
  ClosingFeeOutOfRange: 'closing_fee_out_of_range',
  ClosingFeeNotBetween: 'closing_fee_not_between',
  // Our own refused requests (action `ignore`).
  ChannelNotReady: 'channel_not_ready',
  NotFunder: 'not_funder',
  PeerDisconnected: 'peer_disconnected',
} as const;
export type ChannelCheck = (typeof ChannelCheck)[keyof typeof ChannelCheck];

/** A broken BOLT 2 rule and what to do about it; see the module comment. */
export class ChannelError extends BoltkitError {
  readonly action: ChannelErrorAction;
  readonly check: ChannelCheck;
  /** Lowercase hex (temporary) channel id, when known. */
  readonly channelId: string | undefined;

  constructor(
    action: ChannelErrorAction,
    check: ChannelCheck,
    message: string,
    options?: { readonly channelId?: Uint8Array | undefined; readonly cause?: unknown },
  ) {
    super(ErrorCode.ChannelError, message, { cause: options?.cause });
    this.action = action;
    this.check = check;
    this.channelId = options?.channelId === undefined ? undefined : toHex(options.channelId);
  }
}

/** A peer broke a rule that fails the channel. */
export function closeError(
  check: ChannelCheck,
  message: string,
  channelId?: Uint8Array,
): ChannelError {
  return new ChannelError(ChannelErrorAction.Close, check, message, { channelId });
}

/** A peer broke a rule that only warrants a `warning`. */
export function warnError(
  check: ChannelCheck,
  message: string,
  channelId?: Uint8Array,
): ChannelError {
  return new ChannelError(ChannelErrorAction.Warn, check, message, { channelId });
}

/** We refuse a request of our own; nothing changed and nothing is sent. */
export function ignoreError(
  check: ChannelCheck,
  message: string,
  channelId?: Uint8Array,
): ChannelError {
  return new ChannelError(ChannelErrorAction.Ignore, check, message, { channelId });
}

/** The bytes of `text`: our texts are ASCII; anything else becomes `?`. */
function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? code : 0x3f;
  });
}

/** The `error` message for a failed channel (BOLT 1 "The error and warning messages"). */
export function errorMessageFor(channelId: Uint8Array, text: string): ErrorMessage {
  return { type: 'error', channelId: channelId.slice(), data: asciiBytes(text) };
}

/** The `warning` message for a rule broken without failing the channel. */
export function warningMessageFor(channelId: Uint8Array, text: string): WarningMessage {
  return { type: 'warning', channelId: channelId.slice(), data: asciiBytes(text) };
}

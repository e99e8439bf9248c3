/**
 * Adding an HTLC (BOLT 2 "Adding an HTLC: update_add_htlc"), with every sender rule (a refused
 * request is an `ignore` `ChannelError`, nothing changes) and every receiver rule (a `close`
 * `ChannelError`). The update only enters the update log here; `commitment.ts` commits it.
 *
 * Two receiver rules are policy, not protocol: an HTLC that would push our dust exposure over
 * `maxDustHtlcExposureMsat` (BOLT 2 "Bounding exposure to trimmed in-flight HTLCs"), or leave
 * the funder without its fee spike buffer, is accepted but marked to be failed back once
 * committed ("SHOULD fail this HTLC once it's committed").
 */
import { satToMsat } from '../../tx/fees.js';
import { APIMisuseError } from '../../util/errors.js';
import { ONION_PACKET_LENGTH, type UpdateAddHtlcMessage } from '../../wire/messages/commitment.js';
import { MAX_CLTV_EXPIRY } from './config.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError, ignoreError } from './errors.js';
import {
  dustExposureMsat,
  feeSpikeBufferCostMsat,
  funderCostMsat,
  isTrimmedOn,
  type CommitmentView,
} from './htlc-limits.js';
import { nextCounterpartySpec, nextHolderSpec } from './spec.js';
import {
  ChannelPhase,
  fundedView,
  type ChannelState,
  type CommitmentSpec,
  type HtlcRefusal,
  type SpecHtlc,
} from './state.js';

/** What the manager asks to offer. */
export interface SendHtlcRequest {
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  /** Absolute block height, below 500000000. */
  readonly cltvExpiry: number;
  /** The 1366-byte onion for the peer (opaque here). */
  readonly onionRoutingPacket: Uint8Array;
  /** Route blinding `path_key`, when relaying inside a blinded route. */
  readonly pathKey?: Uint8Array;
}

function views(state: ChannelState): { holder: CommitmentView; counterparty: CommitmentView } {
  const { counterpartyParams } = fundedView(state);
  return {
    holder: {
      owner: 'holder',
      dustLimitSat: state.holderParams.dustLimitSat,
      channelType: state.channelType,
    },
    counterparty: {
      owner: 'counterparty',
      dustLimitSat: counterpartyParams.dustLimitSat,
      channelType: state.channelType,
    },
  };
}

/** The funder's cost on whichever of both commitments costs more. */
function worstFunderCost(state: ChannelState, spec: CommitmentSpec, buffer: boolean): bigint {
  const v = views(state);
  const cost = buffer ? feeSpikeBufferCostMsat : funderCostMsat;
  const a = cost(v.holder, spec);
  const b = cost(v.counterparty, spec);
  return a > b ? a : b;
}

function sumOf(htlcs: readonly SpecHtlc[]): bigint {
  let total = 0n;
  for (const h of htlcs) total += h.amountMsat;
  return total;
}

/** Adds are possible in normal operation only: not before `channel_ready`, not after `shutdown`. */
function canAdd(state: ChannelState): boolean {
  return (
    state.phase === ChannelPhase.ChannelReady && !state.shutdownSent && !state.shutdownReceived
  );
}

/**
 * Offers an HTLC: checks every BOLT 2 sender rule against the peer's next commitment and ours
 * (amount, `htlc_minimum_msat`, cltv, `max_accepted_htlcs`, `max_htlc_value_in_flight_msat`,
 * the reserve after fees, the funder's fee spike buffer, dust exposure), logs `update_add_htlc`
 * and sends it. Returns the HTLC id. Refusals are `ignore` `ChannelError`s; malformed arguments
 * `APIMisuseError`.
 */
export function sendHtlc(ctx: ChannelContext, req: SendHtlcRequest): bigint {
  const { state, config } = ctx;
  const id = state.channelId;
  if (!(req.paymentHash instanceof Uint8Array) || req.paymentHash.length !== 32) {
    throw new APIMisuseError('paymentHash: expected 32 bytes');
  }
  if (
    !(req.onionRoutingPacket instanceof Uint8Array) ||
    req.onionRoutingPacket.length !== ONION_PACKET_LENGTH
  ) {
    throw new APIMisuseError(`onionRoutingPacket: expected ${ONION_PACKET_LENGTH} bytes`);
  }
  if (
    typeof req.amountMsat !== 'bigint' ||
    !Number.isInteger(req.cltvExpiry) ||
    req.cltvExpiry < 0
  ) {
    throw new APIMisuseError(
      'amountMsat, cltvExpiry: expected a bigint and a non-negative integer',
    );
  }
  if (!canAdd(state)) {
    throw ignoreError(
      ChannelCheck.ChannelNotReady,
      `sendHtlc: cannot add HTLCs in phase ${state.phase}${state.shutdownSent || state.shutdownReceived ? ' after shutdown' : ''}`,
      id,
    );
  }
  if (state.awaitingReestablish) {
    throw ignoreError(ChannelCheck.PeerDisconnected, 'sendHtlc: the peer is not connected', id);
  }
  const { counterpartyParams: their } = fundedView(state);
  if (req.amountMsat <= 0n) {
    throw ignoreError(
      ChannelCheck.HtlcAmountZero,
      `amount_msat: expected above 0, got ${req.amountMsat}`,
      id,
    );
  }
  if (req.amountMsat < their.htlcMinimumMsat) {
    throw ignoreError(
      ChannelCheck.HtlcBelowMinimum,
      `amount_msat: expected at least the peer's htlc_minimum_msat ${their.htlcMinimumMsat}, got ${req.amountMsat}`,
      id,
    );
  }
  if (req.cltvExpiry >= MAX_CLTV_EXPIRY) {
    throw ignoreError(
      ChannelCheck.CltvExpiryTooLarge,
      `cltv_expiry: expected below ${MAX_CLTV_EXPIRY}, got ${req.cltvExpiry}`,
      id,
    );
  }
  const add: UpdateAddHtlcMessage = {
    type: 'update_add_htlc',
    channelId: state.channelId,
    id: state.nextOutgoingHtlcId,
    amountMsat: req.amountMsat,
    paymentHash: req.paymentHash.slice(),
    cltvExpiry: req.cltvExpiry,
    onionRoutingPacket: req.onionRoutingPacket.slice(),
    ...(req.pathKey === undefined ? {} : { pathKey: req.pathKey.slice() }),
  };
  const next = nextCounterpartySpec(state, [add]);
  const offered = next.htlcs.filter((h) => h.direction === 'offered');
  if (offered.length > their.maxAcceptedHtlcs) {
    throw ignoreError(
      ChannelCheck.TooManyHtlcs,
      `max_accepted_htlcs: the peer accepts ${their.maxAcceptedHtlcs} HTLCs, this would be ${offered.length}`,
      id,
    );
  }
  if (sumOf(offered) > their.maxHtlcValueInFlightMsat) {
    throw ignoreError(
      ChannelCheck.MaxHtlcValueInFlightExceeded,
      `max_htlc_value_in_flight_msat: the peer accepts ${their.maxHtlcValueInFlightMsat}, this would be ${sumOf(offered)}`,
      id,
    );
  }
  const reserveMsat = satToMsat(their.channelReserveSat);
  const ourCost = state.isOutbound ? worstFunderCost(state, next, false) : 0n;
  if (next.toHolderMsat - ourCost < reserveMsat) {
    throw ignoreError(
      ChannelCheck.SenderCannotAfford,
      `amount_msat: ${req.amountMsat} would leave ${next.toHolderMsat - ourCost} msat after fees, below the ${reserveMsat} msat reserve`,
      id,
    );
  }
  if (state.isOutbound && next.toHolderMsat - worstFunderCost(state, next, true) < reserveMsat) {
    throw ignoreError(
      ChannelCheck.FeeSpikeBuffer,
      `amount_msat: ${req.amountMsat} would leave no fee spike buffer (twice the feerate, one more HTLC)`,
      id,
    );
  }
  if (!state.isOutbound && next.toCounterpartyMsat < worstFunderCost(state, next, false)) {
    throw ignoreError(
      ChannelCheck.SenderCannotAfford,
      'amount_msat: the funder could not pay the fee of the commitment with this HTLC',
      id,
    );
  }
  const refusal = dustRefusal(ctx, next, { direction: 'offered', ...add });
  if (refusal !== undefined) {
    throw ignoreError(
      ChannelCheck.DustExposure,
      `amount_msat: this dust HTLC would raise dust exposure above ${config.maxDustHtlcExposureMsat} msat`,
      id,
    );
  }
  state.updates.ourProposed.push(add);
  state.nextOutgoingHtlcId += 1n;
  ctx.out.send(add);
  return add.id;
}

/** `dust_exposure` when `htlc` is dust on a commitment whose dust total then exceeds the limit. */
function dustRefusal(
  ctx: ChannelContext,
  spec: CommitmentSpec,
  htlc: SpecHtlc,
): HtlcRefusal | undefined {
  const v = views(ctx.state);
  for (const view of [v.holder, v.counterparty]) {
    if (
      isTrimmedOn(view, htlc, spec.feerateSatPerKw) &&
      dustExposureMsat(view, spec) > ctx.config.maxDustHtlcExposureMsat
    ) {
      return 'dust_exposure';
    }
  }
  return undefined;
}

/**
 * The peer offers an HTLC: every BOLT 2 receiver rule, checked on our next commitment with it
 * (`close` `ChannelError` on failure), then logged.
 */
export function handleUpdateAddHtlc(ctx: ChannelContext, m: UpdateAddHtlcMessage): void {
  const { state } = ctx;
  const id = state.channelId;
  const fail = (check: ChannelCheck, message: string): never => {
    throw closeError(check, message, id);
  };
  if (state.shutdownReceived)
    fail(
      ChannelCheck.AddAfterShutdown,
      'update_add_htlc: the peer sent shutdown, it must not add HTLCs',
    );
  // After our own shutdown the peer may still add until it answers; such an HTLC is failed back.
  const weAreShuttingDown = state.phase === ChannelPhase.ShutdownPending && state.shutdownSent;
  if (!canAdd(state) && !weAreShuttingDown)
    fail(ChannelCheck.UnexpectedMessage, `update_add_htlc: not accepted in phase ${state.phase}`);
  const ours = state.holderParams;
  if (m.amountMsat === 0n)
    fail(ChannelCheck.HtlcAmountZero, 'amount_msat: expected above 0, got 0');
  if (m.amountMsat < ours.htlcMinimumMsat) {
    fail(
      ChannelCheck.HtlcBelowMinimum,
      `amount_msat: expected at least our htlc_minimum_msat ${ours.htlcMinimumMsat}, got ${m.amountMsat}`,
    );
  }
  if (m.cltvExpiry >= MAX_CLTV_EXPIRY) {
    fail(
      ChannelCheck.CltvExpiryTooLarge,
      `cltv_expiry: expected below ${MAX_CLTV_EXPIRY}, got ${m.cltvExpiry}`,
    );
  }
  if (m.id !== state.nextIncomingHtlcId) {
    fail(ChannelCheck.HtlcIdNotNext, `id: expected ${state.nextIncomingHtlcId}, got ${m.id}`);
  }
  const next = nextHolderSpec(state, [m]);
  const received = next.htlcs.filter((h) => h.direction === 'received');
  if (received.length > ours.maxAcceptedHtlcs) {
    fail(
      ChannelCheck.TooManyHtlcs,
      `max_accepted_htlcs: we accept ${ours.maxAcceptedHtlcs}, the peer offers ${received.length}`,
    );
  }
  if (sumOf(received) > ours.maxHtlcValueInFlightMsat) {
    fail(
      ChannelCheck.MaxHtlcValueInFlightExceeded,
      `max_htlc_value_in_flight_msat: we accept ${ours.maxHtlcValueInFlightMsat}, the peer offers ${sumOf(received)}`,
    );
  }
  const reserveMsat = satToMsat(ours.channelReserveSat);
  const funderCost = state.isOutbound ? 0n : worstFunderCost(state, next, false);
  const left = next.toCounterpartyMsat - funderCost;
  if (left < reserveMsat) {
    fail(
      ChannelCheck.SenderCannotAfford,
      `amount_msat: ${m.amountMsat} leaves the peer ${left} msat after fees, below its ${reserveMsat} msat reserve`,
    );
  }
  let refusal: HtlcRefusal | undefined = weAreShuttingDown
    ? 'shutting_down'
    : dustRefusal(ctx, next, { direction: 'received', ...m });
  if (
    refusal === undefined &&
    !state.isOutbound &&
    next.toCounterpartyMsat - worstFunderCost(state, next, true) < reserveMsat
  ) {
    refusal = 'fee_spike_buffer';
  }
  state.updates.theirProposed.push(m);
  state.nextIncomingHtlcId += 1n;
  if (refusal !== undefined) state.refusedIncomingHtlcs.push({ id: m.id, refusal });
}

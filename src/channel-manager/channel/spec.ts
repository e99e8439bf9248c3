/**
 * Commitment specs and the update log: applying updates to a spec, and the specs of the next
 * commitment of each side (BOLT 2 "Normal Operation": an update applies to the receiver's
 * commitment first, then, once acknowledged, to the sender's). See `state.ts` for the lists.
 */
import { APIMisuseError } from '../../util/errors.js';
import type {
  CommitmentSpec,
  HtlcDirection,
  SpecHtlc,
  UpdateLog,
  UpdateMessage,
  ChannelState,
} from './state.js';
import { fundedView } from './state.js';

/** The HTLC offered (by us: `offered`, by the peer: `received`) with `id`, if in `spec`. */
export function findHtlc(
  spec: CommitmentSpec,
  direction: HtlcDirection,
  id: bigint,
): SpecHtlc | undefined {
  return spec.htlcs.find((h) => h.direction === direction && h.id === id);
}

/**
 * `spec` with `ours` (updates we sent) and `theirs` (updates the peer sent) applied: additions
 * first, then removals, then the fee, as every implementation orders them. Balances may come out
 * negative; callers check affordability on the result. Throws `APIMisuseError` when a removal
 * names an HTLC that is not there (receivers check ids before logging an update, so this is a
 * bug, never a peer's doing).
 */
export function applyUpdates(
  spec: CommitmentSpec,
  ours: readonly UpdateMessage[],
  theirs: readonly UpdateMessage[],
): CommitmentSpec {
  const htlcs = [...spec.htlcs];
  let toHolderMsat = spec.toHolderMsat;
  let toCounterpartyMsat = spec.toCounterpartyMsat;
  let feerateSatPerKw = spec.feerateSatPerKw;
  const add = (u: UpdateMessage, direction: HtlcDirection): void => {
    if (u.type !== 'update_add_htlc') return;
    htlcs.push({
      direction,
      id: u.id,
      amountMsat: u.amountMsat,
      paymentHash: u.paymentHash,
      cltvExpiry: u.cltvExpiry,
    });
    if (direction === 'offered') toHolderMsat -= u.amountMsat;
    else toCounterpartyMsat -= u.amountMsat;
  };
  // A removal sent by one side settles an HTLC the *other* side offered.
  const remove = (u: UpdateMessage, sentByUs: boolean): void => {
    if (u.type === 'update_add_htlc' || u.type === 'update_fee') return;
    const direction: HtlcDirection = sentByUs ? 'received' : 'offered';
    const index = htlcs.findIndex((h) => h.direction === direction && h.id === u.id);
    const htlc = htlcs[index];
    if (htlc === undefined) {
      throw new APIMisuseError(`update log: ${u.type} for unknown ${direction} HTLC ${u.id}`);
    }
    htlcs.splice(index, 1);
    const fulfilled = u.type === 'update_fulfill_htlc';
    // Fulfilled: the remover gets the amount; failed: it returns to the offerer.
    if (fulfilled === sentByUs) toHolderMsat += htlc.amountMsat;
    else toCounterpartyMsat += htlc.amountMsat;
  };
  for (const u of ours) add(u, 'offered');
  for (const u of theirs) add(u, 'received');
  for (const u of ours) remove(u, true);
  for (const u of theirs) remove(u, false);
  for (const u of [...ours, ...theirs])
    if (u.type === 'update_fee') feerateSatPerKw = u.feerateSatPerKw;
  return { htlcs, toHolderMsat, toCounterpartyMsat, feerateSatPerKw };
}

/**
 * The spec of our next commitment: our current one, plus our updates the peer acknowledged and
 * the peer's updates not yet signed; `extraTheirs` is an update being checked before it is
 * logged.
 */
export function nextHolderSpec(
  state: ChannelState,
  extraTheirs: readonly UpdateMessage[] = [],
): CommitmentSpec {
  const { holder } = fundedView(state);
  const log = state.updates;
  return applyUpdates(holder.spec, log.ourAcked, [...log.theirProposed, ...extraTheirs]);
}

/**
 * The spec of the peer's next commitment: the last one we signed (even if not yet revoked),
 * plus our unsigned updates and the peer's updates we acknowledged; `extraOurs` is an update
 * being checked before it is sent.
 */
export function nextCounterpartySpec(
  state: ChannelState,
  extraOurs: readonly UpdateMessage[] = [],
): CommitmentSpec {
  const { counterparty } = fundedView(state);
  const base = state.pendingRevocation?.commitment.spec ?? counterparty.spec;
  const log = state.updates;
  return applyUpdates(base, [...log.ourProposed, ...extraOurs], log.theirAcked);
}

/** The latest counterparty commitment we signed, revoked or not. */
export function latestCounterpartySpec(state: ChannelState): CommitmentSpec {
  return state.pendingRevocation?.commitment.spec ?? fundedView(state).counterparty.spec;
}

/** True when `updates` holds a fulfil or fail of HTLC `id` (the other side's offer). */
export function isRemovalLogged(updates: readonly UpdateMessage[], id: bigint): boolean {
  return updates.some(
    (u) => u.type !== 'update_add_htlc' && u.type !== 'update_fee' && u.id === id,
  );
}

/** True when our side has updates the peer's commitment does not have yet. */
export function weHaveChangesToSign(log: UpdateLog): boolean {
  return log.ourProposed.length > 0 || log.theirAcked.length > 0;
}

/** True when the peer's `commitment_signed` would cover something (BOLT 2: it must). */
export function peerHasChangesToSign(log: UpdateLog): boolean {
  return log.theirProposed.length > 0 || log.ourAcked.length > 0;
}

/** True when no update is pending anywhere (closing needs a quiet channel). */
export function logIsEmpty(log: UpdateLog): boolean {
  return (
    log.ourProposed.length === 0 &&
    log.ourSigned.length === 0 &&
    log.ourAcked.length === 0 &&
    log.theirProposed.length === 0 &&
    log.theirAcked.length === 0 &&
    log.theirSigned.length === 0
  );
}

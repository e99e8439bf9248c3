/**
 * Committing and revoking (BOLT 2 "Committing Updates So Far: commitment_signed" and
 * "Completing the Transition to the Updated State: revoke_and_ack"). Any number of updates go
 * into one `commitment_signed`; the receiver checks every signature against the commitment it
 * builds itself, revokes its previous commitment and answers `revoke_and_ack`, whose secret the
 * first side checks and stores. See `state.ts` for how updates move through the log.
 *
 * Monitor updates: signing the peer's commitment records it (`LatestCounterpartyCommitment`)
 * before the `commitment_signed` leaves; accepting ours records it (`LatestHolderCommitment`)
 * before our `revoke_and_ack` leaves; a revocation stores the secret (`CommitmentSecret`) before
 * the HTLCs it settles reach the manager.
 */
import { commitmentNumberToIndex } from '../../keys/per-commitment-secret.js';
import { equalBytes, toHex } from '../../util/bytes.js';
import { CryptoError } from '../../util/errors.js';
import type {
  CommitmentSignedMessage,
  RevokeAndAckMessage,
} from '../../wire/messages/commitment.js';
import {
  buildCounterpartyCommitment,
  buildHolderCommitment,
  signCounterpartyCommitment,
  verifyHolderCommitmentSignatures,
} from './commitment-tx.js';
import type { ChannelContext } from './context.js';
import { ChannelCheck, closeError } from './errors.js';
import { counterpartyCommitmentStep, holderCommitmentStep } from './monitor-steps.js';
import {
  findHtlc,
  nextCounterpartySpec,
  nextHolderSpec,
  peerHasChangesToSign,
  weHaveChangesToSign,
} from './spec.js';
import { ChannelPhase, fundedView, type CounterpartyCommitment } from './state.js';

/** Phases in which commitments are exchanged. */
function committing(phase: ChannelPhase): boolean {
  return phase === ChannelPhase.ChannelReady || phase === ChannelPhase.ShutdownPending;
}

/** Our signatures of `commitment` as a `commitment_signed` (also for retransmission). */
export function commitmentSignedFor(
  ctx: ChannelContext,
  commitment: CounterpartyCommitment,
): CommitmentSignedMessage {
  const built = buildCounterpartyCommitment(
    ctx,
    commitment.spec,
    commitment.commitmentNumber,
    commitment.perCommitmentPoint,
  );
  const sigs = signCounterpartyCommitment(ctx, built, commitment.perCommitmentPoint);
  return {
    type: 'commitment_signed',
    channelId: ctx.state.channelId,
    signature: sigs.signature,
    htlcSignatures: sigs.htlcSignatures,
  };
}

/**
 * Signs the peer's next commitment with every update not yet in it, when there is one and no
 * revocation is outstanding (one `commitment_signed` at a time, BOLT 2). Returns whether a
 * `commitment_signed` was produced.
 */
export function sendCommitment(ctx: ChannelContext): boolean {
  const { state } = ctx;
  if (!committing(state.phase) || state.awaitingReestablish) return false;
  if (state.pendingRevocation !== undefined || !weHaveChangesToSign(state.updates)) return false;
  const { counterparty, holder } = fundedView(state);
  const point = state.counterpartyNextPerCommitmentPoint;
  if (point === undefined) return false;
  const spec = nextCounterpartySpec(state);
  const commitmentNumber = counterparty.commitmentNumber + 1;
  const built = buildCounterpartyCommitment(ctx, spec, commitmentNumber, point);
  const sigs = signCounterpartyCommitment(ctx, built, point);
  const next: CounterpartyCommitment = {
    commitmentNumber,
    perCommitmentPoint: point,
    spec,
    txid: built.commitment.txid,
  };
  ctx.out.monitorUpdate([counterpartyCommitmentStep(next, built)]);
  state.pendingRevocation = {
    commitment: next,
    sentAfterHolderCommitmentNumber: holder.commitmentNumber,
  };
  const log = state.updates;
  log.ourSigned = log.ourProposed;
  log.ourProposed = [];
  log.theirSigned = log.theirAcked;
  log.theirAcked = [];
  ctx.out.send({
    type: 'commitment_signed',
    channelId: state.channelId,
    signature: sigs.signature,
    htlcSignatures: sigs.htlcSignatures,
  });
  return true;
}

/** Our `revoke_and_ack` for our current commitment (also for retransmission). */
export function revokeAndAckFor(ctx: ChannelContext): RevokeAndAckMessage {
  const { holder } = fundedView(ctx.state);
  return {
    type: 'revoke_and_ack',
    channelId: ctx.state.channelId,
    perCommitmentSecret: ctx.signer.releaseCommitmentSecret(holder.commitmentNumber - 1),
    nextPerCommitmentPoint: ctx.signer.getPerCommitmentPoint(holder.commitmentNumber + 1),
  };
}

/**
 * The peer signs our next commitment: it must cover at least one update (BOLT 2), its
 * signature and one valid signature per untrimmed HTLC must check against the commitment we
 * build. Then we revoke our previous commitment and, if we have updates for the peer, sign its
 * next one.
 */
export function handleCommitmentSigned(ctx: ChannelContext, m: CommitmentSignedMessage): void {
  const { state } = ctx;
  if (!committing(state.phase)) {
    throw closeError(
      ChannelCheck.UnexpectedMessage,
      `commitment_signed: not accepted in phase ${state.phase}`,
      state.channelId,
    );
  }
  if (!peerHasChangesToSign(state.updates)) {
    throw closeError(
      ChannelCheck.CommitmentWithoutChanges,
      'commitment_signed: expected at least one update since the last one, got none',
      state.channelId,
    );
  }
  const { holder } = fundedView(state);
  const spec = nextHolderSpec(state);
  const commitmentNumber = holder.commitmentNumber + 1;
  const built = buildHolderCommitment(ctx, spec, commitmentNumber);
  verifyHolderCommitmentSignatures(
    ctx,
    built,
    m.signature,
    m.htlcSignatures,
    ChannelCheck.BadCommitmentSignature,
  );
  state.holderCommitment = {
    commitmentNumber,
    spec,
    txid: built.commitment.txid,
    counterpartySignature: m.signature.slice(),
    counterpartyHtlcSignatures: m.htlcSignatures.map((s) => s.slice()),
  };
  const log = state.updates;
  log.theirAcked.push(...log.theirProposed);
  log.theirProposed = [];
  log.ourAcked = [];
  ctx.out.monitorUpdate([holderCommitmentStep(ctx, state.holderCommitment, built)]);
  ctx.out.send(revokeAndAckFor(ctx));
  sendCommitment(ctx);
}

/**
 * The peer revokes its previous commitment: the secret must be a valid key for the point of the
 * commitment it revokes and consistent with every secret before it (BOLT 3 storage), or the
 * channel fails. Then our signed updates are acknowledged, the peer's signed ones irrevocably
 * committed (added HTLCs go to the manager, failed ones fail back), and we sign again if we have
 * updates waiting.
 */
export function handleRevokeAndAck(ctx: ChannelContext, m: RevokeAndAckMessage): void {
  const { state, crypto } = ctx;
  const pending = state.pendingRevocation;
  if (!committing(state.phase) || pending === undefined) {
    throw closeError(
      ChannelCheck.UnexpectedRevokeAndAck,
      'revoke_and_ack: none was expected (no commitment_signed awaits one)',
      state.channelId,
    );
  }
  const { counterparty } = fundedView(state);
  const secretValid = crypto.isValidSecretKey(m.perCommitmentSecret);
  if (
    !secretValid ||
    !equalBytes(crypto.getPublicKey(m.perCommitmentSecret), counterparty.perCommitmentPoint)
  ) {
    throw closeError(
      ChannelCheck.BadRevocationSecret,
      `per_commitment_secret: expected the secret of point ${toHex(counterparty.perCommitmentPoint)} (commitment ${counterparty.commitmentNumber}), got ${secretValid ? 'another secret' : 'an invalid key'}`,
      state.channelId,
    );
  }
  if (!crypto.isValidPublicKey(m.nextPerCommitmentPoint)) {
    throw closeError(
      ChannelCheck.InvalidPoint,
      `next_per_commitment_point: expected a valid point, got ${toHex(m.nextPerCommitmentPoint)}`,
      state.channelId,
    );
  }
  try {
    state.counterpartySecrets.provideSecret(
      commitmentNumberToIndex(counterparty.commitmentNumber),
      m.perCommitmentSecret,
    );
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
    throw closeError(
      ChannelCheck.InconsistentRevocationSecret,
      `per_commitment_secret: commitment ${counterparty.commitmentNumber}'s secret does not derive the earlier ones (BOLT 3)`,
      state.channelId,
    );
  }
  const settledSpec = counterparty.spec;
  state.counterpartyCommitment = pending.commitment;
  state.pendingRevocation = undefined;
  state.counterpartyNextPerCommitmentPoint = m.nextPerCommitmentPoint.slice();
  const log = state.updates;
  log.ourAcked.push(...log.ourSigned);
  log.ourSigned = [];
  const settled = log.theirSigned;
  log.theirSigned = [];
  ctx.out.monitorUpdate([
    {
      type: 'CommitmentSecret',
      commitmentNumber: counterparty.commitmentNumber,
      secret: m.perCommitmentSecret.slice(),
    },
  ]);
  const channelId = toHex(state.channelId);
  for (const u of settled) {
    if (u.type === 'update_add_htlc') {
      const refused = state.refusedIncomingHtlcs.find((r) => r.id === u.id);
      ctx.out.event({
        type: 'HtlcReceived',
        channelId,
        htlcId: u.id,
        amountMsat: u.amountMsat,
        paymentHash: u.paymentHash,
        cltvExpiry: u.cltvExpiry,
        onionRoutingPacket: u.onionRoutingPacket,
        pathKey: u.pathKey,
        refusal: refused?.refusal,
      });
    } else if (u.type === 'update_fail_htlc' || u.type === 'update_fail_malformed_htlc') {
      const htlc = findHtlc(settledSpec, 'offered', u.id);
      ctx.out.event({
        type: 'HtlcFailed',
        channelId,
        htlcId: u.id,
        amountMsat: htlc?.amountMsat ?? 0n,
        paymentHash: htlc?.paymentHash ?? new Uint8Array(32),
        reason: u.type === 'update_fail_htlc' ? u.reason : undefined,
        malformed:
          u.type === 'update_fail_malformed_htlc'
            ? { sha256OfOnion: u.sha256OfOnion, failureCode: u.failureCode }
            : undefined,
      });
    }
  }
  sendCommitment(ctx);
}

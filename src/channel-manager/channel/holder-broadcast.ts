/**
 * Our latest commitment and its HTLC transactions, fully signed, as a force close puts them on
 * chain (BOLT 5 "Unilateral Close Handling: Local Commitment Transaction"). The peer's
 * signatures came with `commitment_signed`; ours are made only now, because a signed holder
 * commitment is a liability once revoked (BOLT 2: "SHOULD NOT sign commitment transactions,
 * unless it's about to broadcast them"). HTLC-success transactions are included only for HTLCs
 * whose preimage we have revealed; HTLC-timeout transactions can only confirm after their
 * `cltv_expiry`.
 */
import { finalizeCommitmentTransaction, commitmentSignableInput } from '../../tx/commitment.js';
import { finalizeHtlcTransaction, htlcSignableInput, HtlcTxKind } from '../../tx/htlc-tx.js';
import { serializeTransaction } from '../../tx/transaction.js';
import { buildHolderCommitment } from './commitment-tx.js';
import type { ChannelContext } from './context.js';
import { fundedView } from './state.js';

/** One signed second-stage transaction. */
export interface SignedHtlcTransaction {
  readonly kind: HtlcTxKind;
  /** The HTLC's id (its offerer's `update_add_htlc` id). */
  readonly htlcId: bigint;
  /** True when we offered the HTLC (HTLC-timeout), false when we received it (HTLC-success). */
  readonly offered: boolean;
  /** Which output of the commitment transaction it spends. */
  readonly commitmentOutputIndex: number;
  readonly tx: Uint8Array;
}

/** What a force close broadcasts. */
export interface HolderBroadcast {
  readonly commitmentNumber: number;
  /** The commitment transaction with both signatures. */
  readonly commitmentTx: Uint8Array;
  readonly htlcTxs: readonly SignedHtlcTransaction[];
}

/** The preimages we revealed for HTLCs still in our commitment. */
function revealedPreimages(ctx: ChannelContext): Map<bigint, Uint8Array> {
  const log = ctx.state.updates;
  const out = new Map<bigint, Uint8Array>();
  for (const u of [...log.ourAcked, ...log.ourSigned, ...log.ourProposed]) {
    if (u.type === 'update_fulfill_htlc') out.set(u.id, u.paymentPreimage);
  }
  return out;
}

/**
 * Signs our latest commitment and its HTLC transactions. Throws `SignerError` if the signer
 * refuses (the commitment was revoked: that must never be broadcast) and `APIMisuseError`
 * before funding.
 */
export function signHolderCommitmentTransactions(ctx: ChannelContext): HolderBroadcast {
  const { holder } = fundedView(ctx.state);
  const built = buildHolderCommitment(ctx, holder.spec, holder.commitmentNumber);
  const ourSignature = ctx.signer.signHolderCommitment({
    commitmentNumber: holder.commitmentNumber,
    commitmentTx: commitmentSignableInput(built.commitment),
  });
  const commitmentTx = serializeTransaction(
    finalizeCommitmentTransaction(built.commitment, {
      localSignature: ourSignature,
      remoteSignature: holder.counterpartySignature,
    }),
  );
  const point = ctx.signer.getPerCommitmentPoint(holder.commitmentNumber);
  const preimages = revealedPreimages(ctx);
  const htlcTxs: SignedHtlcTransaction[] = [];
  built.htlcTxs.forEach((t, i) => {
    const htlc = holder.spec.htlcs[t.htlcIndex!]!;
    const preimage = preimages.get(htlc.id);
    if (
      t.kind === HtlcTxKind.Success &&
      (htlc.direction !== 'received' || preimage === undefined)
    ) {
      return;
    }
    const localSignature = ctx.signer.signHolderHtlcTransaction({
      commitmentNumber: holder.commitmentNumber,
      htlcTx: htlcSignableInput(t, 'local'),
      perCommitmentPoint: point,
    });
    const signed = finalizeHtlcTransaction(t, {
      localSignature,
      remoteSignature: holder.counterpartyHtlcSignatures[i]!,
      paymentPreimage: t.kind === HtlcTxKind.Success ? preimage : undefined,
    });
    htlcTxs.push({
      kind: t.kind,
      htlcId: htlc.id,
      offered: htlc.direction === 'offered',
      commitmentOutputIndex: t.commitmentOutputIndex,
      tx: serializeTransaction(signed),
    });
  });
  return { commitmentNumber: holder.commitmentNumber, commitmentTx, htlcTxs };
}

/**
 * The HTLC outputs of our own confirmed commitment (BOLT 5 "Local Commitment Transaction:
 * HTLC Output Handling"): an HTLC we offered is taken back with the HTLC-timeout transaction
 * once its `cltv_expiry` has passed; one we received is taken with the HTLC-success transaction
 * as soon as we know its preimage. Both were pre-signed by the peer (`commitment_signed`); the
 * monitor adds our signature when it broadcasts. Their single output pays the `to_local`-style
 * script, swept after `to_self_delay` like `to_local` itself (the second stage).
 *
 * With `anchors_zero_fee_htlc_tx` these transactions pay no fee: they still go out, but
 * attaching a fee input (BOLT 3: the peer signed SIGHASH_SINGLE|ANYONECANPAY for this) is left
 * for the wallet integration that fee-bumps anchors.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { ChannelSigner } from '../keys/channel-signer.js';
import type { MonitorHtlc } from './channel-monitor-update-steps.js';
import { hasAnchors } from '../tx/channel-type.js';
import { deriveCommitmentKeys, type CommitmentKeys } from '../tx/commitment-keys.js';
import { buildHtlcTransaction, finalizeHtlcTransaction, htlcSignableInput } from '../tx/htlc-tx.js';
import { offeredHtlcWitnessScript, receivedHtlcWitnessScript } from '../tx/scripts/htlc.js';
import { p2wshScriptPubkey } from '../tx/scripts/templates.js';
import { toLocalWitnessScript } from '../tx/scripts/to-local.js';
import { serializeTransaction, txidFromHex, type Transaction } from '../tx/transaction.js';
import { equalBytes, toHex } from '../util/bytes.js';
import {
  ClaimKind,
  type ClaimRecord,
  type HolderCommitmentRecord,
  type MonitorState,
} from './channel-monitor-state.js';

/** The keys of our commitment with per-commitment point `point`. */
function holderKeys(state: MonitorState, point: Uint8Array, crypto: CryptoBackend): CommitmentKeys {
  return deriveCommitmentKeys(
    {
      broadcaster: state.setup.holderPubkeys,
      countersignatory: state.setup.counterpartyPubkeys,
      perCommitmentPoint: point,
    },
    crypto,
  );
}

/** The witness script of an HTLC output of our commitment (its offered/received template). */
function htlcScript(
  state: MonitorState,
  keys: CommitmentKeys,
  htlc: MonitorHtlc,
  crypto: CryptoBackend,
): Uint8Array {
  const scriptKeys = {
    revocationPubkey: keys.revocationPubkey,
    localHtlcPubkey: keys.localHtlcPubkey,
    remoteHtlcPubkey: keys.remoteHtlcPubkey,
  };
  const type = state.setup.channelType;
  return htlc.offered
    ? offeredHtlcWitnessScript(scriptKeys, htlc.paymentHash, type, crypto)
    : receivedHtlcWitnessScript(scriptKeys, htlc.paymentHash, htlc.cltvExpiry, type, crypto);
}

/**
 * One claim per untrimmed HTLC of our commitment `holder`, confirmed as `tx` (`txidHex`) at
 * `height`. An offered HTLC becomes claimable in the block after its expiry; a received one at
 * once (after one block with anchors, whose HTLC outputs carry a CSV of 1), though it is only
 * built once the preimage is known.
 */
export function holderHtlcClaims(
  state: MonitorState,
  holder: HolderCommitmentRecord,
  tx: Transaction,
  txidHex: string,
  height: number,
  crypto: CryptoBackend,
): ClaimRecord[] {
  const keys = holderKeys(state, holder.perCommitmentPoint, crypto);
  const csv = hasAnchors(state.setup.channelType) ? 1 : 0;
  const claims: ClaimRecord[] = [];
  for (const htlc of holder.htlcs) {
    const index = htlc.outputIndex;
    const output = index === undefined ? undefined : tx.outputs[index];
    if (index === undefined || output === undefined) continue;
    const witnessScript = htlcScript(state, keys, htlc, crypto);
    // The output must be what the step said; anything else is left alone rather than misread.
    if (!equalBytes(output.scriptPubkey, p2wshScriptPubkey(witnessScript, crypto))) continue;
    claims.push({
      kind: htlc.offered ? ClaimKind.HolderHtlcTimeout : ClaimKind.HolderHtlcSuccess,
      outpoint: { txid: txidHex, index },
      valueSat: output.valueSat,
      scriptPubkey: output.scriptPubkey,
      witnessScript,
      sequence: csv,
      spendableHeight: htlc.offered ? Math.max(height + csv, htlc.cltvExpiry + 1) : height + csv,
      commitmentNumber: holder.commitmentNumber,
      perCommitmentPoint: holder.perCommitmentPoint,
      htlcId: htlc.id,
      spend: undefined,
      resolved: false,
    });
  }
  return claims;
}

/** The holder commitment a claim belongs to, if the monitor still has it. */
function holderOf(state: MonitorState, claim: ClaimRecord): HolderCommitmentRecord | undefined {
  return [state.holder, state.previousHolder].find(
    (h) => h?.commitmentNumber === claim.commitmentNumber,
  );
}

/**
 * The signed HTLC-timeout or HTLC-success transaction of `claim`, or `undefined` when it cannot
 * be built yet (no preimage for a received HTLC) or at all (the HTLC is no longer known).
 * Throws `SignerError` if the signer refuses.
 */
export function buildHolderHtlcTransaction(
  state: MonitorState,
  claim: ClaimRecord,
  signer: ChannelSigner,
  crypto: CryptoBackend,
): Uint8Array | undefined {
  const holder = holderOf(state, claim);
  const offered = claim.kind === ClaimKind.HolderHtlcTimeout;
  const htlc = holder?.htlcs.find((h) => h.id === claim.htlcId && h.offered === offered);
  if (holder === undefined || htlc?.counterpartySignature === undefined) return undefined;
  const preimage = offered ? undefined : state.preimages.get(toHex(htlc.paymentHash));
  if (!offered && preimage === undefined) return undefined;
  const keys = holderKeys(state, holder.perCommitmentPoint, crypto);
  const htlcTx = buildHtlcTransaction(
    {
      commitmentTxid: txidFromHex(claim.outpoint.txid),
      commitmentOutputIndex: claim.outpoint.index,
      htlc: {
        offered,
        amountMsat: htlc.amountMsat,
        paymentHash: htlc.paymentHash,
        cltvExpiry: htlc.cltvExpiry,
      },
      witnessScript: claim.witnessScript,
      toSelfDelay: state.setup.holderToSelfDelay,
      feerateSatPerKw: holder.feerateSatPerKw,
      channelType: state.setup.channelType,
      revocationPubkey: keys.revocationPubkey,
      localDelayedPubkey: keys.localDelayedPubkey,
    },
    crypto,
  );
  const localSignature = signer.signHolderHtlcTransaction({
    commitmentNumber: holder.commitmentNumber,
    htlcTx: htlcSignableInput(htlcTx, 'local'),
    perCommitmentPoint: holder.perCommitmentPoint,
  });
  return serializeTransaction(
    finalizeHtlcTransaction(htlcTx, {
      localSignature,
      remoteSignature: htlc.counterpartySignature,
      paymentPreimage: preimage,
    }),
  );
}

/**
 * When `tx` (confirmed at `height`) is our HTLC transaction for `claim`, the claim of its
 * output: our `to_local`-style script, swept after `to_self_delay`. `undefined` for any other
 * spend (the peer took the HTLC output with the preimage or the revocation key).
 */
export function secondStageClaim(
  state: MonitorState,
  claim: ClaimRecord,
  tx: Transaction,
  txidHex: string,
  height: number,
  crypto: CryptoBackend,
): ClaimRecord | undefined {
  const point = claim.perCommitmentPoint;
  const output = tx.outputs[0];
  if (point === undefined || output === undefined || tx.outputs.length !== 1) return undefined;
  const keys = holderKeys(state, point, crypto);
  const delay = state.setup.holderToSelfDelay;
  const witnessScript = toLocalWitnessScript(keys.revocationPubkey, delay, keys.localDelayedPubkey);
  if (!equalBytes(output.scriptPubkey, p2wshScriptPubkey(witnessScript, crypto))) return undefined;
  return {
    kind: ClaimKind.HolderToLocal,
    outpoint: { txid: txidHex, index: 0 },
    valueSat: output.valueSat,
    scriptPubkey: output.scriptPubkey,
    witnessScript,
    sequence: delay,
    spendableHeight: height + delay,
    commitmentNumber: claim.commitmentNumber,
    perCommitmentPoint: point,
    htlcId: undefined,
    spend: undefined,
    resolved: false,
  };
}

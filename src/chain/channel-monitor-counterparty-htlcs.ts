/**
 * The HTLC outputs of the peer's confirmed commitment (BOLT 5 "Remote Commitment Transaction:
 * HTLC Output Handling"). On its commitment an HTLC we offered is a received-HTLC output: we take
 * it back directly once its `cltv_expiry` has passed. An HTLC we received is an offered-HTLC
 * output: we take it directly with the preimage, as soon as we know it. Both spends are signed
 * with our HTLC key for the peer's per-commitment point and sweep to the destination script
 * (`channel-monitor-claims.ts`); no second stage or delay applies to us on the peer's
 * commitment. With anchors both spends wait one block (CSV 1 in the scripts).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { hasAnchors } from '../tx/channel-type.js';
import { deriveCommitmentKeys } from '../tx/commitment-keys.js';
import { offeredHtlcWitnessScript, receivedHtlcWitnessScript } from '../tx/scripts/htlc.js';
import { p2wshScriptPubkey } from '../tx/scripts/templates.js';
import type { Transaction } from '../tx/transaction.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { ClaimKind, type ClaimRecord, type MonitorState } from './channel-monitor-state.js';
import type { LatestCounterpartyCommitmentStep } from './channel-monitor-update-steps.js';

/** nSequence that enables nLockTime (an HTLC timeout needs it) without BIP 68 meaning. */
const SEQUENCE_LOCKTIME = 0xfffffffe;

/**
 * One claim per untrimmed HTLC of the peer's commitment `commitment`, confirmed as `tx`
 * (`txidHex`) at `height`. HTLCs are `MonitorHtlc`s from our side: `offered` means we offered it.
 */
export function counterpartyHtlcClaims(
  state: MonitorState,
  commitment: LatestCounterpartyCommitmentStep,
  tx: Transaction,
  txidHex: string,
  height: number,
  crypto: CryptoBackend,
): ClaimRecord[] {
  const { setup } = state;
  const keys = deriveCommitmentKeys(
    {
      broadcaster: setup.counterpartyPubkeys,
      countersignatory: setup.holderPubkeys,
      perCommitmentPoint: commitment.perCommitmentPoint,
    },
    crypto,
  );
  const scriptKeys = {
    revocationPubkey: keys.revocationPubkey,
    localHtlcPubkey: keys.localHtlcPubkey,
    remoteHtlcPubkey: keys.remoteHtlcPubkey,
  };
  const anchors = hasAnchors(setup.channelType);
  const csv = anchors ? 1 : 0;
  const claims: ClaimRecord[] = [];
  for (const htlc of commitment.htlcs) {
    const index = htlc.outputIndex;
    const output = index === undefined ? undefined : tx.outputs[index];
    if (index === undefined || output === undefined) continue;
    // From the broadcaster's side the direction flips: ours offered is theirs received.
    const witnessScript = htlc.offered
      ? receivedHtlcWitnessScript(
          scriptKeys,
          htlc.paymentHash,
          htlc.cltvExpiry,
          setup.channelType,
          crypto,
        )
      : offeredHtlcWitnessScript(scriptKeys, htlc.paymentHash, setup.channelType, crypto);
    if (!equalBytes(output.scriptPubkey, p2wshScriptPubkey(witnessScript, crypto))) continue;
    claims.push({
      kind: htlc.offered ? ClaimKind.CounterpartyHtlcTimeout : ClaimKind.CounterpartyHtlcPreimage,
      outpoint: { txid: txidHex, index },
      valueSat: output.valueSat,
      scriptPubkey: output.scriptPubkey,
      witnessScript,
      sequence: anchors ? 1 : htlc.offered ? SEQUENCE_LOCKTIME : 0xfffffffd,
      spendableHeight: htlc.offered ? Math.max(height + csv, htlc.cltvExpiry + 1) : height + csv,
      commitmentNumber: commitment.commitmentNumber,
      perCommitmentPoint: commitment.perCommitmentPoint,
      htlcId: htlc.id,
      spend: undefined,
      resolved: false,
    });
  }
  return claims;
}

/**
 * The preimage a `CounterpartyHtlcPreimage` claim needs, once an update brought it; `undefined`
 * until then (the claim waits).
 */
export function counterpartyClaimPreimage(
  state: MonitorState,
  claim: ClaimRecord,
): Uint8Array | undefined {
  const commitment = state.counterparty.find((c) => c.commitmentNumber === claim.commitmentNumber);
  const htlc = commitment?.htlcs.find((h) => h.id === claim.htlcId && !h.offered);
  return htlc === undefined ? undefined : state.preimages.get(toHex(htlc.paymentHash));
}

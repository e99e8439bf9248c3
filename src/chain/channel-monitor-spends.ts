/**
 * Reading a transaction that spent the funding output: whose commitment it is (or a mutual
 * close), and which of its outputs the monitor can claim. BOLT 5 "Unilateral Close Handling"
 * (ours and theirs) and "Revoked Transaction Close Handling".
 *
 * Commitments are recognised by txid when the monitor knows them (our latest and previous, the
 * peer's unrevoked ones) and otherwise by the commitment number obscured in their locktime and
 * sequence (BOLT 3 "Commitment Transaction"): only the two funding keys can sign a spend, we
 * never sign our own older commitments, so an unknown commitment is the peer's, revoked when
 * its number is at or below the last secret it revealed. That keeps no per-commitment data for
 * revoked states: their `to_local` script is rebuilt from the stored secret.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { commitmentNumberToIndex } from '../keys/per-commitment-secret.js';
import { hasAnchors } from '../tx/channel-type.js';
import { anchorWitnessScript } from '../tx/scripts/anchor.js';
import { deriveCommitmentKeys } from '../tx/commitment-keys.js';
import { p2wpkhScriptPubkey, p2wshScriptPubkey } from '../tx/scripts/templates.js';
import { toLocalWitnessScript } from '../tx/scripts/to-local.js';
import { toRemoteAnchorsWitnessScript } from '../tx/scripts/to-remote.js';
import { txidToHex, type Transaction } from '../tx/transaction.js';
import { concatBytes, equalBytes } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import {
  ClaimKind,
  commitmentNumberOfTx,
  latestRevokedNumber,
  type ClaimRecord,
  type MonitorState,
} from './channel-monitor-state.js';
import { counterpartyHtlcClaims } from './channel-monitor-counterparty-htlcs.js';
import { holderHtlcClaims } from './channel-monitor-htlc-claims.js';
import { FundingSpendKind } from './watch.js';

/** nSequence of claims no script delays: final for BIP 68, still signalling replaceability. */
export const SEQUENCE_NO_DELAY = 0xfffffffd;

/** A classified funding spend. */
export interface FundingSpendClass {
  readonly kind: FundingSpendKind;
  readonly commitmentNumber: number | undefined;
  /** For our own commitments: our per-commitment point of that commitment. */
  readonly holderPerCommitmentPoint: Uint8Array | undefined;
}

/**
 * What a funding spend is, with the commitment number when it is a commitment.
 * `holderPerCommitmentPoint` gives our point for a commitment number (the signer's), used to
 * recognise an old commitment of ours (broadcast from a stale backup) by its outputs.
 */
export function classifyFundingSpend(
  state: MonitorState,
  tx: Transaction,
  txidHex: string,
  holderPerCommitmentPoint: (commitmentNumber: number) => Uint8Array,
  crypto: CryptoBackend,
): FundingSpendClass {
  for (const holder of [state.holder, state.previousHolder]) {
    if (holder?.txidHex === txidHex) {
      return {
        kind: FundingSpendKind.HolderCommitment,
        commitmentNumber: holder.commitmentNumber,
        holderPerCommitmentPoint: holder.perCommitmentPoint,
      };
    }
  }
  const theirs = state.counterparty.find((c) => txidToHex(c.txid) === txidHex);
  if (theirs !== undefined) {
    return {
      kind: FundingSpendKind.CounterpartyCommitment,
      commitmentNumber: theirs.commitmentNumber,
      holderPerCommitmentPoint: undefined,
    };
  }
  const input = tx.inputs[0];
  const number =
    tx.inputs.length === 1 && input !== undefined
      ? commitmentNumberOfTx(tx.locktime, input.sequence, state.obscuringFactor)
      : undefined;
  if (number === undefined) {
    return {
      kind: FundingSpendKind.CooperativeClose,
      commitmentNumber: undefined,
      holderPerCommitmentPoint: undefined,
    };
  }
  const point = holderPerCommitmentPoint(number);
  if (isHolderCommitment(state, tx, point, crypto)) {
    return {
      kind: FundingSpendKind.HolderCommitment,
      commitmentNumber: number,
      holderPerCommitmentPoint: point,
    };
  }
  const revoked = latestRevokedNumber(state);
  return {
    kind:
      revoked !== undefined && number <= revoked
        ? FundingSpendKind.RevokedCounterpartyCommitment
        : FundingSpendKind.UnknownCounterpartyCommitment,
    commitmentNumber: number,
    holderPerCommitmentPoint: undefined,
  };
}

/**
 * True when a commitment we do not know by txid is ours: it pays our `to_local` script for our
 * point, or the peer's `to_remote`. (Theirs pays our `to_remote` instead; when every such
 * output is trimmed the commitment is taken for theirs.)
 */
function isHolderCommitment(
  state: MonitorState,
  tx: Transaction,
  point: Uint8Array,
  crypto: CryptoBackend,
): boolean {
  const toLocal = p2wshScriptPubkey(toLocalScript(state, 'holder', point, crypto), crypto);
  const theirToRemote = toRemoteScriptPubkey(state, 'counterparty', crypto);
  return tx.outputs.some(
    (o) => equalBytes(o.scriptPubkey, toLocal) || equalBytes(o.scriptPubkey, theirToRemote),
  );
}

/** The `to_remote` scriptPubKey paying `owner` (static_remotekey: its payment basepoint). */
function toRemoteScriptPubkey(
  state: MonitorState,
  owner: 'holder' | 'counterparty',
  crypto: CryptoBackend,
): Uint8Array {
  const { setup } = state;
  const key = (owner === 'holder' ? setup.holderPubkeys : setup.counterpartyPubkeys)
    .paymentBasepoint;
  return hasAnchors(setup.channelType)
    ? p2wshScriptPubkey(toRemoteAnchorsWitnessScript(key), crypto)
    : p2wpkhScriptPubkey(key, crypto);
}

/** The `to_local` witness script of a commitment broadcast by `broadcaster`. */
function toLocalScript(
  state: MonitorState,
  broadcaster: 'holder' | 'counterparty',
  perCommitmentPoint: Uint8Array,
  crypto: CryptoBackend,
): Uint8Array {
  const { setup } = state;
  const ours = broadcaster === 'holder';
  const keys = deriveCommitmentKeys(
    {
      broadcaster: ours ? setup.holderPubkeys : setup.counterpartyPubkeys,
      countersignatory: ours ? setup.counterpartyPubkeys : setup.holderPubkeys,
      perCommitmentPoint,
    },
    crypto,
  );
  return toLocalWitnessScript(
    keys.revocationPubkey,
    ours ? setup.holderToSelfDelay : setup.counterpartyToSelfDelay,
    keys.localDelayedPubkey,
  );
}

/** The P2PKH script code BIP 143 signs for a P2WPKH output of `pubkey`. */
function p2pkhScriptCode(pubkey: Uint8Array, crypto: CryptoBackend): Uint8Array {
  return concatBytes(
    Uint8Array.of(0x76, 0xa9, 0x14),
    crypto.hash160(pubkey),
    Uint8Array.of(0x88, 0xac),
  );
}

interface OutputMatch {
  readonly vout: number;
  readonly valueSat: bigint;
  readonly scriptPubkey: Uint8Array;
}

function findOutput(tx: Transaction, scriptPubkey: Uint8Array): OutputMatch | undefined {
  const vout = tx.outputs.findIndex((o) => equalBytes(o.scriptPubkey, scriptPubkey));
  const out = tx.outputs[vout];
  return out === undefined ? undefined : { vout, valueSat: out.valueSat, scriptPubkey };
}

/**
 * The outputs of a funding spend confirmed at `height` that the monitor sweeps: our `to_local`
 * after the delay on our commitment; on any commitment of the peer our `to_remote` (after one
 * block with anchors); on a revoked one also the peer's `to_local`, at once, with the
 * revocation key (BOLT 5 "Revoked Transaction Close Handling"); on our latest (or previous)
 * commitment also its HTLC outputs (`channel-monitor-htlc-claims.ts`), and on the peer's
 * unrevoked commitments theirs (`channel-monitor-counterparty-htlcs.ts`). HTLC outputs of revoked
 * or unknown commitments and anchors are not claimed yet. A mutual close pays us directly.
 */
export function claimsForFundingSpend(
  state: MonitorState,
  tx: Transaction,
  txidHex: string,
  height: number,
  spend: FundingSpendClass,
  crypto: CryptoBackend,
): ClaimRecord[] {
  const { setup } = state;
  const claims: ClaimRecord[] = [];
  const add = (
    kind: ClaimKind,
    match: OutputMatch | undefined,
    witnessScript: Uint8Array,
    sequence: number,
    delay: number,
    perCommitmentPoint: Uint8Array | undefined,
  ): void => {
    if (match === undefined || spend.commitmentNumber === undefined) return;
    claims.push({
      kind,
      outpoint: { txid: txidHex, index: match.vout },
      valueSat: match.valueSat,
      scriptPubkey: match.scriptPubkey,
      witnessScript,
      sequence,
      spendableHeight: height + delay,
      commitmentNumber: spend.commitmentNumber,
      perCommitmentPoint,
      htlcId: undefined,
      spend: undefined,
      resolved: false,
    });
  };

  if (spend.kind === FundingSpendKind.HolderCommitment) {
    const point = spend.holderPerCommitmentPoint!;
    const script = toLocalScript(state, 'holder', point, crypto);
    const delay = setup.holderToSelfDelay;
    add(
      ClaimKind.HolderToLocal,
      findOutput(tx, p2wshScriptPubkey(script, crypto)),
      script,
      delay,
      delay,
      point,
    );
    const holder = [state.holder, state.previousHolder].find(
      (h) => h?.commitmentNumber === spend.commitmentNumber,
    );
    if (holder !== undefined) {
      claims.push(...holderHtlcClaims(state, holder, tx, txidHex, height, crypto));
    }
    return claims;
  }
  if (spend.kind === FundingSpendKind.CooperativeClose) return claims;

  // Any commitment of the peer pays our `to_remote` to our payment basepoint (static_remotekey).
  const paymentKey = setup.holderPubkeys.paymentBasepoint;
  const anchors = hasAnchors(setup.channelType);
  add(
    ClaimKind.CounterpartyToRemote,
    findOutput(tx, toRemoteScriptPubkey(state, 'holder', crypto)),
    anchors ? toRemoteAnchorsWitnessScript(paymentKey) : p2pkhScriptCode(paymentKey, crypto),
    anchors ? 1 : SEQUENCE_NO_DELAY,
    anchors ? 1 : 0,
    undefined,
  );

  if (spend.kind === FundingSpendKind.RevokedCounterpartyCommitment) {
    const secret = revokedSecret(state, spend.commitmentNumber!);
    const script = toLocalScript(state, 'counterparty', crypto.getPublicKey(secret), crypto);
    const toLocal = p2wshScriptPubkey(script, crypto);
    add(ClaimKind.RevokedToLocal, findOutput(tx, toLocal), script, SEQUENCE_NO_DELAY, 0, undefined);
    // Every other output that is neither ours nor an anchor is an HTLC output: watch it.
    const known = [
      toLocal,
      toRemoteScriptPubkey(state, 'holder', crypto),
      p2wshScriptPubkey(anchorWitnessScript(setup.holderPubkeys.fundingPubkey), crypto),
      p2wshScriptPubkey(anchorWitnessScript(setup.counterpartyPubkeys.fundingPubkey), crypto),
    ];
    tx.outputs.forEach((o, vout) => {
      if (known.some((k) => equalBytes(k, o.scriptPubkey))) return;
      const match = { vout, valueSat: o.valueSat, scriptPubkey: o.scriptPubkey };
      add(ClaimKind.RevokedHtlcOutput, match, script, SEQUENCE_NO_DELAY, 0, undefined);
    });
  }
  if (spend.kind === FundingSpendKind.CounterpartyCommitment) {
    const theirs = state.counterparty.find((c) => c.commitmentNumber === spend.commitmentNumber);
    if (theirs !== undefined) {
      claims.push(...counterpartyHtlcClaims(state, theirs, tx, txidHex, height, crypto));
    }
  }
  return claims;
}

/** The peer's revealed secret of its commitment `commitmentNumber` (which must be revoked). */
export function revokedSecret(state: MonitorState, commitmentNumber: number): Uint8Array {
  const secret = state.secrets.getSecret(commitmentNumberToIndex(commitmentNumber));
  if (secret === undefined) {
    throw new APIMisuseError(`commitment ${commitmentNumber} of the peer is not revoked`);
  }
  return secret;
}

/**
 * What the chain showed a `ChannelMonitor`, as transitions of its state: the funding spend
 * confirmed or reorganized out, spends of claimed outputs, and both becoming final at
 * `ANTI_REORG_DELAY` confirmations (LDK's figure). A final record is never undone: deeper
 * reorganizations are beyond what a Lightning node can defend against anyway (BOLT 5 assumes
 * confirmations are eventually irreversible).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { p2wshScriptPubkey } from '../tx/scripts/templates.js';
import { parseTransaction, txidToHex, type Transaction } from '../tx/transaction.js';
import { equalBytes } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import { secondStageClaim } from './channel-monitor-htlc-claims.js';
import {
  claimsForFundingSpend,
  classifyFundingSpend,
  type FundingSpendClass,
} from './channel-monitor-spends.js';
import { ClaimKind, type ClaimRecord, type MonitorState } from './channel-monitor-state.js';
import type { RelevantTxid } from './confirm.js';
import type { WatchedOutput } from './filter.js';
import type { TransactionData } from './listen.js';
import { formatOutPoint, type OutPoint } from './outpoint.js';
import { computeTxid } from './txid.js';
import { FundingSpendKind } from './watch.js';

/**
 * Confirmations after which a spend is treated as final (LDK's `ANTI_REORG_DELAY`): deeper
 * reorganizations are not undone, and the transaction leaves `getRelevantTxids`.
 */
export const ANTI_REORG_DELAY = 6;

/**
 * A confirmed transaction parsed once for every monitor: what it spends as `txid:index` keys,
 * so each monitor checks its outputs in constant time, and its txid computed on first use.
 */
export interface ConfirmedTx {
  readonly bytes: Uint8Array;
  readonly parsed: Transaction;
  readonly spends: ReadonlySet<string>;
  readonly txid: () => string;
}

/**
 * Parses the transactions of `txdata`, skipping any that do not parse (a chain source passes
 * only valid transactions; a stray malformed one is nobody's spend).
 */
export function parseConfirmedTxs(txdata: TransactionData, crypto: CryptoBackend): ConfirmedTx[] {
  const out: ConfirmedTx[] = [];
  for (const [, bytes] of txdata) {
    let parsed: Transaction;
    try {
      parsed = parseTransaction(bytes);
    } catch (e) {
      if (e instanceof DecodeError) continue;
      throw e;
    }
    const spends = new Set(
      parsed.inputs.map((i) => `${txidToHex(i.prevout.txid)}:${i.prevout.vout}`),
    );
    let txid: string | undefined;
    out.push({ bytes, parsed, spends, txid: () => (txid ??= computeTxid(bytes, crypto)) });
  }
  return out;
}

/** The `txid:index` key of an outpoint, as in `ConfirmedTx.spends`. */
export function outpointKey(outpoint: OutPoint): string {
  return formatOutPoint(outpoint);
}

/** Where a transaction was confirmed. */
export interface BlockPosition {
  readonly height: number;
  /** Display-order hex block hash. */
  readonly blockHash: string;
}

/**
 * Records `tx` (`bytes`, `txid`) as the funding spend: classifies it, derives the claims and
 * raises `FundingSpent`.
 */
export function recordFundingSpend(
  state: MonitorState,
  tx: ConfirmedTx,
  at: BlockPosition,
  holderPerCommitmentPoint: (commitmentNumber: number) => Uint8Array,
  crypto: CryptoBackend,
): FundingSpendClass {
  const { parsed, bytes } = tx;
  const txid = tx.txid();
  const spend = classifyFundingSpend(state, parsed, txid, holderPerCommitmentPoint, crypto);
  state.fundingSpend = {
    kind: spend.kind,
    commitmentNumber: spend.commitmentNumber,
    txid,
    height: at.height,
    blockHash: at.blockHash,
    tx: bytes.slice(),
  };
  state.fundingSpendFinal = false;
  state.claims = claimsForFundingSpend(state, parsed, txid, at.height, spend, crypto);
  state.pendingEvents.push({
    type: 'FundingSpent',
    fundingOutpoint: { ...state.fundingOutpoint },
    channelId: state.channelId,
    spendKind: spend.kind,
    txid,
    height: at.height,
    commitmentNumber: spend.commitmentNumber,
  });
  return spend;
}

/**
 * Records `tx` as the spend of every unresolved claim whose output it spends; when it is our own
 * HTLC transaction, its output becomes a claim too. Returns whether anything changed.
 */
export function recordClaimSpends(
  state: MonitorState,
  tx: ConfirmedTx,
  at: BlockPosition,
  crypto: CryptoBackend,
): boolean {
  let changed = false;
  for (const c of [...state.claims]) {
    if (c.spend !== undefined || c.resolved || !tx.spends.has(outpointKey(c.outpoint))) continue;
    const txid = tx.txid();
    c.spend = { txid, ...at };
    changed = true;
    let next: ClaimRecord | undefined;
    if (c.kind === ClaimKind.HolderHtlcTimeout || c.kind === ClaimKind.HolderHtlcSuccess) {
      next = secondStageClaim(state, c, tx.parsed, txid, at.height, crypto);
    } else if (c.kind === ClaimKind.RevokedHtlcOutput) {
      next = revokedSecondStageClaim(c, tx.parsed, txid, at.height, crypto);
    }
    if (next !== undefined) state.claims = [...state.claims, next];
  }
  return changed;
}

/**
 * When the peer took an HTLC output of its revoked commitment with its HTLC transaction `tx`,
 * the claim of that transaction's output: the revoked `to_local` script, punishable at once
 * with the revocation key (BOLT 5 "Revoked Transaction Close Handling", second-stage outputs).
 */
function revokedSecondStageClaim(
  watched: ClaimRecord,
  tx: Transaction,
  txid: string,
  height: number,
  crypto: CryptoBackend,
): ClaimRecord | undefined {
  const output = tx.outputs[0];
  const scriptPubkey = p2wshScriptPubkey(watched.witnessScript, crypto);
  if (output === undefined || !equalBytes(output.scriptPubkey, scriptPubkey)) return undefined;
  return {
    ...watched,
    kind: ClaimKind.RevokedToLocal,
    outpoint: { txid, index: 0 },
    valueSat: output.valueSat,
    scriptPubkey,
    spendableHeight: height,
    spend: undefined,
    resolved: false,
  };
}

/** Forgets the funding spend and its claims, raising `FundingSpendReorged`. */
export function undoFundingSpend(state: MonitorState): void {
  const txid = state.fundingSpend!.txid;
  state.fundingSpend = undefined;
  state.claims = [];
  state.pendingEvents.push({
    type: 'FundingSpendReorged',
    fundingOutpoint: { ...state.fundingOutpoint },
    channelId: state.channelId,
    txid,
  });
}

/** Forgets the confirmed spend of `claim`, and any claim made on that spend's outputs. */
export function undoClaimSpend(state: MonitorState, claim: ClaimRecord): void {
  const spendTxid = claim.spend!.txid;
  claim.spend = undefined;
  state.claims = state.claims.filter((c) => c.outpoint.txid !== spendTxid);
}

/**
 * Undoes every non-final record confirmed in a block at or above `height` (or in the block
 * confirming `txid`, when given instead). Returns whether anything changed.
 */
export function undoConfirmations(
  state: MonitorState,
  which: { readonly fromHeight: number } | { readonly txid: string },
): boolean {
  const hit = (c: { readonly height: number; readonly txid: string }): boolean =>
    'txid' in which ? c.txid === which.txid : c.height >= which.fromHeight;
  let changed = false;
  if (state.fundingSpend !== undefined && !state.fundingSpendFinal && hit(state.fundingSpend)) {
    undoFundingSpend(state);
    changed = true;
  }
  for (const c of [...state.claims]) {
    if (c.spend !== undefined && !c.resolved && hit(c.spend)) {
      undoClaimSpend(state, c);
      changed = true;
    }
  }
  return changed;
}

/** Marks spends `ANTI_REORG_DELAY` deep at `height` final. Returns whether anything changed. */
export function matureConfirmations(state: MonitorState, height: number): boolean {
  const deep = (h: number): boolean => height - h + 1 >= ANTI_REORG_DELAY;
  let changed = false;
  if (state.fundingSpend !== undefined && !state.fundingSpendFinal) {
    if (deep(state.fundingSpend.height)) {
      state.fundingSpendFinal = true;
      changed = true;
    }
  }
  for (const c of state.claims) {
    if (c.spend !== undefined && !c.resolved && deep(c.spend.height)) {
      c.resolved = true;
      changed = true;
    }
  }
  return changed;
}

/** Claims whose transaction may enter the block after `height` and still need one. */
export function dueClaims(state: MonitorState, height: number): ClaimRecord[] {
  return state.claims.filter(
    (c) =>
      c.kind !== ClaimKind.RevokedHtlcOutput &&
      c.spend === undefined &&
      !c.resolved &&
      c.spendableHeight <= height + 1,
  );
}

/** Confirmed transactions still tracked for reorganizations. */
export function relevantTxids(state: MonitorState): RelevantTxid[] {
  const out = new Map<string, RelevantTxid>();
  const spend = state.fundingSpend;
  if (spend !== undefined && !state.fundingSpendFinal) {
    out.set(spend.txid, { txid: spend.txid, height: spend.height, blockHash: spend.blockHash });
  }
  for (const c of state.claims) {
    if (c.spend !== undefined && !c.resolved) out.set(c.spend.txid, { ...c.spend });
  }
  return [...out.values()];
}

/** The funding output and every unresolved claimed output. */
export function outputsToWatch(state: MonitorState): WatchedOutput[] {
  const out: WatchedOutput[] = [
    { outpoint: { ...state.fundingOutpoint }, scriptPubKey: state.fundingScriptPubkey.slice() },
  ];
  for (const c of state.claims) {
    if (!c.resolved)
      out.push({ outpoint: { ...c.outpoint }, scriptPubKey: c.scriptPubkey.slice() });
  }
  return out;
}

/**
 * True once nothing is left to do on chain: the funding spend is final, every claim's spend is
 * final, and no HTLC output is left that the monitor does not track (those of an unknown
 * commitment of the peer are not, so such a spend never counts as resolved; nor does an old
 * commitment of ours from a stale backup, whose HTLCs the monitor does not know). An output too
 * small to claim, or an HTLC output of a revoked commitment nobody ever spends, keeps it
 * unresolved.
 */
export function isFullyResolved(state: MonitorState): boolean {
  const spend = state.fundingSpend;
  if (spend === undefined || !state.fundingSpendFinal) return false;
  if (!state.claims.every((c) => c.resolved)) return false;
  switch (spend.kind) {
    case FundingSpendKind.CooperativeClose:
      return true;
    case FundingSpendKind.HolderCommitment:
      return [state.holder, state.previousHolder].some(
        (h) => h?.commitmentNumber === spend.commitmentNumber,
      );
    case FundingSpendKind.CounterpartyCommitment:
      return state.counterparty.some((c) => c.commitmentNumber === spend.commitmentNumber);
    case FundingSpendKind.RevokedCounterpartyCommitment:
      // Its HTLC outputs are watched claims: resolved once taken (by anyone) and punished.
      return true;
    default:
      return false;
  }
}

/**
 * Commitment transactions, built from a plain description of one channel state. Both peers run
 * this with the same inputs (one for each side's commitment) and must get byte-identical
 * transactions, since each signs the other's.
 *
 * BOLT 3 "Commitment Transaction", "Commitment Transaction Outputs", "Trimmed Outputs",
 * "Fee Payment" and "Commitment Transaction Construction".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { SignableInput } from '../keys/signable-tx.js';
import { APIMisuseError } from '../util/errors.js';
import { assertChannelType, hasAnchors, type ChannelType } from './channel-type.js';
import { validateCommitmentKeys, type CommitmentKeys } from './commitment-keys.js';
import {
  commitmentObscuringFactor,
  MAX_COMMITMENT_NUMBER,
  obscuredCommitmentFields,
} from './commitment-number.js';
import { TransactionError } from './errors.js';
import {
  ANCHOR_OUTPUT_VALUE_SAT,
  commitmentFeeSat,
  htlcDustThresholdSat,
  msatToSatFloor,
  satToMsat,
} from './fees.js';
import { sortOutputs } from './output-ordering.js';
import { anchorWitnessScript } from './scripts/anchor.js';
import { fundingWitnessScript } from './scripts/funding.js';
import { assertCompressedKeyShape } from './scripts/keys-shape.js';
import { offeredHtlcWitnessScript, receivedHtlcWitnessScript } from './scripts/htlc.js';
import { p2wshScriptPubkey } from './scripts/templates.js';
import { toLocalWitnessScript } from './scripts/to-local.js';
import { toRemoteOutputScript } from './scripts/to-remote.js';
import { fundingSpendWitness } from './scripts/witness.js';
import { signableInput } from './sighash.js';
import { SighashType } from './signature-encoding.js';
import { computeTxid, withWitness, type OutPoint, type Transaction } from './transaction.js';
import {
  assertLength,
  assertMsat,
  assertOutPoint,
  assertSat,
  assertUint,
  U16_MAX,
  U32_MAX,
} from './validation.js';
import { MAX_HTLCS_PER_DIRECTION } from './weights.js';

/** One HTLC committed to, seen from the commitment's broadcaster. */
export interface CommitmentHtlc {
  /** True when the broadcaster offered (sends) it; false when it receives it. */
  readonly offered: boolean;
  readonly amountMsat: bigint;
  /** SHA256 payment hash, 32 bytes. */
  readonly paymentHash: Uint8Array;
  /** Absolute block height (u32). */
  readonly cltvExpiry: number;
}

/** Who opened (funded) the channel, from the broadcaster's side: they pay fee and anchors. */
export type CommitmentSide = 'local' | 'remote';

/** Everything that determines one commitment transaction. `local` is its broadcaster. */
export interface CommitmentParams {
  /** The funding output this commitment spends. */
  readonly fundingOutpoint: OutPoint;
  readonly fundingValueSat: bigint;
  /** 0 … 2^48 − 1, counting up from the first commitment. */
  readonly commitmentNumber: number;
  /** `payment_basepoint` from `open_channel` (the opener's), for the obscuring factor. */
  readonly openerPaymentBasepoint: Uint8Array;
  /** `payment_basepoint` from `accept_channel`. */
  readonly accepterPaymentBasepoint: Uint8Array;
  /** The CSV delay on the broadcaster's outputs, set by the countersignatory (u16 blocks). */
  readonly toSelfDelay: number;
  /** The broadcaster's `dust_limit_satoshis`. */
  readonly dustLimitSat: bigint;
  /** `feerate_per_kw` (u32, sat per 1000 weight). */
  readonly feerateSatPerKw: number;
  readonly channelType: ChannelType;
  /** The funder, who pays the base fee and both anchors. */
  readonly funder: CommitmentSide;
  readonly keys: CommitmentKeys;
  readonly toLocalMsat: bigint;
  readonly toRemoteMsat: bigint;
  /** At most 483 offered and 483 received. Results refer to HTLCs by index in this array. */
  readonly htlcs: readonly CommitmentHtlc[];
  /**
   * When the funder's balance cannot cover the fee (and anchors), build anyway: the funder's
   * output disappears and the fee takes what is left, as in the BOLT 3 vector "commitment tx
   * with fee greater than funder amount". BOLT 2 forbids reaching such a state (an `update_fee`
   * the funder cannot afford fails the channel), so the default is to throw `TransactionError`.
   */
  readonly allowFeeAboveFunderBalance?: boolean;
}

export const CommitmentOutputKind = {
  ToLocal: 'to_local',
  ToRemote: 'to_remote',
  LocalAnchor: 'local_anchor',
  RemoteAnchor: 'remote_anchor',
  OfferedHtlc: 'offered_htlc',
  ReceivedHtlc: 'received_htlc',
} as const;
export type CommitmentOutputKind = (typeof CommitmentOutputKind)[keyof typeof CommitmentOutputKind];

export interface CommitmentOutput {
  readonly kind: CommitmentOutputKind;
  readonly valueSat: bigint;
  readonly scriptPubkey: Uint8Array;
  /** The P2WSH witness script; `undefined` only for the P2WPKH `to_remote` (no anchors). */
  readonly witnessScript: Uint8Array | undefined;
  /** For HTLC outputs, the index of the HTLC in `params.htlcs`. */
  readonly htlcIndex: number | undefined;
  readonly cltvExpiry: number | undefined;
}

export interface CommitmentTransaction {
  readonly params: CommitmentParams;
  /** The unsigned transaction (empty witness). */
  readonly tx: Transaction;
  /** Internal byte order; the HTLC transactions spend it. */
  readonly txid: Uint8Array;
  /** Parallel to `tx.outputs`, in BOLT 3 order. */
  readonly outputs: readonly CommitmentOutput[];
  /** For each HTLC of `params.htlcs`, its output index, or `null` when trimmed. */
  readonly htlcOutputIndices: readonly (number | null)[];
  /** The 2-of-2 script of the funding output this commitment spends. */
  readonly fundingWitnessScript: Uint8Array;
  /** What the funder pays: feerate × expected weight / 1000 (anchors not included). */
  readonly baseFeeSat: bigint;
  /** What the transaction really pays: funding value minus outputs (adds trimmed amounts). */
  readonly feeSat: bigint;
}

function isSide(v: unknown): v is CommitmentSide {
  return v === 'local' || v === 'remote';
}

/** Checks every field so that bad input ends in a typed error before any work is done. */
function checkParams(p: CommitmentParams, crypto: CryptoBackend): void {
  if (typeof p !== 'object' || p === null) throw new APIMisuseError('params: expected an object');
  assertOutPoint(p.fundingOutpoint, 'fundingOutpoint');
  assertSat(p.fundingValueSat, 'fundingValueSat');
  assertUint(p.commitmentNumber, MAX_COMMITMENT_NUMBER, 'commitmentNumber');
  assertCompressedKeyShape(p.openerPaymentBasepoint, 'openerPaymentBasepoint');
  assertCompressedKeyShape(p.accepterPaymentBasepoint, 'accepterPaymentBasepoint');
  assertUint(p.toSelfDelay, U16_MAX, 'toSelfDelay');
  assertSat(p.dustLimitSat, 'dustLimitSat');
  assertUint(p.feerateSatPerKw, U32_MAX, 'feerateSatPerKw');
  assertChannelType(p.channelType);
  if (!isSide(p.funder)) throw new APIMisuseError(`funder: expected 'local' or 'remote'`);
  if (
    p.allowFeeAboveFunderBalance !== undefined &&
    typeof p.allowFeeAboveFunderBalance !== 'boolean'
  ) {
    throw new APIMisuseError('allowFeeAboveFunderBalance: expected a boolean');
  }
  validateCommitmentKeys(p.keys, crypto);
  assertMsat(p.toLocalMsat, 'toLocalMsat');
  assertMsat(p.toRemoteMsat, 'toRemoteMsat');
  const rawHtlcs: unknown = p.htlcs;
  if (!Array.isArray(rawHtlcs)) throw new APIMisuseError('htlcs: expected an array');
  const htlcs: readonly CommitmentHtlc[] = p.htlcs;
  let offered = 0;
  let received = 0;
  let totalMsat = p.toLocalMsat + p.toRemoteMsat;
  for (const [i, h] of htlcs.entries()) {
    if (typeof h !== 'object' || h === null || typeof h.offered !== 'boolean') {
      throw new APIMisuseError(
        `htlcs[${i}]: expected { offered, amountMsat, paymentHash, cltvExpiry }`,
      );
    }
    totalMsat += assertMsat(h.amountMsat, `htlcs[${i}].amountMsat`);
    assertLength(h.paymentHash, 32, `htlcs[${i}].paymentHash`);
    assertUint(h.cltvExpiry, U32_MAX, `htlcs[${i}].cltvExpiry`);
    if (h.offered) offered++;
    else received++;
  }
  if (offered > MAX_HTLCS_PER_DIRECTION || received > MAX_HTLCS_PER_DIRECTION) {
    throw new APIMisuseError(
      `htlcs: ${offered} offered and ${received} received; at most ${MAX_HTLCS_PER_DIRECTION} each (BOLT 2 max_accepted_htlcs)`,
    );
  }
  // The state must account for every millisatoshi of the channel; anything else is a caller bug
  // that would otherwise surface as a fee nobody agreed to.
  if (totalMsat !== satToMsat(p.fundingValueSat)) {
    throw new APIMisuseError(
      `balances: to_local + to_remote + HTLCs = ${totalMsat} msat, but the funding output holds ${satToMsat(p.fundingValueSat)} msat`,
    );
  }
}

/**
 * Builds the unsigned commitment transaction for `params`, following BOLT 3 "Commitment
 * Transaction Construction": trim HTLCs, take the base fee (and with anchors 2 × 330 sat) from
 * the funder, add the untrimmed HTLC outputs, `to_local`/`to_remote` when at or above the dust
 * limit, the anchors that apply, then sort.
 *
 * Throws `APIMisuseError` for malformed parameters (including balances that do not add up to the
 * funding value, or more than 483 HTLCs in one direction), `CryptoError` for invalid keys, and
 * `TransactionError` when the funder's balance cannot cover the fee and anchors.
 */
export function buildCommitmentTransaction(
  params: CommitmentParams,
  crypto: CryptoBackend = nobleBackend,
): CommitmentTransaction {
  checkParams(params, crypto);
  const { keys, channelType, feerateSatPerKw, dustLimitSat } = params;
  const anchors = hasAnchors(channelType);

  // 1. Trimming (BOLT 3 "Trimmed Outputs"), with the second-stage fee for the HTLC's direction.
  const offeredThreshold = htlcDustThresholdSat({
    offered: true,
    dustLimitSat,
    feerateSatPerKw,
    channelType,
  });
  const receivedThreshold = htlcDustThresholdSat({
    offered: false,
    dustLimitSat,
    feerateSatPerKw,
    channelType,
  });
  const untrimmed: number[] = [];
  for (const [i, h] of params.htlcs.entries()) {
    const threshold = h.offered ? offeredThreshold : receivedThreshold;
    if (msatToSatFloor(h.amountMsat) >= threshold) untrimmed.push(i);
  }

  // 2-3. The funder pays the base fee and, with anchors, both anchor values.
  const baseFeeSat = commitmentFeeSat(channelType, feerateSatPerKw, untrimmed.length);
  const funderCostSat = baseFeeSat + (anchors ? 2n * ANCHOR_OUTPUT_VALUE_SAT : 0n);
  let toLocalSat = msatToSatFloor(params.toLocalMsat);
  let toRemoteSat = msatToSatFloor(params.toRemoteMsat);
  const funderSat = params.funder === 'local' ? toLocalSat : toRemoteSat;
  if (funderSat < funderCostSat && params.allowFeeAboveFunderBalance !== true) {
    throw new TransactionError(
      `funder (${params.funder}) has ${funderSat} sat but owes ${funderCostSat} sat in fee${anchors ? ' and anchors' : ''}`,
    );
  }
  const funderLeftSat = funderSat > funderCostSat ? funderSat - funderCostSat : 0n;
  if (params.funder === 'local') toLocalSat = funderLeftSat;
  else toRemoteSat = funderLeftSat;

  // 4-5. HTLC outputs.
  const outputs: CommitmentOutput[] = [];
  const htlcKeys = {
    revocationPubkey: keys.revocationPubkey,
    localHtlcPubkey: keys.localHtlcPubkey,
    remoteHtlcPubkey: keys.remoteHtlcPubkey,
  };
  for (const i of untrimmed) {
    const h = params.htlcs[i]!;
    const witnessScript = h.offered
      ? offeredHtlcWitnessScript(htlcKeys, h.paymentHash, channelType, crypto)
      : receivedHtlcWitnessScript(htlcKeys, h.paymentHash, h.cltvExpiry, channelType, crypto);
    outputs.push({
      kind: h.offered ? CommitmentOutputKind.OfferedHtlc : CommitmentOutputKind.ReceivedHtlc,
      valueSat: msatToSatFloor(h.amountMsat),
      scriptPubkey: p2wshScriptPubkey(witnessScript, crypto),
      witnessScript,
      htlcIndex: i,
      cltvExpiry: h.cltvExpiry,
    });
  }

  // 6-7. Main outputs, each only at or above the broadcaster's dust limit.
  const hasToLocal = toLocalSat >= dustLimitSat;
  const hasToRemote = toRemoteSat >= dustLimitSat;
  if (hasToLocal) {
    const witnessScript = toLocalWitnessScript(
      keys.revocationPubkey,
      params.toSelfDelay,
      keys.localDelayedPubkey,
    );
    outputs.push({
      kind: CommitmentOutputKind.ToLocal,
      valueSat: toLocalSat,
      scriptPubkey: p2wshScriptPubkey(witnessScript, crypto),
      witnessScript,
      htlcIndex: undefined,
      cltvExpiry: undefined,
    });
  }
  if (hasToRemote) {
    const { scriptPubkey, witnessScript } = toRemoteOutputScript(
      keys.remotePaymentPubkey,
      channelType,
      crypto,
    );
    outputs.push({
      kind: CommitmentOutputKind.ToRemote,
      valueSat: toRemoteSat,
      scriptPubkey,
      witnessScript,
      htlcIndex: undefined,
      cltvExpiry: undefined,
    });
  }

  // 8. Anchors: one per side whose main output exists, both when any HTLC is untrimmed.
  if (anchors) {
    const anyHtlc = untrimmed.length > 0;
    const addAnchor = (kind: CommitmentOutputKind, fundingPubkey: Uint8Array): void => {
      const witnessScript = anchorWitnessScript(fundingPubkey);
      outputs.push({
        kind,
        valueSat: ANCHOR_OUTPUT_VALUE_SAT,
        scriptPubkey: p2wshScriptPubkey(witnessScript, crypto),
        witnessScript,
        htlcIndex: undefined,
        cltvExpiry: undefined,
      });
    };
    if (hasToLocal || anyHtlc) addAnchor(CommitmentOutputKind.LocalAnchor, keys.localFundingPubkey);
    if (hasToRemote || anyHtlc) {
      addAnchor(CommitmentOutputKind.RemoteAnchor, keys.remoteFundingPubkey);
    }
  }

  // 9. BIP 69 + CLTV order.
  const sorted = sortOutputs(outputs);
  const htlcOutputIndices: (number | null)[] = params.htlcs.map(() => null);
  sorted.forEach((o, index) => {
    if (o.htlcIndex !== undefined) htlcOutputIndices[o.htlcIndex] = index;
  });

  const factor = commitmentObscuringFactor(
    params.openerPaymentBasepoint,
    params.accepterPaymentBasepoint,
    crypto,
  );
  const { locktime, sequence } = obscuredCommitmentFields(params.commitmentNumber, factor);
  const tx: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: { txid: params.fundingOutpoint.txid.slice(), vout: params.fundingOutpoint.vout },
        scriptSig: new Uint8Array(0),
        sequence,
        witness: [],
      },
    ],
    outputs: sorted.map((o) => ({ valueSat: o.valueSat, scriptPubkey: o.scriptPubkey })),
    locktime,
  };
  let outSum = 0n;
  for (const o of sorted) outSum += o.valueSat;
  return {
    params,
    tx,
    txid: computeTxid(tx, crypto),
    outputs: sorted,
    htlcOutputIndices,
    fundingWitnessScript: fundingWitnessScript(
      keys.localFundingPubkey,
      keys.remoteFundingPubkey,
      crypto,
    ),
    baseFeeSat,
    feeSat: params.fundingValueSat - outSum,
  };
}

/**
 * What either funding key holder signs for this commitment: input 0 spending the funding output
 * with the 2-of-2 script, SIGHASH_ALL. The countersignatory signs it and sends the signature in
 * `commitment_signed`; the broadcaster signs it only when it goes to chain.
 */
export function commitmentSignableInput(commitment: CommitmentTransaction): SignableInput {
  return signableInput({
    tx: commitment.tx,
    inputIndex: 0,
    witnessScript: commitment.fundingWitnessScript,
    valueSat: commitment.params.fundingValueSat,
    sighashType: SighashType.All,
  });
}

/**
 * The broadcastable commitment: the unsigned transaction with the 2-of-2 witness, the two
 * compact signatures placed in funding-key order. Signatures are not verified here; verify the
 * countersignatory's when it arrives (`sighashOfSignable` + `CryptoBackend.verify`).
 */
export function finalizeCommitmentTransaction(
  commitment: CommitmentTransaction,
  signatures: { readonly localSignature: Uint8Array; readonly remoteSignature: Uint8Array },
): Transaction {
  const { keys } = commitment.params;
  return withWitness(
    commitment.tx,
    0,
    fundingSpendWitness({
      localFundingPubkey: keys.localFundingPubkey,
      localSignature: signatures.localSignature,
      remoteFundingPubkey: keys.remoteFundingPubkey,
      remoteSignature: signatures.remoteSignature,
      witnessScript: commitment.fundingWitnessScript,
    }),
  );
}

/**
 * Second-stage HTLC transactions: HTLC-timeout spends an offered HTLC output after its
 * `cltv_expiry`, HTLC-success spends a received one with the preimage. Both pay to the
 * `to_local`-style script so the broadcaster still waits `to_self_delay` and a revoked state can
 * still be punished. The countersignatory signs them in advance (`htlc_signatures` in
 * `commitment_signed`, one per untrimmed HTLC in commitment output order).
 *
 * With anchors the fee is zero and the input's nSequence is 1; the countersignatory signs with
 * SIGHASH_SINGLE|ANYONECANPAY so the broadcaster can attach inputs and a change output to pay
 * the fee (BOLT 5 "Generation of HTLC Transactions").
 *
 * BOLT 3 "HTLC-Timeout and HTLC-Success Transactions".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { SignableInput } from '../keys/signable-tx.js';
import { APIMisuseError } from '../util/errors.js';
import { assertChannelType, hasAnchors, type ChannelType } from './channel-type.js';
import type { CommitmentHtlc, CommitmentTransaction } from './commitment.js';
import { TransactionError } from './errors.js';
import { htlcSuccessFeeSat, htlcTimeoutFeeSat, msatToSatFloor } from './fees.js';
import { p2wshScriptPubkey } from './scripts/templates.js';
import { toLocalWitnessScript } from './scripts/to-local.js';
import {
  htlcSuccessTxWitness,
  htlcTimeoutTxWitness,
  remoteHtlcSighash,
} from './scripts/witness.js';
import { signableInput } from './sighash.js';
import { SighashType } from './signature-encoding.js';
import { withWitness, type Transaction } from './transaction.js';
import {
  assertBytesValue,
  assertLength,
  assertMsat,
  assertUint,
  U16_MAX,
  U32_MAX,
} from './validation.js';

export const HtlcTxKind = {
  Timeout: 'htlc-timeout',
  Success: 'htlc-success',
} as const;
export type HtlcTxKind = (typeof HtlcTxKind)[keyof typeof HtlcTxKind];

export interface HtlcTransaction {
  readonly kind: HtlcTxKind;
  readonly channelType: ChannelType;
  readonly htlc: CommitmentHtlc;
  /** The HTLC's index in the commitment's `params.htlcs`, when built from a commitment. */
  readonly htlcIndex: number | undefined;
  /** Which commitment output this transaction spends. */
  readonly commitmentOutputIndex: number;
  /** The unsigned transaction. */
  readonly tx: Transaction;
  /** The witness script of the commitment HTLC output being spent (what both sign). */
  readonly witnessScript: Uint8Array;
  /** Value of the commitment HTLC output being spent. */
  readonly inputValueSat: bigint;
  /** The `to_local`-style witness script of this transaction's output. */
  readonly outputWitnessScript: Uint8Array;
}

/** What `buildHtlcTransaction` needs, all from the broadcaster's side. */
export interface HtlcTransactionParams {
  /** Internal-order txid of the commitment transaction. */
  readonly commitmentTxid: Uint8Array;
  readonly commitmentOutputIndex: number;
  readonly htlc: CommitmentHtlc;
  /** The commitment output's witness script (offered or received HTLC script). */
  readonly witnessScript: Uint8Array;
  readonly toSelfDelay: number;
  readonly feerateSatPerKw: number;
  readonly channelType: ChannelType;
  readonly revocationPubkey: Uint8Array;
  readonly localDelayedPubkey: Uint8Array;
  /** Carried into the result: the HTLC's index in the commitment's `params.htlcs`. */
  readonly htlcIndex?: number | undefined;
}

/**
 * Builds one HTLC-timeout (offered HTLC) or HTLC-success (received HTLC) transaction: version 2,
 * locktime `cltv_expiry` or 0, nSequence 0 (1 with anchors), one output of the HTLC amount minus
 * the second-stage fee. Throws `TransactionError` when the fee exceeds the amount (such an HTLC
 * is trimmed and has no transaction).
 */
export function buildHtlcTransaction(
  params: HtlcTransactionParams,
  crypto: CryptoBackend = nobleBackend,
): HtlcTransaction {
  const { htlc, channelType } = params;
  assertLength(params.commitmentTxid, 32, 'commitmentTxid');
  assertUint(params.commitmentOutputIndex, U32_MAX, 'commitmentOutputIndex');
  assertBytesValue(params.witnessScript, 'witnessScript');
  assertUint(params.toSelfDelay, U16_MAX, 'toSelfDelay');
  assertChannelType(channelType);
  if (typeof htlc !== 'object' || htlc === null || typeof htlc.offered !== 'boolean') {
    throw new APIMisuseError('htlc: expected { offered, amountMsat, paymentHash, cltvExpiry }');
  }
  assertMsat(htlc.amountMsat, 'htlc.amountMsat');
  assertUint(htlc.cltvExpiry, U32_MAX, 'htlc.cltvExpiry');

  const amountSat = msatToSatFloor(htlc.amountMsat);
  const feeSat = htlc.offered
    ? htlcTimeoutFeeSat(channelType, params.feerateSatPerKw)
    : htlcSuccessFeeSat(channelType, params.feerateSatPerKw);
  if (amountSat < feeSat) {
    throw new TransactionError(
      `HTLC of ${amountSat} sat cannot pay its ${feeSat} sat second-stage fee (it is trimmed)`,
    );
  }
  const outputWitnessScript = toLocalWitnessScript(
    params.revocationPubkey,
    params.toSelfDelay,
    params.localDelayedPubkey,
  );
  const tx: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: { txid: params.commitmentTxid.slice(), vout: params.commitmentOutputIndex },
        scriptSig: new Uint8Array(0),
        sequence: hasAnchors(channelType) ? 1 : 0,
        witness: [],
      },
    ],
    outputs: [
      {
        valueSat: amountSat - feeSat,
        scriptPubkey: p2wshScriptPubkey(outputWitnessScript, crypto),
      },
    ],
    locktime: htlc.offered ? htlc.cltvExpiry : 0,
  };
  return {
    kind: htlc.offered ? HtlcTxKind.Timeout : HtlcTxKind.Success,
    channelType,
    htlc,
    htlcIndex: params.htlcIndex,
    commitmentOutputIndex: params.commitmentOutputIndex,
    tx,
    witnessScript: params.witnessScript,
    inputValueSat: amountSat,
    outputWitnessScript,
  };
}

/**
 * Every HTLC transaction of a commitment, in commitment output order, which is the order of
 * `htlc_signatures` in `commitment_signed` (BOLT 2).
 */
export function buildHtlcTransactions(
  commitment: CommitmentTransaction,
  crypto: CryptoBackend = nobleBackend,
): HtlcTransaction[] {
  const { params } = commitment;
  const out: HtlcTransaction[] = [];
  commitment.outputs.forEach((o, index) => {
    if (o.htlcIndex === undefined || o.witnessScript === undefined) return;
    out.push(
      buildHtlcTransaction(
        {
          commitmentTxid: commitment.txid,
          commitmentOutputIndex: index,
          htlc: params.htlcs[o.htlcIndex]!,
          witnessScript: o.witnessScript,
          toSelfDelay: params.toSelfDelay,
          feerateSatPerKw: params.feerateSatPerKw,
          channelType: params.channelType,
          revocationPubkey: params.keys.revocationPubkey,
          localDelayedPubkey: params.keys.localDelayedPubkey,
          htlcIndex: o.htlcIndex,
        },
        crypto,
      ),
    );
  });
  return out;
}

/**
 * What a signer signs for an HTLC transaction. `signer` is `remote` for the countersignatory
 * (the signature sent in `commitment_signed`: SIGHASH_SINGLE|ANYONECANPAY with anchors, ALL
 * otherwise) and `local` for the broadcaster (always SIGHASH_ALL).
 */
export function htlcSignableInput(
  htlcTx: HtlcTransaction,
  signer: 'local' | 'remote',
): SignableInput {
  if (signer !== 'local' && signer !== 'remote') {
    throw new APIMisuseError(`signer: expected 'local' or 'remote'`);
  }
  return signableInput({
    tx: htlcTx.tx,
    inputIndex: 0,
    witnessScript: htlcTx.witnessScript,
    valueSat: htlcTx.inputValueSat,
    sighashType: signer === 'remote' ? remoteHtlcSighash(htlcTx.channelType) : SighashType.All,
  });
}

/**
 * The broadcastable HTLC transaction: both signatures (compact) and, for HTLC-success, the
 * 32-byte payment preimage. With anchors the broadcaster would normally add a fee input first;
 * the countersignatory's SINGLE|ANYONECANPAY signature stays valid when it does.
 */
export function finalizeHtlcTransaction(
  htlcTx: HtlcTransaction,
  args: {
    readonly localSignature: Uint8Array;
    readonly remoteSignature: Uint8Array;
    readonly paymentPreimage?: Uint8Array | undefined;
  },
): Transaction {
  if (htlcTx.kind === HtlcTxKind.Success) {
    if (args.paymentPreimage === undefined) {
      throw new APIMisuseError('paymentPreimage: required for an HTLC-success transaction');
    }
    return withWitness(
      htlcTx.tx,
      0,
      htlcSuccessTxWitness({
        remoteSignature: args.remoteSignature,
        localSignature: args.localSignature,
        paymentPreimage: args.paymentPreimage,
        witnessScript: htlcTx.witnessScript,
        channelType: htlcTx.channelType,
      }),
    );
  }
  return withWitness(
    htlcTx.tx,
    0,
    htlcTimeoutTxWitness({
      remoteSignature: args.remoteSignature,
      localSignature: args.localSignature,
      witnessScript: htlcTx.witnessScript,
      channelType: htlcTx.channelType,
    }),
  );
}

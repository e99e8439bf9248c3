/**
 * The mutual close transaction negotiated with `closing_signed` (BOLT 3 "Legacy Closing
 * Transaction"): the funding output split between both shutdown scripts, the fee taken from the
 * funder, dust outputs removed, no timelocks.
 *
 * Each side removes outputs below *its own* dust limit, so the two peers may build different
 * variants; the signature says which one was meant, and BOLT 3 allows either side to drop its own
 * output. The `option_simple_close` variant (`closing_complete`) is not built here.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { SignableInput } from '../keys/signable-tx.js';
import { APIMisuseError } from '../util/errors.js';
import type { CommitmentSide } from './commitment.js';
import { TransactionError } from './errors.js';
import { msatToSatFloor, satToMsat } from './fees.js';
import { sortOutputs } from './output-ordering.js';
import { fundingWitnessScript } from './scripts/funding.js';
import { fundingSpendWitness } from './scripts/witness.js';
import { signableInput } from './sighash.js';
import { SighashType } from './signature-encoding.js';
import {
  computeTxid,
  withWitness,
  type OutPoint,
  type Transaction,
  type TxOutput,
} from './transaction.js';
import { assertBytesValue, assertMsat, assertOutPoint, assertSat } from './validation.js';

/** A closing transaction from the side computing it (`local`). */
export interface ClosingParams {
  readonly fundingOutpoint: OutPoint;
  readonly fundingValueSat: bigint;
  readonly localFundingPubkey: Uint8Array;
  readonly remoteFundingPubkey: Uint8Array;
  /** `scriptpubkey` from our `shutdown`. */
  readonly localScriptPubkey: Uint8Array;
  /** `scriptpubkey` from their `shutdown`. */
  readonly remoteScriptPubkey: Uint8Array;
  /** Final balances; with no HTLCs left they add up to the funding value. */
  readonly toLocalMsat: bigint;
  readonly toRemoteMsat: bigint;
  /** `fee_satoshis` from `closing_signed`, paid by the funder. */
  readonly feeSat: bigint;
  readonly funder: CommitmentSide;
  /** Our `dust_limit_satoshis`: outputs below it are removed. */
  readonly dustLimitSat: bigint;
  /** Drop our own output even when it is above the dust limit (BOLT 3 allows it). */
  readonly omitLocalOutput?: boolean;
}

export interface ClosingTransaction {
  readonly params: ClosingParams;
  /** Unsigned. */
  readonly tx: Transaction;
  readonly txid: Uint8Array;
  readonly fundingWitnessScript: Uint8Array;
  /** Index of our output, or `null` when removed. */
  readonly localOutputIndex: number | null;
  /** Index of their output, or `null` when removed. */
  readonly remoteOutputIndex: number | null;
}

/**
 * Builds the unsigned closing transaction: version 2, locktime 0, nSequence 0xFFFFFFFF, outputs
 * rounded down to whole satoshis in BIP 69 order. Throws `APIMisuseError` for malformed
 * parameters or balances that do not add up to the funding value, and `TransactionError` when
 * the funder cannot pay the fee or no output would remain.
 */
export function buildClosingTransaction(
  params: ClosingParams,
  crypto: CryptoBackend = nobleBackend,
): ClosingTransaction {
  if (typeof params !== 'object' || params === null) {
    throw new APIMisuseError('params: expected an object');
  }
  assertOutPoint(params.fundingOutpoint, 'fundingOutpoint');
  assertSat(params.fundingValueSat, 'fundingValueSat');
  assertBytesValue(params.localScriptPubkey, 'localScriptPubkey');
  assertBytesValue(params.remoteScriptPubkey, 'remoteScriptPubkey');
  assertMsat(params.toLocalMsat, 'toLocalMsat');
  assertMsat(params.toRemoteMsat, 'toRemoteMsat');
  assertSat(params.feeSat, 'feeSat');
  assertSat(params.dustLimitSat, 'dustLimitSat');
  if (params.funder !== 'local' && params.funder !== 'remote') {
    throw new APIMisuseError(`funder: expected 'local' or 'remote'`);
  }
  if (params.toLocalMsat + params.toRemoteMsat !== satToMsat(params.fundingValueSat)) {
    throw new APIMisuseError(
      'balances: toLocalMsat + toRemoteMsat must equal the funding value (no HTLCs at close)',
    );
  }
  const witnessScript = fundingWitnessScript(
    params.localFundingPubkey,
    params.remoteFundingPubkey,
    crypto,
  );

  let localSat = msatToSatFloor(params.toLocalMsat);
  let remoteSat = msatToSatFloor(params.toRemoteMsat);
  const funderSat = params.funder === 'local' ? localSat : remoteSat;
  if (funderSat < params.feeSat) {
    throw new TransactionError(
      `funder (${params.funder}) has ${funderSat} sat, less than the ${params.feeSat} sat closing fee`,
    );
  }
  if (params.funder === 'local') localSat -= params.feeSat;
  else remoteSat -= params.feeSat;

  const candidates: (TxOutput & { side: CommitmentSide })[] = [];
  if (localSat >= params.dustLimitSat && params.omitLocalOutput !== true) {
    candidates.push({ valueSat: localSat, scriptPubkey: params.localScriptPubkey, side: 'local' });
  }
  if (remoteSat >= params.dustLimitSat) {
    candidates.push({
      valueSat: remoteSat,
      scriptPubkey: params.remoteScriptPubkey,
      side: 'remote',
    });
  }
  if (candidates.length === 0) {
    throw new TransactionError('closing transaction: every output is below the dust limit');
  }
  const sorted = sortOutputs(candidates);
  const tx: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: { txid: params.fundingOutpoint.txid.slice(), vout: params.fundingOutpoint.vout },
        scriptSig: new Uint8Array(0),
        sequence: 0xffffffff,
        witness: [],
      },
    ],
    outputs: sorted.map((o) => ({ valueSat: o.valueSat, scriptPubkey: o.scriptPubkey })),
    locktime: 0,
  };
  const indexOf = (side: CommitmentSide): number | null => {
    const i = sorted.findIndex((o) => o.side === side);
    return i < 0 ? null : i;
  };
  return {
    params,
    tx,
    txid: computeTxid(tx, crypto),
    fundingWitnessScript: witnessScript,
    localOutputIndex: indexOf('local'),
    remoteOutputIndex: indexOf('remote'),
  };
}

/** What each side signs for the closing transaction (funding input, SIGHASH_ALL). */
export function closingSignableInput(closing: ClosingTransaction): SignableInput {
  return signableInput({
    tx: closing.tx,
    inputIndex: 0,
    witnessScript: closing.fundingWitnessScript,
    valueSat: closing.params.fundingValueSat,
    sighashType: SighashType.All,
  });
}

/** The broadcastable closing transaction with both compact signatures in funding-key order. */
export function finalizeClosingTransaction(
  closing: ClosingTransaction,
  signatures: { readonly localSignature: Uint8Array; readonly remoteSignature: Uint8Array },
): Transaction {
  return withWitness(
    closing.tx,
    0,
    fundingSpendWitness({
      localFundingPubkey: closing.params.localFundingPubkey,
      localSignature: signatures.localSignature,
      remoteFundingPubkey: closing.params.remoteFundingPubkey,
      remoteSignature: signatures.remoteSignature,
      witnessScript: closing.fundingWitnessScript,
    }),
  );
}

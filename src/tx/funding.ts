/**
 * The funding transaction is built and signed by the host's wallet; the channel layer only needs
 * to find the 2-of-2 output in it, check its value, and check that the transaction cannot be
 * malleated before it confirms (BOLT 2 `funding_created`: the funder must only spend segwit
 * inputs, or the txid that both commitments spend could change).
 *
 * BOLT 3 "Funding Transaction Output"; BOLT 2 "The `funding_created` Message".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { equalBytes } from '../util/bytes.js';
import { TransactionError } from './errors.js';
import { fundingScriptPubkey } from './scripts/funding.js';
import { isWitnessV0Program } from './scripts/templates.js';
import { computeTxid, parseTransaction, type OutPoint, type Transaction } from './transaction.js';
import { assertSat, assertUint, U32_MAX } from './validation.js';

/** The funding output of a transaction: where it is and what it holds. */
export interface FundingOutput {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
}

function asTransaction(tx: Transaction | Uint8Array): Transaction {
  return tx instanceof Uint8Array ? parseTransaction(tx) : tx;
}

/**
 * Finds the output paying to the 2-of-2 P2WSH of the two funding keys. Returns `undefined` when
 * there is none; when several match (legal but pointless), the first. Accepts the transaction
 * parsed or serialized (`DecodeError` if it does not parse); `CryptoError` for invalid keys.
 */
export function findFundingOutput(
  tx: Transaction | Uint8Array,
  fundingPubkeys: {
    readonly localFundingPubkey: Uint8Array;
    readonly remoteFundingPubkey: Uint8Array;
  },
  crypto: CryptoBackend = nobleBackend,
): FundingOutput | undefined {
  const parsed = asTransaction(tx);
  const script = fundingScriptPubkey(
    fundingPubkeys.localFundingPubkey,
    fundingPubkeys.remoteFundingPubkey,
    crypto,
  );
  const index = parsed.outputs.findIndex((o) => equalBytes(o.scriptPubkey, script));
  if (index < 0) return undefined;
  return {
    outpoint: { txid: computeTxid(parsed, crypto), vout: index },
    valueSat: parsed.outputs[index]!.valueSat,
  };
}

/**
 * Checks that output `outputIndex` of the funding transaction is the agreed 2-of-2 of exactly
 * `valueSat`, and that the transaction's txid is the one both sides signed commitments for.
 * Throws `TransactionError` naming what differs.
 */
export function verifyFundingOutput(
  tx: Transaction | Uint8Array,
  expected: {
    readonly txid: Uint8Array;
    readonly outputIndex: number;
    readonly valueSat: bigint;
    readonly localFundingPubkey: Uint8Array;
    readonly remoteFundingPubkey: Uint8Array;
  },
  crypto: CryptoBackend = nobleBackend,
): void {
  const parsed = asTransaction(tx);
  assertUint(expected.outputIndex, U32_MAX, 'outputIndex');
  assertSat(expected.valueSat, 'valueSat');
  if (!equalBytes(computeTxid(parsed, crypto), expected.txid)) {
    throw new TransactionError('funding transaction: txid differs from the agreed funding txid');
  }
  const output = parsed.outputs[expected.outputIndex];
  if (output === undefined) {
    throw new TransactionError(
      `funding transaction: no output ${expected.outputIndex} (has ${parsed.outputs.length})`,
    );
  }
  const script = fundingScriptPubkey(
    expected.localFundingPubkey,
    expected.remoteFundingPubkey,
    crypto,
  );
  if (!equalBytes(output.scriptPubkey, script)) {
    throw new TransactionError(
      `funding transaction: output ${expected.outputIndex} is not the 2-of-2 of the funding keys`,
    );
  }
  if (output.valueSat !== expected.valueSat) {
    throw new TransactionError(
      `funding transaction: output ${expected.outputIndex} holds ${output.valueSat} sat, expected ${expected.valueSat}`,
    );
  }
}

/**
 * True when every input of a *signed* transaction spends a segwit output, so its txid is final
 * before it confirms. An input counts as segwit when it has a witness and its scriptSig is empty
 * (native segwit) or a single push of a v0 witness program (P2SH-wrapped). A legacy input has
 * an empty witness. Only meaningful on the fully signed transaction.
 */
export function hasOnlySegwitInputs(tx: Transaction | Uint8Array): boolean {
  const parsed = asTransaction(tx);
  if (parsed.inputs.length === 0) return false;
  return parsed.inputs.every((input) => {
    if (input.witness.length === 0) return false;
    const sig = input.scriptSig;
    if (sig.length === 0) return true;
    // One direct push of the whole redeem script, which must itself be a witness program.
    return sig.length === sig[0]! + 1 && isWitnessV0Program(sig.subarray(1));
  });
}

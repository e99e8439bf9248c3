/**
 * The checks on a host's funding transaction before it is used (BOLT 2 "The funding_created
 * Message"; LDK `funding_transaction_generated`): it must parse, pay the 2-of-2 output exactly
 * once with exactly the channel value, and spend only segwit inputs (a non-segwit input would
 * let a third party malleate the txid and strand both first commitments).
 */
import { parseTransaction, type Transaction } from '../tx/transaction.js';
import { equalBytes } from '../util/bytes.js';
import { APIMisuseError, BoltkitError } from '../util/errors.js';

/** Throws `APIMisuseError` unless `fundingTx` is a valid funding transaction for the channel. */
export function checkFundingTransaction(
  fundingTx: Uint8Array,
  outputScript: Uint8Array,
  valueSat: bigint,
): Transaction {
  if (!(fundingTx instanceof Uint8Array)) {
    throw new APIMisuseError('fundingTransactionGenerated: fundingTx must be a Uint8Array');
  }
  let tx: Transaction;
  try {
    tx = parseTransaction(fundingTx);
  } catch (e) {
    if (e instanceof BoltkitError) {
      throw new APIMisuseError(`fundingTransactionGenerated: unparsable transaction: ${e.message}`);
    }
    throw e;
  }
  if (tx.inputs.length === 0) {
    throw new APIMisuseError('fundingTransactionGenerated: the transaction has no inputs');
  }
  tx.inputs.forEach((input, i) => {
    if (input.witness.length === 0) {
      throw new APIMisuseError(
        `fundingTransactionGenerated: input ${i} has no witness (all inputs must be segwit)`,
      );
    }
  });
  const matching = tx.outputs.filter((o) => equalBytes(o.scriptPubkey, outputScript));
  if (matching.length !== 1) {
    throw new APIMisuseError(
      `fundingTransactionGenerated: expected exactly one output to the funding script, got ${matching.length}`,
    );
  }
  if (matching[0]?.valueSat !== valueSat) {
    throw new APIMisuseError(
      `fundingTransactionGenerated: the funding output pays ${matching[0]?.valueSat} sat, expected ${valueSat}`,
    );
  }
  return tx;
}

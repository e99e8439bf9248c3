/**
 * The signer's own BIP 143 digest of a `SignableInput`. The signer recomputes it from the whole
 * unsigned transaction instead of trusting a digest handed to it, so what it signs is what the
 * transaction says. It uses bitcoinjs-lib's implementation, independent of the transaction
 * layer's, so a bug in one shows up as a signature the other rejects.
 *
 * https://github.com/bitcoin/bips/blob/master/bip-0143.mediawiki
 */
import { Transaction } from 'bitcoinjs-lib';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { assertByteArray, assertSat, assertUint } from './checks.js';
import type { SignableInput } from './signable-tx.js';

/** The six sighash types Bitcoin defines; anything else is refused before hashing. */
const DEFINED_SIGHASH_TYPES: ReadonlySet<number> = new Set([0x01, 0x02, 0x03, 0x81, 0x82, 0x83]);

/** A parsed `SignableInput`: the transaction and the digest to sign. */
export interface ParsedSignable {
  readonly tx: Transaction;
  readonly digest: Uint8Array;
}

/**
 * Parses `input.unsignedTx` and computes the BIP 143 digest of `input.inputIndex`. Throws
 * `DecodeError` when the transaction does not parse and `APIMisuseError` for an input index out
 * of range, an amount out of range or an undefined sighash type.
 */
export function parseSignable(input: SignableInput): ParsedSignable {
  if (typeof input !== 'object' || input === null) {
    throw new APIMisuseError('SignableInput: expected an object');
  }
  const raw = assertByteArray(input.unsignedTx, 'unsignedTx');
  assertByteArray(input.witnessScript, 'witnessScript');
  assertSat(input.valueSat, 'valueSat');
  if (!DEFINED_SIGHASH_TYPES.has(input.sighashType)) {
    throw new APIMisuseError(`sighashType: undefined type ${String(input.sighashType)}`);
  }
  let tx: Transaction;
  try {
    tx = Transaction.fromBuffer(raw);
  } catch (e) {
    throw new DecodeError('unsignedTx: not a valid serialized transaction', { cause: e });
  }
  if (tx.ins.length === 0) throw new DecodeError('unsignedTx: transaction has no inputs');
  assertUint(input.inputIndex, tx.ins.length - 1, 'inputIndex');
  const digest = tx.hashForWitnessV0(
    input.inputIndex,
    input.witnessScript,
    input.valueSat,
    input.sighashType,
  );
  return { tx, digest };
}

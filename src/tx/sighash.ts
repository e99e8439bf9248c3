/**
 * BIP 143 signature hashes for segwit v0 inputs, computed through the `CryptoBackend`. Every
 * BOLT 3 signature is over one of these. The signer computes its own sighash from a
 * `SignableInput`; this module is what the channel layer uses to *verify* the counterparty's
 * signatures on our commitment and HTLC transactions, and what tests use to sign vectors.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { SignableInput } from '../keys/signable-tx.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { isDefinedSighashType } from './signature-encoding.js';
import {
  hash256,
  parseTransaction,
  serializeTransaction,
  type Transaction,
  type TxOutput,
} from './transaction.js';
import { assertBytesValue, assertSat, assertUint } from './validation.js';

function u32le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

function u64le(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function varBytes(b: Uint8Array): Uint8Array {
  // Script codes here are far below 0xfd bytes except for unusual scripts; handle all sizes.
  const n = b.length;
  const head =
    n < 0xfd
      ? Uint8Array.of(n)
      : n <= 0xffff
        ? Uint8Array.of(0xfd, n & 0xff, n >> 8)
        : Uint8Array.of(0xfe, ...u32le(n));
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(b, head.length);
  return out;
}

function outputBytes(o: TxOutput): Uint8Array {
  return concatBytes(u64le(o.valueSat), varBytes(o.scriptPubkey));
}

const ZERO32 = new Uint8Array(32);

/**
 * The BIP 143 digest for input `inputIndex` of `tx` spending an output worth `valueSat` whose
 * script code is `witnessScript` (for P2WPKH, the implied P2PKH script). Throws `APIMisuseError`
 * for an input index out of range or an undefined sighash type.
 */
export function segwitV0Sighash(
  args: {
    readonly tx: Transaction;
    readonly inputIndex: number;
    readonly witnessScript: Uint8Array;
    readonly valueSat: bigint;
    readonly sighashType: number;
  },
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  const { tx, inputIndex, sighashType } = args;
  assertUint(inputIndex, tx.inputs.length - 1, 'inputIndex');
  assertBytesValue(args.witnessScript, 'witnessScript');
  assertSat(args.valueSat, 'valueSat');
  if (!isDefinedSighashType(sighashType)) {
    throw new APIMisuseError(`sighashType: undefined type 0x${sighashType.toString(16)}`);
  }
  const anyoneCanPay = (sighashType & 0x80) !== 0;
  const base = sighashType & 0x1f;
  const input = tx.inputs[inputIndex]!;

  const hashPrevouts = anyoneCanPay
    ? ZERO32
    : hash256(
        concatBytes(...tx.inputs.flatMap((i) => [i.prevout.txid, u32le(i.prevout.vout)])),
        crypto,
      );
  const hashSequence =
    anyoneCanPay || base !== 1
      ? ZERO32
      : hash256(concatBytes(...tx.inputs.map((i) => u32le(i.sequence))), crypto);
  let hashOutputs: Uint8Array = ZERO32;
  if (base !== 2 && base !== 3) {
    hashOutputs = hash256(concatBytes(...tx.outputs.map(outputBytes)), crypto);
  } else if (base === 3 && inputIndex < tx.outputs.length) {
    hashOutputs = hash256(outputBytes(tx.outputs[inputIndex]!), crypto);
  }

  const preimage = concatBytes(
    u32le(tx.version),
    hashPrevouts,
    hashSequence,
    input.prevout.txid,
    u32le(input.prevout.vout),
    varBytes(args.witnessScript),
    u64le(args.valueSat),
    u32le(input.sequence),
    hashOutputs,
    u32le(tx.locktime),
    u32le(sighashType),
  );
  return hash256(preimage, crypto);
}

/** The BIP 143 digest a signer signs for `input` (parses `input.unsignedTx`). */
export function sighashOfSignable(
  input: SignableInput,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  return segwitV0Sighash(
    {
      tx: parseTransaction(input.unsignedTx),
      inputIndex: input.inputIndex,
      witnessScript: input.witnessScript,
      valueSat: input.valueSat,
      sighashType: input.sighashType,
    },
    crypto,
  );
}

/** Builds the `SignableInput` for input `inputIndex` of an unsigned `tx`. */
export function signableInput(args: {
  readonly tx: Transaction;
  readonly inputIndex: number;
  readonly witnessScript: Uint8Array;
  readonly valueSat: bigint;
  readonly sighashType: number;
}): SignableInput {
  assertUint(args.inputIndex, args.tx.inputs.length - 1, 'inputIndex');
  assertSat(args.valueSat, 'valueSat');
  return {
    unsignedTx: serializeTransaction(args.tx, { witness: false }),
    inputIndex: args.inputIndex,
    witnessScript: args.witnessScript,
    valueSat: args.valueSat,
    sighashType: args.sighashType,
  };
}

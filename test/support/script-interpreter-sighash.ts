/**
 * The three signature hashes Bitcoin Core computes, written from their specifications for the
 * script interpreter helper: the legacy one (with OP_CODESEPARATOR removal and the
 * SIGHASH_SINGLE "one" quirk), BIP 143 for witness v0 and BIP 341 for taproot. Per-transaction
 * hashes are cached the way Core's `PrecomputedTransactionData` does, so checking every input
 * of a large transaction stays linear.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { Op, parseScript } from './script-interpreter-script.js';
import { Writer, hash256 } from './script-interpreter-tx.js';
import type { Tx, TxOut } from './script-interpreter-tx.js';

export const SIGHASH_ALL = 1;
export const SIGHASH_NONE = 2;
export const SIGHASH_SINGLE = 3;
export const SIGHASH_ANYONECANPAY = 0x80;
/** BIP 341: a 64-byte signature means SIGHASH_DEFAULT, which commits like SIGHASH_ALL. */
export const SIGHASH_DEFAULT = 0;

/** Per-transaction hashes shared by every input's signature checks. */
export interface SighashCache {
  bip143?: { prevouts: Uint8Array; sequences: Uint8Array; outputs: Uint8Array };
  bip341?: {
    prevouts: Uint8Array;
    amounts: Uint8Array;
    scriptPubKeys: Uint8Array;
    sequences: Uint8Array;
    outputs: Uint8Array;
  };
}

function serializeOutput(w: Writer, o: TxOut): Writer {
  return w.i64(o.valueSat).varBytes(o.scriptPubKey);
}

/** Core's legacy scriptCode serialization: the script with every OP_CODESEPARATOR removed. */
function withoutCodeSeparators(scriptCode: Uint8Array): Uint8Array {
  const w = new Writer();
  let from = 0;
  let last = 0;
  for (const op of parseScript(scriptCode)) {
    if (op.invalid) break;
    if (op.opcode === Op.OP_CODESEPARATOR) {
      w.bytes(scriptCode.subarray(from, op.start));
      from = op.end;
    }
    last = op.end;
  }
  // Core stops at an operation it cannot parse; bytes from there on are not hashed.
  return w.bytes(scriptCode.subarray(from, Math.max(from, last))).finish();
}

const ONE = (() => {
  const b = new Uint8Array(32);
  b[0] = 1;
  return b;
})();

/**
 * The original signature hash. For SIGHASH_SINGLE without a matching output Core signs the
 * number one (a known quirk that consensus keeps), and so do we.
 */
export function legacySighash(
  tx: Tx,
  inputIndex: number,
  scriptCode: Uint8Array,
  hashType: number,
): Uint8Array {
  const base = hashType & 0x1f;
  if (inputIndex >= tx.inputs.length) return ONE;
  if (base === SIGHASH_SINGLE && inputIndex >= tx.outputs.length) return ONE;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const w = new Writer().u32(tx.version);
  const inputs = anyoneCanPay ? [inputIndex] : tx.inputs.map((_, i) => i);
  w.compactSize(inputs.length);
  for (const i of inputs) {
    const input = tx.inputs[i]!;
    w.bytes(input.prevTxid).u32(input.prevIndex);
    if (i === inputIndex) w.varBytes(withoutCodeSeparators(scriptCode));
    else w.compactSize(0);
    const zeroSequence = i !== inputIndex && (base === SIGHASH_SINGLE || base === SIGHASH_NONE);
    w.u32(zeroSequence ? 0 : input.sequence);
  }
  if (base === SIGHASH_NONE) {
    w.compactSize(0);
  } else if (base === SIGHASH_SINGLE) {
    w.compactSize(inputIndex + 1);
    for (let i = 0; i < inputIndex; i++) w.i64(-1n).compactSize(0);
    serializeOutput(w, tx.outputs[inputIndex]!);
  } else {
    w.compactSize(tx.outputs.length);
    for (const o of tx.outputs) serializeOutput(w, o);
  }
  w.u32(tx.lockTime).u32(hashType);
  return hash256(w.finish());
}

function bip143Hashes(tx: Tx, cache: SighashCache): NonNullable<SighashCache['bip143']> {
  if (cache.bip143 === undefined) {
    const prevouts = new Writer();
    const sequences = new Writer();
    for (const i of tx.inputs) {
      prevouts.bytes(i.prevTxid).u32(i.prevIndex);
      sequences.u32(i.sequence);
    }
    const outputs = new Writer();
    for (const o of tx.outputs) serializeOutput(outputs, o);
    cache.bip143 = {
      prevouts: hash256(prevouts.finish()),
      sequences: hash256(sequences.finish()),
      outputs: hash256(outputs.finish()),
    };
  }
  return cache.bip143;
}

/** BIP 143: the witness v0 signature hash, which commits to the spent amount. */
export function segwitV0Sighash(
  tx: Tx,
  inputIndex: number,
  scriptCode: Uint8Array,
  amountSat: bigint,
  hashType: number,
  cache: SighashCache = {},
): Uint8Array {
  const base = hashType & 0x1f;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const zero: Uint8Array = new Uint8Array(32);
  const h = bip143Hashes(tx, cache);
  const hashPrevouts = anyoneCanPay ? zero : h.prevouts;
  const hashSequence =
    anyoneCanPay || base === SIGHASH_SINGLE || base === SIGHASH_NONE ? zero : h.sequences;
  let hashOutputs = zero;
  if (base !== SIGHASH_SINGLE && base !== SIGHASH_NONE) {
    hashOutputs = h.outputs;
  } else if (base === SIGHASH_SINGLE && inputIndex < tx.outputs.length) {
    hashOutputs = hash256(serializeOutput(new Writer(), tx.outputs[inputIndex]!).finish());
  }
  const input = tx.inputs[inputIndex]!;
  const w = new Writer()
    .u32(tx.version)
    .bytes(hashPrevouts)
    .bytes(hashSequence)
    .bytes(input.prevTxid)
    .u32(input.prevIndex)
    .varBytes(scriptCode)
    .i64(amountSat)
    .u32(input.sequence)
    .bytes(hashOutputs)
    .u32(tx.lockTime)
    .u32(hashType);
  return hash256(w.finish());
}

const tagCache = new Map<string, Uint8Array>();

/** BIP 340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || data). */
export function taggedHash(tag: string, ...data: Uint8Array[]): Uint8Array {
  let t = tagCache.get(tag);
  if (t === undefined) {
    t = sha256(new TextEncoder().encode(tag));
    tagCache.set(tag, t);
  }
  const w = new Writer().bytes(t).bytes(t);
  for (const d of data) w.bytes(d);
  return sha256(w.finish());
}

function bip341Hashes(
  tx: Tx,
  spent: readonly TxOut[],
  cache: SighashCache,
): NonNullable<SighashCache['bip341']> {
  if (cache.bip341 === undefined) {
    const prevouts = new Writer();
    const amounts = new Writer();
    const scripts = new Writer();
    const sequences = new Writer();
    for (const [i, input] of tx.inputs.entries()) {
      prevouts.bytes(input.prevTxid).u32(input.prevIndex);
      amounts.i64(spent[i]!.valueSat);
      scripts.varBytes(spent[i]!.scriptPubKey);
      sequences.u32(input.sequence);
    }
    const outputs = new Writer();
    for (const o of tx.outputs) serializeOutput(outputs, o);
    cache.bip341 = {
      prevouts: sha256(prevouts.finish()),
      amounts: sha256(amounts.finish()),
      scriptPubKeys: sha256(scripts.finish()),
      sequences: sha256(sequences.finish()),
      outputs: sha256(outputs.finish()),
    };
  }
  return cache.bip341;
}

/** What a taproot signature commits to besides the transaction (BIP 341/342). */
export interface TaprootSpendData {
  /** SHA256 of the CompactSize-prefixed annex, when an annex is present. */
  readonly annexHash: Uint8Array | undefined;
  /** Present for script-path (tapscript) spends. */
  readonly tapscript:
    { readonly tapleafHash: Uint8Array; readonly codeSeparatorPos: number } | undefined;
}

/**
 * BIP 341 signature hash (epoch 0). Returns `undefined` for an undefined hash type and for
 * SIGHASH_SINGLE without a matching output, which Core treats as a failed signature check.
 */
export function taprootSighash(
  tx: Tx,
  inputIndex: number,
  spent: readonly TxOut[],
  hashType: number,
  data: TaprootSpendData,
  cache: SighashCache = {},
): Uint8Array | undefined {
  if (!(hashType <= 0x03 || (hashType >= 0x81 && hashType <= 0x83))) return undefined;
  const outputType = hashType === SIGHASH_DEFAULT ? SIGHASH_ALL : hashType & 0x03;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const w = new Writer().u8(0).u8(hashType).u32(tx.version).u32(tx.lockTime);
  if (!anyoneCanPay) {
    const h = bip341Hashes(tx, spent, cache);
    w.bytes(h.prevouts).bytes(h.amounts).bytes(h.scriptPubKeys).bytes(h.sequences);
  }
  if (outputType === SIGHASH_ALL) w.bytes(bip341Hashes(tx, spent, cache).outputs);
  const spendType = (data.tapscript !== undefined ? 2 : 0) + (data.annexHash !== undefined ? 1 : 0);
  w.u8(spendType);
  const input = tx.inputs[inputIndex]!;
  if (anyoneCanPay) {
    w.bytes(input.prevTxid).u32(input.prevIndex);
    serializeOutput(w, spent[inputIndex]!);
    w.u32(input.sequence);
  } else {
    w.u32(inputIndex);
  }
  if (data.annexHash !== undefined) w.bytes(data.annexHash);
  if (outputType === SIGHASH_SINGLE) {
    const out = tx.outputs[inputIndex];
    if (out === undefined) return undefined;
    w.bytes(sha256(serializeOutput(new Writer(), out).finish()));
  }
  if (data.tapscript !== undefined) {
    w.bytes(data.tapscript.tapleafHash).u8(0).u32(data.tapscript.codeSeparatorPos);
  }
  return taggedHash('TapSighash', w.finish());
}

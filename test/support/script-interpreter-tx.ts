/**
 * Transactions as Bitcoin Core decodes and checks them, for the script interpreter helper:
 * Core's (de)serialization rules (BIP 144 witness marker, canonical CompactSize), the
 * context-free `CheckTransaction` rules, `IsFinalTx` (nLockTime) and BIP 68 relative locks.
 * Written from Core's rules so that no transaction library's own leniency hides a bug in ours.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export interface TxIn {
  /** Previous txid in internal byte order (as serialized), 32 bytes. */
  readonly prevTxid: Uint8Array;
  readonly prevIndex: number;
  readonly scriptSig: Uint8Array;
  readonly sequence: number;
  readonly witness: readonly Uint8Array[];
}

export interface TxOut {
  /** Read as Core does, a signed 64-bit amount (negative values are rejected by CheckTransaction). */
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
}

export interface Tx {
  /** Unsigned 32-bit version, as Core compares it (BIP 68, BIP 112). */
  readonly version: number;
  readonly inputs: readonly TxIn[];
  readonly outputs: readonly TxOut[];
  readonly lockTime: number;
}

/** Core's MAX_SIZE for CompactSize lengths. */
const MAX_SIZE = 0x02000000;
export const SEQUENCE_FINAL = 0xffffffff;
export const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
const MAX_MONEY = 21_000_000n * 100_000_000n;
const MAX_BLOCK_WEIGHT = 4_000_000;

/** Thrown by `decodeTx` for bytes Core would not deserialize. */
export class TxDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TxDecodeError';
  }
}

class Reader {
  pos = 0;
  private readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  get remaining(): number {
    return this.b.length - this.pos;
  }
  bytes(n: number): Uint8Array {
    if (n > this.remaining)
      throw new TxDecodeError(`short read: need ${n}, have ${this.remaining}`);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number {
    return this.bytes(1)[0]!;
  }
  u32(): number {
    const x = this.bytes(4);
    return (x[0]! | (x[1]! << 8) | (x[2]! << 16) | (x[3]! << 24)) >>> 0;
  }
  i64(): bigint {
    const x = this.bytes(8);
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(x[i]!);
    return BigInt.asIntN(64, v);
  }
  compactSize(): number {
    const first = this.u8();
    let v: number;
    if (first < 253) return first;
    if (first === 253) {
      const x = this.bytes(2);
      v = x[0]! | (x[1]! << 8);
      if (v < 253) throw new TxDecodeError('non-canonical CompactSize');
    } else if (first === 254) {
      v = this.u32();
      if (v < 0x10000) throw new TxDecodeError('non-canonical CompactSize');
    } else {
      const lo = this.u32();
      const hi = this.u32();
      if (hi === 0) throw new TxDecodeError('non-canonical CompactSize');
      v = hi * 2 ** 32 + lo;
    }
    if (v > MAX_SIZE) throw new TxDecodeError('CompactSize too large');
    return v;
  }
  varBytes(): Uint8Array {
    return this.bytes(this.compactSize());
  }
}

/** Appends Bitcoin serialization primitives to a growing byte list. */
export class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }
  u32(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24));
  }
  i64(v: bigint): this {
    const out = new Uint8Array(8);
    let x = BigInt.asUintN(64, v);
    for (let i = 0; i < 8; i++) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return this.bytes(out);
  }
  compactSize(n: number): this {
    if (n < 253) return this.u8(n);
    if (n <= 0xffff) return this.u8(253).bytes(Uint8Array.of(n & 0xff, n >>> 8));
    if (n <= 0xffffffff) return this.u8(254).u32(n);
    return this.u8(255)
      .u32(n % 2 ** 32)
      .u32(Math.floor(n / 2 ** 32));
  }
  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

function readInputs(r: Reader): TxIn[] {
  const n = r.compactSize();
  const inputs: TxIn[] = [];
  for (let i = 0; i < n; i++) {
    const prevTxid = r.bytes(32);
    const prevIndex = r.u32();
    const scriptSig = r.varBytes();
    const sequence = r.u32();
    inputs.push({ prevTxid, prevIndex, scriptSig, sequence, witness: [] });
  }
  return inputs;
}

function readOutputs(r: Reader): TxOut[] {
  const n = r.compactSize();
  const outputs: TxOut[] = [];
  for (let i = 0; i < n; i++) outputs.push({ valueSat: r.i64(), scriptPubKey: r.varBytes() });
  return outputs;
}

/**
 * Decodes a transaction with Core's rules: an empty input list followed by a non-zero flag byte
 * is the BIP 144 marker; a witness section whose stacks are all empty ("superfluous witness
 * record") and unknown flag bits are errors. Trailing bytes are rejected.
 */
export function decodeTx(bytes: Uint8Array): Tx {
  const r = new Reader(bytes);
  const version = r.u32();
  let flags = 0;
  let inputs = readInputs(r);
  let outputs: TxOut[] = [];
  if (inputs.length === 0) {
    flags = r.u8();
    if (flags !== 0) {
      inputs = readInputs(r);
      outputs = readOutputs(r);
    }
  } else {
    outputs = readOutputs(r);
  }
  if ((flags & 1) !== 0) {
    flags ^= 1;
    inputs = inputs.map((input) => {
      const n = r.compactSize();
      const witness: Uint8Array[] = [];
      for (let i = 0; i < n; i++) witness.push(r.varBytes());
      return { ...input, witness };
    });
    if (inputs.every((i) => i.witness.length === 0)) {
      throw new TxDecodeError('superfluous witness record');
    }
  }
  if (flags !== 0) throw new TxDecodeError('unknown transaction optional data');
  const lockTime = r.u32();
  if (r.remaining !== 0) throw new TxDecodeError(`${r.remaining} trailing bytes`);
  return { version, inputs, outputs, lockTime };
}

/** Serializes a transaction; with `withWitness` and some witness present, in BIP 144 form. */
export function encodeTx(tx: Tx, withWitness: boolean): Uint8Array {
  const segwit = withWitness && tx.inputs.some((i) => i.witness.length > 0);
  const w = new Writer().u32(tx.version);
  if (segwit) w.u8(0).u8(1);
  w.compactSize(tx.inputs.length);
  for (const i of tx.inputs) {
    w.bytes(i.prevTxid).u32(i.prevIndex).varBytes(i.scriptSig).u32(i.sequence);
  }
  w.compactSize(tx.outputs.length);
  for (const o of tx.outputs) w.i64(o.valueSat).varBytes(o.scriptPubKey);
  if (segwit) {
    for (const i of tx.inputs) {
      w.compactSize(i.witness.length);
      for (const item of i.witness) w.varBytes(item);
    }
  }
  return w.u32(tx.lockTime).finish();
}

/** SHA256(SHA256(data)). */
export function hash256(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** The txid in internal byte order (reverse it for display). */
export function txidOf(tx: Tx): Uint8Array {
  return hash256(encodeTx(tx, false));
}

function isNullPrevout(input: TxIn): boolean {
  return input.prevIndex === 0xffffffff && input.prevTxid.every((b) => b === 0);
}

/** True for a coinbase: exactly one input, spending the null prevout. */
export function isCoinbase(tx: Tx): boolean {
  return tx.inputs.length === 1 && isNullPrevout(tx.inputs[0]!);
}

/**
 * Core's context-free `CheckTransaction`. Returns Core's reject reason, or `undefined` when the
 * transaction passes.
 */
export function checkTransaction(tx: Tx): string | undefined {
  if (tx.inputs.length === 0) return 'bad-txns-vin-empty';
  if (tx.outputs.length === 0) return 'bad-txns-vout-empty';
  if (encodeTx(tx, false).length * 4 > MAX_BLOCK_WEIGHT) return 'bad-txns-oversize';
  let total = 0n;
  for (const o of tx.outputs) {
    if (o.valueSat < 0n) return 'bad-txns-vout-negative';
    if (o.valueSat > MAX_MONEY) return 'bad-txns-vout-toolarge';
    total += o.valueSat;
    if (total > MAX_MONEY) return 'bad-txns-txouttotal-toolarge';
  }
  const seen = new Set<string>();
  for (const i of tx.inputs) {
    const key = `${Array.from(i.prevTxid).join(',')}:${i.prevIndex}`;
    if (seen.has(key)) return 'bad-txns-inputs-duplicate';
    seen.add(key);
  }
  if (isCoinbase(tx)) {
    const len = tx.inputs[0]!.scriptSig.length;
    if (len < 2 || len > 100) return 'bad-cb-length';
  } else if (tx.inputs.some(isNullPrevout)) {
    return 'bad-txns-prevout-null';
  }
  return undefined;
}

/**
 * Core's `IsFinalTx`: nLockTime is a block height below 500,000,000 and a time (compared with
 * the median time past, BIP 113) otherwise; a lock that is not yet reached still counts as
 * final when every input has a final sequence.
 */
export function isFinalTx(tx: Tx, blockHeight: number, blockTime: number): boolean {
  if (tx.lockTime === 0) return true;
  const limit = tx.lockTime < LOCKTIME_THRESHOLD ? blockHeight : blockTime;
  if (tx.lockTime < limit) return true;
  return tx.inputs.every((i) => i.sequence === SEQUENCE_FINAL);
}

/** True when a time-based nLockTime needs the median time past to be judged. */
export function lockTimeNeedsTime(tx: Tx): boolean {
  return (
    tx.lockTime >= LOCKTIME_THRESHOLD && !tx.inputs.every((i) => i.sequence === SEQUENCE_FINAL)
  );
}

/**
 * BIP 68 relative locks (Core's `CalculateSequenceLocks` and `EvaluateSequenceLocks`). Only
 * version >= 2 transactions are constrained; an input with the disable bit set is not.
 *
 * @param prevoutHeights height of the block that confirmed each spent output
 * @param prevoutMedianTimePasts for time-based locks: the median time past of the block before
 *   the one that confirmed each spent output
 * @param spendHeight height of the block the transaction goes into
 * @param spendMedianTimePast median time past of the block before that one
 * @returns `undefined` when satisfied, else a reason
 */
export function checkSequenceLocks(
  tx: Tx,
  prevoutHeights: readonly number[],
  prevoutMedianTimePasts: readonly number[] | undefined,
  spendHeight: number,
  spendMedianTimePast: number | undefined,
): string | undefined {
  if (tx.version < 2) return undefined;
  let minHeight = -1;
  let minTime = -1;
  for (const [index, input] of tx.inputs.entries()) {
    if ((input.sequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) !== 0) continue;
    const coinHeight = prevoutHeights[index]!;
    const value = input.sequence & SEQUENCE_LOCKTIME_MASK;
    if ((input.sequence & SEQUENCE_LOCKTIME_TYPE_FLAG) !== 0) {
      const coinTime = prevoutMedianTimePasts?.[index];
      if (coinTime === undefined || spendMedianTimePast === undefined) {
        throw new Error(
          `input ${index} has a time-based relative lock: give prevoutMedianTimePasts and spendMedianTimePast`,
        );
      }
      minTime = Math.max(minTime, coinTime + value * 512 - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + value - 1);
    }
  }
  if (minHeight >= spendHeight) return 'non-BIP68-final';
  if (minTime >= 0 && minTime >= (spendMedianTimePast ?? 0)) return 'non-BIP68-final';
  return undefined;
}

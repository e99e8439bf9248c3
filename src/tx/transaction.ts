/**
 * A plain Bitcoin transaction model with its consensus serialization (BIP 144 for witnesses),
 * transaction ids and weight (BIP 141). Kept here rather than in a library so that every hash
 * goes through the `CryptoBackend` and every byte array is a `Uint8Array`.
 *
 * Byte order: a `txid` held as `Uint8Array` is in the order it is serialized in an outpoint
 * (the "internal" order, which is also how BOLT 2 `funding_created` carries it). Hex txids, as
 * block explorers and the BOLT vectors print them, are that array reversed: use `txidToHex` and
 * `txidFromHex`.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { fromHex, toHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import { assertLength, assertSat, assertUint, U32_MAX } from './validation.js';

/** A reference to a transaction output. */
export interface OutPoint {
  /** 32 bytes, serialization (internal) order. */
  readonly txid: Uint8Array;
  /** Output index (u32). */
  readonly vout: number;
}

export interface TxInput {
  readonly prevout: OutPoint;
  readonly scriptSig: Uint8Array;
  /** nSequence (u32). */
  readonly sequence: number;
  /** Witness stack, bottom first; empty for a legacy input or an unsigned one. */
  readonly witness: readonly Uint8Array[];
}

export interface TxOutput {
  readonly valueSat: bigint;
  readonly scriptPubkey: Uint8Array;
}

export interface Transaction {
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  /** nLockTime (u32). */
  readonly locktime: number;
}

/** Lowercase display hex of an internal-order txid (the bytes reversed). */
export function txidToHex(txid: Uint8Array): string {
  assertLength(txid, 32, 'txid');
  return toHex(txid.slice().reverse());
}

/** Parses a display-hex txid into internal order. Throws `DecodeError` unless 64 hex chars. */
export function txidFromHex(hex: string): Uint8Array {
  return fromHex(hex, 32, 'txid').reverse();
}

class Writer {
  private buf: Uint8Array;
  private len = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u8(v: number): void {
    this.grow(1);
    this.buf[this.len++] = v;
  }
  u32(v: number): void {
    this.grow(4);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = (v >>> (8 * i)) & 0xff;
  }
  u64(v: bigint): void {
    this.grow(8);
    for (let i = 0n; i < 8n; i++) this.buf[this.len++] = Number((v >> (8n * i)) & 0xffn);
  }
  varint(n: number): void {
    if (n < 0xfd) this.u8(n);
    else if (n <= 0xffff) {
      this.u8(0xfd);
      this.u8(n & 0xff);
      this.u8(n >> 8);
    } else {
      this.u8(0xfe);
      this.u32(n);
    }
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  varBytes(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function hasWitness(tx: Transaction): boolean {
  return tx.inputs.some((i) => i.witness.length > 0);
}

function checkTransaction(tx: Transaction): void {
  assertUint(tx.version >>> 0, U32_MAX, 'version');
  assertUint(tx.locktime, U32_MAX, 'locktime');
  for (const [i, input] of tx.inputs.entries()) {
    assertLength(input.prevout.txid, 32, `inputs[${i}].prevout.txid`);
    assertUint(input.prevout.vout, U32_MAX, `inputs[${i}].prevout.vout`);
    assertUint(input.sequence, U32_MAX, `inputs[${i}].sequence`);
  }
  for (const [i, output] of tx.outputs.entries())
    assertSat(output.valueSat, `outputs[${i}].valueSat`);
}

/**
 * Consensus serialization. With `witness` (the default when any input has a witness) this is the
 * BIP 144 form with marker and flag; without, the legacy form that txids hash and that a
 * `SignableInput.unsignedTx` carries.
 */
export function serializeTransaction(
  tx: Transaction,
  options: { readonly witness?: boolean } = {},
): Uint8Array {
  checkTransaction(tx);
  const withWitness = (options.witness ?? true) && hasWitness(tx);
  const w = new Writer(256);
  w.u32(tx.version);
  if (withWitness) {
    w.u8(0x00);
    w.u8(0x01);
  }
  w.varint(tx.inputs.length);
  for (const input of tx.inputs) {
    w.bytes(input.prevout.txid);
    w.u32(input.prevout.vout);
    w.varBytes(input.scriptSig);
    w.u32(input.sequence);
  }
  w.varint(tx.outputs.length);
  for (const output of tx.outputs) {
    w.u64(output.valueSat);
    w.varBytes(output.scriptPubkey);
  }
  if (withWitness) {
    for (const input of tx.inputs) {
      w.varint(input.witness.length);
      for (const item of input.witness) w.varBytes(item);
    }
  }
  w.u32(tx.locktime);
  return w.finish();
}

class Reader {
  private off = 0;
  private readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  get remaining(): number {
    return this.b.length - this.off;
  }
  peek(at: number): number | undefined {
    return this.b[this.off + at];
  }
  take(n: number): Uint8Array {
    if (n > this.remaining) throw new DecodeError('transaction: unexpected end of data');
    const out = this.b.slice(this.off, this.off + n);
    this.off += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u32(): number {
    const b = this.take(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }
  u64(): bigint {
    const b = this.take(8);
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }
  varint(): number {
    const first = this.u8();
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const v = this.u8() | (this.u8() << 8);
      if (v < 0xfd) throw new DecodeError('transaction: non-canonical varint');
      return v;
    }
    if (first === 0xfe) {
      const v = this.u32();
      if (v <= 0xffff) throw new DecodeError('transaction: non-canonical varint');
      return v;
    }
    throw new DecodeError('transaction: varint too large');
  }
  /** A count of items, each at least `minItemSize` bytes, that must fit in what is left. */
  count(minItemSize: number): number {
    const n = this.varint();
    if (n * minItemSize > this.remaining) throw new DecodeError('transaction: count exceeds data');
    return n;
  }
  varBytes(): Uint8Array {
    return this.take(this.varint());
  }
}

/**
 * Parses a serialized transaction (legacy or BIP 144 witness form). Throws `DecodeError` on
 * truncated data, trailing bytes, a witness flag with no witness, or non-canonical lengths.
 */
export function parseTransaction(bytes: Uint8Array): Transaction {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('transaction: expected Uint8Array');
  const r = new Reader(bytes);
  const version = r.u32();
  let segwit = false;
  if (r.peek(0) === 0x00 && r.peek(1) === 0x01) {
    r.take(2);
    segwit = true;
  }
  const inputCount = r.count(41);
  const ins: { prevout: OutPoint; scriptSig: Uint8Array; sequence: number }[] = [];
  for (let i = 0; i < inputCount; i++) {
    const txid = r.take(32);
    const vout = r.u32();
    const scriptSig = r.varBytes();
    const sequence = r.u32();
    ins.push({ prevout: { txid, vout }, scriptSig, sequence });
  }
  const outputCount = r.count(9);
  const outputs: TxOutput[] = [];
  for (let i = 0; i < outputCount; i++) {
    const valueSat = r.u64();
    outputs.push({ valueSat, scriptPubkey: r.varBytes() });
  }
  const witnesses: Uint8Array[][] = [];
  if (segwit) {
    for (let i = 0; i < inputCount; i++) {
      const items = r.count(1);
      const stack: Uint8Array[] = [];
      for (let j = 0; j < items; j++) stack.push(r.varBytes());
      witnesses.push(stack);
    }
    if (witnesses.every((w) => w.length === 0)) {
      throw new DecodeError('transaction: witness flag set but every witness is empty');
    }
  }
  const locktime = r.u32();
  if (r.remaining !== 0) throw new DecodeError('transaction: trailing bytes');
  const inputs = ins.map((input, i) => ({ ...input, witness: witnesses[i] ?? [] }));
  return { version, inputs, outputs, locktime };
}

/** Double SHA256 through the backend. */
export function hash256(data: Uint8Array, crypto: CryptoBackend = nobleBackend): Uint8Array {
  return crypto.sha256(crypto.sha256(data));
}

/** The txid (internal order): double SHA256 of the serialization without witnesses. */
export function computeTxid(tx: Transaction, crypto: CryptoBackend = nobleBackend): Uint8Array {
  return hash256(serializeTransaction(tx, { witness: false }), crypto);
}

/** BIP 141 weight: 3 × stripped size + total size. */
export function transactionWeight(tx: Transaction): number {
  const stripped = serializeTransaction(tx, { witness: false }).length;
  const total = serializeTransaction(tx).length;
  return stripped * 3 + total;
}

/** A copy of `tx` with input `inputIndex`'s witness replaced. */
export function withWitness(
  tx: Transaction,
  inputIndex: number,
  witness: readonly Uint8Array[],
): Transaction {
  assertUint(inputIndex, tx.inputs.length - 1, 'inputIndex');
  return {
    ...tx,
    inputs: tx.inputs.map((input, i) => (i === inputIndex ? { ...input, witness } : input)),
  };
}
